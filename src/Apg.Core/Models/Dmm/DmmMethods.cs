using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

/// <summary>The DMM samplers: APG, RWS, BPG and HMC-RWS, each built from the generic engine and the DMM's blocks.</summary>
public static class DmmMethods
{
    /// <summary>APG: the one-shot proposal, then sweeps of the blocks {mu}, {c, h} with the learned proposals.</summary>
    public static ApgSampler Apg(DmmModel model, DmmNetworks networks) =>
        new(model, networks.OneShot, [new GibbsBlockUpdate(networks.Global), new GibbsBlockUpdate(networks.Local)]);

    /// <summary>BPG: Algorithm 2 with the centres proposed from the prior, the learned local proposal.</summary>
    public static ApgSampler Bpg(DmmModel model, DmmNetworks networks) =>
        new(model, networks.OneShot, [new GibbsBlockUpdate(new PriorCentreProposal(model.Prior)), new GibbsBlockUpdate(networks.Local)]);

    /// <summary>RWS: the one-shot proposal alone (run it with one sweep and K * L particles).</summary>
    public static ApgSampler Rws(DmmModel model, DmmNetworks networks) => new(model, networks.OneShot, []);

    /// <summary>HMC-RWS: the one-shot proposal's particles, their centres moved by HMC given c and h.</summary>
    public static MarkovChainSampler HmcRws(DmmModel model, DmmNetworks networks, int leapfrogSteps, double stepSize) =>
        new(model, networks.OneShot, new HmcKernel(new DmmHmcTarget(model), leapfrogSteps, stepSize));
}
