namespace Apg.Core.Methods.Vae;

/// <summary>
/// The evidence lower bound of a diagonal-Gaussian q for a Bernoulli VAE: E_q[log p(x | z)] by the reparameterized
/// Monte Carlo average over the given noise, minus KL(q || prior) in closed form. With the noise fixed it is a
/// deterministic, differentiable function of (mean, logvar), which is what gradient inputs and finite differences need.
/// </summary>
public static class Elbo
{
    /// <summary>ELBO [B] of x [B, P] under q = N(mean, exp(logvar)) [B, D], noise [S, B, D].</summary>
    public static Tensor Estimate(BernoulliDecoder decoder, Tensor x, Tensor mean, Tensor logVar, Tensor noise)
    {
        var z = DiagonalGaussian.Reparameterize(mean, logVar, noise);
        return decoder.LogLikelihood(z, x).mean([0]) - DiagonalGaussian.KlToStandardNormal(mean, logVar);
    }

    /// <summary>The same with fresh noise of the given number of samples.</summary>
    public static Tensor Estimate(BernoulliDecoder decoder, Tensor x, Tensor mean, Tensor logVar, int samples, Generator generator) =>
        Estimate(decoder, x, mean, logVar, DiagonalGaussian.Noise(samples, mean, generator));

    /// <summary>
    /// The ELBO in chunks of instances without a graph, so that many samples fit in memory: [B].
    /// </summary>
    public static Tensor Evaluate(BernoulliDecoder decoder, Tensor x, Tensor mean, Tensor logVar, int samples, Generator generator, long chunk = 100)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < x.size(0); start += chunk)
        {
            var n = Math.Min(chunk, x.size(0) - start);
            parts.Add(Estimate(decoder, x.narrow(0, start, n), mean.narrow(0, start, n), logVar.narrow(0, start, n), samples, generator));
        }
        return cat(parts, 0);
    }
}
