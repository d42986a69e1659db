using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Dmm;

using static DmmVariables;

/// <summary>
/// The deep generative mixture of rings (section 6.3): mu[m] ~ Normal(0, s^2 I), c[n] ~ Cat(uniform),
/// h[n] ~ Beta(1, 1), x[n] ~ Normal(mu[c[n]] + decoder(h[n]), sigma^2 I). The decoder's parameters are theta.
/// </summary>
public sealed class DmmModel(DmmPrior prior, IRingDecoder decoder) : IModel
{
    public DmmPrior Prior { get; } = prior;
    public IRingDecoder Decoder { get; } = decoder;
    public IReadOnlyList<Tensor> Parameters => Decoder.Parameters;

    public Tensor LogJoint(Tensor x, Latents z) => LogPriorGlobal(z) + LogPointTerms(x, z).sum(-1);

    public Tensor LogJointTerms(Tensor x, Latents z, Block block) =>
        block.Name == Local.Name ? LogPointTerms(x, z)
        : block.Name == Global.Name ? LogPriorGlobal(z) + LogLikelihood(x, z).sum(-1)
        : LogJoint(x, z);

    /// <summary>log p(mu): [L, B].</summary>
    public Tensor LogPriorGlobal(Latents z)
    {
        var mu = z[Mu];
        return new Normal(zeros_like(mu), full_like(mu, Prior.MuScale)).LogProb(mu).sum(-2, -1);
    }

    /// <summary>log p(c_n) + log p(h_n) + log p(x_n | mu, c_n, h_n) per point: [L, B, N] (log Beta(h; 1, 1) = 0).</summary>
    public Tensor LogPointTerms(Tensor x, Latents z) => LogLikelihood(x, z) - Math.Log(Prior.Clusters);

    /// <summary>log p(x_n | mu, c_n, h_n): [L, B, N].</summary>
    public Tensor LogLikelihood(Tensor x, Latents z)
    {
        var centre = CheckedOps.MatMul(z[C], z[Mu], "DMM likelihood: assignments c times centres mu");   // [L, B, N, 2]
        var mean = centre + Decoder.Offset(z[H]);
        var residual = (x - mean) / Prior.NoiseScale;
        return (residual.square() * -0.5).sum(-1) - DmmPrior.Dimensions * (Math.Log(Prior.NoiseScale) + 0.5 * Math.Log(2 * Math.PI));
    }
}
