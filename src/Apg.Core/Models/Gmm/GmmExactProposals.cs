using Apg.Core.Distributions;
using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>The exact conditional p(mu, tau | x, c): the conjugate update from the hard assignments.</summary>
public sealed class ExactGlobalProposal(GmmPrior prior) : IBlockProposal
{
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z) => new GlobalConditional(Posterior(prior, x, z[C]));

    public static NormalGamma Posterior(GmmPrior prior, Tensor x, Tensor c)
    {
        var (n, s1, s2) = GmmConjugacy.Statistics(c, x);
        return GmmConjugacy.Posterior(prior, n, s1, s2);
    }
}

/// <summary>The exact conditional p(c | x, mu, tau): independent per point, proportional to pi_m N(x_n; mu_m, tau_m).</summary>
public sealed class ExactLocalProposal(GmmPrior prior) : IBlockProposal
{
    public Block Block => Local;

    public IBlockConditional Condition(Tensor x, Latents z) =>
        new LocalConditional(GmmModel.LogLikelihoodPerCluster(x, z[Mu], z[Tau]) - Math.Log(prior.Clusters));
}

/// <summary>BPG's global block: (mu, tau) proposed from the prior, whatever the rest.</summary>
public sealed class PriorGlobalProposal(GmmPrior prior) : IBlockProposal
{
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var like = z[Mu];
        return new GlobalConditional(Prior(prior, like.shape, like.dtype, like.device));
    }

    public static NormalGamma Prior(GmmPrior prior, long[] shape, ScalarType dtype, Device device) => new(
        full(shape, prior.Mu0, dtype, device), full(shape, prior.Nu0, dtype, device),
        full(shape, prior.Alpha0, dtype, device), full(shape, prior.Beta0, dtype, device));
}

/// <summary>Starts a sampler from the prior: (mu, tau) ~ Normal-Gamma, c ~ uniform; log q is the prior's log density.</summary>
public sealed class PriorOneShot(GmmPrior prior) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var shape = x.shape; // [B, N, D]
        var global = new GlobalConditional(PriorGlobalProposal.Prior(prior, [particles, shape[0], prior.Clusters, prior.Dimensions], x.dtype, x.device));
        var globals = global.Sample(generator);
        var local = new LocalConditional(zeros([particles, shape[0], shape[1], prior.Clusters], x.dtype, x.device));
        var c = local.Sample(generator);
        return (globals.With(c), global.LogProb(globals) + local.LogProb(c).sum(-1));
    }
}
