using System.Text.Json;
using System.Text.Json.Nodes;
using Apg.Core.Inference;
using Apg.Core.Methods.IterativeInference;
using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Models.Dmm;

/// <summary>Training of the iterative {mu} proposal inside APG sweeps, on a trained DMM held fixed (decoder, one-shot
/// and local proposals), so that it is compared with the NSS proposal under the same model.</summary>
public sealed record DmmIterativeProposalConfig
{
    public int Sweeps { get; init; } = 8;
    public int Particles { get; init; } = 10;
    public int BatchSize { get; init; } = 20;
    public double LearningRate { get; init; } = 1e-3;
    public int Steps { get; init; } = 1000;
    public ulong Seed { get; init; }
    public int Iterations { get; init; } = 3;
    public int Samples { get; init; } = 2;
    public int Hidden { get; init; } = 32;
    public int CheckpointEvery { get; init; } = 100;
    public int LogEvery { get; init; } = 50;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, Json)!.AsObject();

    public static DmmIterativeProposalConfig FromJson(JsonNode node, string source) =>
        node.Deserialize<DmmIterativeProposalConfig>(Json) ?? throw new InvalidDataException($"{source}: empty config");

    public string Identity() => (this with { Steps = 0, CheckpointEvery = 0, LogEvery = 0 }).ToJson().ToJsonString();

    public void Validate()
    {
        foreach (var (value, name) in new[] { (Sweeps, "sweeps"), (Particles, "particles"), (BatchSize, "batch size"), (Steps, "steps"),
                     (Iterations, "iterations"), (Samples, "samples"), (Hidden, "hidden width"), (CheckpointEvery, "checkpoint interval"), (LogEvery, "log interval") })
            ConfigChecks.AtLeastOne(value, name);
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
    }
}

/// <summary>
/// Builds, trains (seeded, resumable) and loads the iterative {mu} proposal of a trained DMM: an
/// <see cref="IterativeGaussianProposal"/> over mu that starts at the prior N(0, MuScale^2) and refines from the gradient
/// of the {mu} block's ELBO under the trained decoder.
/// </summary>
public sealed class DmmIterativeProposalTrainer
{
    public const string Task = "dmm-iterative-proposal";
    private static readonly string[] Columns = ["step", "seconds", "loss", "ess_fraction", "log_joint"];

    private readonly DmmIterativeProposalConfig config;
    private readonly Tensor corpus;
    private readonly DmmNetworks trained;

    public DmmIterativeProposalTrainer(DmmIterativeProposalConfig config, Tensor corpus, DmmNetworks trained)
    {
        config.Validate();
        if (corpus.dim() != 3 || corpus.size(2) != DmmPrior.Dimensions)
            throw new ArgumentException($"a DMM corpus must be [instances, points, 2], got {Shapes.Format(corpus)}");
        if (corpus.size(0) < config.BatchSize)
            throw new ArgumentException($"the corpus has {corpus.size(0)} instances, fewer than one batch of {config.BatchSize}");
        this.config = config;
        this.corpus = corpus;
        this.trained = trained;
    }

    public int ResumedFrom { get; private set; }

    /// <summary>The proposal for a trained DMM (fresh weights from the generator, or none for loading).</summary>
    public static IterativeGaussianProposal Create(DmmNetworks trained, DmmIterativeProposalConfig config, Generator? generator = null, Device? device = null) =>
        new(new FrozenModel(trained.Model), DmmVariables.Global, DmmVariables.Mu, 0.0, 2 * Math.Log(trained.Prior.MuScale),
            config.Iterations, config.Samples, config.Hidden, noiseSeed: 7, generator, device);

    /// <summary>APG with the iterative {mu} proposal and the trained local proposal, on the trained model held fixed.</summary>
    public static ApgSampler Sampler(DmmNetworks trained, IBlockProposal global) =>
        new(new FrozenModel(trained.Model), trained.OneShot, [new GibbsBlockUpdate(global), new GibbsBlockUpdate(trained.Local)]);

    public IterativeGaussianProposal Train(string outDirectory, Action<DmmTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        foreach (var p in trained.parameters()) p.requires_grad_(false);
        using var generator = new Generator(config.Seed, corpus.device);
        var proposal = Create(trained, config, generator, corpus.device);
        using var adam = optim.Adam(proposal.parameters(), config.LearningRate);
        var step = ResumedFrom = TrainingState.Resume(outDirectory, Task,
            (node, source) => DmmIterativeProposalConfig.FromJson(node, source).Identity(), config.Identity(), proposal, adam, generator);
        var sampler = Sampler(trained, proposal);
        var perEpoch = (int)(corpus.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        Tensor? epochData = null;
        var epoch = -1;
        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            if (step / perEpoch != epoch)
            {
                epochData?.Dispose();
                epoch = step / perEpoch;
                epochData = TrainingState.Shuffled(corpus, config.Seed, epoch);
            }
            step++;
            using var scope = NewDisposeScope();
            var x = epochData!.narrow(0, (step - 1) % perEpoch * config.BatchSize, config.BatchSize);
            adam.zero_grad();
            var logged = step % config.LogEvery == 0 || step == config.Steps;
            var run = sampler.Train(x, config.Sweeps, config.Particles, generator, measured: logged);
            adam.step();
            if (logged)
            {
                var last = run.Sweeps[^1];
                var metrics = new DmmTrainingMetrics(step, run.Loss!.to(ScalarType.Float64).item<double>(), last.EssFraction.Average(), last.MeanLogJoint.Average(),
                    trained.Decoder.Radius.to(ScalarType.Float64).item<double>());
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.EssFraction, metrics.LogJoint);
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps)
                TrainingState.Save(outDirectory, Task, proposal, adam, generator, step, config.Seed, config.ToJson());
        }
        if (cancel.IsCancellationRequested) TrainingState.Save(outDirectory, Task, proposal, adam, generator, step, config.Seed, config.ToJson());
        epochData?.Dispose();
        return proposal;
    }

    /// <summary>Loads a trained iterative proposal for the DMM it was trained on.</summary>
    public static IterativeGaussianProposal Load(string directory, DmmNetworks trained, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, Task, out var source);
        var config = DmmIterativeProposalConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var proposal = Create(trained, config, device: device);
        StateDicts.Load(proposal, Checkpoint.Under(tensors, "networks."), source);
        return proposal;
    }
}
