using Apg.Core.Runtime;

namespace Apg.Core.Inference;

public enum ResamplingScheme { Systematic, Multinomial }

/// <summary>
/// Resampling over the particle dimension, per instance. Log weights are [L, B]; the result is ancestor
/// indices [L, B] (int64). Weights are normalized by logsumexp, never by exp of unnormalized weights.
/// </summary>
public static class Resampling
{
    public static Tensor Ancestors(Tensor logWeights, ResamplingScheme scheme, Generator? generator)
    {
        using var noGrad = no_grad();
        var shape = logWeights.shape;
        if (shape.Length != 2) throw new ArgumentException($"log weights must be [particles, instances], got {Shapes.Format(shape)}");
        var particles = shape[0];
        var probs = (logWeights - logWeights.logsumexp(0, keepdim: true)).exp().t().contiguous(); // [B, L]
        return scheme switch
        {
            ResamplingScheme.Multinomial => SeededDraws.Multinomial(probs, particles, true, generator).t(),
            ResamplingScheme.Systematic => Systematic(probs, particles, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
        };
    }

    // One uniform offset per instance; particle l's pointer is (l + u) / L into the cumulative weights.
    private static Tensor Systematic(Tensor probs, long particles, Generator? generator)
    {
        var instances = probs.size(0);
        var u = SeededDraws.Rand([instances, 1], probs.dtype, probs.device, generator);
        var pointers = (arange(0, particles, 1, probs.dtype, probs.device).unsqueeze(0) + u) / particles;
        var cdf = probs.cumsum(1);
        return searchsorted(cdf, pointers.contiguous(), right: true).clamp_max(particles - 1).to(ScalarType.Int64).t();
    }

    /// <summary>Selects particles: tensor [L, B, ...] gathered along dim 0 by ancestors [L, B].</summary>
    public static Tensor Select(Tensor tensor, Tensor ancestors)
    {
        var shape = tensor.shape;
        var index = ancestors;
        for (var d = 2; d < shape.Length; d++) index = index.unsqueeze(-1);
        return tensor.gather(0, index.expand(shape));
    }
}
