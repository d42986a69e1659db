using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Models.Bmnist;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep.</summary>
public sealed record BmnistTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint);

/// <summary>
/// Trains the bouncing-MNIST proposals and digit decoder together with APG (Eq. 6 and 7; with one sweep, RWS). Seeded
/// and resumable as the other trainers: weights, Adam's state and the generator's state are checkpointed, epoch
/// orderings derive from (seed, epoch), so a resumed run ends bit-identical to an uninterrupted one.
/// </summary>
public sealed class BmnistTrainer
{
    public const string Task = "bmnist";
    private static readonly string[] Columns = ["step", "seconds", "loss", "ess_fraction", "log_joint"];

    private readonly BmnistTrainingConfig config;
    private readonly Tensor frames;
    private readonly Tensor meanDigit;

    /// <summary>frames: training videos [I, T, F, F]; meanDigit: the mean training digit [P, P] (the one-shot template).</summary>
    public BmnistTrainer(BmnistTrainingConfig config, Tensor frames, Tensor meanDigit)
    {
        config.Validate();
        if (frames.dim() != 4 || frames.size(2) != config.FrameSize || frames.size(3) != config.FrameSize)
            throw new ArgumentException($"training videos must be [videos, frames, {config.FrameSize}, {config.FrameSize}], got {Shapes.Format(frames)}");
        if (frames.size(0) < config.BatchSize)
            throw new ArgumentException($"the corpus has {frames.size(0)} videos, fewer than one batch of {config.BatchSize}");
        (this.config, this.frames, this.meanDigit) = (config, frames, meanDigit);
    }

    public int ResumedFrom { get; private set; }

    public BmnistNetworks Train(string outDirectory, Action<BmnistTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, frames.device);
        var networks = new BmnistNetworks(config.Prior, meanDigit, generator, frames.device);
        using var adam = optim.Adam(networks.parameters(), config.LearningRate, config.Beta1, config.Beta2);
        var step = ResumedFrom = TrainingState.Resume(outDirectory, Task, (node, source) => BmnistTrainingConfig.FromJson(node, source).Identity(),
            config.Identity(), networks, adam, generator);
        var sampler = config.Sweeps == 1 ? BmnistMethods.Rws(networks) : BmnistMethods.Apg(networks, (int)frames.size(1));
        var perEpoch = (int)(frames.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        Tensor? order = null;
        var epoch = -1;
        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            var e = step / perEpoch;
            if (e != epoch)
            {
                order?.Dispose();
                epoch = e;
                order = TrainingState.EpochPermutation(frames.size(0), config.Seed, epoch, frames.device);
            }
            step++;
            using var scope = NewDisposeScope();
            var x = frames.index_select(0, order!.narrow(0, (step - 1) % perEpoch * config.BatchSize, config.BatchSize));
            networks.zero_grad(set_to_none: true);
            var run = sampler.Run(x, config.Sweeps, config.Particles, generator, withLoss: true, measureLastSweepOnly: true, backwardEachSweep: true);
            adam.step();
            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var last = run.Sweeps[^1];
                var metrics = new BmnistTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(), last.MeanLogJoint.Average());
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint);
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps)
                TrainingState.Save(outDirectory, Task, networks, adam, generator, step, config.Seed, config.ToJson());
        }
        if (cancel.IsCancellationRequested) TrainingState.Save(outDirectory, Task, networks, adam, generator, step, config.Seed, config.ToJson());
        order?.Dispose();
        return networks;
    }

    /// <summary>
    /// Loads trained networks (and their mean digit) from a checkpoint directory; another task's checkpoint is an error
    /// naming it. The networks work per digit and per frame, so videos with another number of digits are evaluated by
    /// the same weights with digitCount set (the paper trains on D = 3 and tests up to D = 5).
    /// </summary>
    public static BmnistNetworks LoadNetworks(string directory, Device? device = null, int? digitCount = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, Task, out var source);
        var config = BmnistTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var prior = digitCount is { } d ? config.Prior with { DigitCount = d } : config.Prior;
        var networks = new BmnistNetworks(prior, zeros(prior.DigitSize, prior.DigitSize), device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }
}
