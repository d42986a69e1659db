namespace Apg.Core.Inference;

/// <summary>The outcome of running a sampler on a batch: final particles and weights, per-sweep stats, and the training loss.</summary>
public sealed record SamplerRun(Latents Z, Tensor LogWeights, IReadOnlyList<SweepStats> Sweeps, Tensor? Loss);

/// <summary>
/// The amortized population Gibbs sampler (Algorithm 2): a one-shot proposal, then sweeps of block updates,
/// each preceded by resampling and weighed by its incremental weight
/// v = p(x, z'_b, z_-b) r(z_b | x, z'_b, z_-b) / (p(x, z_b, z_-b) q(z'_b | x, z_-b)).
/// With a loss, it accumulates the self-normalized gradient estimates of Eq. 6 (proposals) and Eq. 7
/// (model parameters) with detached weights; for a per-point block the weights are normalized per point.
/// The objective is a plug-in (SweepObjectives: reweighted wake-sleep by default).
/// </summary>
public sealed class ApgSampler(IModel model, IOneShotProposal oneShot, IReadOnlyList<IBlockUpdate> blocks,
    ResamplingScheme scheme = ResamplingScheme.Systematic, ISweepObjective? objective = null) : ISampler
{
    public IModel Model { get; } = model;
    public IReadOnlyList<IBlockUpdate> Blocks { get; } = blocks;
    public ISweepObjective Objective { get; } = objective ?? SweepObjectives.ReweightedWakeSleep;

    /// <inheritdoc cref="Run(Tensor, int, int, Generator?, SamplerGradients, SweepStatistics, Action{SweepStats}?)" />
    SamplerRun ISampler.Run(Tensor x, int sweeps, int particles, Generator? generator, Action<SweepStats>? onSweep) =>
        Run(x, sweeps, particles, generator, onSweep: onSweep);

    /// <summary>
    /// A training step's run: gradients accumulated sweep by sweep, the loss detached, and the last sweep measured
    /// where the step is logged (measured: false leaves Sweeps empty; the particles, weights and gradients are the same).
    /// </summary>
    public SamplerRun Train(Tensor x, int sweeps, int particles, Generator? generator, bool measured = true) =>
        Run(x, sweeps, particles, generator, SamplerGradients.EachSweep, measured ? SweepStatistics.LastSweep : SweepStatistics.None);

    /// <summary>
    /// Runs 1 one-shot sweep and sweeps - 1 block sweeps; gradients say whether and how the objective's loss trains
    /// the parameters, statistics which sweeps are measured (and passed to onSweep).
    /// </summary>
    public SamplerRun Run(Tensor x, int sweeps, int particles, Generator? generator, SamplerGradients gradients = SamplerGradients.None,
        SweepStatistics statistics = SweepStatistics.EverySweep, Action<SweepStats>? onSweep = null)
    {
        var withLoss = gradients != SamplerGradients.None;
        var backwardEachSweep = gradients == SamplerGradients.EachSweep;
        bool Measures(int sweep) => statistics == SweepStatistics.EverySweep || (statistics == SweepStatistics.LastSweep && sweep == sweeps);
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), sweeps, "at least one sweep (the one-shot proposal)");
        if (particles < 1) throw new ArgumentOutOfRangeException(nameof(particles), particles, "at least one particle");
        using var gradMode = set_grad_enabled(withLoss);
        var learnsModel = withLoss && Model.Parameters.Count > 0;
        var stats = new List<SweepStats>(sweeps);
        Tensor? loss = null;

        var (z, logQ) = oneShot.Sample(x, particles, generator);
        var logJoint = Model.LogJoint(x, z);
        var logW = (logJoint - logQ).detach();
        Weights.Validate(logW, "sweep 1 (one-shot proposal)");
        if (withLoss) loss = Objective.Loss(logW, logQ, learnsModel ? logJoint : null);
        if (backwardEachSweep) loss = BackwardAndDetach(loss!);
        if (Measures(1))
        {
            stats.Add(SweepStats.Measure(1, logJoint, logW));
            onSweep?.Invoke(stats[^1]);
        }

        // Each sweep's particles, weights and loss are handed to the caller's scope and everything else the sweep made
        // is freed at its end, with a loss too: the autograd graph holds its own references to what backward needs, so
        // only the temporaries it does not need go (with K sweeps they were most of the memory of a training step).
        Latents? carried = null;
        Tensor? carriedWeights = null;
        for (var sweep = 2; sweep <= sweeps; sweep++)
        {
            using var scope = NewDisposeScope();
            Tensor? firstBlockW = null;
            foreach (var update in Blocks)
            {
                z = z.Select(Resampling.Ancestors(logW, scheme, generator));
                var move = update.Propose(x, z, generator);
                var proposed = z.With(move.Proposed);
                var blockTerms = learnsModel ? Objective.BlockTerms(Model, x, proposed, update.Block) : null;
                Tensor logV;
                using (no_grad())
                    logV = (blockTerms?.detach() ?? Model.LogJointTerms(x, proposed, update.Block)) - Model.LogJointTerms(x, z, update.Block)
                           + move.LogReverse - move.LogForward.detach();
                logW = update.Block.PerPoint ? logV.sum(-1) : logV;
                Weights.Validate(logW, $"sweep {sweep}, block '{update.Block.Name}'");
                firstBlockW ??= logW;
                if (withLoss)
                {
                    var modelTerm = !learnsModel ? null
                        : blockTerms is null ? Model.LogJoint(x, proposed)
                        : update.Block.PerPoint ? blockTerms.sum(-1) : blockTerms;
                    loss = loss! + Objective.Loss(logV, move.LogForward, modelTerm);
                }
                z = proposed;
            }
            if (Measures(sweep))
            {
                using (no_grad()) stats.Add(SweepStats.Measure(sweep, Model.LogJoint(x, z), logW, firstBlockW));
                onSweep?.Invoke(stats[^1]);
            }
            if (backwardEachSweep) loss = BackwardAndDetach(loss!);
            z.MoveToOuterScope();
            logW.MoveToOuterDisposeScope();
            loss?.MoveToOuterDisposeScope();
            carried?.DisposeExcept(z);
            if (carriedWeights is not null && !ReferenceEquals(carriedWeights, logW)) carriedWeights.Dispose();
            (carried, carriedWeights) = (z, logW);
        }
        return new SamplerRun(z, logW, stats, loss);
    }

    // SamplerGradients.EachSweep: one sweep's graph at a time, the same gradient.
    private static Tensor BackwardAndDetach(Tensor loss)
    {
        if (loss.requires_grad) loss.backward();
        return loss.detach();
    }
}
