using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

public enum BlockStrategy { Decomposed, Joint }

/// <summary>The samplers compared in Table 1, built for the GMM.</summary>
public static class GmmMethods
{
    /// <summary>The APG sampler with learned proposals and the chosen block strategy.</summary>
    public static ApgSampler Apg(GmmModel model, GmmNetworks networks, BlockStrategy strategy = BlockStrategy.Decomposed,
        ResamplingScheme scheme = ResamplingScheme.Systematic, ISweepObjective? objective = null) =>
        new(model, networks.OneShot, strategy == BlockStrategy.Decomposed
            ? [new GibbsBlockUpdate(networks.Global), new GibbsBlockUpdate(networks.Local)]
            : [new JointBlockUpdate(GmmVariables.Joint, networks.Global, networks.Local)], scheme, objective);

    /// <summary>BPG: Algorithm 2 with the global block proposed from the prior, the learned local proposal.</summary>
    public static ApgSampler Bpg(GmmModel model, GmmNetworks networks) =>
        new(model, networks.OneShot, [new GibbsBlockUpdate(new PriorGlobalProposal(model.Prior)), new GibbsBlockUpdate(networks.Local)]);

    /// <summary>
    /// Exact block Gibbs as a plain chain per particle (no resampling), started from the learned one-shot encoder or
    /// from the prior.
    /// </summary>
    public static MarkovChainSampler Gibbs(GmmModel model, GmmNetworks? networks) =>
        new(model, networks is not null ? networks.OneShot : new PriorOneShot(model.Prior), new BlockGibbsKernel(ExactBlocks(model.Prior)));

    /// <summary>The exact conditionals as block updates: {mu, tau} given c, then c given {mu, tau}.</summary>
    public static IReadOnlyList<IBlockUpdate> ExactBlocks(GmmPrior prior) =>
        [new GibbsBlockUpdate(new ExactGlobalProposal(prior)), new GibbsBlockUpdate(new ExactLocalProposal(prior))];

    /// <summary>RWS: the one-shot proposal alone (run it with one sweep and K * L particles).</summary>
    public static ApgSampler Rws(GmmModel model, GmmNetworks networks) => new(model, networks.OneShot, []);

    /// <summary>HMC-RWS: the one-shot proposal's particles moved by HMC on (mu, log tau), c drawn from its exact conditional.</summary>
    public static MarkovChainSampler HmcRws(GmmModel model, GmmNetworks networks, int leapfrogSteps, double stepSize = 0.1) =>
        new(model, networks.OneShot, new HmcKernel(new GmmHmcTarget(model), leapfrogSteps, stepSize));

    /// <summary>HMC-RWS with another kernel on (mu, log tau), such as one whose step size and preconditioner were adapted.</summary>
    public static MarkovChainSampler HmcRws(GmmModel model, GmmNetworks networks, IMarkovKernel kernel) =>
        new(model, networks.OneShot, kernel);
}
