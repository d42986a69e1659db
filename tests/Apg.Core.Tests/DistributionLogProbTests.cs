using Apg.Core.Distributions;

namespace Apg.Core.Tests;


/// <summary>
/// Log densities in float64 against the closed forms written out in C# doubles (TestSupport's Exact). Both sides
/// are float64 evaluations of the same formula, so they agree to a few ulps of the terms (|terms| &lt; 100 here):
/// 1e-11 absolute is loose for that, and any wrong constant, sign or parameterization (rate vs scale, variance vs sd)
/// moves the value by far more.
/// </summary>
public class DistributionLogProbTests
{
    private const double Tol = 1e-11;

    [Fact]
    public void Reference_lgamma_matches_known_values()
    {
        // The C# reference itself: Gamma(n) = (n - 1)!, Gamma(1/2) = sqrt(pi), Gamma(3/2) = sqrt(pi) / 2.
        Approx.Equal(0, Exact.LogGamma(1), 1e-14);
        Approx.Equal(Math.Log(24), Exact.LogGamma(5), 1e-13);
        Approx.Equal(Math.Log(3628800), Exact.LogGamma(11), 1e-12);
        Approx.Equal(0.5 * Math.Log(Math.PI), Exact.LogGamma(0.5), 1e-13);
        Approx.Equal(Math.Log(Math.Sqrt(Math.PI) / 2), Exact.LogGamma(1.5), 1e-13);
        Approx.Equal(Math.Log(2 * Math.Sqrt(Math.PI)), Exact.LogGamma(-0.5), 1e-12); // |Gamma(-1/2)| = 2 sqrt(pi)
    }

    [Fact]
    public void Normal()
    {
        using var scope = NewDisposeScope();
        double[] x = [-3.2, 0, 0.7, 5.5, 1e-3];
        double[] loc = [0, 1.5, -2, 5, 0];
        double[] scale = [1, 0.3, 2.5, 10, 1e-2];
        var lp = T.D(new Normal(T.F64(loc), T.F64(scale)).LogProb(T.F64(x)));
        for (var i = 0; i < x.Length; i++) Approx.Equal(Exact.NormalLogPdf(x[i], loc[i], scale[i]), lp[i], Tol);
    }

    [Fact]
    public void Gamma_in_shape_rate_form()
    {
        using var scope = NewDisposeScope();
        double[] x = [0.5, 2, 1e-3, 7.3, 0.9];
        double[] shape = [1, 2, 0.4, 9, 3.3];
        double[] rate = [1, 0.5, 3, 1.2, 10];
        var lp = T.D(new Gamma(T.F64(shape), T.F64(rate)).LogProb(T.F64(x)));
        for (var i = 0; i < x.Length; i++) Approx.Equal(Exact.GammaLogPdf(x[i], shape[i], rate[i]), lp[i], Tol);
        // shape 1 is the exponential: log rate - rate x, with no lgamma involved
        Approx.Equal(Math.Log(1) - 0.5, lp[0], Tol);
        // rate, not scale: the density of Gamma(2, rate 0.5) at 2 differs from that of Gamma(2, scale 0.5) = Gamma(2, rate 2)
        Assert.True(Math.Abs(lp[1] - Exact.GammaLogPdf(2, 2, 2)) > 0.1); // -1.69 vs -1.92: the data tell the two apart
    }

    [Fact]
    public void Beta()
    {
        using var scope = NewDisposeScope();
        double[] x = [0.5, 0.1, 0.93, 0.3, 1e-4];
        double[] a = [1, 2, 5, 0.5, 0.7];
        double[] b = [1, 3, 1.5, 0.5, 4];
        var lp = T.D(new Beta(T.F64(a), T.F64(b)).LogProb(T.F64(x)));
        for (var i = 0; i < x.Length; i++) Approx.Equal(Exact.BetaLogPdf(x[i], a[i], b[i]), lp[i], Tol);
        Approx.Equal(0, lp[0], Tol); // Beta(1, 1) is uniform
    }

    [Fact]
    public void Categorical_from_unnormalized_logits_and_from_probs()
    {
        using var scope = NewDisposeScope();
        double[] logits = [0.3, -1.2, 2.5, 0, 10, -4, 3, 3]; // two rows of 4
        var dist = new Categorical(T.F64(logits, 2, 4));
        var lp = T.D(dist.LogProb(T.I64([2, 0], 2)));
        Approx.Equal(2.5 - Exact.LogSumExp(logits[..4]), lp[0], Tol);
        Approx.Equal(10 - Exact.LogSumExp(logits[4..]), lp[1], Tol);
        // normalized log probabilities: rows sum to one in probability
        var probs = T.D(dist.Probs);
        Approx.Equal(1, probs[..4].Sum(), 1e-14);
        Approx.Equal(1, probs[4..].Sum(), 1e-14);

        var fromProbs = Categorical.FromProbs(T.F64([0.1, 0.6, 0.3, 0.1, 0.6, 0.3, 0.1, 0.6, 0.3], 3, 3));
        var lpProbs = T.D(fromProbs.LogProb(T.I64([0, 1, 2], 3)));
        Approx.Equal(Math.Log(0.1), lpProbs[0], Tol);
        Approx.Equal(Math.Log(0.6), lpProbs[1], Tol);
        Approx.Equal(Math.Log(0.3), lpProbs[2], Tol);
    }

    [Fact]
    public void OneHotCategorical_scores_one_hot_rows()
    {
        using var scope = NewDisposeScope();
        double[] logits = [0.3, -1.2, 2.5, 1, 1, 1];
        var dist = new OneHotCategorical(T.F64(logits, 2, 3));
        var lp = T.D(dist.LogProb(T.F64([0, 1, 0, 0, 0, 1], 2, 3)));
        Approx.Equal(-1.2 - Exact.LogSumExp(logits[..3]), lp[0], Tol);
        Approx.Equal(-Math.Log(3), lp[1], Tol);
    }

    [Fact]
    public void Bernoulli_from_logits_stable_at_large_logits()
    {
        using var scope = NewDisposeScope();
        double[] logits = [0, 1.3, -2.2, 30, -30, 45];
        double[] x = [1, 0, 1, 0, 1, 1];
        var lp = T.D(new Bernoulli(T.F64(logits)).LogProb(T.F64(x)));
        for (var i = 0; i < x.Length; i++)
        {
            // log sigmoid(l) for x = 1, log(1 - sigmoid(l)) = log sigmoid(-l) for x = 0
            var expected = x[i] == 1 ? Exact.LogSigmoid(logits[i]) : Exact.LogSigmoid(-logits[i]);
            Approx.Equal(expected, lp[i], Tol);
        }
        Approx.Equal(-30, lp[3], 1e-12); // log(1 - sigmoid(30)) without cancellation to -inf
        var fromProbs = Bernoulli.FromProbs(T.F64(0.2, 0.9));
        Approx.Equal(Math.Log(0.2), T.D(fromProbs.LogProb(T.F64(1, 0)))[0], Tol);
        Approx.Equal(Math.Log(0.1), T.D(fromProbs.LogProb(T.F64(1, 0)))[1], Tol);
    }

    [Fact]
    public void NormalGamma_is_gamma_precision_times_normal_given_precision()
    {
        using var scope = NewDisposeScope();
        double[] mean = [0.4, -2, 3.1];
        double[] tau = [1.3, 0.2, 8];
        double[] mu = [0, -1, 3], nu = [0.1, 2, 0.5], alpha = [2, 0.7, 5], beta = [2, 1.5, 0.3];
        var lp = T.D(new NormalGamma(T.F64(mu), T.F64(nu), T.F64(alpha), T.F64(beta)).LogProb(T.F64(mean), T.F64(tau)));
        for (var i = 0; i < mean.Length; i++)
        {
            var expected = Exact.GammaLogPdf(tau[i], alpha[i], beta[i]) + Exact.NormalLogPdf(mean[i], mu[i], 1 / Math.Sqrt(nu[i] * tau[i]));
            Approx.Equal(expected, lp[i], Tol);
        }
    }
}
