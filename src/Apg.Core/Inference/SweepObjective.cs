namespace Apg.Core.Inference;

/// <summary>
/// The loss ApgSampler accumulates sweep by sweep when it trains (coix's loss_fn): a plug-in of the sampler. Each sweep
/// adds -sum_l wn_l log q(z^l), and -sum_l wn_l m(z^l) when the model learns, with detached self-normalized weights
/// (Eq. 6 and 7); an objective says which model term m a block move takes the model's gradient from.
/// </summary>
public interface ISweepObjective
{
    /// <summary>
    /// The block's terms of log p at the proposed state, with gradients recorded, when the model's gradient is taken
    /// from them; null to take it from the full log joint of the proposed state. The sampler reuses them, detached, in
    /// the incremental weight.
    /// </summary>
    Tensor? BlockTerms(IModel model, Tensor x, Latents proposed, Block block);

    /// <summary>
    /// A sweep's loss: logWeights the sweep's detached log weights ([L, B], or [L, B, N] for a per-point block),
    /// logQ the proposal's log density, modelTerm [L, B] the model term, or null when the model does not learn.
    /// </summary>
    Tensor Loss(Tensor logWeights, Tensor logQ, Tensor? modelTerm);
}

/// <summary>The objectives of the papers' samplers.</summary>
public static class SweepObjectives
{
    /// <summary>Reweighted wake-sleep on every sweep, the model's gradient from the full log joint (Wu et al., Eq. 6 and 7).</summary>
    public static ISweepObjective ReweightedWakeSleep { get; } = new WakeSleep(blockTerms: false);

    /// <summary>
    /// As ReweightedWakeSleep, with a block move's model term only the terms of log p that involve the block (its
    /// LogJointTerms), as the authors' bouncing-MNIST code trains its decoder: one frame's likelihood per {where_t}
    /// block instead of all T, which keeps a sweep linear in T. The one-shot sweep still uses the full log joint.
    /// </summary>
    public static ISweepObjective BlockTermsWakeSleep { get; } = new WakeSleep(blockTerms: true);

    private sealed class WakeSleep(bool blockTerms) : ISweepObjective
    {
        public Tensor? BlockTerms(IModel model, Tensor x, Latents proposed, Block block) =>
            blockTerms ? model.LogJointTerms(x, proposed, block) : null;

        /// <summary>Averaged over instances. Per-point log weights [L, B, N] are normalized per point; a [L, B] model term uses the summed weight.</summary>
        public Tensor Loss(Tensor logWeights, Tensor logQ, Tensor? modelTerm)
        {
            var wn = Weights.Normalized(logWeights);
            var instances = logQ.size(1);
            var loss = -(wn * logQ).sum() / instances;
            if (modelTerm is not null)
            {
                var wnJoint = logWeights.dim() == 3 ? Weights.Normalized(logWeights.sum(-1)) : wn;
                loss = loss - (wnJoint * modelTerm).sum() / instances;
            }
            return loss;
        }
    }
}

/// <summary>
/// An objective for seed batching (NN.SeedStack): a batch holds the instances of S training seeds, and the inner
/// objective's mean over all of them, times S, is the sum over seeds of each seed's own mean, so each seed's
/// parameters get the gradient its plain run would (the seeds' parameters being apart).
/// </summary>
public sealed class SeedBatchObjective(ISweepObjective inner, int seeds) : ISweepObjective
{
    public int Seeds { get; } = seeds >= 1 ? seeds : throw new ArgumentOutOfRangeException(nameof(seeds), seeds, "at least one seed");

    public Tensor? BlockTerms(IModel model, Tensor x, Latents proposed, Block block) => inner.BlockTerms(model, x, proposed, block);

    public Tensor Loss(Tensor logWeights, Tensor logQ, Tensor? modelTerm) => inner.Loss(logWeights, logQ, modelTerm) * Seeds;
}
