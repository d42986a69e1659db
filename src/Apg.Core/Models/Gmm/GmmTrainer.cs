using System.Text.Json.Nodes;
using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.NN;
using Apg.Core.Training;

namespace Apg.Core.Models.Gmm;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep, KLs to the exact global conditional.</summary>
public sealed record GmmTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint, double InclusiveKl, double ExclusiveKl);

/// <summary>
/// Trains the GMM proposals with APG (Algorithm 2) in the one training loop. Each epoch reorders the instances and
/// the points inside each instance; with the true assignments, the log reports the KL between the learned and the
/// exact global conditional.
/// </summary>
public sealed class GmmTrainer(GmmTrainingConfig config, Tensor corpus, Tensor? assignments, GmmPrior? prior = null)
    : ApgTrainer<GmmNetworks, GmmTrainingMetrics>(config, corpus.size(0), corpus.device)
{
    public const string TaskName = "gmm";
    private readonly GmmModel model = new(prior ?? GmmPrior.Paper);

    protected override string Task => TaskName;
    protected override IReadOnlyList<string> MetricColumns => ["loss", "ess_fraction", "log_joint", "kl_inclusive", "kl_exclusive"];
    protected override GmmNetworks CreateNetworks(Generator generator) => new(model.Prior, generator, device: corpus.device);
    protected override ApgSampler CreateSampler(GmmNetworks networks) => GmmMethods.Apg(model, networks, config.Blocks, config.Resampling);
    protected override string IdentityOf(JsonNode saved, string source) => GmmTrainingConfig.FromJson(saved, source).Identity();

    /// <summary>Instances and the points inside each instance in a fresh order per epoch, from (seed, epoch) alone.</summary>
    protected override ITrainingEpoch Epoch(int epoch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var order = TrainingState.EpochOrder(corpus.size(0), corpus.size(1), config.Seed, epoch, corpus.device);
        return new EpochData(TrainingState.Apply(corpus, order), assignments is null ? null : TrainingState.Apply(assignments, order));
    }

    private sealed class EpochData(Tensor x, Tensor? c) : ITrainingEpoch
    {
        public TrainingBatch Batch(long offset, int size) => new(x.narrow(0, offset, size), c?.narrow(0, offset, size));
        public void Dispose() { x.Dispose(); c?.Dispose(); }
    }

    protected override (GmmTrainingMetrics, double[]) Measure(int step, SamplerRun run, GmmNetworks networks, TrainingBatch batch)
    {
        using var noGrad = no_grad();
        var x = batch.X;
        var last = run.Sweeps[^1];
        var c = batch.Truth is not null
            ? nn.functional.one_hot(batch.Truth, model.Prior.Clusters).to(x.dtype).unsqueeze(0)
            : run.Z[GmmVariables.C];
        var z = new Latents((GmmVariables.C, c));
        var learned = ((GlobalConditional)networks.Global.Condition(x, z)).Distribution;
        var exact = ExactGlobalProposal.Posterior(model.Prior, x, c);
        var inclusive = NormalGamma.Kl(exact, learned).sum(-2, -1).mean().to(ScalarType.Float64).item<double>();
        var exclusive = NormalGamma.Kl(learned, exact).sum(-2, -1).mean().to(ScalarType.Float64).item<double>();
        var m = new GmmTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(), last.MeanLogJoint.Average(), inclusive, exclusive);
        return (m, [m.Loss, m.EssFraction, m.LogJoint, m.InclusiveKl, m.ExclusiveKl]);
    }

    /// <summary>Loads trained proposals from a checkpoint directory (for evaluation).</summary>
    public static GmmNetworks LoadNetworks(string directory, GmmPrior? prior = null, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, _) = TrainingState.Load(directory, TaskName, out _);
        var networks = new GmmNetworks(prior ?? GmmPrior.Paper, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), Path.Combine(directory, Checkpoint.WeightsFile));
        return networks;
    }
}
