using Apg.Torch;

namespace Apg.Core.Distributions;

using Torch = Apg.Torch.Torch;

/// <summary>Gamma(concentration, rate) in shape/rate form, elementwise; mean concentration / rate.</summary>
public sealed class Gamma(Tensor concentration, Tensor rate) : IDistribution
{
    public Tensor Concentration { get; } = concentration;
    public Tensor Rate { get; } = rate;

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        var alpha = Concentration.Expand(Broadcast()).Contiguous();
        // Standard gamma draws can underflow to exactly 0 for small shapes; keep them in the support.
        return (Torch.StandardGamma(alpha, generator) / Rate).ClampMin(Tiny(alpha.DType));
    }

    public Tensor LogProb(Tensor value) =>
        Concentration * Rate.Log() + (Concentration - 1) * value.Log() - Rate * value - Concentration.Lgamma();

    public static Tensor Kl(Gamma p, Gamma q) =>
        (p.Concentration - q.Concentration) * p.Concentration.Digamma()
        - p.Concentration.Lgamma() + q.Concentration.Lgamma()
        + q.Concentration * (p.Rate.Log() - q.Rate.Log())
        + p.Concentration * (q.Rate - p.Rate) / p.Rate;

    private long[] Broadcast() => Shapes.Broadcast(Concentration.Shape, Rate.Shape);

    // The smallest normal number of the dtype (torch.finfo(dtype).tiny), as torch.distributions.Gamma clamps.
    internal static double Tiny(DType dtype) => dtype == DType.Float64 ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
}
