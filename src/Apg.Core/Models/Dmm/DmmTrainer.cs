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
    public const string MetricsFile = TrainingState.MetricsFile;
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
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        Tensor? epochData = null;
        var epoch = -1;
        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            var e = step / perEpoch;
            if (e != epoch)
            {
                epochData?.Dispose();
                epoch = e;
                epochData = TrainingState.Shuffled(corpus, config.Seed, epoch);
            }
            step++;
            using var scope = NewDisposeScope();
            var x = epochData!.narrow(0, (step - 1) % perEpoch * config.BatchSize, config.BatchSize);
            networks.zero_grad(set_to_none: true);
            var run = sampler.Run(x, config.Sweeps, config.Particles, generator, withLoss: true, measureLastSweepOnly: true, backwardEachSweep: true);
            adam.step();
            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var last = run.Sweeps[^1];
                var metrics = new DmmTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(),
                    last.MeanLogJoint.Average(), networks.Decoder.Radius.detach().to(ScalarType.Float64).item<double>());
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint, metrics.Radius);
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps)
                Save(outDirectory, networks, adam, generator, step);
        }
        if (cancel.IsCancellationRequested) Save(outDirectory, networks, adam, generator, step);
        epochData?.Dispose();
        return networks;
    }

    private int Resume(string directory, DmmNetworks networks, Adam adam, Generator generator) =>
        TrainingState.Resume(directory, Task, (node, source) => DmmTrainingConfig.FromJson(node, source).Identity(), config.Identity(), networks, adam, generator);

    private void Save(string directory, DmmNetworks networks, Adam adam, Generator generator, int step) =>
        TrainingState.Save(directory, Task, networks, adam, generator, step, config.Seed, config.ToJson());

    /// <summary>Loads trained proposals and decoder from a checkpoint directory; a checkpoint of another task is an error naming it.</summary>
    public static DmmNetworks LoadNetworks(string directory, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, Task, out var source);
        var config = DmmTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var networks = new DmmNetworks(config.Prior, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }
}
