namespace Apg.Core.Inference;

/// <summary>
/// L particles from the one-shot proposal, then K - 1 transitions of a kernel that leaves the target invariant,
/// each particle a chain of its own (no resampling). The kernel does not change the target, so the one-shot
/// importance weights carry over unchanged. With exact block Gibbs it is a Gibbs chain; with HMC, HMC-RWS.
/// </summary>
public sealed class MarkovChainSampler(IModel model, IOneShotProposal oneShot, IMarkovKernel kernel) : ISampler
{
    public SamplerRun Run(Tensor x, int sweeps, int particles, Generator? generator, Action<SweepStats>? onSweep = null)
    {
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), sweeps, "at least one sweep (the one-shot proposal)");
        if (particles < 1) throw new ArgumentOutOfRangeException(nameof(particles), particles, "at least one particle");
        using var noGrad = no_grad();
        var stats = new List<SweepStats>(sweeps);
        var (z, logQ) = oneShot.Sample(x, particles, generator);
        var logW = model.LogJoint(x, z) - logQ;
        Weights.Validate(logW, "sweep 1 (one-shot proposal)");
        stats.Add(SweepStats.Measure(1, model.LogJoint(x, z), logW));
        onSweep?.Invoke(stats[^1]);
        Latents? carried = null; // the previous transition's particles, freed once replaced
        for (var sweep = 2; sweep <= sweeps; sweep++)
        {
            using var scope = NewDisposeScope();
            z = kernel.Move(x, z, generator);
            stats.Add(SweepStats.Measure(sweep, model.LogJoint(x, z), logW));
            onSweep?.Invoke(stats[^1]);
            z.MoveToOuterScope();
            carried?.DisposeExcept(z);
            carried = z;
        }
        return new SamplerRun(z, logW, stats, null);
    }
}
