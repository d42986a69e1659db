using Apg.Core.Runtime;
using Apg.Core.Inference;
using Apg.Core.Methods.AdaptiveMcmc;

namespace Apg.Core.Models.Gmm;

/// <summary>
/// An adaptive kernel for HMC-RWS on the GMM, adapted on training instances: each step takes the next batch of a seeded
/// permutation of the corpus, starts L chains per instance at the one-shot encoder's samples and moves them.
/// </summary>
public static class GmmKernelAdaptation
{
    /// <summary>The kernel on (mu, log tau), flattened: 2 M D dimensions, started at the given step size.</summary>
    public static AdaptiveTargetKernel Create(GmmPrior prior, PreconditionerKind preconditioner, double stepSize, int leapfrogSteps,
        Device? device = null) =>
        new(new GmmHmcTarget(new GmmModel(prior)),
            new PreconditionedHmcKernel(2 * prior.Clusters * prior.Dimensions, preconditioner, stepSize, leapfrogSteps, device: device));

    public static IReadOnlyList<KernelAdaptationMetrics> Adapt(AdaptiveTargetKernel kernel, GmmNetworks networks, Tensor corpus,
        int batchSize, int particles, KernelAdaptationConfig config, ulong seed, Action<KernelAdaptationMetrics>? onStep = null)
    {
        if (batchSize < 1 || particles < 1) throw new ArgumentException($"batch size and particles must be at least 1, got {batchSize} and {particles}");
        var instances = corpus.size(0);
        using var generator = new Generator(seed, corpus.device);
        using var order = SeededDraws.Randperm(instances, corpus.device, generator);
        (Tensor, Latents) Start(int step)
        {
            using var noGrad = no_grad();
            var positions = arange((long)(step - 1) * batchSize, (long)step * batchSize, device: corpus.device).remainder(instances);
            var x = corpus.index_select(0, order.index_select(0, positions));
            return (x, networks.OneShot.Sample(x, particles, generator).Z);
        }
        return KernelAdaptation.Run(kernel, Start, config, generator, onStep);
    }
}
