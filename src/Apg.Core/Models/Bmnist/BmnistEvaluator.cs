using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

/// <summary>Evaluation settings: sampler, sweeps and particles (RWS: K * L particles in one sweep), HMC's leapfrog steps and step size, seed.</summary>
public sealed record BmnistEvalSettings(SamplerMethod Method, int Sweeps, int Particles, int LeapfrogSteps = 1, ulong Seed = 0,
    int BatchSize = 10, double StepSize = 0.01);

/// <summary>
/// Per sweep, averaged over videos: mean over particles of log p(x, z) and ESS / L; and the final sample's
/// reconstruction error (Table 2's metric) averaged over videos; and per sweep and video, the mean over particles of
/// log p(x, z).
/// </summary>
public sealed record BmnistEvalResult(BmnistEvalSettings Settings, int Videos, double[] MeanLogJoint, double[] Ess, double MeanSquaredError, double Seconds,
    double[][] InstanceLogJoint);

/// <summary>Runs one bouncing-MNIST sampler over test videos with no gradients (HMC takes its own), batch by batch.</summary>
public static class BmnistEvaluator
{
    /// <summary>The most elements of a batch's [L, B, D, F, F] placed digits.</summary>
    public const long MaxBatchElements = 1L << 24;

    public static BmnistEvalResult Evaluate(Tensor videos, BmnistEvalSettings settings, BmnistNetworks networks, Action<int, int>? onBatch = null)
    {
        if (settings.Sweeps < 1 || settings.Particles < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"sweeps, particles and batch size must be at least 1 (got {settings.Sweeps}, {settings.Particles}, {settings.BatchSize})");
        if (videos.dim() != 4 || videos.size(2) != networks.Prior.FrameSize || videos.size(3) != networks.Prior.FrameSize)
            throw new ArgumentException($"test videos must be [videos, frames, {networks.Prior.FrameSize}, {networks.Prior.FrameSize}] (the trained frame size), got {Runtime.Shapes.Format(videos)}");
        using var generator = new Generator(settings.Seed, videos.device);
        var (sweeps, particles) = Budget(settings);
        var prior = networks.Prior;
        var batchSize = EvaluationBatches.InstancesPerBatch(settings.BatchSize, (long)particles * prior.DigitCount * prior.FrameSize * prior.FrameSize, MaxBatchElements);
        var squaredError = 0.0;
        var r = SweepEvaluation.Evaluate(videos, sweeps, batchSize, x => Run(networks, settings, x, generator), onBatch, (x, run) =>
        {
            var reconstruction = ReconstructionError.Reconstruct(networks.Model, run.Z, run.LogWeights);
            squaredError += ReconstructionError.MeanSquared(x, reconstruction).sum().to(ScalarType.Float64).item<double>();
        });
        return new BmnistEvalResult(settings, r.Instances, r.MeanLogJoint, r.Ess, squaredError / r.Instances, r.Seconds, r.InstanceLogJoint);
    }

    /// <summary>Sweeps and particles a method runs with: RWS spends the budget K * L on particles of one sweep.</summary>
    public static (int Sweeps, int Particles) Budget(BmnistEvalSettings s) => SamplerMethods.Budget(s.Method, s.Sweeps, s.Particles);

    /// <summary>The settings' sampler for videos of this many frames.</summary>
    public static ISampler Sampler(BmnistNetworks networks, BmnistEvalSettings s, int frames) => s.Method switch
    {
        SamplerMethod.Apg => BmnistMethods.Apg(networks, frames),
        SamplerMethod.Bpg => BmnistMethods.Bpg(networks, frames),
        SamplerMethod.Rws => BmnistMethods.Rws(networks),
        SamplerMethod.HmcRws => BmnistMethods.HmcRws(networks, s.LeapfrogSteps, s.StepSize),
        _ => throw SamplerMethods.NotIn("bouncing MNIST", s.Method, SamplerMethod.Apg, SamplerMethod.Rws, SamplerMethod.Bpg, SamplerMethod.HmcRws),
    };

    /// <summary>One run of the chosen sampler on a batch of videos [B, T, F, F].</summary>
    public static SamplerRun Run(BmnistNetworks networks, BmnistEvalSettings s, Tensor x, Generator generator)
    {
        var (sweeps, particles) = Budget(s);
        return Sampler(networks, s, (int)x.size(1)).Run(x, sweeps, particles, generator);
    }
}
