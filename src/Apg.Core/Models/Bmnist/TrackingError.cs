namespace Apg.Core.Models.Bmnist;

/// <summary>
/// How far inferred digit positions are from the true ones, in pixels (Figure 4's tracking, measured): the mean over
/// frames and digits of the distance between inferred and true positions, under the matching of inferred to true
/// digits that makes it smallest. One matching serves the whole video, since a digit keeps its identity. Positions are
/// frame coordinates in [-1, 1], whose unit is (F - 28) / 2 pixels (the simulator's and the model's spatial transformer).
/// </summary>
public static class TrackingError
{
    /// <summary>Matchings are tried exhaustively: D! of them.</summary>
    public const int MaxDigits = 8;

    /// <param name="inferred">[T, D, 2] positions of one video's sample.</param>
    /// <param name="truth">[T, D, 2] the simulator's positions of that video.</param>
    public static double Pixels(Tensor inferred, Tensor truth, int frameSize)
    {
        if (inferred.dim() != 3 || inferred.size(2) != 2 || !inferred.shape.SequenceEqual(truth.shape))
            throw new ArgumentException($"positions must both be [T, D, 2], got {Runtime.Shapes.Format(inferred)} and {Runtime.Shapes.Format(truth)}");
        var digits = (int)inferred.size(1);
        if (digits > MaxDigits) throw new ArgumentException($"at most {MaxDigits} digits are matched exhaustively, got {digits}");
        if (frameSize <= Data.MnistDigits.Side) throw new ArgumentException($"the frame size must exceed {Data.MnistDigits.Side}, got {frameSize}");
        using var scope = NewDisposeScope();
        var a = inferred.to(ScalarType.Float64).cpu();
        var b = truth.to(ScalarType.Float64).cpu();
        // cost[i, j]: the mean over frames of the distance between inferred digit i and true digit j.
        var cost = (a.unsqueeze(2) - b.unsqueeze(1)).pow(2).sum(-1).sqrt().mean([0]).contiguous().data<double>().ToArray();
        var best = double.PositiveInfinity;
        foreach (var matching in Permutations(digits))
            best = Math.Min(best, Enumerable.Range(0, digits).Average(i => cost[i * digits + matching[i]]));
        return best * (frameSize - Data.MnistDigits.Side) / 2.0;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        IEnumerable<int[]> From(int k)
        {
            if (k == n) { yield return (int[])p.Clone(); yield break; }
            for (var i = k; i < n; i++)
            {
                (p[k], p[i]) = (p[i], p[k]);
                foreach (var q in From(k + 1)) yield return q;
                (p[k], p[i]) = (p[i], p[k]);
            }
        }
        return From(0);
    }
}
