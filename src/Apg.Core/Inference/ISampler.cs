namespace Apg.Core.Inference;

/// <summary>
/// A sampler that evaluation runs: L particles per instance, K sweeps (the one-shot proposal, then K - 1 moves), the
/// statistics of every sweep. APG, RWS, BPG (ApgSampler) and Gibbs and HMC-RWS chains (MarkovChainSampler) share it.
/// </summary>
public interface ISampler
{
    SamplerRun Run(Tensor x, int sweeps, int particles, Generator? generator, Action<SweepStats>? onSweep = null);
}
