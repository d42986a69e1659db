namespace Apg.Core.Inference;

/// <summary>A batch whose importance weights cannot be normalized.</summary>
public sealed class DegenerateWeightsException(string message) : Exception(message);

/// <summary>Log-weight arithmetic over the particle dim (dim 0): normalization is a logsumexp.</summary>
public static class Weights
{
    /// <summary>Self-normalized weights over particles (detached), same shape as the log weights.</summary>
    public static Tensor Normalized(Tensor logWeights)
    {
        using var noGrad = no_grad();
        return logWeights.detach().softmax(0L);
    }

    /// <summary>ESS / L = (sum w)^2 / (L sum w^2) per instance, in [1/L, 1]: [B].</summary>
    public static Tensor EffectiveSampleFraction(Tensor logWeights)
    {
        using var noGrad = no_grad();
        var particles = logWeights.size(0);
        return (logWeights.logsumexp(0) * 2 - (logWeights * 2).logsumexp(0)).exp() / particles;
    }

    /// <summary>Throws, naming where, if some instance has a NaN weight or no particle with finite weight.</summary>
    public static void Validate(Tensor logWeights, string where)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // One reduction and one sync decide the common case: the max over particles is finite unless a weight is NaN
        // (max propagates NaN), every one is -inf, or one is +inf. Only a failure pays for the diagnosis.
        if (logWeights.amax(0).isfinite().all().item<bool>()) return;
        var nan = logWeights.isnan().any().item<bool>();
        var allNegInf = logWeights.max(0).values.eq(double.NegativeInfinity);
        var posInf = logWeights.eq(double.PositiveInfinity);
        var flags = allNegInf.logical_or(logWeights.isnan().sum(0L).gt(0)).logical_or(posInf.sum(0L).gt(0)).cpu().data<bool>().ToArray();
        var instances = Enumerable.Range(0, flags.Length).Where(i => flags[i]);
        var what = nan ? "NaN" : allNegInf.any().item<bool>() ? "all -inf" : "+inf";
        throw new DegenerateWeightsException(
            $"{where}: {what} log weights for instance(s) {string.Join(", ", instances.Take(10))} of the batch");
    }
}
