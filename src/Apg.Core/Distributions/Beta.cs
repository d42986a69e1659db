using Apg.Core.Runtime;

namespace Apg.Core.Distributions;

/// <summary>Beta(a, b), elementwise; drawn as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).</summary>
public sealed class Beta(Tensor concentration1, Tensor concentration0) : IDistribution
{
    public Tensor Concentration1 { get; } = concentration1;
    public Tensor Concentration0 { get; } = concentration0;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        var shape = Shapes.Broadcast(Concentration1.shape, Concentration0.shape);
        var x = SeededDraws.StandardGamma(Concentration1.expand(shape).contiguous(), generator);
        var y = SeededDraws.StandardGamma(Concentration0.expand(shape).contiguous(), generator);
        var eps = Concentration1.dtype == ScalarType.Float64 ? 1e-15 : 1e-7;
        return (x / (x + y)).clamp(eps, 1 - eps);
    }

    public Tensor LogProb(Tensor value) =>
        (Concentration1 - 1) * value.log() + (Concentration0 - 1) * (1 - value).log()
        - Concentration1.lgamma() - Concentration0.lgamma() + (Concentration1 + Concentration0).lgamma();
}
