using Apg.Torch;

namespace Apg.Core.Inference;

using Torch = Apg.Torch.Torch;

public enum ResamplingScheme { Systematic, Multinomial }

/// <summary>
/// Resampling over the particle dimension, per instance. Log weights are [L, B]; the result is ancestor
/// indices [L, B] (int64). Weights are normalized by logsumexp, never by exp of unnormalized weights.
/// </summary>
public static class Resampling
{
    public static Tensor Ancestors(Tensor logWeights, ResamplingScheme scheme, Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        var shape = logWeights.Shape;
        if (shape.Length != 2) throw new ArgumentException($"log weights must be [particles, instances], got {Tensor.FormatShape(shape)}");
        var particles = shape[0];
        var probs = (logWeights - logWeights.LogSumExp(0, keepdim: true)).Exp().T().Contiguous(); // [B, L]
        return scheme switch
        {
            ResamplingScheme.Multinomial => Torch.Multinomial(probs, particles, true, generator).T(),
            ResamplingScheme.Systematic => Systematic(probs, particles, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
        };
    }

    // One uniform offset per instance; particle l's pointer is (l + u) / L into the cumulative weights.
    private static Tensor Systematic(Tensor probs, long particles, Generator? generator)
    {
        var instances = probs.Size(0);
        var u = Torch.Rand([instances, 1], generator, probs.DType, probs.Device);
        var pointers = (Torch.Arange(0, particles, 1, probs.DType, probs.Device).Unsqueeze(0) + u) / particles;
        var cdf = probs.CumSum(1);
        return Torch.SearchSorted(cdf, pointers.Contiguous(), right: true).ClampMax(particles - 1).To(DType.Int64).T();
    }

    /// <summary>Selects particles: tensor [L, B, ...] gathered along dim 0 by ancestors [L, B].</summary>
    public static Tensor Select(Tensor tensor, Tensor ancestors)
    {
        var shape = tensor.Shape;
        var index = ancestors;
        for (var d = 2; d < shape.Length; d++) index = index.Unsqueeze(-1);
        return tensor.Gather(0, index.Expand(shape));
    }
}
