using Apg.Core.Runtime;

namespace Apg.Core.Distributions;

/// <summary>Normal(loc, scale), elementwise.</summary>
public sealed class Normal(Tensor loc, Tensor scale) : IDistribution
{
    internal const double HalfLog2Pi = 0.91893853320467274178;

    public Tensor Loc { get; } = loc;
    public Tensor Scale { get; } = scale;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        return RSample(generator);
    }

    /// <summary>loc + scale * eps with eps ~ Normal(0, 1) in the broadcast shape: differentiable in loc and scale.</summary>
    public Tensor RSample(Generator? generator) =>
        Loc + Scale * SeededDraws.Randn(Shapes.Broadcast(Loc.shape, Scale.shape), Loc.dtype, Loc.device, generator);

    public Tensor LogProb(Tensor value) => -((value - Loc) / Scale).square() * 0.5 - Scale.log() - HalfLog2Pi;

    /// <summary>Elementwise KL(p || q).</summary>
    public static Tensor Kl(Normal p, Normal q)
    {
        var ratio = (p.Scale / q.Scale).square();
        return (ratio + ((p.Loc - q.Loc) / q.Scale).square() - 1 - ratio.log()) * 0.5;
    }
}
