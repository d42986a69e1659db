using System.Globalization;
using System.Text.Json.Nodes;
using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.Training;
using Apg.Torch;
using Apg.Torch.NN;
using Apg.Torch.Optim;

namespace Apg.Core.Models.Gmm;

using Torch = Apg.Torch.Torch;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep, KLs to the exact global conditional.</summary>
public sealed record GmmTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint, double InclusiveKl, double ExclusiveKl);

/// <summary>
/// Trains the GMM proposals with APG (Algorithm 2). Seeded and resumable: a checkpoint holds the weights, Adam's
/// state and the generator's state, and epoch orderings derive from (seed, epoch), so a resumed run ends
/// bit-identical to an uninterrupted one.
/// </summary>
public sealed class GmmTrainer
{
    public const string MetricsFile = "metrics.csv";
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
        if (corpus.Size(0) < config.BatchSize)
            throw new ArgumentException($"the corpus has {corpus.Size(0)} instances, fewer than one batch of {config.BatchSize}");
    }

    /// <summary>The step the last Train call resumed from (0 for a fresh run): rates count only the steps after it.</summary>
    public int ResumedFrom { get; private set; }

    public GmmNetworks Train(string outDirectory, Action<GmmTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed);
        var networks = new GmmNetworks(model.Prior, generator);
        using var adam = new Adam(networks.Parameters(), config.LearningRate, config.Beta1, config.Beta2);
        var step = ResumedFrom = Resume(outDirectory, networks, adam, generator);
        var sampler = GmmMethods.Apg(model, networks, config.Blocks, config.Resampling);
        var perEpoch = (int)(corpus.Size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = OpenLog(outDirectory, step);
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
            using var scope = Torch.NewDisposeScope();
            var offset = (step - 1) % perEpoch * config.BatchSize;
            var x = epochData!.Value.X.Narrow(0, offset, config.BatchSize);
            adam.ZeroGrad();
            var run = sampler.Run(x, config.Sweeps, config.Particles, generator, withLoss: true);
            run.Loss!.Backward();
            adam.Step();

            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var c = epochData.Value.C?.Narrow(0, offset, config.BatchSize);
                var metrics = Measure(step, run, networks, x, c);
                log.WriteLine(string.Join(",", new[] { step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint, metrics.InclusiveKl, metrics.ExclusiveKl }
                    .Select(v => Convert.ToDouble(v).ToString("G9", CultureInfo.InvariantCulture))));
                log.Flush();
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
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        using var g = new Generator(config.Seed * 1_000_003UL + (ulong)epoch + 1);
        var shape = corpus.Shape;
        var order = Torch.RandPerm(shape[0], g);
        var pointOrder = Torch.Rand([shape[0], shape[1]], g).Sort(1).Indices.IndexSelect(0, order);
        var x = corpus.IndexSelect(0, order).Gather(1, pointOrder.Unsqueeze(-1).Expand(shape)).Contiguous().DetachFromScope();
        var c = assignments?.IndexSelect(0, order).Gather(1, pointOrder).Contiguous().DetachFromScope();
        return (x, c);
    }

    private GmmTrainingMetrics Measure(int step, SamplerRun run, GmmNetworks networks, Tensor x, Tensor? trueAssignments)
    {
        using var noGrad = Torch.NoGrad();
        var last = run.Sweeps[^1];
        var c = trueAssignments != null
            ? Functional.OneHot(trueAssignments, model.Prior.Clusters).To(x.DType).Unsqueeze(0)
            : run.Z[GmmVariables.C];
        var z = new Latents((GmmVariables.C, c));
        var learned = ((GlobalConditional)networks.Global.Condition(x, z)).Distribution;
        var exact = ExactGlobalProposal.Posterior(model.Prior, x, c);
        var inclusive = NormalGamma.Kl(exact, learned).Sum([-2, -1]).Mean().Item();
        var exclusive = NormalGamma.Kl(learned, exact).Sum([-2, -1]).Mean().Item();
        return new GmmTrainingMetrics(step, run.Loss!.Item(), last.EssFraction.Average(), last.MeanLogJoint.Average(), inclusive, exclusive);
    }

    private int Resume(string directory, GmmNetworks networks, Adam adam, Generator generator)
    {
        if (!Checkpoint.Exists(directory)) return 0;
        using var scope = Torch.NewDisposeScope();
        var (tensors, manifest) = Checkpoint.Load(directory);
        var source = Path.Combine(directory, Checkpoint.WeightsFile);
        var saved = GmmTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        if (saved.Identity() != config.Identity())
            throw new InvalidOperationException(
                $"{directory} holds a checkpoint trained with a different config ({saved.Identity()}); use another --out or the same settings");
        networks.LoadStateDict(Checkpoint.Under(tensors, "networks."), source);
        adam.LoadStateDict(Checkpoint.Under(tensors, "adam."), source);
        generator.SetState(tensors["generator.state"]);
        return manifest["step"]!.GetValue<int>();
    }

    private void Save(string directory, GmmNetworks networks, Adam adam, Generator generator, int step)
    {
        using var scope = Torch.NewDisposeScope();
        var tensors = Checkpoint.Prefixed(networks.StateDict(), "networks.");
        foreach (var (k, v) in adam.StateDict()) tensors["adam." + k] = v;
        tensors["generator.state"] = generator.GetState();
        var manifest = new JsonObject
        {
            ["task"] = "gmm",
            ["step"] = step,
            ["seed"] = config.Seed,
            ["config"] = config.ToJson(),
            ["git_commit"] = Provenance.GitCommit(),
            ["libtorch"] = Torch.Version,
            ["saved_at"] = DateTime.UtcNow.ToString("o"),
        };
        Checkpoint.Save(directory, tensors, manifest);
    }

    /// <summary>Loads trained proposals from a checkpoint directory (for evaluation).</summary>
    public static GmmNetworks LoadNetworks(string directory, GmmPrior? prior = null)
    {
        using var scope = Torch.NewDisposeScope();
        var (tensors, _) = Checkpoint.Load(directory);
        var networks = new GmmNetworks(prior ?? GmmPrior.Paper);
        networks.LoadStateDict(Checkpoint.Under(tensors, "networks."), Path.Combine(directory, Checkpoint.WeightsFile));
        return networks;
    }

    // Keeps the rows up to the resumed step, so a resumed run's log reads as one run.
    private static StreamWriter OpenLog(string directory, int resumedStep)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, MetricsFile);
        var kept = File.Exists(path)
            ? File.ReadLines(path).Skip(1).Where(line => int.TryParse(line.Split(',')[0], out var s) && s <= resumedStep).ToList()
            : [];
        var writer = new StreamWriter(path, append: false);
        writer.WriteLine(string.Join(",", Columns));
        foreach (var line in kept) writer.WriteLine(line);
        writer.Flush();
        return writer;
    }
}
