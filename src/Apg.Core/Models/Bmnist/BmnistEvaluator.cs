using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

public enum BmnistMethod { Apg, Rws, Bpg, HmcRws }

/// <summary>Evaluation settings: sampler, sweeps and particles (RWS: K * L particles in one sweep), HMC's leapfrog steps and step size, seed.</summary>
public sealed record BmnistEvalSettings(BmnistMethod Method, int Sweeps, int Particles, int LeapfrogSteps = 1, ulong Seed = 0,
    int BatchSize = 10, double StepSize = 0.01);

/// <summary>
/// Per sweep, averaged over videos: mean over particles of log p(x, z) and ESS / L; and the final sample's
/// reconstruction error (Table 2's metric) averaged over videos.
/// </summary>
public sealed record BmnistEvalResult(BmnistEvalSettings Settings, int Videos, double[] MeanLogJoint, double[] Ess, double MeanSquaredError, double Seconds);

/// <summary>Runs one bouncing-MNIST sampler over test videos with no gradients (HMC takes its own), batch by batch.</summary>
public static class BmnistEvaluator
{
    /// <summary>The most elements of a batch's [L, B, D, F, F] placed digits.</summary>
    public const long MaxBatchElements = 1L << 24;

    public static BmnistMethod Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "apg" => BmnistMethod.Apg,
        "rws" => BmnistMethod.Rws,
        "bpg" => BmnistMethod.Bpg,
        "hmc-rws" or "hmc" => BmnistMethod.HmcRws,
        _ => throw new ArgumentException($"unknown bouncing-MNIST method '{text}': use apg, rws, bpg or hmc-rws"),
    };

    public static string Name(BmnistMethod method) => method == BmnistMethod.HmcRws ? "hmc-rws" : method.ToString().ToLowerInvariant();

    public static BmnistEvalResult Evaluate(Tensor videos, BmnistEvalSettings settings, BmnistNetworks networks, Action<int, int>? onBatch = null)
    {
        if (settings.Sweeps < 1 || settings.Particles < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"sweeps, particles and batch size must be at least 1 (got {settings.Sweeps}, {settings.Particles}, {settings.BatchSize})");
        if (videos.dim() != 4 || videos.size(2) != networks.Prior.FrameSize || videos.size(3) != networks.Prior.FrameSize)
            throw new ArgumentException($"test videos must be [videos, frames, {networks.Prior.FrameSize}, {networks.Prior.FrameSize}] (the trained frame size), got {Runtime.Shapes.Format(videos)}");
        using var generator = new Generator(settings.Seed, videos.device);
        var count = (int)videos.size(0);
        var (sweeps, particles) = Budget(settings);
        var prior = networks.Prior;
        var batchSize = EvaluationBatches.InstancesPerBatch(settings.BatchSize, (long)particles * prior.DigitCount * prior.FrameSize * prior.FrameSize, MaxBatchElements);
        var logJoint = new double[sweeps];
        var ess = new double[sweeps];
        var squaredError = 0.0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var noGrad = no_grad();
        for (var start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(batchSize, count - start);
            var x = videos.narrow(0, start, size);
            var run = Run(networks, settings, x, generator);
            foreach (var s in run.Sweeps)
            {
                logJoint[s.Sweep - 1] += s.MeanLogJoint.Sum();
                ess[s.Sweep - 1] += s.EssFraction.Sum();
            }
            var reconstruction = ReconstructionError.Reconstruct(networks.Model, run.Z, run.LogWeights);
            squaredError += ReconstructionError.MeanSquared(x, reconstruction).sum().to(ScalarType.Float64).item<double>();
            onBatch?.Invoke(start + size, count);
        }
        return new BmnistEvalResult(settings, count, logJoint.Select(v => v / count).ToArray(), ess.Select(v => v / count).ToArray(),
            squaredError / count, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Sweeps and particles a method runs with: RWS spends the budget K * L on particles of one sweep.</summary>
    public static (int Sweeps, int Particles) Budget(BmnistEvalSettings s) =>
        s.Method == BmnistMethod.Rws ? (1, s.Sweeps * s.Particles) : (s.Sweeps, s.Particles);

    /// <summary>One run of the chosen sampler on a batch of videos [B, T, F, F].</summary>
    public static SamplerRun Run(BmnistNetworks networks, BmnistEvalSettings s, Tensor x, Generator generator)
    {
        var (sweeps, particles) = Budget(s);
        var frames = (int)x.size(1);
        return s.Method switch
        {
            BmnistMethod.Apg => BmnistMethods.Apg(networks, frames).Run(x, sweeps, particles, generator),
            BmnistMethod.Bpg => BmnistMethods.Bpg(networks, frames).Run(x, sweeps, particles, generator),
            BmnistMethod.Rws => BmnistMethods.Rws(networks).Run(x, sweeps, particles, generator),
            BmnistMethod.HmcRws => BmnistMethods.HmcRws(networks, s.LeapfrogSteps, s.StepSize).Run(x, sweeps, particles, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(s)),
        };
    }
}
