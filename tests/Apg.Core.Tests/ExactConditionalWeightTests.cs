using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// The identity behind APG: with the exact conditional q(z_b | x, z_-b) = p(z_b | x, z_-b) as the block proposal, the
/// incremental weight p(x, z'_b, z_-b) q(z_b | ..) / (p(x, z_b, z_-b) q(z'_b | ..)) = p(x, z_-b) / p(x, z_-b) = 1 for any
/// old and new values. In float64 the log weight is then a difference of terms of size up to ~1e3 rounded at ~1e-16
/// relative, so 1e-9 per particle (per point for the local block) is loose; a proposal with a slightly wrong
/// hyperparameter is off by 0.1-10 nats.
/// </summary>
public class ExactConditionalWeightTests
{
    private static readonly GmmPrior Prior = GmmPrior.Paper;
    private static readonly GmmModel Model = new(Prior);

    private static (Tensor X, Latents Z) Start(Generator g, int particles = 8, int instances = 5, int points = 30)
    {
        var x = GmmSimulator.Simulate(Prior, instances, points, g, ScalarType.Float64).X;
        // arbitrary old values: a draw from the prior, far from the posterior
        var (z, _) = new PriorOneShot(Prior).Sample(x, particles, g);
        return (x, z);
    }

    private static Tensor LogWeight(Tensor x, Latents z, BlockMove move, Block block) =>
        Model.LogJointTerms(x, z.With(move.Proposed), block) - Model.LogJointTerms(x, z, block) + move.LogReverse - move.LogForward;

    private static void AssertZero(Tensor logWeight, double tol, string what)
    {
        var values = T.D(logWeight);
        var worst = values.Max(Math.Abs);
        Assert.True(worst <= tol, $"{what}: max |log weight| = {worst:G3} over {values.Length} values");
    }

    [Fact]
    public void Global_block_with_its_exact_conditional_has_log_weight_zero()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(81);
        var (x, z) = Start(g);
        var move = new GibbsBlockUpdate(new ExactGlobalProposal(Prior)).Propose(x, z, g);
        var logWeight = LogWeight(x, z, move, Global);
        Assert.Equal(new long[] { 8, 5 }, logWeight.shape);
        AssertZero(logWeight, 1e-9, "global block");
    }

    [Fact]
    public void Local_block_with_its_exact_conditional_has_log_weight_zero_per_point()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(82);
        var (x, z) = Start(g);
        // start the local block from globals near the posterior too, so the assignments matter
        z = z.With(new GibbsBlockUpdate(new ExactGlobalProposal(Prior)).Propose(x, z, g).Proposed);
        var move = new GibbsBlockUpdate(new ExactLocalProposal(Prior)).Propose(x, z, g);
        var logWeight = LogWeight(x, z, move, Local);
        Assert.Equal(new long[] { 8, 5, 30 }, logWeight.shape);
        AssertZero(logWeight, 1e-9, "local block");
        // the move did change assignments (the identity is not just 0 = 0)
        Assert.True(T.D((move.Proposed[C] - z[C]).abs().sum()).Single() > 0);
    }

    [Fact]
    public void A_slightly_wrong_conditional_is_detected()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(83);
        var (x, z) = Start(g);
        var wrong = Prior with { Beta0 = Prior.Beta0 * 1.2 };
        var move = new GibbsBlockUpdate(new ExactGlobalProposal(wrong)).Propose(x, z, g);
        var worst = T.D(LogWeight(x, z, move, Global)).Max(Math.Abs);
        Assert.True(worst > 1e-2, $"a proposal with beta0 off by 20% still gave max |log weight| {worst:G3}");
    }

    /// <summary>
    /// The joint block {mu, tau, c} with exact conditionals inside: forward q(g'|x,l) q(l'|x,g'), reverse
    /// q(g|x,l) q(l|x,g'). Writing each exact q as a ratio of joints, q(g|x,l) = p(x,g,l) / p(x,l) and so on, the
    /// weight p(x,g',l') q(g|x,l) q(l|x,g') / (p(x,g,l) q(g'|x,l) q(l'|x,g')) cancels to 1 as well. (With learned
    /// proposals it is not 1.)
    /// </summary>
    [Fact]
    public void Joint_block_with_exact_conditionals_also_has_log_weight_zero()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(84);
        var (x, z) = Start(g);
        var update = new JointBlockUpdate(Joint, new ExactGlobalProposal(Prior), new ExactLocalProposal(Prior));
        var move = update.Propose(x, z, g);
        Assert.Equal(new[] { Mu, Tau, C }.Order(), move.Proposed.Keys.Order());
        var logWeight = LogWeight(x, z, move, Joint);
        Assert.Equal(new long[] { 8, 5 }, logWeight.shape);
        Assert.True(logWeight.isfinite().all().item<bool>());
        AssertZero(logWeight, 1e-9, "joint block");
    }

    [Theory]
    [InlineData(ScalarType.Float64, 1e-12)]
    // float32: per-point log weights are differences of terms ~10 rounded at 6e-8 relative, ~1e-6; ESS / L - 1 is
    // about minus their variance over particles, far below 1e-6
    [InlineData(ScalarType.Float32, 1e-6)]
    public void Apg_engine_with_exact_conditionals_has_full_ess_after_the_one_shot_sweep(ScalarType dtype, double tol)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(85);
        var x = GmmSimulator.Simulate(Prior, 4, 40, g, dtype).X;
        var run = new ApgSampler(Model, new PriorOneShot(Prior), GmmMethods.ExactBlocks(Prior)).Run(x, 6, 10, g);
        Assert.Equal(6, run.Sweeps.Count);
        // the one-shot sweep from the prior has uneven weights: the statistic can tell
        Assert.True(run.Sweeps[0].EssFraction.Max() < 0.9, $"sweep 1 ESS / L {string.Join(", ", run.Sweeps[0].EssFraction)}");
        foreach (var sweep in run.Sweeps.Skip(1))
        {
            Assert.All(sweep.EssFraction, ess => Approx.Equal(1, ess, tol, $"sweep {sweep.Sweep} ESS / L"));
            Assert.All(sweep.FirstBlockEssFraction, ess => Approx.Equal(1, ess, tol, $"sweep {sweep.Sweep} first-block ESS / L"));
        }
    }

    /// <summary>q(c) uniform whatever the rest: not the exact conditional, so its weights are uneven.</summary>
    private sealed class UniformLocalProposal : IBlockProposal
    {
        public Block Block => Local;
        public IBlockConditional Condition(Tensor x, Latents z) =>
            new LocalConditional(zeros([z[Mu].size(0), x.size(0), x.size(1), Prior.Clusters], x.dtype));
    }

    [Fact]
    public void First_block_ess_is_measured_after_the_first_block_and_the_last_after_the_last()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(88);
        var x = GmmSimulator.Simulate(Prior, 4, 40, g, ScalarType.Float64).X;
        var sampler = new ApgSampler(Model, new PriorOneShot(Prior),
            [new GibbsBlockUpdate(new ExactGlobalProposal(Prior)), new GibbsBlockUpdate(new UniformLocalProposal())]);
        var run = sampler.Run(x, 3, 10, g);
        foreach (var sweep in run.Sweeps.Skip(1))
        {
            // the exact {mu, tau} block has weight 1; the uniform {c} block's weights are far from even
            Assert.All(sweep.FirstBlockEssFraction, ess => Approx.Equal(1, ess, 1e-12, $"sweep {sweep.Sweep} first-block ESS / L"));
            Assert.True(sweep.EssFraction.Max() < 0.5, $"sweep {sweep.Sweep} last-block ESS / L {string.Join(", ", sweep.EssFraction)}");
        }
        // sweep 1 has one set of weights, the one-shot's
        Assert.Equal(run.Sweeps[0].EssFraction, run.Sweeps[0].FirstBlockEssFraction);
    }

    [Fact]
    public void Gibbs_chain_keeps_the_one_shot_weights_and_moves_every_chain_on_its_own()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(87);
        var x = GmmSimulator.Simulate(Prior, 4, 40, g, ScalarType.Float64).X;
        var run = GmmMethods.Gibbs(Model, null).Run(x, 6, 10, g);
        Assert.Equal(6, run.Sweeps.Count);
        // no resampling: the weights stay the one-shot importance weights, uneven from the prior (the APG engine with
        // the same kernels resamples and then has ESS / L = 1, as the test above shows)
        Assert.True(run.Sweeps[0].EssFraction.Max() < 0.9, $"sweep 1 ESS / L {string.Join(", ", run.Sweeps[0].EssFraction)}");
        foreach (var sweep in run.Sweeps.Skip(1)) Assert.Equal(run.Sweeps[0].EssFraction, sweep.EssFraction);
        // and they moved: log p(x, z) rose from the prior's draws
        Assert.True(run.Sweeps[^1].MeanLogJoint.Average() > run.Sweeps[0].MeanLogJoint.Average() + 50);
    }

    [Fact]
    public void Joint_strategy_with_exact_conditionals_runs_with_full_ess()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(86);
        var x = GmmSimulator.Simulate(Prior, 4, 40, g, ScalarType.Float64).X;
        var sampler = new ApgSampler(Model, new PriorOneShot(Prior),
            [new JointBlockUpdate(Joint, new ExactGlobalProposal(Prior), new ExactLocalProposal(Prior))]);
        var run = sampler.Run(x, 4, 10, g);
        foreach (var sweep in run.Sweeps.Skip(1))
            Assert.All(sweep.EssFraction, ess => Approx.Equal(1, ess, 1e-12, $"sweep {sweep.Sweep} ESS / L"));
    }
}
