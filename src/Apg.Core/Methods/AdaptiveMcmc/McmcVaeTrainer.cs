using Apg.Core.Data;
using Apg.Core.Methods.IterativeInference;
using Apg.Core.Methods.Vae;
using Apg.Core.NN;
using Apg.Core.Runtime;
using Apg.Core.Training;
using TorchSharp.Modules;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>Training metrics: the encoder's ELBO, the decoder's loss at the chain's end, the acceptance rate over the
/// chain, the step size and beta (speed measure) after the step, and the moves since the last log whose speed-measure
/// gradient was not finite (left out of the kernel's step).</summary>
public sealed record McmcVaeMetrics(int Step, double Elbo, double DecoderLoss, double Acceptance, double StepSize, double Beta, int DivergedMoves);

/// <summary>The networks of an MCMC-refined VAE, one checkpoint: encoder and decoder, the kernel, and the adaptation's
/// state (beta, or dual averaging's) as a buffer, so that a resumed run continues exactly.</summary>
public sealed class McmcVaeNetworks : nn.Module
{
    private readonly Tensor adaptation;

    public McmcVaeNetworks(McmcVaeConfig config, Generator? generator = null, Device? device = null) : base(nameof(McmcVaeNetworks))
    {
        Vae = new StandardVae(new IaiTrainingConfig { Latent = config.Latent, Hidden = config.Hidden }, generator, device);
        Kernel = config.Kernel == McmcKernelChoice.Mala
            ? new MalaKernel(config.Latent, config.Preconditioner, config.InitialStepSize, device: device)
            : new PreconditionedHmcKernel(config.Latent, config.Preconditioner, config.InitialStepSize, config.LeapfrogSteps, device: device);
        adaptation = zeros(5, dtype: ScalarType.Float64, device: device);
        register_module("vae", Vae);
        register_module("kernel", (nn.Module)Kernel);
        register_buffer("adaptation", adaptation);
    }

    public StandardVae Vae { get; }
    public IAdaptiveKernel Kernel { get; }

    /// <summary>beta (speed measure) and dual averaging's four numbers.</summary>
    public double[] AdaptationState
    {
        get => adaptation.cpu().data<double>().ToArray();
        set
        {
            using var noGrad = no_grad();
            adaptation.copy_(tensor(value, ScalarType.Float64));
        }
    }
}

/// <summary>
/// Hirt et al.'s training scheme after VAE pre-training: per batch, the encoder is trained on the ELBO of its own sample
/// z_0; a chain of K MALA or HMC steps targeting p(z | x) starts at z_0 (detached); the decoder is trained on
/// -log p(x | z_K) with z_K detached; the kernel's step size and preconditioner are trained on the speed measure with
/// an optimizer step after every move, as the authors' adaptive kernels do (or its step size set by dual averaging).
/// Seeded and resumable (networks, both optimizers, the adaptation's state and the generator in one checkpoint).
/// </summary>
public sealed class McmcVaeTrainer
{
    public const string Task = "mcmc-vae";
    private static readonly string[] Columns = ["step", "seconds", "elbo", "decoder_loss", "acceptance", "step_size", "beta", "diverged_moves"];

    private readonly McmcVaeConfig config;
    private readonly Tensor images;
    private readonly StandardVae? pretrained;

    public McmcVaeTrainer(McmcVaeConfig config, Tensor images, StandardVae? pretrained)
    {
        config.Validate();
        if (images.dim() != 2 || images.size(1) != MnistDigits.Pixels)
            throw new ArgumentException($"training images must be [N, {MnistDigits.Pixels}], got {Shapes.Format(images)}");
        if (images.size(0) < config.BatchSize)
            throw new ArgumentException($"{images.size(0)} training images, fewer than one batch of {config.BatchSize}");
        if (pretrained is not null && pretrained.Decoder.Latent != config.Latent)
            throw new ArgumentException($"the pre-trained VAE's latent size is {pretrained.Decoder.Latent}, the config's {config.Latent}");
        this.config = config;
        this.images = images;
        this.pretrained = pretrained;
    }

    public int ResumedFrom { get; private set; }

    public McmcVaeNetworks Train(string outDirectory, Action<McmcVaeMetrics, TimeSpan>? onLog = null, CancellationToken cancel = default)
    {
        using var generator = new Generator(config.Seed, images.device);
        var networks = new McmcVaeNetworks(config, generator, images.device);
        if (pretrained is not null) StateDicts.Load(networks.Vae, StateDicts.Of(pretrained), "the pre-trained VAE");
        var kernelModule = (nn.Module)networks.Kernel;
        using var vaeAdam = optim.Adam(networks.Vae.parameters(), config.VaeLearningRate);
        var kernelParameters = kernelModule.parameters().ToArray();
        using var kernelAdam = optim.Adam(kernelParameters, config.KernelLearningRate);
        var speed = new SpeedMeasure(config.TargetAcceptance);
        var dual = new DualAveraging(config.TargetAcceptance, config.InitialStepSize);
        networks.AdaptationState = [speed.Beta, .. dual.State];
        var step = ResumedFrom = TrainingState.Resume(outDirectory, Task, (node, source) => McmcVaeConfig.FromJson(node, source).Identity(),
            config.Identity(), networks, vaeAdam, generator, kernelAdam);
        var saved = networks.AdaptationState;
        speed.Restore(saved[0]);
        dual.Restore(saved[1..]);
        var decoder = networks.Vae.Decoder;
        var perEpoch = (int)(images.size(0) / config.BatchSize);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var log = TrainingState.OpenMetrics(outDirectory, step, Columns);
        Tensor? order = null;
        var epoch = -1;
        var diverged = 0;
        void Save(int at)
        {
            networks.AdaptationState = [speed.Beta, .. dual.State];
            TrainingState.Save(outDirectory, Task, networks, vaeAdam, generator, at, config.Seed, config.ToJson(), kernelAdam);
        }
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
            vaeAdam.zero_grad();
            // The decoder is held fixed while the encoder's ELBO and the kernel's speed measure are differentiated, so
            // that it learns from -log p(x | z_K) alone.
            foreach (var p in decoder.parameters()) p.requires_grad_(false);
            var (mean, logVar) = networks.Vae.Encoder.forward(x);
            var noise = DiagonalGaussian.Noise(1, mean, generator);
            var elbo = Elbo.Estimate(decoder, x, mean, logVar, noise);
            (-elbo.mean()).backward();
            var z = DiagonalGaussian.Reparameterize(mean, logVar, noise)[0].detach();
            Func<Tensor, Tensor> target = v => decoder.LogJoint(v, x);
            var acceptance = 0.0;
            for (var k = 0; k < config.McmcSteps; k++)
            {
                var move = networks.Kernel.Step(target, z, generator, differentiable: config.Adaptation == McmcAdaptation.SpeedMeasure);
                var rate = move.Accepted.to(ScalarType.Float64).mean().item<double>();
                acceptance += rate / config.McmcSteps;
                if (config.Adaptation == McmcAdaptation.SpeedMeasure)
                {
                    if (!speed.Adapt(move, rate, kernelParameters, kernelAdam)) diverged++;
                }
                else
                {
                    using var noGrad = no_grad();
                    networks.Kernel.LogStepSize.fill_(Math.Log(dual.Update(rate)));
                }
                z = move.Next.detach();
            }
            foreach (var p in decoder.parameters()) p.requires_grad_(true);
            var decoderLoss = -decoder.LogLikelihood(z, x).mean();
            decoderLoss.backward();
            vaeAdam.step();
            if (step % config.LogEvery == 0 || step == config.Steps)
            {
                var metrics = new McmcVaeMetrics(step, elbo.mean().item<float>(), decoderLoss.item<float>(), acceptance,
                    networks.Kernel.LogStepSize.exp().item<float>(), speed.Beta, diverged);
                TrainingState.WriteMetrics(log, step, clock.Elapsed.TotalSeconds, metrics.Elbo, metrics.DecoderLoss, metrics.Acceptance, metrics.StepSize, metrics.Beta, metrics.DivergedMoves);
                onLog?.Invoke(metrics, clock.Elapsed);
                diverged = 0;
            }
            if (step % config.CheckpointEvery == 0 || step == config.Steps) Save(step);
        }
        if (cancel.IsCancellationRequested) Save(step);
        order?.Dispose();
        return networks;
    }

    /// <summary>Loads a trained MCMC-refined VAE.</summary>
    public static McmcVaeNetworks Load(string directory, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var (tensors, manifest) = TrainingState.Load(directory, Task, out var source);
        var config = McmcVaeConfig.FromJson(manifest["config"] ?? throw new InvalidDataException($"{source}: manifest has no config"), source);
        var networks = new McmcVaeNetworks(config, device: device);
        StateDicts.Load(networks, Checkpoint.Under(tensors, "networks."), source);
        return networks;
    }
}
