using Apg.Core.Distributions;
using Apg.Core.Inference;

namespace Apg.Core.Tests;

/// <summary>
/// A conjugate model small enough to solve by hand, for testing the sampler engine: theta ~ Normal(m0, s0),
/// x_i | theta ~ Normal(theta, sigma) for i = 1..n. Data x [B, n] (float64); latents theta [L, B, 1]; one block.
/// Optionally theta is restricted to theta &gt; Lower (log density -inf below it).
/// </summary>
internal sealed class NormalMeanModel(double m0, double s0, double sigma, double lower = double.NegativeInfinity) : IModel
{
    public const string Theta = "theta";
    public static readonly Block Block = new("theta block", [Theta]);

    public double M0 { get; } = m0;
    public double S0 { get; } = s0;
    public double Sigma { get; } = sigma;

    public IReadOnlyList<Tensor> Parameters { get; } = [];

    public Tensor LogJoint(Tensor x, Latents z)
    {
        var theta = z[Theta];                                                             // [L, B, 1]
        var prior = new Normal(Scalar(theta, M0), Scalar(theta, S0)).LogProb(theta).sum(-1);
        var likelihood = new Normal(theta, Scalar(theta, Sigma)).LogProb(x.unsqueeze(0)).sum(-1); // [L, B, n] summed
        var logJoint = prior + likelihood;
        return double.IsNegativeInfinity(lower) ? logJoint : logJoint.masked_fill(theta.squeeze(-1).le(lower), double.NegativeInfinity);
    }

    public Tensor LogJointTerms(Tensor x, Latents z, Block block) => LogJoint(x, z);

    /// <summary>The exact posterior of theta per instance: (mean, sd), each [B].</summary>
    public (double[] Mean, double[] Sd) Posterior(Tensor x)
    {
        var values = T.D(x);
        var (instances, n) = ((int)x.size(0), (int)x.size(1));
        var mean = new double[instances];
        var sd = new double[instances];
        for (var b = 0; b < instances; b++)
        {
            var sum = Enumerable.Range(0, n).Sum(i => values[b * n + i]);
            var precision = 1 / (S0 * S0) + n / (Sigma * Sigma);
            mean[b] = (M0 / (S0 * S0) + sum / (Sigma * Sigma)) / precision;
            sd[b] = 1 / Math.Sqrt(precision);
        }
        return (mean, sd);
    }

    private static Tensor Scalar(Tensor like, double value) => tensor(value, like.dtype, like.device);
}

/// <summary>A Gaussian over theta: [L, B, 1] draws, log q summed to [L, B].</summary>
internal sealed class GaussianConditional(Normal distribution) : IBlockConditional
{
    public Latents Sample(Generator? generator) => new((NormalMeanModel.Theta, distribution.Sample(generator)));
    public Tensor LogProb(Latents values) => distribution.LogProb(values[NormalMeanModel.Theta]).sum(-1);
}

/// <summary>
/// q(theta | x) = Normal(mean(x), sd(x)) with per-instance mean and sd [B]: a block proposal that ignores the current
/// theta (a valid Gibbs-style proposal: the block is all of z).
/// </summary>
internal sealed class GaussianBlockProposal(double[] mean, double[] sd) : IBlockProposal
{
    public Block Block => NormalMeanModel.Block;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var particles = z[NormalMeanModel.Theta].size(0);
        var shape = new long[] { particles, mean.Length, 1 };
        return new GaussianConditional(new Normal(T.F64(mean, 1, mean.Length, 1).expand(shape), T.F64(sd, 1, sd.Length, 1).expand(shape)));
    }
}

/// <summary>The one-shot proposal from a Gaussian (by default the prior); an optional constant is added to log q (NaN to break it).</summary>
internal sealed class GaussianOneShot(double mean, double sd, double logQOffset = 0) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var shape = new long[] { particles, x.size(0), 1 };
        var conditional = new GaussianConditional(new Normal(full(shape, mean, ScalarType.Float64), full(shape, sd, ScalarType.Float64)));
        var z = conditional.Sample(generator);
        return (z, conditional.LogProb(z) + logQOffset);
    }
}
