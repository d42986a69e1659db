using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

/// <summary>Evaluation settings: which sampler, sweeps and particles, HMC's leapfrog steps and step size, the seed.</summary>
public sealed record DmmEvalSettings(SamplerMethod Method, int Sweeps, int Particles, int LeapfrogSteps = 1, ulong Seed = 0,
    int BatchSize = 10, double StepSize = 0.01);

/// <summary>
/// Per sweep, averaged over the corpus: mean over particles of log p(x, z) and ESS / L after the sweep's last block;
/// and per sweep and instance, the mean over particles of log p(x, z).
/// </summary>
public sealed record DmmEvalResult(DmmEvalSettings Settings, int Instances, double[] MeanLogJoint, double[] Ess, double Seconds, double[][] InstanceLogJoint);

/// <summary>Runs one DMM sampler over a corpus with no gradients, batch by batch, and averages per-sweep statistics.</summary>
public static class DmmEvaluator
{
    /// <summary>The most elements a batch's [L, B, N, M] tensors may hold; the local proposal's hidden layer is 32 times that.</summary>
    public const long MaxBatchElements = 1L << 22;

    /// <summary>global: another {mu} proposal for APG (our iterative one), on the networks' model held fixed.</summary>
    public static DmmEvalResult Evaluate(Tensor corpus, DmmEvalSettings settings, DmmNetworks networks, Action<int, int>? onBatch = null,
        IBlockProposal? global = null)
    {
        if (global is not null && settings.Method != SamplerMethod.Apg) throw new ArgumentException("another {mu} proposal is for APG only");
        if (settings.Sweeps < 1 || settings.Particles < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"sweeps, particles and batch size must be at least 1 (got {settings.Sweeps}, {settings.Particles}, {settings.BatchSize})");
        var model = networks.Model;
        using var generator = new Generator(settings.Seed, corpus.device);
        var (sweeps, particles) = SamplerMethods.Budget(settings.Method, settings.Sweeps, settings.Particles);
        var sampler = global is null ? Sampler(model, networks, settings) : DmmIterativeProposalTrainer.Sampler(networks, global);
        var batchSize = EvaluationBatches.InstancesPerBatch(settings.BatchSize, particles * corpus.size(1) * model.Prior.Clusters, MaxBatchElements);
        var r = SweepEvaluation.Evaluate(corpus, sweeps, batchSize, x => sampler.Run(x, sweeps, particles, generator), onBatch);
        return new DmmEvalResult(settings, r.Instances, r.MeanLogJoint, r.Ess, r.Seconds, r.InstanceLogJoint);
    }

    /// <summary>The settings' sampler (RWS: run it with one sweep and K * L particles, SamplerMethods.Budget).</summary>
    public static ISampler Sampler(DmmModel model, DmmNetworks networks, DmmEvalSettings s) => s.Method switch
    {
        SamplerMethod.Apg => DmmMethods.Apg(model, networks),
        SamplerMethod.Bpg => DmmMethods.Bpg(model, networks),
        SamplerMethod.Rws => DmmMethods.Rws(model, networks),
        SamplerMethod.HmcRws => DmmMethods.HmcRws(model, networks, s.LeapfrogSteps, s.StepSize),
        _ => throw SamplerMethods.NotIn("the DMM", s.Method, SamplerMethod.Apg, SamplerMethod.Rws, SamplerMethod.Bpg, SamplerMethod.HmcRws),
    };

    /// <summary>One run of the chosen sampler on a batch (RWS: call with one sweep and K * L particles).</summary>
    public static SamplerRun Run(DmmModel model, DmmNetworks networks, DmmEvalSettings s, Tensor x, int sweeps, int particles, Generator generator) =>
        Sampler(model, networks, s).Run(x, sweeps, particles, generator);
}
