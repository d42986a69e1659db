using Apg.Core.Methods.IterativeInference;

namespace Apg.Core.Methods.Vae;

/// <summary>
/// Held-out log p(x) of a VAE as Hirt et al. estimate it: importance sampling with the encoder's q, its variance scaled
/// by 1.2 for heavier tails, many samples; mean over the digits, in chunks.
/// </summary>
public static class HeldOutLogLikelihood
{
    public const double VarianceScale = 1.2;

    public static double Estimate(StandardVae vae, Tensor x, int samples, Generator generator, long instancesPerChunk = 100) =>
        EstimatePerImage(vae, x, samples, generator, instancesPerChunk).Mean;

    /// <summary>The mean (as <see cref="Estimate"/> gives it, from the same draws) and each image's log p(x).</summary>
    public static (double Mean, double[] PerImage) EstimatePerImage(StandardVae vae, Tensor x, int samples, Generator generator, long instancesPerChunk = 100)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var total = 0.0;
        var perImage = new List<double>((int)x.size(0));
        for (long start = 0; start < x.size(0); start += instancesPerChunk)
        {
            var batch = x.narrow(0, start, Math.Min(instancesPerChunk, x.size(0) - start));
            var (mean, logVar) = vae.Encoder.forward(batch);
            var logMarginal = ImportanceSampling.LogMarginal(vae.Decoder, batch, mean, logVar, samples, generator, VarianceScale);
            total += logMarginal.sum().item<double>();
            perImage.AddRange(PerInstance.Values(logMarginal));
        }
        return (total / x.size(0), perImage.ToArray());
    }
}
