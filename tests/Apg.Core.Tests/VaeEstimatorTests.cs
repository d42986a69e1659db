using Apg.Core.Methods.IterativeInference;
using Apg.Core.Methods.Vae;

namespace Apg.Core.Tests;

/// <summary>
/// The importance-sampled log-likelihood on a model whose marginal is known in closed form, and the ELBO's gradient
/// inputs of iterative inference against finite differences.
/// </summary>
public sealed class VaeEstimatorTests
{
    /// <summary>
    /// A linear-Gaussian model p(z) = N(0, I_D), p(x | z) = N(W z + b, s^2 I_P) with W = Q diag(scales), Q's columns
    /// orthonormal, so that the posterior N(Sigma W^T (x - b) / s^2, Sigma), Sigma = (I + W^T W / s^2)^-1, is diagonal and
    /// the marginal is N(b, W W^T + s^2 I).
    /// </summary>
    private sealed class LinearGaussian
    {
        public const int D = 3, P = 5;
        public const double Noise = 0.7;
        public readonly Tensor W, B, Scales;

        public LinearGaussian(Generator g)
        {
            var q = linalg.qr(randn([P, D], dtype: ScalarType.Float64, generator: g)).Q;
            Scales = tensor(new[] { 1.5, 0.8, 2.0 });
            W = q * Scales;
            B = randn([P], dtype: ScalarType.Float64, generator: g);
        }

        public Tensor LogJoint(Tensor z, Tensor x)
        {
            var residual = x - (z.matmul(W.t()) + B);
            var logLik = -(0.5 * residual.square() / (Noise * Noise) + Math.Log(Noise) + 0.5 * Math.Log(2 * Math.PI)).sum(-1);
            return logLik + StandardNormal.LogProb(z);
        }

        public (Tensor Mean, Tensor LogVar) Posterior(Tensor x)
        {
            var variance = 1.0 / (1.0 + Scales.square() / (Noise * Noise));
            var mean = (x - B).matmul(W) / (Noise * Noise) * variance;
            return (mean, variance.log().expand_as(mean));
        }

        public Tensor LogMarginal(Tensor x)
        {
            var covariance = W.matmul(W.t()) + Noise * Noise * eye(P, dtype: ScalarType.Float64);
            var centred = x - B;
            var quadratic = (centred.matmul(linalg.inv(covariance)) * centred).sum(-1);
            return -0.5 * (quadratic + linalg.slogdet(covariance).Item2 + P * Math.Log(2 * Math.PI));
        }
    }

    [Fact]
    public void With_the_exact_posterior_as_proposal_every_importance_weight_is_the_marginal()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var model = new LinearGaussian(g);
        var x = randn([4, LinearGaussian.P], dtype: ScalarType.Float64, generator: g) * 2;
        var (mean, logVar) = model.Posterior(x);
        var logWeights = ImportanceSampling.LogWeights(z => model.LogJoint(z, x), mean, logVar, 200, g);
        var deviation = (logWeights - model.LogMarginal(x)).abs().max().item<double>();
        Assert.True(deviation < 1e-10, $"log w - log p(x) reaches {deviation:G3} with the exact posterior proposal");
    }

    [Fact]
    public void With_a_mismatched_proposal_the_estimate_converges_to_the_closed_form_marginal()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(6);
        var model = new LinearGaussian(g);
        var x = randn([3, LinearGaussian.P], dtype: ScalarType.Float64, generator: g) * 2;
        var (mean, logVar) = model.Posterior(x);
        mean = mean + 0.4;
        const int samples = 40_000;
        var exact = model.LogMarginal(x);
        var estimate = ImportanceSampling.LogMarginal(z => model.LogJoint(z, x), mean, logVar, samples, g, varianceScale: 1.2);
        // The delta method: se(log mean w) = sd(w) / mean(w) / sqrt(S), from an independent set of weights.
        var w = (ImportanceSampling.LogWeights(z => model.LogJoint(z, x), mean, logVar, samples, g, varianceScale: 1.2) - exact).exp();
        var se = w.std(0) / w.mean([0]) / Math.Sqrt(samples);
        for (var i = 0; i < 3; i++)
            ZTest.Assert(estimate[i].item<double>(), exact[i].item<double>(), se[i].item<double>(), $"log p(x) of instance {i}");
        // And the proposal is far enough off that the test means something: one sample alone is biased by nats.
        var single = ImportanceSampling.LogMarginal(z => model.LogJoint(z, x), mean, logVar, 1, g, varianceScale: 1.2);
        Assert.True((single - exact).abs().max().item<double>() > 0.05, "a single sample already matched the marginal: the test is too easy");
    }

    [Fact]
    public void The_gradient_inputs_are_the_elbos_gradient_by_finite_differences()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(8);
        using var decoder = new BernoulliDecoder(3, [16], 20, g);
        decoder.to(ScalarType.Float64);
        var x = bernoulli(full(new long[] { 2, 20 }, 0.5, dtype: ScalarType.Float64), g);
        var mean = randn([2, 3], dtype: ScalarType.Float64, generator: g).requires_grad_(true);
        var logVar = (0.3 * randn([2, 3], dtype: ScalarType.Float64, generator: g)).requires_grad_(true);
        var noise = DiagonalGaussian.Noise(4, mean, g);
        var (_, gradMean, gradLogVar) = IterativeInference.ElboAndGradients(decoder, x, mean, logVar, noise);
        using var noGrad = no_grad();
        const double h = 1e-6;
        double Objective(Tensor m, Tensor l) => Elbo.Estimate(decoder, x, m, l, noise).sum().item<double>();
        for (var b = 0; b < 2; b++)
        for (var d = 0; d < 3; d++)
        {
            var step = zeros([2, 3], dtype: ScalarType.Float64);
            step[b, d] = tensor(h, dtype: ScalarType.Float64);
            var dMean = (Objective(mean + step, logVar) - Objective(mean - step, logVar)) / (2 * h);
            var dLogVar = (Objective(mean, logVar + step) - Objective(mean, logVar - step)) / (2 * h);
            Approx.Equal(dMean, gradMean[b, d].item<double>(), 1e-6 * Math.Max(1, Math.Abs(dMean)), $"d ELBO / d mean[{b}, {d}]");
            Approx.Equal(dLogVar, gradLogVar[b, d].item<double>(), 1e-6 * Math.Max(1, Math.Abs(dLogVar)), $"d ELBO / d logvar[{b}, {d}]");
        }
    }

    [Fact]
    public void The_closed_form_kl_matches_a_monte_carlo_estimate()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var mean = randn([2, 3], dtype: ScalarType.Float64, generator: g);
        var logVar = 0.5 * randn([2, 3], dtype: ScalarType.Float64, generator: g);
        var z = DiagonalGaussian.Reparameterize(mean, logVar, DiagonalGaussian.Noise(200_000, mean, g));
        var terms = DiagonalGaussian.LogProb(z, mean, logVar) - StandardNormal.LogProb(z);
        var exact = DiagonalGaussian.KlToStandardNormal(mean, logVar);
        for (var b = 0; b < 2; b++)
            ZTest.Assert(terms[TensorIndex.Colon, b].mean().item<double>(), exact[b].item<double>(),
                terms[TensorIndex.Colon, b].std().item<double>() / Math.Sqrt(200_000), $"KL of instance {b}");
    }
}
