using System.Globalization;
using System.Text.Json.Nodes;
using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.NN;
using Apg.Core.Optim;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Models.Gmm;


/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep, KLs to the exact global conditional.</summary>
public sealed record GmmTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint, double InclusiveKl, double ExclusiveKl);

/// <summary>
/// Trains the GMM proposals with APG (Algorithm 2). Seeded and resumable: a checkpoint holds the weights, Adam's
/// state and the generator's state, and epoch orderings derive from (seed, epoch), so a resumed run ends
/// bit-identical to an uninterrupted one.
/// </summary>
public sealed class GmmTrainer
{
    public const string MetricsFile = TrainingState.MetricsFile;
    public const string Task = "gmm";
    private static readonly string[] Columns = ["step", "seconds", "loss", "ess_fraction", "log_joint", "kl_inclusive", "kl_exclusive"];

    private readonly GmmTrainingConfig config;
    private readonly GmmModel model;
    private readonly Tensor corpus;
    private readonly Tensor? assignments;

    public GmmTrainer(GmmTrainingConfig config, Tensor corpus, Tensor? assignments, GmmPrior? prior = null)
    {
        config.Validate();
        this.config = config;
        model = new GmmModel(prior ?? GmmPrior.Paper);
        this.corpus = corpus;
        this.assignments = assignments;
        if (corpus.size(0) < config.BatchSize)
            throw new ArgumentException($"the corpus has {corpus.size(0)} instances, fewer than one batch of {config.BatchSize}");
    }

    /// <summary>The step the last Train call resumed from (0 for a fresh run): rates count only the steps after it.</summary>
    public int ResumedFrom { get; private set; }

    public GmmNetworks Train(string outDirectory, Action<GmmTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, corpus.device);
        var networks = new GmmNetworks(model.Prior, generator, device: corpus.device);
        using var adam = optim.Adam(networks.parameters(), config.LearningRate, config.Beta1, config.Beta2);
        var step = ResumedFrom = Resume(outDirectory, networks, adam, generator);
        var sampler = GmmMethods.Apg(model, networks, config.Blocks, config.Resampling);
        var perEpoch = (int)(corpus.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        (Tensor X, Tensor? C)? epochData = null;
        var epoch = -1;

        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            var e = step / perEpoch;
            if (e != epoch)
            {
                epochData?.X.Dispose();
                epochData?.C?.Dispose();
                epoch = e;
                epochData = Shuffle(epoch);
            }
            step++;
            using var scope = NewDisposeScope();
            var offset = (step - 1) % perEpoch * config.BatchSize;
            var x = epochData!.Value.X.narrow(0, offset, config.BatchSize);
            networks.zero_grad(set_to_none: true);
            var run = sampler.Run(x, config.Sweeps, config.Particles, generator, withLoss: true, measureLastSweepOnly: true, backwardEachSweep: true);
            adam.step();

            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var c = epochData.Value.C?.narrow(0, offset, config.BatchSize);
                var metrics = Measure(step, run, networks, x, c);
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint, metrics.InclusiveKl, metrics.ExclusiveKl);
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps)
                Save(outDirectory, networks, adam, generator, step);
        }
        if (cancel.IsCancellationRequested) Save(outDirectory, networks, adam, generator, step);
        epochData?.X.Dispose();
        epochData?.C?.Dispose();
        return networks;
    }

    /// <summary>Instances and the points inside each instance in a fresh order per epoch, from (seed, epoch) alone.</summary>
    private (Tensor X, Tensor? C) Shuffle(int epoch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var order = TrainingState.EpochOrder(corpus.size(0), corpus.size(1), config.Seed, epoch, corpus.device);
        return (TrainingState.Apply(corpus, order), assignments is null ? null : TrainingState.Apply(assignments, order));
    }

    private GmmTrainingMetrics Measure(int step, SamplerRun run, GmmNetworks networks, Tensor x, Tensor? trueAssignments)
    {
        using var noGrad = no_grad();
        var last = run.Sweeps[^1];
        var c = trueAssignments is not null
            ? nn.functional.one_hot(trueAssignments, model.Prior.Clusters).to(x.dtype).unsqueeze(0)
            : run.Z[GmmVariables.C];
        var z = new Latents((GmmVariables.C, c));
        var learned = ((GlobalConditional)networks.Global.Condition(x, z)).Distribution;
        var exact = ExactGlobalProposal.Posterior(model.Prior, x, c);
        var inclusive = NormalGamma.Kl(exact, learned).sum(-2, -1).mean().to(ScalarType.Float64).item<double>();
        var exclusive = NormalGamma.Kl(learned, exact).sum(-2, -1).mean().to(ScalarType.Float64).item<double>();
        return new GmmTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(), last.MeanLogJoint.Average(), inclusive, exclusive);
    }

    private int Resume(string directory, GmmNetworks networks, Adam adam, Generator generator) =>
        TrainingState.Resume(directory, Task, (node, source) => GmmTrainingConfig.FromJson(node, source).Identity(), config.Identity(), networks, adam, generator);

    private void Save(string directory, GmmNetworks networks, Adam adam, Generator generator, int step) =>
        TrainingState.Save(directory, Task, networks, adam, generator, step, config.Seed, config.ToJson());

    /// <summary>Loads trained proposals from a checkpoint directory (for evaluation).</summary>
    public static GmmNetworks LoadNetworks(string directory, GmmPrior? prior = null, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, _) = TrainingState.Load(directory, Task, out _);
        var networks = new GmmNetworks(prior ?? GmmPrior.Paper, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), Path.Combine(directory, Checkpoint.WeightsFile));
        return networks;
    }
}
