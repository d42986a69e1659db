using Apg.Core.Data;
using Apg.Core.Methods.Vae;
using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>Training metrics at one step: the loss and the batch's mean ELBO (standard: of the encoder's q; iterative:
/// after the last update).</summary>
public sealed record IaiTrainingMetrics(int Step, double Loss, double Elbo);

/// <summary>The standard model's networks: encoder and decoder, one checkpoint.</summary>
public sealed class StandardVae : nn.Module
{
    public StandardVae(IaiTrainingConfig config, Generator? generator = null, Device? device = null) : base(nameof(StandardVae))
    {
        Encoder = new GaussianEncoder(MnistDigits.Pixels, config.Hidden, config.Latent, generator, device);
        Decoder = new BernoulliDecoder(config.Latent, config.Hidden, MnistDigits.Pixels, generator, device);
        RegisterComponents();
    }

    public GaussianEncoder Encoder { get; }
    public BernoulliDecoder Decoder { get; }
}

/// <summary>
/// Trains on binarized digits [N, 784] (grey levels, binarized afresh each step from the run's generator): the
/// standard mode trains encoder and decoder on the single-sample ELBO; the iterative mode trains the iterative model on
/// a given frozen decoder. Seeded and resumable: the checkpoint holds the network, Adam's and the generator's state,
/// and each epoch's order derives from (seed, epoch), so a resumed run ends bit-identical to an uninterrupted one.
/// </summary>
public sealed class IaiTrainer
{
    public const string Task = "iai";
    private static readonly string[] Columns = ["step", "seconds", "loss", "elbo"];

    private readonly IaiTrainingConfig config;
    private readonly Tensor images;
    private readonly BernoulliDecoder? decoder;

    public IaiTrainer(IaiTrainingConfig config, Tensor images, BernoulliDecoder? frozenDecoder = null)
    {
        config.Validate();
        if (images.dim() != 2 || images.size(1) != MnistDigits.Pixels)
            throw new ArgumentException($"training images must be [N, {MnistDigits.Pixels}], got {Shapes.Format(images)}");
        if (images.size(0) < config.BatchSize)
            throw new ArgumentException($"{images.size(0)} training images, fewer than one batch of {config.BatchSize}");
        if (config.Mode == IaiMode.Iterative)
        {
            decoder = frozenDecoder ?? throw new ArgumentException("the iterative mode trains on a trained decoder: pass one");
            if (decoder.Latent != config.Latent)
                throw new ArgumentException($"the decoder's latent size is {decoder.Latent}, the config's {config.Latent}");
        }
        this.config = config;
        this.images = images;
    }

    public int ResumedFrom { get; private set; }

    public nn.Module Train(string outDirectory, Action<IaiTrainingMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, images.device);
        nn.Module networks = config.Mode == IaiMode.Standard
            ? new StandardVae(config, generator, images.device)
            : new IterativeInferenceModel(MnistDigits.Pixels, config.Hidden, config.Latent, generator, images.device);
        using var adam = optim.Adam(networks.parameters(), config.LearningRate);
        var step = ResumedFrom = TrainingState.Resume(outDirectory, Task,
            (node, source) => IaiTrainingConfig.FromJson(node, source).Identity(), config.Identity(), networks, adam, generator);
        if (decoder is not null)
            foreach (var p in decoder.parameters()) p.requires_grad_(false);
        var perEpoch = (int)(images.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        Tensor? order = null;
        var epoch = -1;
        while (step < config.Steps && !cancel.IsCancellationRequested)
        {
            if (step / perEpoch != epoch)
            {
                order?.Dispose();
                epoch = step / perEpoch;
                order = TrainingState.EpochPermutation(images.size(0), config.Seed, epoch, images.device);
            }
            using var scope = NewDisposeScope();
            var x = MnistDigits.Binarize(images.index_select(0, order!.narrow(0, step % perEpoch * config.BatchSize, config.BatchSize)), generator);
            step++;
            adam.zero_grad();
            var (loss, elbo) = config.Mode == IaiMode.Standard
                ? StandardLoss((StandardVae)networks, x, generator)
                : IterativeLoss((IterativeInferenceModel)networks, x, generator);
            loss.backward();
            adam.step();
            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var metrics = new IaiTrainingMetrics(step, loss.item<float>(), elbo.mean().item<float>());
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Loss, metrics.Elbo);
                onLog?.Invoke(metrics, clock.Elapsed);
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps) Save(outDirectory, networks, adam, generator, step);
        }
        if (cancel.IsCancellationRequested) Save(outDirectory, networks, adam, generator, step);
        order?.Dispose();
        return networks;
    }

    private static (Tensor Loss, Tensor Elbo) StandardLoss(StandardVae vae, Tensor x, Generator generator)
    {
        var (mean, logVar) = vae.Encoder.forward(x);
        var elbo = Elbo.Estimate(vae.Decoder, x, mean, logVar, 1, generator);
        return (-elbo.mean(), elbo.detach());
    }

    private (Tensor Loss, Tensor Elbo) IterativeLoss(IterativeInferenceModel model, Tensor x, Generator generator)
    {
        var run = new IterativeInference(model, decoder!, config.Iterations, config.Samples).Run(x, generator, training: true);
        return (run.Loss!, run.Elbos[^1]);
    }

    private void Save(string directory, nn.Module networks, Adam adam, Generator generator, int step) =>
        TrainingState.Save(directory, Task, networks, adam, generator, step, config.Seed, config.ToJson());

    /// <summary>The config a checkpoint was trained with.</summary>
    public static IaiTrainingConfig LoadConfig(string directory)
    {
        using var scope = NewDisposeScope();
        var (_, manifest) = TrainingState.Load(directory, Task, out var source);
        return IaiTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
    }

    /// <summary>Loads a trained standard VAE; a checkpoint of another task or mode is an error naming it.</summary>
    public static StandardVae LoadStandard(string directory, Device? device = null)
    {
        var (tensors, config, source) = LoadAs(directory, IaiMode.Standard);
        var vae = new StandardVae(config, device: device);
        StateDicts.Load(vae, Checkpoint.Under(tensors, "networks."), source);
        return vae;
    }

    /// <summary>Loads a trained iterative inference model.</summary>
    public static IterativeInferenceModel LoadIterative(string directory, Device? device = null)
    {
        var (tensors, config, source) = LoadAs(directory, IaiMode.Iterative);
        var model = new IterativeInferenceModel(MnistDigits.Pixels, config.Hidden, config.Latent, device: device);
        StateDicts.Load(model, Checkpoint.Under(tensors, "networks."), source);
        return model;
    }

    private static (Dictionary<string, Tensor> Tensors, IaiTrainingConfig Config, string Source) LoadAs(string directory, IaiMode mode)
    {
        var (tensors, manifest) = TrainingState.Load(directory, Task, out var source);
        var config = IaiTrainingConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        if (config.Mode != mode)
            throw new InvalidDataException($"{source}: a checkpoint of the {config.Mode.ToString().ToLowerInvariant()} model, not the {mode.ToString().ToLowerInvariant()} one");
        return (tensors, config, source);
    }
}
