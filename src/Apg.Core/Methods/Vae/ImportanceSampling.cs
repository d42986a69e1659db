namespace Apg.Core.Methods.Vae;

/// <summary>
/// The importance-sampled estimate of log p(x): log (1/S) sum_s p(x, z_s) / q(z_s), z_s ~ q = N(mean, scale * exp(logvar)),
/// a lower bound in expectation that tightens as S grows. The variance scale widens the proposal's tails (Hirt et al.
/// use 1.2). Samples are drawn in chunks so that many samples fit in memory.
/// </summary>
public static class ImportanceSampling
{
    /// <summary>
    /// log p(x) [B]. logJoint maps z [s, B, D] to log p(x, z) [s, B] for the batch at hand; mean and logvar are [B, D].
    /// </summary>
    public static Tensor LogMarginal(Func<Tensor, Tensor> logJoint, Tensor mean, Tensor logVar, int samples, Generator generator,
        double varianceScale = 1.0, int chunk = 500)
    {
        using var noGrad = no_grad();
        return LogWeights(logJoint, mean, logVar, samples, generator, varianceScale, chunk).logsumexp(0) - Math.Log(samples);
    }

    /// <summary>The log importance weights log p(x, z_s) - log q(z_s) [S, B], in float64.</summary>
    public static Tensor LogWeights(Func<Tensor, Tensor> logJoint, Tensor mean, Tensor logVar, int samples, Generator generator,
        double varianceScale = 1.0, int chunk = 500)
    {
        if (samples < 1) throw new ArgumentException($"importance sampling needs at least 1 sample, got {samples}");
        if (!(varianceScale > 0)) throw new ArgumentException($"the proposal's variance scale must be positive, got {varianceScale}");
        using var noGrad = no_grad();
        var proposalLogVar = logVar + Math.Log(varianceScale);
        var logWeights = new List<Tensor>();
        for (var start = 0; start < samples; start += chunk)
        {
            // A scope per chunk: only its [n, B] weights outlive it, not the decoder's activations (with 5,000 samples
            // those of every chunk together held over 10 GB).
            using var scope = NewDisposeScope();
            var n = Math.Min(chunk, samples - start);
            var z = DiagonalGaussian.Reparameterize(mean, proposalLogVar, DiagonalGaussian.Noise(n, mean, generator));
            logWeights.Add((logJoint(z) - DiagonalGaussian.LogProb(z, mean, proposalLogVar)).to(ScalarType.Float64).MoveToOuterDisposeScope());
        }
        return cat(logWeights, 0);
    }

    /// <summary>log p(x) [B] of a Bernoulli VAE, over instances in chunks.</summary>
    public static Tensor LogMarginal(BernoulliDecoder decoder, Tensor x, Tensor mean, Tensor logVar, int samples, Generator generator,
        double varianceScale = 1.0, long instancesPerChunk = 100)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < x.size(0); start += instancesPerChunk)
        {
            var n = Math.Min(instancesPerChunk, x.size(0) - start);
            var xs = x.narrow(0, start, n);
            // Samples in chunks whose logits [chunk, n, pixels] stay near 2^23 values (32 MB in float32).
            var chunk = (int)Math.Max(1, (1L << 23) / (n * decoder.Pixels));
            parts.Add(LogMarginal(z => decoder.LogJoint(z, xs), mean.narrow(0, start, n), logVar.narrow(0, start, n), samples, generator, varianceScale, chunk));
        }
        return cat(parts, 0);
    }
}
