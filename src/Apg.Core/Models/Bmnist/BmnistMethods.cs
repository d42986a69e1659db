using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

/// <summary>The bouncing-MNIST samplers: APG, BPG, RWS and HMC-RWS from the generic engine and the T + 1 blocks.</summary>
public static class BmnistMethods
{
    /// <summary>APG: the one-shot proposal, then sweeps of {what}, {where_1}, ..., {where_T} with the learned proposals.</summary>
    public static ApgSampler Apg(BmnistNetworks networks, int frames) =>
        new(networks.Model, networks.OneShot, [new GibbsBlockUpdate(networks.What), .. networks.Where(frames).Select(w => new GibbsBlockUpdate(w))],
            objective: SweepObjectives.BlockTermsWakeSleep);

    /// <summary>BPG: as APG with the codes proposed from the prior (the authors' bootstrapped sampler).</summary>
    public static ApgSampler Bpg(BmnistNetworks networks, int frames) =>
        new(networks.Model, networks.OneShot,
            [new GibbsBlockUpdate(new PriorWhatProposal()), .. networks.Where(frames).Select(w => new GibbsBlockUpdate(w))]);

    /// <summary>RWS: the one-shot proposal alone (run it with one sweep and K * L particles).</summary>
    public static ApgSampler Rws(BmnistNetworks networks) => new(networks.Model, networks.OneShot, []);

    /// <summary>HMC-RWS: the one-shot proposal's particles moved by HMC on codes and positions.</summary>
    public static MarkovChainSampler HmcRws(BmnistNetworks networks, int leapfrogSteps, double stepSize) =>
        new(networks.Model, networks.OneShot, new HmcKernel(new BmnistHmcTarget(networks.Model), leapfrogSteps, stepSize));
}
