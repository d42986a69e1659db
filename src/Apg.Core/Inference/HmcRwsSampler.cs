namespace Apg.Core.Inference;

/// <summary>
/// The HMC-RWS baseline: L particles from the one-shot proposal, then K - 1 HMC transitions (LF leapfrog steps
/// each) of the continuous latents. HMC leaves the target invariant, so the one-shot importance weights carry over.
/// </summary>
public sealed class HmcRwsSampler(IModel model, IOneShotProposal oneShot, IHmcTarget target, int leapfrogSteps, double stepSize = 0.1)
{
    public SamplerRun Run(Tensor x, int sweeps, int particles, Generator? generator, Action<SweepStats>? onSweep = null)
    {
        var stats = new List<SweepStats>(sweeps);
        Latents z;
        Tensor logW;
        using (no_grad())
        {
            var (z0, logQ) = oneShot.Sample(x, particles, generator);
            z = z0;
            logW = model.LogJoint(x, z) - logQ;
            Weights.Validate(logW, "sweep 1 (one-shot proposal)");
            stats.Add(SweepStats.Measure(1, model.LogJoint(x, z), logW));
            onSweep?.Invoke(stats[^1]);
        }
        Latents? carried = null; // the previous transition's particles, freed once replaced
        for (var sweep = 2; sweep <= sweeps; sweep++)
        {
            using var scope = NewDisposeScope();
            var state = target.ToUnconstrained(z);
            var current = z;
            var (next, _) = Hmc.Transition(q => target.LogDensity(x, current, q), state, stepSize, leapfrogSteps, generator);
            using (no_grad())
            {
                z = target.FromUnconstrained(x, z, next, generator);
                stats.Add(SweepStats.Measure(sweep, model.LogJoint(x, z), logW));
            }
            onSweep?.Invoke(stats[^1]);
            z.MoveToOuterScope();
            carried?.DisposeExcept(z);
            carried = z;
        }
        return new SamplerRun(z, logW, stats, null);
    }
}
