using System.Globalization;
using System.Text.Json.Nodes;
using Apg.Core.NN;
using Apg.Core.Optim;
using Apg.Core.Runtime;
using TorchSharp.Modules;

namespace Apg.Core.Training;

/// <summary>
/// What a resumable training run of any task keeps in its folder: the networks, Adam's state and the generator's
/// state in one checkpoint (with a manifest naming the task and config), and metrics.csv, so that a resumed run ends
/// bit-identical to an uninterrupted one.
/// </summary>
public static class TrainingState
{
    public const string MetricsFile = "metrics.csv";

    /// <summary>Saves networks, optimizer and generator at a step; the manifest names the task, seed and config.</summary>
    public static void Save(string directory, string task, nn.Module networks, Adam adam, Generator generator, int step, ulong seed, JsonObject config,
        Adam? secondAdam = null)
    {
        using var scope = NewDisposeScope();
        var tensors = Checkpoint.Prefixed(StateDicts.Of(networks), "networks.");
        foreach (var (k, v) in AdamState.Save(adam)) tensors["adam." + k] = v;
        if (secondAdam is not null)
            foreach (var (k, v) in AdamState.Save(secondAdam)) tensors["second_adam." + k] = v;
        tensors["generator.state"] = GeneratorState.Get(generator);
        var manifest = new JsonObject
        {
            ["task"] = task,
            ["step"] = step,
            ["seed"] = seed,
            ["config"] = config,
            ["git_commit"] = Provenance.GitCommit(),
            ["libtorch"] = TorchRuntime.LibTorchVersion,
            ["saved_at"] = DateTime.UtcNow.ToString("o"),
        };
        Checkpoint.Save(directory, tensors, manifest);
    }

    /// <summary>
    /// Restores a run from its folder and returns its step (0 when there is no checkpoint). A checkpoint of another
    /// task, or of the same task with another config (identity() of the saved config differs), is an error.
    /// </summary>
    public static int Resume(string directory, string task, Func<JsonNode, string, string> identity, string expectedIdentity,
        nn.Module networks, Adam adam, Generator generator, Adam? secondAdam = null)
    {
        if (!Checkpoint.Exists(directory)) return 0;
        using var scope = NewDisposeScope();
        var (tensors, manifest) = Load(directory, task, out var source);
        var saved = identity(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        if (saved != expectedIdentity)
            throw new InvalidOperationException(
                $"{directory} holds a checkpoint trained with a different config ({saved}); use another --out or the same settings");
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        AdamState.Load(adam, Checkpoint.Under(tensors, "adam."), source);
        if (secondAdam is not null) AdamState.Load(secondAdam, Checkpoint.Under(tensors, "second_adam."), source);
        GeneratorState.Set(generator, tensors.TryGetValue("generator.state", out var state) ? state
            : throw new InvalidDataException($"{source}: no generator state"), source);
        return manifest["step"]!.GetValue<int>();
    }

    /// <summary>Loads a checkpoint of the given task; one of another task is an error that names both.</summary>
    public static (Dictionary<string, Tensor> Tensors, JsonObject Manifest) Load(string directory, string task, out string source)
    {
        var (tensors, manifest) = Checkpoint.Load(directory);
        source = Path.Combine(directory, Checkpoint.WeightsFile);
        // Checkpoints written before tasks were named in the manifest are GMM ones.
        var found = manifest["task"]?.GetValue<string>() ?? "gmm";
        if (found != task)
            throw new InvalidDataException($"{source}: a checkpoint of task '{found}', not a {task.ToUpperInvariant()} checkpoint");
        return (tensors, manifest);
    }

    /// <summary>Opens metrics.csv, keeping the rows up to the resumed step so a resumed run's log reads as one run.</summary>
    public static StreamWriter OpenMetrics(string directory, int resumedStep, IReadOnlyList<string> columns)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, MetricsFile);
        var kept = File.Exists(path)
            ? File.ReadLines(path).Skip(1).Where(line => int.TryParse(line.Split(',')[0], out var s) && s <= resumedStep).ToList()
            : [];
        var writer = new StreamWriter(path, append: false);
        writer.WriteLine(string.Join(",", columns));
        foreach (var line in kept) writer.WriteLine(line);
        writer.Flush();
        return writer;
    }

    /// <summary>One metrics row, in the invariant culture with 9 significant digits.</summary>
    public static void WriteMetrics(StreamWriter log, params double[] values)
    {
        log.WriteLine(string.Join(",", values.Select(v => v.ToString("G9", CultureInfo.InvariantCulture))));
        log.Flush();
    }

    /// <summary>
    /// An epoch's order of instances and of the points inside each instance, from (seed, epoch) alone:
    /// (instance order [I], point order [I, N]), applied with <see cref="Apply"/>.
    /// </summary>
    public static (Tensor Instances, Tensor Points) EpochOrder(long instances, long points, ulong seed, int epoch, Device device)
    {
        using var g = new Generator(seed * 1_000_003UL + (ulong)epoch + 1);
        var order = randperm(instances, generator: g).to(device);
        var pointOrder = rand([instances, points], generator: g).sort(1).Indices.to(device).index_select(0, order);
        return (order, pointOrder);
    }

    /// <summary>An epoch's order of whole examples [count] (no points inside them), from (seed, epoch) alone, detached
    /// from any scope.</summary>
    public static Tensor EpochPermutation(long count, ulong seed, int epoch, Device device)
    {
        using var g = new Generator(seed * 1_000_003UL + (ulong)epoch + 1);
        return randperm(count, generator: g).to(device).DetachFromDisposeScope();
    }

    /// <summary>A corpus [I, N, ...] in its epoch's order of instances and points (a copy detached from any scope).</summary>
    public static Tensor Shuffled(Tensor corpus, ulong seed, int epoch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Apply(corpus, EpochOrder(corpus.size(0), corpus.size(1), seed, epoch, corpus.device));
    }

    /// <summary>Reorders [I, N, ...] by an epoch order (a copy detached from any scope).</summary>
    public static Tensor Apply(Tensor data, (Tensor Instances, Tensor Points) order)
    {
        var points = order.Points;
        for (var d = 2; d < data.dim(); d++) points = points.unsqueeze(-1);
        return data.index_select(0, order.Instances).gather(1, points.expand(data.shape)).contiguous().DetachFromDisposeScope();
    }
}
