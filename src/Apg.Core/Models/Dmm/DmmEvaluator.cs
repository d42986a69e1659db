using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

public enum DmmMethod { Apg, Rws, Bpg, HmcRws }

/// <summary>Evaluation settings: which sampler, sweeps and particles, HMC's leapfrog steps and step size, the seed.</summary>
public sealed record DmmEvalSettings(DmmMethod Method, int Sweeps, int Particles, int LeapfrogSteps = 1, ulong Seed = 0,
    int BatchSize = 10, double StepSize = 0.01);

/// <summary>Per sweep, averaged over the corpus: mean over particles of log p(x, z) and ESS / L after the sweep's last block.</summary>
public sealed record DmmEvalResult(DmmEvalSettings Settings, int Instances, double[] MeanLogJoint, double[] Ess, double Seconds);

/// <summary>Runs one DMM sampler over a corpus with no gradients, batch by batch, and averages per-sweep statistics.</summary>
public static class DmmEvaluator
{
    /// <summary>The most elements a batch's [L, B, N, M] tensors may hold; the local proposal's hidden layer is 32 times that.</summary>
    public const long MaxBatchElements = 1L << 22;

    public static DmmMethod Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "apg" => DmmMethod.Apg,
        "rws" => DmmMethod.Rws,
        "bpg" => DmmMethod.Bpg,
        "hmc-rws" or "hmc" => DmmMethod.HmcRws,
        _ => throw new ArgumentException($"unknown DMM method '{text}': use apg, rws, bpg or hmc-rws"),
    };

    public static string Name(DmmMethod method) => method == DmmMethod.HmcRws ? "hmc-rws" : method.ToString().ToLowerInvariant();

    /// <summary>global: another {mu} proposal for APG (our iterative one), on the networks' model held fixed.</summary>
    public static DmmEvalResult Evaluate(Tensor corpus, DmmEvalSettings settings, DmmNetworks networks, Action<int, int>? onBatch = null,
        IBlockProposal? global = null)
    {
        if (global is not null && settings.Method != DmmMethod.Apg) throw new ArgumentException("another {mu} proposal is for APG only");
        if (settings.Sweeps < 1 || settings.Particles < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"sweeps, particles and batch size must be at least 1 (got {settings.Sweeps}, {settings.Particles}, {settings.BatchSize})");
        var model = networks.Model;
        using var generator = new Generator(settings.Seed, corpus.device);
        var instances = (int)corpus.size(0);
        var (sweeps, particles) = settings.Method == DmmMethod.Rws ? (1, settings.Sweeps * settings.Particles) : (settings.Sweeps, settings.Particles);
        var batchSize = EvaluationBatches.InstancesPerBatch(settings.BatchSize, particles * corpus.size(1) * model.Prior.Clusters, MaxBatchElements);
        var logJoint = new double[sweeps];
        var ess = new double[sweeps];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var noGrad = no_grad();
        for (var start = 0; start < instances; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(batchSize, instances - start);
            var x = corpus.narrow(0, start, size);
            var run = global is null ? Run(model, networks, settings, x, sweeps, particles, generator)
                : DmmIterativeProposalTrainer.Sampler(networks, global).Run(x, sweeps, particles, generator);
            foreach (var s in run.Sweeps)
            {
                logJoint[s.Sweep - 1] += s.MeanLogJoint.Sum();
                ess[s.Sweep - 1] += s.EssFraction.Sum();
            }
            onBatch?.Invoke(start + size, instances);
        }
        return new DmmEvalResult(settings, instances, logJoint.Select(v => v / instances).ToArray(), ess.Select(v => v / instances).ToArray(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>One run of the chosen sampler on a batch (RWS: call with one sweep and K * L particles).</summary>
    public static SamplerRun Run(DmmModel model, DmmNetworks networks, DmmEvalSettings s, Tensor x, int sweeps, int particles, Generator generator) => s.Method switch
    {
        DmmMethod.Apg => DmmMethods.Apg(model, networks).Run(x, sweeps, particles, generator),
        DmmMethod.Bpg => DmmMethods.Bpg(model, networks).Run(x, sweeps, particles, generator),
        DmmMethod.Rws => DmmMethods.Rws(model, networks).Run(x, sweeps, particles, generator),
        DmmMethod.HmcRws => DmmMethods.HmcRws(model, networks, s.LeapfrogSteps, s.StepSize).Run(x, sweeps, particles, generator),
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}
