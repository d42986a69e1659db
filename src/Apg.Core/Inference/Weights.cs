using Apg.Torch;

namespace Apg.Core.Inference;

using Torch = Apg.Torch.Torch;

/// <summary>A batch whose importance weights cannot be normalized.</summary>
public sealed class DegenerateWeightsException(string message) : Exception(message);

/// <summary>Log-weight arithmetic over the particle dim (dim 0): normalization is a logsumexp.</summary>
public static class Weights
{
    /// <summary>Self-normalized weights over particles (detached), same shape as the log weights.</summary>
    public static Tensor Normalized(Tensor logWeights)
    {
        using var noGrad = Torch.NoGrad();
        return logWeights.Detach().Softmax(0);
    }

    /// <summary>ESS / L = (sum w)^2 / (L sum w^2) per instance, in [1/L, 1]: [B].</summary>
    public static Tensor EffectiveSampleFraction(Tensor logWeights)
    {
        using var noGrad = Torch.NoGrad();
        var particles = logWeights.Size(0);
        return ((logWeights.LogSumExp(0) * 2 - (logWeights * 2).LogSumExp(0)).Exp()) / particles;
    }

    /// <summary>Throws, naming where, if some instance has a NaN weight or no particle with finite weight.</summary>
    public static void Validate(Tensor logWeights, string where)
    {
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var nan = logWeights.IsNan().Any().Item() != 0;
        var allNegInf = logWeights.Max(0).Values.Eq(double.NegativeInfinity);
        if (!nan && allNegInf.Any().Item() == 0) return;
        var instances = allNegInf.LogicalOr(logWeights.IsNan().Sum(0).Gt(0)).Nonzero1D();
        throw new DegenerateWeightsException(
            $"{where}: {(nan ? "NaN" : "all -inf")} log weights for instance(s) {string.Join(", ", instances.Take(10))} of the batch");
    }

    private static long[] Nonzero1D(this Tensor mask)
    {
        var flags = mask.ToArray<bool>();
        return Enumerable.Range(0, flags.Length).Where(i => flags[i]).Select(i => (long)i).ToArray();
    }
}
