using Apg.Torch;

namespace Apg.Core.Distributions;

using Torch = Apg.Torch.Torch;

/// <summary>Categorical over the last dim, from (unnormalized) logits; values are int64 indices.</summary>
public sealed class Categorical : IDistribution
{
    public Categorical(Tensor logits) => Logits = Activations.LogSoftmax(logits);

    public static Categorical FromProbs(Tensor probs) => new(probs.Log());

    /// <summary>Normalized log probabilities, [..., M].</summary>
    public Tensor Logits { get; }
    public Tensor Probs => Logits.Exp();
    public long NumCategories => Logits.Size(-1);

    /// <summary>Inverse-CDF draws: one uniform per row, index = number of cumulative probabilities below it.</summary>
    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        var shape = Logits.Shape;
        long[] rows = [.. shape[..^1], 1];
        var u = Torch.Rand(rows, generator, Logits.DType, Logits.Device);
        var below = Logits.Detach().Exp().CumSum(-1).Lt(u).Sum(-1);
        // Rounding can leave the last cumulative probability a hair under u.
        return below.ClampMax(shape[^1] - 1).To(DType.Int64);
    }

    public Tensor LogProb(Tensor value) => Logits.Gather(-1, value.Unsqueeze(-1)).Squeeze(-1);

    public Tensor Entropy() => -(Logits.Exp() * Logits).Sum(-1);

    public static Tensor Kl(Categorical p, Categorical q) => (p.Logits.Exp() * (p.Logits - q.Logits)).Sum(-1);
}

/// <summary>Categorical whose values are one-hot vectors (float, same dtype as the logits).</summary>
public sealed class OneHotCategorical(Tensor logits) : IDistribution
{
    public Categorical Categorical { get; } = new(logits);

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        var index = Categorical.Sample(generator);
        return Apg.Torch.NN.Functional.OneHot(index, Categorical.NumCategories).To(Categorical.Logits.DType);
    }

    public Tensor LogProb(Tensor value) => (Categorical.Logits * value).Sum(-1);
}
