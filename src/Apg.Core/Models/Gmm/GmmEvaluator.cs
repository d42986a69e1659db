using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;


/// <summary>Evaluation settings: which sampler, how many sweeps and particles, and the seed of its generator.</summary>
public sealed record GmmEvalSettings(SamplerMethod Method, int Sweeps, int Particles, int LeapfrogSteps = 1, ulong Seed = 0,
    int BatchSize = 20, BlockStrategy Blocks = BlockStrategy.Decomposed, double StepSize = 0.1);

/// <summary>
/// Per sweep, averaged over the corpus: mean over particles of log p(x, z), ESS / L after the sweep's last block, and
/// ESS / L after its first block (the {mu, tau} block for decomposed APG, the authors' choice); and per sweep and
/// instance, the mean over particles of log p(x, z).
/// </summary>
public sealed record GmmEvalResult(GmmEvalSettings Settings, int Instances, double[] MeanLogJoint, double[] Ess, double Seconds, double[] FirstBlockEss,
    double[][] InstanceLogJoint);

/// <summary>Runs one sampler over a corpus with no gradients, batch by batch, and averages per-sweep statistics.</summary>
public static class GmmEvaluator
{
    /// <summary>The most elements a batch's [L, B, N, M] tensors may hold (64 MB in float32).</summary>
    public const long MaxBatchElements = 1L << 24;

    /// <summary>
    /// Instances per batch: at most the settings' batch size, fewer when L particles would make the batch's
    /// [L, B, N, M] tensors exceed <see cref="MaxBatchElements"/> (BPG at 100,000 particles runs one instance at a
    /// time), so that memory stays bounded whatever L is.
    /// </summary>
    public static int InstancesPerBatch(int batchSize, long particles, long points, long clusters) =>
        EvaluationBatches.InstancesPerBatch(batchSize, particles * points * clusters, MaxBatchElements);

    /// <param name="hmcKernel">HMC-RWS's kernel when it is not the settings' fixed-step HMC (an adapted one), built for the
    /// same prior as this evaluation's.</param>
    public static GmmEvalResult Evaluate(Tensor corpus, GmmEvalSettings settings, GmmNetworks? networks, GmmPrior? prior = null,
        Action<int, int>? onBatch = null, IMarkovKernel? hmcKernel = null)
    {
        if (hmcKernel is not null && settings.Method != SamplerMethod.HmcRws)
            throw new ArgumentException($"a kernel was given for method {SamplerMethods.Name(settings.Method)}: only hmc-rws takes one");
        if (settings.Method != SamplerMethod.Gibbs && networks is null)
            throw new ArgumentException($"method {SamplerMethods.Name(settings.Method)} needs trained proposals: pass --checkpoint DIR");
        if (settings.Sweeps < 1 || settings.Particles < 1 || settings.BatchSize < 1)
            throw new ArgumentException($"sweeps, particles and batch size must be at least 1 (got {settings.Sweeps}, {settings.Particles}, {settings.BatchSize})");
        var model = new GmmModel(prior ?? GmmPrior.Paper);
        using var generator = new Generator(settings.Seed, corpus.device);
        var (sweeps, particles) = SamplerMethods.Budget(settings.Method, settings.Sweeps, settings.Particles);
        var sampler = hmcKernel is null ? Sampler(model, networks, settings) : GmmMethods.HmcRws(model, networks!, hmcKernel);
        var batchSize = InstancesPerBatch(settings.BatchSize, particles, corpus.size(1), model.Prior.Clusters);
        var r = SweepEvaluation.Evaluate(corpus, sweeps, batchSize, x => sampler.Run(x, sweeps, particles, generator), onBatch);
        return new GmmEvalResult(settings, r.Instances, r.MeanLogJoint, r.Ess, r.Seconds, r.FirstBlockEss, r.InstanceLogJoint);
    }

    /// <summary>The settings' sampler (Gibbs without networks starts from the prior).</summary>
    public static ISampler Sampler(GmmModel model, GmmNetworks? networks, GmmEvalSettings s) =>
        s.Method switch
        {
            SamplerMethod.Apg => GmmMethods.Apg(model, networks!, s.Blocks),
            SamplerMethod.Bpg => GmmMethods.Bpg(model, networks!),
            SamplerMethod.Gibbs => GmmMethods.Gibbs(model, networks),
            SamplerMethod.Rws => GmmMethods.Rws(model, networks!),
            SamplerMethod.HmcRws => GmmMethods.HmcRws(model, networks!, s.LeapfrogSteps, s.StepSize),
            _ => throw new ArgumentOutOfRangeException(nameof(s)),
        };
}
