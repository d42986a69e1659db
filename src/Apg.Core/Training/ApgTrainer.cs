using System.Text.Json.Nodes;
using Apg.Core.Inference;
using TorchSharp.Modules;

namespace Apg.Core.Training;

/// <summary>One training batch: the data x, and what the task knows of its truth (for metrics only; may be null).</summary>
public sealed record TrainingBatch(Tensor X, Tensor? Truth = null);

/// <summary>An epoch's data in its order, from which the loop takes consecutive batches.</summary>
public interface ITrainingEpoch : IDisposable
{
    TrainingBatch Batch(long offset, int size);
}

/// <summary>
/// The one training loop of every task trained by APG sweeps (Algorithm 2 with Eq. 6 and 7; with one sweep, RWS):
/// per step, the next batch of the epoch's order, zero_grad, a sweep run that accumulates the gradients, Adam's
/// step; metrics.csv every LogEvery steps, a checkpoint every CheckpointEvery and on a stop. Seeded and resumable:
/// the checkpoint holds the weights, Adam's state and the generator's state, and epoch orders derive from (seed,
/// epoch), so a resumed run ends bit-identical to an uninterrupted one. A task supplies its networks, sampler,
/// epoch data and metrics.
/// </summary>
public abstract class ApgTrainer<TNetworks, TMetrics>(ApgTrainingConfig config, long examples, Device device)
    where TNetworks : nn.Module
{
    public const string MetricsFile = TrainingState.MetricsFile;

    private readonly ApgTrainingConfig config = Checked(config, examples);

    private static ApgTrainingConfig Checked(ApgTrainingConfig config, long examples)
    {
        config.Validate();
        if (examples < config.BatchSize)
            throw new ArgumentException($"the corpus has {examples} examples, fewer than one batch of {config.BatchSize}");
        return config;
    }

    /// <summary>The task's name, as checkpoint manifests record it.</summary>
    protected abstract string Task { get; }

    /// <summary>metrics.csv's columns after "step" and "seconds".</summary>
    protected abstract IReadOnlyList<string> MetricColumns { get; }

    /// <summary>Fresh networks (proposals, and the model's learned parts), initialized from the run's generator.</summary>
    protected abstract TNetworks CreateNetworks(Generator generator);

    protected abstract ApgSampler CreateSampler(TNetworks networks);

    /// <summary>The data in epoch e's order (from the seed and e alone).</summary>
    protected abstract ITrainingEpoch Epoch(int epoch);

    /// <summary>The metrics of a logged step, and their row of metrics.csv (in MetricColumns' order).</summary>
    protected abstract (TMetrics Metrics, double[] Row) Measure(int step, SamplerRun run, TNetworks networks, TrainingBatch batch);

    /// <summary>The saved config's identity, read from a checkpoint's manifest (to refuse resuming another config).</summary>
    protected abstract string IdentityOf(JsonNode savedConfig, string source);

    /// <summary>The step the last Train call resumed from (0 for a fresh run): rates count only the steps after it.</summary>
    public int ResumedFrom { get; private set; }

    public TNetworks Train(string outDirectory, Action<TMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, device);
        var networks = CreateNetworks(generator);
        using var adam = optim.Adam(networks.parameters(), config.LearningRate, config.Beta1, config.Beta2);
        var step = ResumedFrom = TrainingState.Resume(outDirectory, Task, IdentityOf, config.Identity(), networks, adam, generator);
        var sampler = CreateSampler(networks);
        var perEpoch = (int)(examples / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, ["step", "seconds", .. MetricColumns]);
        ITrainingEpoch? data = null;
        var epoch = -1;
        try
        {
            while (step < config.Steps && !cancel.IsCancellationRequested)
            {
                var e = step / perEpoch;
                if (e != epoch)
                {
                    data?.Dispose();
                    epoch = e;
                    data = Epoch(epoch);
                }
                step++;
                using var scope = NewDisposeScope();
                var batch = data!.Batch((step - 1) % perEpoch * (long)config.BatchSize, config.BatchSize);
                networks.zero_grad(set_to_none: true);
                var logged = step % config.LogEvery == 0 || step == config.Steps;
                var run = sampler.Train(batch.X, config.Sweeps, config.Particles, generator, measured: logged);
                adam.step();
                if (logged)
                {
                    var (metrics, row) = Measure(step, run, networks, batch);
                    TrainingState.WriteMetrics(log, [step, clock.Elapsed.TotalSeconds, .. row]);
                    onLog?.Invoke(metrics, clock.Elapsed);
                }
                if (step % config.CheckpointEvery == 0 || step == config.Steps)
                    Save(outDirectory, networks, adam, generator, step);
            }
            if (cancel.IsCancellationRequested) Save(outDirectory, networks, adam, generator, step);
        }
        finally
        {
            data?.Dispose();
        }
        return networks;
    }

    private void Save(string directory, TNetworks networks, Adam adam, Generator generator, int step) =>
        TrainingState.Save(directory, Task, networks, adam, generator, step, config.Seed, config.ToJson());
}

/// <summary>An epoch of a corpus [I, N, ...] already in its order (a copy): batches are consecutive slices.</summary>
public sealed class ShuffledEpoch(Tensor data) : ITrainingEpoch
{
    public TrainingBatch Batch(long offset, int size) => new(data.narrow(0, offset, size));
    public void Dispose() => data.Dispose();
}

/// <summary>An epoch as a permutation of whole examples [I]: a batch gathers its examples from the data.</summary>
public sealed class PermutedEpoch(Tensor data, Tensor order) : ITrainingEpoch
{
    public TrainingBatch Batch(long offset, int size) => new(data.index_select(0, order.narrow(0, offset, size)));
    public void Dispose() => order.Dispose();
}
