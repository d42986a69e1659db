using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using System.Text.Json.Nodes;
using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep.</summary>
public sealed record BmnistTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint);

/// <summary>
/// Trains the bouncing-MNIST proposals and digit decoder together with APG (Eq. 6 and 7; with one sweep, RWS) in the one
/// training loop; each epoch reorders the videos.
/// </summary>
public sealed class BmnistTrainer : ApgTrainer<BmnistNetworks, BmnistTrainingMetrics>
{
    public const string TaskName = "bmnist";

    private readonly BmnistTrainingConfig config;
    private readonly Tensor frames;
    private readonly Tensor meanDigit;

    /// <summary>frames: training videos [I, T, F, F]; meanDigit: the mean training digit [P, P] (the one-shot template).</summary>
    public BmnistTrainer(BmnistTrainingConfig config, Tensor frames, Tensor meanDigit) : base(config, frames.size(0), frames.device)
    {
        if (frames.dim() != 4 || frames.size(2) != config.FrameSize || frames.size(3) != config.FrameSize)
            throw new ArgumentException($"training videos must be [videos, frames, {config.FrameSize}, {config.FrameSize}], got {Shapes.Format(frames)}");
        (this.config, this.frames, this.meanDigit) = (config, frames, meanDigit);
    }

    protected override string Task => TaskName;
    protected override IReadOnlyList<string> MetricColumns => ["loss", "ess_fraction", "log_joint"];
    protected override BmnistNetworks CreateNetworks(Generator generator) => new(config.Prior, meanDigit, generator, frames.device);
    protected override ApgSampler CreateSampler(BmnistNetworks networks) =>
        config.Sweeps == 1 ? BmnistMethods.Rws(networks) : BmnistMethods.Apg(networks, (int)frames.size(1));
    protected override string IdentityOf(JsonNode saved, string source) => BmnistTrainingConfig.FromJson(saved, source).Identity();
    protected override ITrainingEpoch Epoch(int epoch) => new PermutedEpoch(frames, TrainingState.EpochPermutation(frames.size(0), config.Seed, epoch, frames.device));

    protected override (BmnistTrainingMetrics, double[]) Measure(int step, SamplerRun run, BmnistNetworks networks, TrainingBatch batch)
    {
        var last = run.Sweeps[^1];
        var m = new BmnistTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(), last.MeanLogJoint.Average());
        return (m, [m.Loss, m.EssFraction, m.LogJoint]);
    }

    /// <summary>
    /// Loads trained networks (and their mean digit) from a checkpoint directory; another task's checkpoint is an error
    /// naming it. The networks work per digit and per frame, so videos with another number of digits are evaluated by
    /// the same weights with digitCount set (the paper trains on D = 3 and tests up to D = 5).
    /// </summary>
    public static BmnistNetworks LoadNetworks(string directory, Device? device = null, int? digitCount = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, TaskName, out var source);
        var config = BmnistTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var prior = digitCount is { } d ? config.Prior with { DigitCount = d } : config.Prior;
        var networks = new BmnistNetworks(prior, zeros(prior.DigitSize, prior.DigitSize), device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }
}
