using Apg.Core.Runtime;

namespace Apg.Core.Distributions;

/// <summary>Gamma(concentration, rate) in shape/rate form, elementwise; mean concentration / rate.</summary>
public sealed class Gamma(Tensor concentration, Tensor rate) : IDistribution
{
    public Tensor Concentration { get; } = concentration;
    public Tensor Rate { get; } = rate;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        var alpha = Concentration.expand(Shapes.Broadcast(Concentration.shape, Rate.shape)).contiguous();
        // Standard gamma draws can underflow to exactly 0 for small shapes; keep them in the support.
        return (SeededDraws.StandardGamma(alpha, generator) / Rate).clamp_min(Tiny(alpha.dtype));
    }

    public Tensor LogProb(Tensor value) =>
        Concentration * Rate.log() + (Concentration - 1) * value.log() - Rate * value - Concentration.lgamma();

    public static Tensor Kl(Gamma p, Gamma q) =>
        (p.Concentration - q.Concentration) * p.Concentration.digamma()
        - p.Concentration.lgamma() + q.Concentration.lgamma()
        + q.Concentration * (p.Rate.log() - q.Rate.log())
        + p.Concentration * (q.Rate - p.Rate) / p.Rate;

    // The smallest normal number of the dtype (torch.finfo(dtype).tiny), as torch.distributions.Gamma clamps.
    internal static double Tiny(ScalarType dtype) => dtype == ScalarType.Float64 ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
}
