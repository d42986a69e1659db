using Apg.Torch;

namespace Apg.Core.Distributions;

using Torch = Apg.Torch.Torch;

/// <summary>Beta(a, b), elementwise; drawn as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
public sealed class Beta(Tensor concentration1, Tensor concentration0) : IDistribution
{
    public Tensor Concentration1 { get; } = concentration1;
    public Tensor Concentration0 { get; } = concentration0;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        var shape = Shapes.Broadcast(Concentration1.Shape, Concentration0.Shape);
        var x = Torch.StandardGamma(Concentration1.Expand(shape).Contiguous(), generator);
        var y = Torch.StandardGamma(Concentration0.Expand(shape).Contiguous(), generator);
        var eps = Concentration1.DType == DType.Float64 ? 1e-15 : 1e-7;
        return (x / (x + y)).Clamp(eps, 1 - eps);
    }

    public Tensor LogProb(Tensor value) =>
        (Concentration1 - 1) * value.Log() + (Concentration0 - 1) * (1 - value).Log()
        - Concentration1.Lgamma() - Concentration0.Lgamma() + (Concentration1 + Concentration0).Lgamma();
}
