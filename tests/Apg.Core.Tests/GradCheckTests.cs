using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// float64 central finite differences (TestSupport's GradCheck: eps 1e-6, |autograd - numeric| &lt;= 1e-5 + 1e-3 |numeric|)
/// against autograd for the densities whose gradients training and HMC use: the distributions' log densities and KLs
/// with respect to their parameters and values, the GMM's log joint with respect to mu and tau, and the HMC target.
/// Inputs stay inside the supports and away from where a density is steep (the finite difference would then be the
/// inaccurate side).
/// </summary>
public class GradCheckTests
{
    private static Tensor U(ulong seed, double lo, double hi, params long[] shape)
    {
        using var g = new Generator(seed);
        return rand(shape, ScalarType.Float64, generator: g) * (hi - lo) + lo;
    }

    private static void Check(Func<Tensor[], Tensor> function, Tensor[] inputs, string what)
    {
        var result = GradCheck.Check(function, inputs);
        Assert.True(result.Passed, $"{what}: {result.Detail} (max abs error {result.MaxAbsError:G3})");
        Assert.True(result.MaxAbsError < 1e-5, $"{what}: max abs error {result.MaxAbsError:G3}");
    }

    [Fact]
    public void Normal_log_prob_and_kl()
    {
        using var scope = NewDisposeScope();
        Check(v => new Normal(v[0], v[1]).LogProb(v[2]), [U(1, -2, 2, 2, 3), U(2, 0.5, 2, 2, 3), U(3, -3, 3, 2, 3)], "Normal.LogProb");
        Check(v => new Normal(v[0], v[1]).LogProb(v[2]), [U(4, -1, 1, 3), U(5, 0.5, 2, 1), U(6, -2, 2, 2, 3)], "Normal.LogProb broadcast");
        Check(v => Normal.Kl(new Normal(v[0], v[1]), new Normal(v[2], v[3])),
            [U(7, -1, 1, 4), U(8, 0.5, 2, 4), U(9, -1, 1, 4), U(10, 0.5, 2, 4)], "Normal.Kl");
    }

    [Fact]
    public void Gamma_log_prob_and_kl()
    {
        using var scope = NewDisposeScope();
        Check(v => new Gamma(v[0], v[1]).LogProb(v[2]), [U(11, 0.5, 4, 2, 3), U(12, 0.5, 3, 2, 3), U(13, 0.3, 3, 2, 3)], "Gamma.LogProb");
        Check(v => Gamma.Kl(new Gamma(v[0], v[1]), new Gamma(v[2], v[3])),
            [U(14, 0.5, 4, 4), U(15, 0.5, 3, 4), U(16, 0.5, 4, 4), U(17, 0.5, 3, 4)], "Gamma.Kl");
    }

    [Fact]
    public void Beta_log_prob()
    {
        using var scope = NewDisposeScope();
        Check(v => new Beta(v[0], v[1]).LogProb(v[2]), [U(21, 0.5, 4, 2, 3), U(22, 0.5, 4, 2, 3), U(23, 0.1, 0.9, 2, 3)], "Beta.LogProb");
    }

    [Fact]
    public void NormalGamma_Categorical_and_Bernoulli()
    {
        using var scope = NewDisposeScope();
        Check(v => new NormalGamma(v[0], v[1], v[2], v[3]).LogProb(v[4], v[5]),
            [U(31, -1, 1, 3), U(32, 0.2, 2, 3), U(33, 1, 4, 3), U(34, 0.5, 3, 3), U(35, -2, 2, 3), U(36, 0.3, 3, 3)], "NormalGamma.LogProb");
        Check(v => NormalGamma.Kl(new NormalGamma(v[0], v[1], v[2], v[3]), new NormalGamma(v[4], v[5], v[6], v[7])),
            [U(41, -1, 1, 2), U(42, 0.2, 2, 2), U(43, 1, 4, 2), U(44, 0.5, 3, 2), U(45, -1, 1, 2), U(46, 0.2, 2, 2), U(47, 1, 4, 2), U(48, 0.5, 3, 2)],
            "NormalGamma.Kl");
        var index = T.I64([2, 0, 1], 3);
        Check(v => new Categorical(v[0]).LogProb(index), [U(51, -2, 2, 3, 4)], "Categorical.LogProb");
        Check(v => new Categorical(v[0]).Entropy(), [U(52, -2, 2, 3, 4)], "Categorical.Entropy");
        Check(v => Categorical.Kl(new Categorical(v[0]), new Categorical(v[1])), [U(53, -2, 2, 3, 4), U(54, -2, 2, 3, 4)], "Categorical.Kl");
        var oneHot = T.F64([0, 1, 0, 0, 0, 1], 2, 3);
        Check(v => new OneHotCategorical(v[0]).LogProb(oneHot), [U(55, -2, 2, 2, 3)], "OneHotCategorical.LogProb");
        var bits = T.F64([1, 0, 0, 1, 1, 0], 2, 3);
        Check(v => new Bernoulli(v[0]).LogProb(bits), [U(56, -4, 4, 2, 3)], "Bernoulli.LogProb");
    }

    private static (Tensor X, Latents Z) GmmState(ulong seed)
    {
        using var g = new Generator(seed);
        var x = GmmSimulator.Simulate(GmmPrior.Paper, 2, 6, g, ScalarType.Float64).X;              // [B = 2, N = 6, D = 2]
        var (z, _) = new PriorOneShot(GmmPrior.Paper).Sample(x, 3, g);                             // L = 3 particles
        return (x, z);
    }

    [Fact]
    public void Gmm_log_joint_in_mu_and_tau()
    {
        using var scope = NewDisposeScope();
        var model = new GmmModel(GmmPrior.Paper);
        var (x, z) = GmmState(61);
        var c = z[C];
        // tau drawn from the prior may be small; keep it in [0.5, 3] so the finite differences are accurate
        var tau = U(62, 0.5, 3, z[Tau].shape);
        Check(v => model.LogJoint(x, new Latents((Mu, v[0]), (Tau, v[1]), (C, c))), [z[Mu], tau], "GmmModel.LogJoint");
        Check(v => model.LogJointTerms(x, new Latents((Mu, v[0]), (Tau, v[1]), (C, c)), Global), [z[Mu], tau], "GmmModel.LogJointTerms global");
        Check(v => GmmModel.LogLikelihoodPerCluster(x, v[0], v[1]), [z[Mu], tau], "GmmModel.LogLikelihoodPerCluster");
    }

    [Fact]
    public void Gmm_hmc_target_in_mu_and_log_tau()
    {
        using var scope = NewDisposeScope();
        var model = new GmmModel(GmmPrior.Paper);
        var (x, z) = GmmState(63);
        var target = new GmmHmcTarget(model);
        var logTau = U(64, -0.7, 1, z[Tau].shape);
        Check(v => target.LogDensity(x, z, v), [z[Mu], logTau], "GmmHmcTarget.LogDensity");
    }

    [Fact]
    public void GradCheck_fails_for_a_function_whose_gradient_is_wrong()
    {
        using var scope = NewDisposeScope();
        // x * detach(x) equals x^2, but autograd sees only one factor: gradient x instead of 2x
        var result = GradCheck.Check(x => x[0] * x[0].detach(), [U(71, 0.5, 2, 2, 3)]);
        Assert.False(result.Passed);
        Assert.Contains("input 0", result.Detail);
        Assert.True(result.MaxAbsError > 0.1, $"max abs error {result.MaxAbsError}");
        // a gradient cut off entirely is also caught
        var cut = GradCheck.Check(x => x[0].detach().exp() + x[1], [U(72, -1, 1, 3), U(73, -1, 1, 3)]);
        Assert.False(cut.Passed);
        Assert.StartsWith("input 0", cut.Detail);
    }

    [Fact]
    public void GradCheck_passes_for_an_unused_input_and_rejects_float32()
    {
        using var scope = NewDisposeScope();
        var unused = GradCheck.Check(x => x[0].square(), [U(74, -1, 1, 3), U(75, -1, 1, 2)]);
        Assert.True(unused.Passed, unused.Detail);
        Assert.Throws<ArgumentException>(() => GradCheck.Check(x => x[0], [ones([2], ScalarType.Float32)]));
    }
}
