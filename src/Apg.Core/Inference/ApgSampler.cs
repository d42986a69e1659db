namespace Apg.Core.Inference;

/// <summary>The outcome of running a sampler on a batch: final particles and weights, per-sweep stats, and the training loss.</summary>
public sealed record SamplerRun(Latents Z, Tensor LogWeights, IReadOnlyList<SweepStats> Sweeps, Tensor? Loss);

/// <summary>
/// The amortized population Gibbs sampler (Algorithm 2): a one-shot proposal, then sweeps of block updates,
/// each preceded by resampling and weighed by its incremental weight
/// v = p(x, z'_b, z_-b) r(z_b | x, z'_b, z_-b) / (p(x, z_b, z_-b) q(z'_b | x, z_-b)).
/// With a loss, it accumulates the self-normalized gradient estimates of Eq. 6 (proposals) and Eq. 7
/// (model parameters) with detached weights; for a per-point block the weights are normalized per point.
/// With modelGradientFromBlockTerms, a block's model term is only the terms of log p that involve the block (its
/// LogJointTerms), as the authors' bouncing-MNIST code trains its decoder: one frame's likelihood per {where_t} block
/// instead of all T, which keeps a sweep linear in T; the one-shot sweep still uses the full log joint.
/// </summary>
public sealed class ApgSampler(IModel model, IOneShotProposal oneShot, IReadOnlyList<IBlockUpdate> blocks,
    ResamplingScheme scheme = ResamplingScheme.Systematic, bool modelGradientFromBlockTerms = false) : ISampler
{
    public IModel Model { get; } = model;
    public IReadOnlyList<IBlockUpdate> Blocks { get; } = blocks;

    /// <inheritdoc cref="Run(Tensor, int, int, Generator?, bool, Action{SweepStats}?, bool, bool)" />
    SamplerRun ISampler.Run(Tensor x, int sweeps, int particles, Generator? generator, Action<SweepStats>? onSweep) =>
        Run(x, sweeps, particles, generator, onSweep: onSweep);

    /// <summary>
    /// Runs 1 one-shot sweep and sweeps - 1 block sweeps. With withLoss, the graph is kept for backward
    /// (run it inside the caller's dispose scope); without, no gradients are recorded and each sweep frees its temporaries.
    /// measureLastSweepOnly skips the statistics of every sweep but the last (training needs no others; they cost a
    /// full log joint and four host copies a sweep). backwardEachSweep (with withLoss) accumulates the loss's gradients
    /// into the parameters sweep by sweep and returns the loss detached: the caller does not call backward.
    /// </summary>
    public SamplerRun Run(Tensor x, int sweeps, int particles, Generator? generator, bool withLoss = false, Action<SweepStats>? onSweep = null,
        bool measureLastSweepOnly = false, bool backwardEachSweep = false)
    {
        if (backwardEachSweep && !withLoss) throw new ArgumentException("backwardEachSweep needs withLoss");
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
        if (withLoss) loss = Objective(logW, logQ, learnsModel ? logJoint : null);
        if (backwardEachSweep) loss = BackwardAndDetach(loss!);
        if (!measureLastSweepOnly || sweeps == 1)
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
                Tensor logV;
                Tensor? modelTerm = null;
                if (learnsModel && modelGradientFromBlockTerms)
                {
                    var terms = Model.LogJointTerms(x, proposed, update.Block);
                    modelTerm = update.Block.PerPoint ? terms.sum(-1) : terms;
                    using (no_grad())
                        logV = terms.detach() - Model.LogJointTerms(x, z, update.Block) + move.LogReverse - move.LogForward.detach();
                }
                else
                    using (no_grad())
                        logV = Model.LogJointTerms(x, proposed, update.Block) - Model.LogJointTerms(x, z, update.Block)
                               + move.LogReverse - move.LogForward.detach();
                logW = update.Block.PerPoint ? logV.sum(-1) : logV;
                Weights.Validate(logW, $"sweep {sweep}, block '{update.Block.Name}'");
                firstBlockW ??= logW;
                if (withLoss)
                {
                    if (learnsModel) modelTerm ??= Model.LogJoint(x, proposed);
                    loss = loss! + Objective(logV, move.LogForward, modelTerm);
                }
                z = proposed;
            }
            if (!measureLastSweepOnly || sweep == sweeps)
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

    // Each sweep's terms depend on the parameters only through that sweep's proposals and model terms (particles and
    // weights are detached), so their gradients can be accumulated sweep by sweep: the graph of one sweep is alive at
    // a time instead of K, and the gradient is the same sum.
    private static Tensor BackwardAndDetach(Tensor loss)
    {
        if (loss.requires_grad) loss.backward();
        return loss.detach();
    }

    /// <summary>
    /// -sum_l wn_l log q(z^l) (and -sum_l wn_l log p(x, z^l) when the model learns), averaged over instances.
    /// Per-point log weights [L, B, N] are normalized per point; a [L, B] model term uses the summed weight.
    /// </summary>
    private static Tensor Objective(Tensor logWeights, Tensor logQ, Tensor? logJoint)
    {
        var wn = Weights.Normalized(logWeights);
        var instances = logQ.size(1);
        var loss = -(wn * logQ).sum() / instances;
        if (logJoint is not null)
        {
            var wnJoint = logWeights.dim() == 3 ? Weights.Normalized(logWeights.sum(-1)) : wn;
            loss = loss - (wnJoint * logJoint).sum() / instances;
        }
        return loss;
    }
}
