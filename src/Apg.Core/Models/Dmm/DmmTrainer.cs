using System.Globalization;
using System.Text.Json.Nodes;
using Apg.Core.NN;
using Apg.Core.Optim;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Models.Dmm;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep, the decoder's radius.</summary>
public sealed record DmmTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint, double Radius);

/// <summary>
/// Trains the DMM proposals and the ring decoder together with APG (Algorithm 2 and Eq. 7). Seeded and resumable as
/// the GMM trainer: the checkpoint holds weights, Adam's state and the generator's state, and epoch orderings derive
/// from (seed, epoch), so a resumed run ends bit-identical to an uninterrupted one.
/// </summary>
public sealed class DmmTrainer
{
    public const string MetricsFile = "metrics.csv";
    public const string Task = "dmm";
    private static readonly string[] Columns = ["step", "seconds", "loss", "ess_fraction", "log_joint", "radius"];

    private readonly DmmTrainingConfig config;
    private readonly Tensor corpus;

    public DmmTrainer(DmmTrainingConfig config, Tensor corpus)
    {
        config.Validate();
        this.config = config;
        if (corpus.dim() != 3 || corpus.size(2) != DmmPrior.Dimensions)
            throw new ArgumentException($"a DMM corpus must be [instances, points, 2], got {Shapes.Format(corpus)}");
        if (corpus.size(0) < config.BatchSize)
            throw new ArgumentException($"the corpus has {corpus.size(0)} instances, fewer than one batch of {config.BatchSize}");
        this.corpus = corpus;
    }

    public int ResumedFrom { get; private set; }

    public DmmNetworks Train(string outDirectory, Action<DmmTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, corpus.device);
        var networks = new DmmNetworks(config.Prior, generator, device: corpus.device);
        using var adam = optim.Adam(networks.parameters(), config.LearningRate, config.Beta1, config.Beta2);
        var step = ResumedFrom = Resume(outDirectory, networks, adam, generator);
        var model = networks.Model;
        var sampler = DmmMethods.Apg(model, networks);
        var perEpoch = (int)(corpus.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = OpenLog(outDirectory, step);
        Tensor? epochData = null;
        var epoch = -1;
        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            var e = step / perEpoch;
            if (e != epoch)
            {
                epochData?.Dispose();
                epoch = e;
                epochData = Shuffle(epoch);
            }
            step++;
            using var scope = NewDisposeScope();
            var x = epochData!.narrow(0, (step - 1) % perEpoch * config.BatchSize, config.BatchSize);
            networks.zero_grad(set_to_none: true);
            var run = sampler.Run(x, config.Sweeps, config.Particles, generator, withLoss: true);
            run.Loss!.backward();
            adam.step();
            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var last = run.Sweeps[^1];
                var metrics = new DmmTrainingMetrics(step, run.Loss.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(),
                    last.MeanLogJoint.Average(), networks.Decoder.Radius.detach().to(ScalarType.Float64).item<double>());
                log.WriteLine(string.Join(",", new double[] { step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint, metrics.Radius }
                    .Select(v => v.ToString("G9", CultureInfo.InvariantCulture))));
                log.Flush();
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps)
                Save(outDirectory, networks, adam, generator, step);
        }
        if (cancel.IsCancellationRequested) Save(outDirectory, networks, adam, generator, step);
        epochData?.Dispose();
        return networks;
    }

    /// <summary>Instances and the points inside each instance in a fresh order per epoch, from (seed, epoch) alone.</summary>
    private Tensor Shuffle(int epoch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var g = new Generator(config.Seed * 1_000_003UL + (ulong)epoch + 1);
        var shape = corpus.shape;
        var order = randperm(shape[0], generator: g).to(corpus.device);
        var pointOrder = rand([shape[0], shape[1]], generator: g).sort(1).Indices.to(corpus.device).index_select(0, order);
        return corpus.index_select(0, order).gather(1, pointOrder.unsqueeze(-1).expand(shape)).contiguous().DetachFromDisposeScope();
    }

    private int Resume(string directory, DmmNetworks networks, Adam adam, Generator generator)
    {
        if (!Checkpoint.Exists(directory)) return 0;
        using var scope = NewDisposeScope();
        var (tensors, manifest) = Checkpoint.Load(directory);
        var source = Path.Combine(directory, Checkpoint.WeightsFile);
        var task = manifest["task"]?.GetValue<string>();
        if (task != Task)
            throw new InvalidDataException($"{source}: a checkpoint of task '{task ?? "(none)"}', not a DMM checkpoint");
        var saved = DmmTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        if (saved.Identity() != config.Identity())
            throw new InvalidOperationException(
                $"{directory} holds a checkpoint trained with a different config ({saved.Identity()}); use another --out or the same settings");
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        AdamState.Load(adam, Checkpoint.Under(tensors, "adam."), source);
        GeneratorState.Set(generator, tensors.TryGetValue("generator.state", out var state) ? state
            : throw new InvalidDataException($"{source}: no generator state"), source);
        return manifest["step"]!.GetValue<int>();
    }

    private void Save(string directory, DmmNetworks networks, Adam adam, Generator generator, int step)
    {
        using var scope = NewDisposeScope();
        var tensors = Checkpoint.Prefixed(StateDicts.Of(networks), "networks.");
        foreach (var (k, v) in AdamState.Save(adam)) tensors["adam." + k] = v;
        tensors["generator.state"] = GeneratorState.Get(generator);
        var manifest = new JsonObject
        {
            ["task"] = Task,
            ["step"] = step,
            ["seed"] = config.Seed,
            ["config"] = config.ToJson(),
            ["git_commit"] = Provenance.GitCommit(),
            ["libtorch"] = TorchRuntime.LibTorchVersion,
            ["saved_at"] = DateTime.UtcNow.ToString("o"),
        };
        Checkpoint.Save(directory, tensors, manifest);
    }

    /// <summary>Loads trained proposals and decoder from a checkpoint directory; a checkpoint of another task is an error naming it.</summary>
    public static DmmNetworks LoadNetworks(string directory, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = Checkpoint.Load(directory);
        var source = Path.Combine(directory, Checkpoint.WeightsFile);
        var task = manifest["task"]?.GetValue<string>();
        if (task != Task)
            throw new InvalidDataException($"{source}: a checkpoint of task '{task ?? "(none)"}', not a DMM checkpoint");
        var config = DmmTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var networks = new DmmNetworks(config.Prior, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }

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
