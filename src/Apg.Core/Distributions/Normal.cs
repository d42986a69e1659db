using Apg.Torch;

namespace Apg.Core.Distributions;

using Torch = Apg.Torch.Torch;

/// <summary>Normal(loc, scale), elementwise.</summary>
public sealed class Normal(Tensor loc, Tensor scale) : IDistribution
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    public Tensor Loc { get; } = loc;
    public Tensor Scale { get; } = scale;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        return RSample(generator);
    }

    /// <summary>loc + scale * eps with eps ~ Normal(0, 1) in the broadcast shape: differentiable in loc and scale.</summary>
    public Tensor RSample(Generator? generator) =>
        Loc + Scale * Torch.Randn(Shapes.Broadcast(Loc.Shape, Scale.Shape), generator, Loc.DType, Loc.Device);

    public Tensor LogProb(Tensor value) => -((value - Loc) / Scale).Square() * 0.5 - Scale.Log() - HalfLog2Pi;

    /// <summary>Elementwise KL(p || q).</summary>
    public static Tensor Kl(Normal p, Normal q)
    {
        var ratio = (p.Scale / q.Scale).Square();
        return (ratio + ((p.Loc - q.Loc) / q.Scale).Square() - 1 - ratio.Log()) * 0.5;
    }
}
