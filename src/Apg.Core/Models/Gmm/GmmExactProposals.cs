using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Torch;

namespace Apg.Core.Models.Gmm;

using Torch = Apg.Torch.Torch;
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
        return new GlobalConditional(Prior(prior, like.Shape, like.DType, like.Device));
    }

    public static NormalGamma Prior(GmmPrior prior, long[] shape, DType dtype, Device device) => new(
        Torch.Full(shape, prior.Mu0, dtype, device), Torch.Full(shape, prior.Nu0, dtype, device),
        Torch.Full(shape, prior.Alpha0, dtype, device), Torch.Full(shape, prior.Beta0, dtype, device));
}

/// <summary>Starts a sampler from the prior: (mu, tau) ~ Normal-Gamma, c ~ uniform; log q is the prior's log density.</summary>
public sealed class PriorOneShot(GmmPrior prior) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var shape = x.Shape; // [B, N, D]
        var global = new GlobalConditional(PriorGlobalProposal.Prior(prior, [particles, shape[0], prior.Clusters, prior.Dimensions], x.DType, x.Device));
        var globals = global.Sample(generator);
        var local = new LocalConditional(Torch.Zeros([particles, shape[0], shape[1], prior.Clusters], x.DType, x.Device));
        var c = local.Sample(generator);
        return (globals.With(c), global.LogProb(globals) + local.LogProb(c).Sum(-1));
    }
}
