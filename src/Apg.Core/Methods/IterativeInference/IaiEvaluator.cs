using Apg.Core.Data;
using Apg.Core.Methods.Vae;
using Apg.Core.Runtime;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>
/// How the three inference methods are scored on held-out digits: the ELBO on fresh noise (ElboSamples), the
/// importance-sampled log-likelihood with each method's q as proposal (LogLikelihoodSamples; Marino et al. use 5,000),
/// per-instance optimization from the encoder's estimate, and the iterative model's iterations and samples.
/// </summary>
public sealed record IaiEvalSettings
{
    public int ElboSamples { get; init; } = 100;
    public int LogLikelihoodSamples { get; init; } = 5000;
    public int OptimizationIterations { get; init; } = 300;
    public int OptimizationSamples { get; init; } = 8;
    public double OptimizationLearningRate { get; init; } = 0.05;
    public int Iterations { get; init; } = 5;
    public int InferenceSamples { get; init; } = 10;
    public ulong Seed { get; init; }
    public long InstancesPerBatch { get; init; } = 100;
}

/// <summary>Mean held-out ELBO and log-likelihood per method, the iterative model's mean ELBO after each update (index 0:
/// the prior), and each digit's ELBO and log-likelihood per method (in the digits' order; null where not recorded).</summary>
public sealed record IaiEvalResult(
    IReadOnlyDictionary<string, double> Elbo, IReadOnlyDictionary<string, double> LogLikelihood, double[] IterativeElbos,
    int Instances, double Seconds,
    IReadOnlyDictionary<string, double[]>? ElboPerInstance = null, IReadOnlyDictionary<string, double[]>? LogLikelihoodPerInstance = null);

/// <summary>Scores the standard encoder, the iterative model and per-instance optimization under one trained decoder.</summary>
public static class IaiEvaluator
{
    public const string Standard = "standard", Iterative = "iterative", Optimized = "optimized";

    /// <summary>x: binary digits [N, 784]. All three methods see the same digits; each draws from its own generator.</summary>
    public static IaiEvalResult Evaluate(StandardVae vae, IterativeInferenceModel iterative, Tensor x, IaiEvalSettings settings)
    {
        if (x.dim() != 2 || x.size(1) != MnistDigits.Pixels)
            throw new ArgumentException($"evaluation digits must be [N, {MnistDigits.Pixels}], got {Shapes.Format(x)}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var gElbo = new Generator(settings.Seed * 4 + 1, x.device);
        using var gLogLik = new Generator(settings.Seed * 4 + 2, x.device);
        using var gIterative = new Generator(settings.Seed * 4 + 3, x.device);
        using var gOptimize = new Generator(settings.Seed * 4 + 4, x.device);
        var sums = new Dictionary<string, double> { [Standard] = 0, [Iterative] = 0, [Optimized] = 0 };
        var logLikSums = new Dictionary<string, double>(sums);
        var iterativeSums = new double[settings.Iterations + 1];
        var elboPerInstance = sums.Keys.ToDictionary(k => k, _ => new List<double>());
        var logLikPerInstance = sums.Keys.ToDictionary(k => k, _ => new List<double>());
        var inference = new IterativeInference(iterative, vae.Decoder, settings.Iterations, settings.InferenceSamples);
        for (long start = 0; start < x.size(0); start += settings.InstancesPerBatch)
        {
            using var scope = NewDisposeScope();
            var batch = x.narrow(0, start, Math.Min(settings.InstancesPerBatch, x.size(0) - start));
            var (mean, logVar) = Detached(vae.Encoder, batch);
            var run = inference.Run(batch, gIterative, training: false);
            var optimized = PerInstanceOptimization.Run(vae.Decoder, batch, mean, logVar, settings.OptimizationIterations,
                settings.OptimizationSamples, settings.OptimizationLearningRate, gOptimize);
            var posteriors = new Dictionary<string, (Tensor Mean, Tensor LogVar)>
            {
                [Standard] = (mean, logVar), [Iterative] = (run.Mean, run.LogVar), [Optimized] = (optimized.Mean, optimized.LogVar),
            };
            foreach (var (name, (m, lv)) in posteriors)
            {
                var elbo = Elbo.Evaluate(vae.Decoder, batch, m, lv, settings.ElboSamples, gElbo);
                var logLik = ImportanceSampling.LogMarginal(vae.Decoder, batch, m, lv, settings.LogLikelihoodSamples, gLogLik);
                sums[name] += elbo.sum().item<float>();
                logLikSums[name] += logLik.sum().item<double>();
                elboPerInstance[name].AddRange(PerInstance.Values(elbo));
                logLikPerInstance[name].AddRange(PerInstance.Values(logLik));
            }
            for (var t = 0; t <= settings.Iterations; t++) iterativeSums[t] += run.Elbos[t].sum().item<float>();
        }
        double n = x.size(0);
        return new IaiEvalResult(
            sums.ToDictionary(kv => kv.Key, kv => kv.Value / n), logLikSums.ToDictionary(kv => kv.Key, kv => kv.Value / n),
            iterativeSums.Select(s => s / n).ToArray(), (int)x.size(0), clock.Elapsed.TotalSeconds,
            elboPerInstance.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()), logLikPerInstance.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray()));
    }

    private static (Tensor Mean, Tensor LogVar) Detached(GaussianEncoder encoder, Tensor x)
    {
        using var noGrad = no_grad();
        var (mean, logVar) = encoder.forward(x);
        return (mean, logVar);
    }
}
