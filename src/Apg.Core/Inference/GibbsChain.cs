namespace Apg.Core.Inference;

/// <summary>
/// Block Gibbs as a plain Markov chain per particle: L particles from the one-shot proposal, then sweeps of
/// updates from exact conditionals, with no resampling. Exact conditionals leave the target invariant, so the
/// one-shot importance weights carry over unchanged (as in HMC-RWS); log p(x, z) is averaged over the chains.
/// </summary>
public sealed class GibbsChain(IModel model, IOneShotProposal oneShot, IReadOnlyList<IBlockUpdate> blocks)
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
        Latents? carried = null; // the previous sweep's particles, freed once replaced
        for (var sweep = 2; sweep <= sweeps; sweep++)
        {
            using var scope = NewDisposeScope();
            foreach (var update in blocks) z = z.With(update.Propose(x, z, generator).Proposed);
            stats.Add(SweepStats.Measure(sweep, model.LogJoint(x, z), logW));
            onSweep?.Invoke(stats[^1]);
            z.MoveToOuterScope();
            carried?.DisposeExcept(z);
            carried = z;
        }
        return new SamplerRun(z, logW, stats, null);
    }
}
