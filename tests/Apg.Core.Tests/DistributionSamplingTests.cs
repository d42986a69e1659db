using Apg.Core.Distributions;

namespace Apg.Core.Tests;


/// <summary>
/// Sample moments against theory as z-tests (|z| &lt; 4; see ZTest) on n = 100,000 float64 draws per parameter
/// setting. The standard error of a mean is sigma / sqrt(n) (about 0.3% of sigma); that of a variance comes from the
/// sample fourth moment. A wrong parameterization (rate read as scale, sd as variance) shifts these statistics by
/// tens to hundreds of standard errors.
/// </summary>
public class DistributionSamplingTests
{
    private const int N = 100_000;

    private static double[] Column(Tensor samples, int k) => T.D(samples.select(1, k).contiguous());

    [Fact]
    public void Normal_mean_and_variance()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(21);
        double[] loc = [0, -3, 2.5], scale = [1, 0.2, 4];
        var x = new Normal(Rows(loc), Rows(scale)).Sample(g);
        for (var k = 0; k < loc.Length; k++) ZTest.Moments(Column(x, k), loc[k], scale[k] * scale[k], $"Normal({loc[k]}, {scale[k]})");
        // RSample is the same law and carries gradients to loc and scale
        var l = T.F64(1.0).requires_grad_();
        var s = T.F64(2.0).requires_grad_();
        var y = new Normal(l.expand(N), s.expand(N)).RSample(g);
        ZTest.Moments(T.D(y), 1, 4, "RSample Normal(1, 2)");
        y.mean().backward();
        Approx.Equal(1, l.grad!.item<double>(), 1e-12);                // d mean(loc + s eps) / d loc = 1
        Approx.Equal(T.D(y).Average() / 2 - 0.5, s.grad!.item<double>(), 1e-9); // = mean(eps) = (mean(y) - loc) / s
    }

    [Fact]
    public void Gamma_mean_and_variance_for_shapes_below_and_above_one()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(22);
        // mean a / b, variance a / b^2; shapes below 1 take the boosted branch of the sampler
        double[] shape = [0.1, 0.5, 0.9, 1, 2.5, 20], rate = [1, 2, 0.5, 1, 3, 0.7];
        var x = new Gamma(Rows(shape), Rows(rate)).Sample(g);
        Assert.True(x.gt(0).all().item<bool>(), "a Gamma draw left the support (0, inf)");
        for (var k = 0; k < shape.Length; k++)
            ZTest.Moments(Column(x, k), shape[k] / rate[k], shape[k] / (rate[k] * rate[k]), $"Gamma({shape[k]}, rate {rate[k]})");
    }

    [Fact]
    public void Gamma_with_tiny_shape_stays_positive_in_float32()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(23);
        // shape 0.01: P(X < 1e-38) = about 0.4, so raw float32 draws underflow to 0 and must be clamped into the support
        var x = new Gamma(full([N], 0.01, ScalarType.Float32), full([N], 1.0, ScalarType.Float32)).Sample(g);
        Assert.True(x.gt(0).all().item<bool>(), "a float32 Gamma draw is 0, outside the support");
        Assert.True(x.isfinite().all().item<bool>());
    }

    [Fact]
    public void Beta_mean_and_variance()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(24);
        // mean a / (a + b), variance a b / ((a + b)^2 (a + b + 1))
        double[] a = [1, 0.5, 2, 8], b = [1, 0.5, 5, 3];
        var x = new Beta(Rows(a), Rows(b)).Sample(g);
        Assert.True(x.gt(0).all().item<bool>() && x.lt(1).all().item<bool>(), "a Beta draw left (0, 1)");
        for (var k = 0; k < a.Length; k++)
        {
            var s = a[k] + b[k];
            ZTest.Moments(Column(x, k), a[k] / s, a[k] * b[k] / (s * s * (s + 1)), $"Beta({a[k]}, {b[k]})");
        }
    }

    [Fact]
    public void Categorical_frequencies()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(25);
        double[] probs = [0.05, 0.5, 0.15, 0.3];
        var logits = T.F64(probs).log().add(T.F64(7.0)).unsqueeze(0).expand(N, 4); // unnormalized: shifted by 7
        var draws = T.L(new Categorical(logits).Sample(g));
        Assert.All(draws, d => Assert.InRange(d, 0, 3));
        for (var k = 0; k < probs.Length; k++)
            ZTest.Frequency(draws.Count(d => d == k), N, probs[k], $"category {k}");

        // a zero-probability category is never drawn
        var withZero = T.L(Categorical.FromProbs(T.F64([0.5, 0, 0.5], 1, 3).expand(N, 3)).Sample(g));
        Assert.DoesNotContain(1L, withZero);
        ZTest.Frequency(withZero.Count(d => d == 0), N, 0.5, "category 0 of (0.5, 0, 0.5)");
    }

    [Fact]
    public void OneHotCategorical_draws_one_hot_rows_with_the_right_frequencies()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(26);
        double[] probs = [0.2, 0.7, 0.1];
        var x = new OneHotCategorical(T.F64(probs).log().unsqueeze(0).expand(N, 3)).Sample(g);
        Assert.Equal(ScalarType.Float64, x.dtype);
        Assert.True(x.sum(-1).eq(1).all().item<bool>(), "rows are not one-hot");
        var counts = T.D(x.sum(dim: 0));
        for (var k = 0; k < 3; k++) ZTest.Frequency((long)counts[k], N, probs[k], $"one-hot category {k}");
    }

    [Fact]
    public void Bernoulli_frequency()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(27);
        double[] p = [0.5, 0.03, 0.9];
        var x = Bernoulli.FromProbs(Rows(p)).Sample(g);
        var values = T.D(x);
        Assert.All(values, v => Assert.True(v == 0 || v == 1, $"{v} is not 0 or 1"));
        for (var k = 0; k < p.Length; k++) ZTest.Frequency((long)Column(x, k).Sum(), N, p[k], $"Bernoulli({p[k]})");
    }

    [Fact]
    public void NormalGamma_moments()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(28);
        // tau ~ Gamma(alpha, beta): mean alpha / beta, variance alpha / beta^2. The mean is marginally Student-t with
        // 2 alpha degrees of freedom: E = mu, Var = beta / (nu (alpha - 1)) for alpha > 1. The variance's standard error uses the
        // sample fourth moment, whose own spread is finite only with a finite eighth moment (2 alpha > 8), so alpha > 4 here.
        double[] mu = [0, 1.5, -3], nu = [0.1, 2, 1], alpha = [4.5, 5, 6], beta = [2, 1, 3];
        var (mean, tau) = new NormalGamma(Rows(mu), Rows(nu), Rows(alpha), Rows(beta)).Sample(g);
        for (var k = 0; k < mu.Length; k++)
        {
            ZTest.Moments(Column(tau, k), alpha[k] / beta[k], alpha[k] / (beta[k] * beta[k]), $"NormalGamma tau {k}");
            ZTest.Moments(Column(mean, k), mu[k], beta[k] / (nu[k] * (alpha[k] - 1)), $"NormalGamma mean {k}");
        }
    }

    private static Tensor Rows(double[] values) => T.F64(values).unsqueeze(0).expand(N, values.Length);
}
