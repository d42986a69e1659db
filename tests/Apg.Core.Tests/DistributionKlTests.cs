using Apg.Core.Distributions;

namespace Apg.Core.Tests;


/// <summary>
/// KL closed forms. Normal-Normal and Categorical against their formulas in C# doubles; Gamma-Gamma and
/// NormalGamma-NormalGamma against the Monte Carlo estimate E_p[log p - log q] over n = 200,000 draws from p, with the
/// z-score of the estimate from the sample standard deviation of log p - log q (|z| &lt; 4). The standard errors are
/// 0.001-0.01 nats here, while dropping or misplacing any term of the formulas (the digamma term, a rate for a scale,
/// the E[tau] factor of the Normal part) changes the KL by 0.1 nats or more.
/// </summary>
public class DistributionKlTests
{
    private const int Draws = 200_000;

    [Fact]
    public void Normal_normal_matches_its_formula()
    {
        using var scope = NewDisposeScope();
        double[] m1 = [0, 1, -2, 0.3], s1 = [1, 0.5, 3, 0.01], m2 = [0, -1, 1, 0.2], s2 = [2, 0.5, 1, 0.02];
        var kl = T.D(Normal.Kl(new Normal(T.F64(m1), T.F64(s1)), new Normal(T.F64(m2), T.F64(s2))));
        for (var i = 0; i < m1.Length; i++)
        {
            var expected = Math.Log(s2[i] / s1[i]) + (s1[i] * s1[i] + (m1[i] - m2[i]) * (m1[i] - m2[i])) / (2 * s2[i] * s2[i]) - 0.5;
            Approx.Equal(expected, kl[i], 1e-12 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Categorical_matches_its_formula()
    {
        using var scope = NewDisposeScope();
        double[] p = [0.2, 0.5, 0.3], q = [0.6, 0.1, 0.3];
        var kl = Categorical.Kl(Categorical.FromProbs(T.F64(p, 1, 3)), Categorical.FromProbs(T.F64(q, 1, 3))).item<double>();
        Approx.Equal(Enumerable.Range(0, 3).Sum(i => p[i] * Math.Log(p[i] / q[i])), kl, 1e-14);
    }

    [Fact]
    public void Gamma_gamma_matches_monte_carlo()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        // (shape, rate) of p and of q, one pair per column; shapes below 1 included
        double[] pa = [2, 0.7, 5, 1], pb = [3, 1.5, 0.5, 1], qa = [3, 1.2, 4.5, 2], qb = [1, 2, 0.6, 0.3];
        var p = new Gamma(Expand(pa), Expand(pb));
        var q = new Gamma(Expand(qa), Expand(qb));
        var x = p.Sample(g);
        var ratio = p.LogProb(x) - q.LogProb(x);                                   // [n, K]
        var kl = T.D(Gamma.Kl(new Gamma(T.F64(pa), T.F64(pb)), new Gamma(T.F64(qa), T.F64(qb))));
        AssertMonteCarlo(ratio, kl, "Gamma");
    }

    [Fact]
    public void NormalGamma_matches_monte_carlo()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12);
        double[] pm = [0, 1.5, -2], pn = [0.1, 2, 1], pa = [2, 0.8, 6], pb = [2, 1, 3];
        double[] qm = [0.5, 1, 0], qn = [0.3, 1, 5], qa = [3, 1.5, 4], qb = [1, 2, 4];
        var p = new NormalGamma(Expand(pm), Expand(pn), Expand(pa), Expand(pb));
        var q = new NormalGamma(Expand(qm), Expand(qn), Expand(qa), Expand(qb));
        var (mean, tau) = p.Sample(g);
        var ratio = p.LogProb(mean, tau) - q.LogProb(mean, tau);
        var kl = T.D(NormalGamma.Kl(new NormalGamma(T.F64(pm), T.F64(pn), T.F64(pa), T.F64(pb)),
            new NormalGamma(T.F64(qm), T.F64(qn), T.F64(qa), T.F64(qb))));
        AssertMonteCarlo(ratio, kl, "NormalGamma");
    }

    [Fact]
    public void Kl_of_a_distribution_with_itself_is_zero()
    {
        using var scope = NewDisposeScope();
        var a = T.F64(0.3, 2, 7);
        var b = T.F64(1.5, 0.2, 4);
        var c = T.F64(-1, 0, 3);
        var d = T.F64(0.1, 1, 10);
        Assert.All(T.D(Normal.Kl(new Normal(c, a), new Normal(c, a))), v => Approx.Equal(0, v, 1e-14));
        Assert.All(T.D(Gamma.Kl(new Gamma(a, b), new Gamma(a, b))), v => Approx.Equal(0, v, 1e-12));
        Assert.All(T.D(NormalGamma.Kl(new NormalGamma(c, d, a, b), new NormalGamma(c, d, a, b))), v => Approx.Equal(0, v, 1e-12));
        var cat = new Categorical(T.F64([0.3, -2, 1, 4, 4, 4], 2, 3));
        Assert.All(T.D(Categorical.Kl(cat, cat)), v => Approx.Equal(0, v, 1e-14));
    }

    private static Tensor Expand(double[] values) => T.F64(values).unsqueeze(0).expand(Draws, values.Length);

    private static void AssertMonteCarlo(Tensor ratio, double[] kl, string what)
    {
        var mean = T.D(ratio.mean([0]));
        var sd = T.D(ratio.var(0).sqrt());
        for (var k = 0; k < kl.Length; k++)
        {
            Assert.True(kl[k] > 0, $"{what} pair {k}: KL {kl[k]} is not positive");
            ZTest.Assert(mean[k], kl[k], sd[k] / Math.Sqrt(Draws), $"{what} pair {k}: Monte Carlo KL");
        }
    }
}
