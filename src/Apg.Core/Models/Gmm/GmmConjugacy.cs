using Apg.Core.Distributions;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Gmm;


/// <summary>
/// The Normal-Gamma conjugate update from (possibly soft, possibly neural) per-cluster statistics:
/// count n, sum s1 and sum of squares s2, each [..., M, D]. Written without xbar so that n = 0 gives the
/// prior back exactly (see the spec for the two defects of the public reference this avoids).
/// </summary>
public static class GmmConjugacy
{
    public static NormalGamma Posterior(GmmPrior prior, Tensor n, Tensor s1, Tensor s2)
    {
        var nu = n + prior.Nu0;
        var mu = (s1 + prior.Nu0 * prior.Mu0) / nu;
        var alpha = n * 0.5 + prior.Alpha0;
        // s2 - n xbar^2 = s2 - s1^2 / n and n nu0 (xbar - mu0)^2 / (2 (nu0 + n)) = nu0 (s1 - n mu0)^2 / (2 n (nu0 + n));
        // both numerators are exactly 0 when n = 0, so a floor on the divisor changes nothing else.
        var safeN = n.clamp_min(1e-30);
        var spread = s2 - s1.square() / safeN;
        var shift = (s1 - n * prior.Mu0).square() * prior.Nu0 / (safeN * nu * 2);
        var beta = spread * 0.5 + shift + prior.Beta0;
        return new NormalGamma(mu, nu, alpha, beta);
    }

    /// <summary>Statistics of points x [B, N, D] under (soft) assignments weights [..., B, N, M], transformed points t [..., B, N, D].</summary>
    public static (Tensor N, Tensor S1, Tensor S2) Statistics(Tensor weights, Tensor t)
    {
        var wT = weights.transpose(-1, -2);               // [..., M, N]
        var n = weights.sum(-2).unsqueeze(-1);             // [..., M, 1]
        var s1 = CheckedOps.MatMul(wT, t, "GMM statistics: assignments times points");   // [..., M, D]
        var s2 = wT.matmul(t.square());
        return (n.expand(s1.shape), s1, s2);
    }
}
