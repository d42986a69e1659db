using Apg.Core.Distributions;
using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>(mu, tau) from a Normal-Gamma per cluster and dimension; log q summed over both: [L, B].</summary>
public sealed class GlobalConditional(NormalGamma distribution) : IBlockConditional
{
    public NormalGamma Distribution { get; } = distribution;

    public Latents Sample(Generator? generator)
    {
        var (mean, precision) = Distribution.Sample(generator);
        return new Latents((Mu, mean), (Tau, precision));
    }

    public Tensor LogProb(Latents values) => Distribution.LogProb(values[Mu], values[Tau]).sum(-2, -1);
}

/// <summary>One-hot assignments c from per-point logits [L, B, N, M]; log q per point: [L, B, N].</summary>
public sealed class LocalConditional(Tensor logits) : IBlockConditional
{
    public OneHotCategorical Distribution { get; } = new(logits);

    public Latents Sample(Generator? generator) => new((C, Distribution.Sample(generator)));

    public Tensor LogProb(Latents values) => Distribution.LogProb(values[C]);
}
