using System.Text.Json.Nodes;
using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

/// <summary>Training metrics at one step: loss, ESS / L and mean log p(x, z) of the last sweep, the decoder's radius.</summary>
public sealed record DmmTrainingMetrics(int Step, double Loss, double EssFraction, double LogJoint, double Radius);

/// <summary>
/// Trains the DMM proposals and the ring decoder together with APG (Algorithm 2 and Eq. 7) in the one training loop;
/// each epoch reorders the instances and the points inside each instance.
/// </summary>
public sealed class DmmTrainer : ApgTrainer<DmmNetworks, DmmTrainingMetrics>
{
    public const string TaskName = "dmm";

    private readonly DmmTrainingConfig config;
    private readonly Tensor corpus;

    public DmmTrainer(DmmTrainingConfig config, Tensor corpus) : base(config, corpus.size(0), corpus.device)
    {
        if (corpus.dim() != 3 || corpus.size(2) != DmmPrior.Dimensions)
            throw new ArgumentException($"a DMM corpus must be [instances, points, 2], got {Shapes.Format(corpus)}");
        (this.config, this.corpus) = (config, corpus);
    }

    protected override string Task => TaskName;
    protected override IReadOnlyList<string> MetricColumns => ["loss", "ess_fraction", "log_joint", "radius"];
    protected override DmmNetworks CreateNetworks(Generator generator) => new(config.Prior, generator, device: corpus.device);
    protected override ApgSampler CreateSampler(DmmNetworks networks) => DmmMethods.Apg(networks.Model, networks);
    protected override string IdentityOf(JsonNode saved, string source) => DmmTrainingConfig.FromJson(saved, source).Identity();
    protected override ITrainingEpoch Epoch(int epoch) => new ShuffledEpoch(TrainingState.Shuffled(corpus, config.Seed, epoch));

    protected override (DmmTrainingMetrics, double[]) Measure(int step, SamplerRun run, DmmNetworks networks, TrainingBatch batch)
    {
        var last = run.Sweeps[^1];
        var m = new DmmTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(),
            last.MeanLogJoint.Average(), networks.Decoder.Radius.detach().to(ScalarType.Float64).item<double>());
        return (m, [m.Loss, m.EssFraction, m.LogJoint, m.Radius]);
    }

    /// <summary>Loads trained proposals and decoder from a checkpoint directory; a checkpoint of another task is an error naming it.</summary>
    public static DmmNetworks LoadNetworks(string directory, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, TaskName, out var source);
        var config = DmmTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var networks = new DmmNetworks(config.Prior, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }
}
