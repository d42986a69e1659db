using Apg.Core.Inference;
using Apg.Core.Methods.AdaptiveMcmc;
using Apg.Core.Models.Gmm;
using static Apg.Core.Tests.T;

namespace Apg.Core.Tests;

/// <summary>
/// An adaptive kernel on a model's latents (the adapted HMC in HMC-RWS): the flattening of several latent tensors into one
/// vector per particle keeps every coordinate where it belongs, dual averaging through it reaches its target acceptance,
/// and the GMM's adaptation and evaluation with an adapted kernel are reproducible to the bit.
/// </summary>
public sealed class AdaptiveTargetKernelTests
{
    // Independent Gaussians, a ~ N(ma, sa^2) of shape [L, B, 2] and b ~ N(mb, sb^2) of shape [L, B, 1, 3]: a mix-up of
    // the coordinates by the flattening would move some coordinate's mean or variance.
    private static readonly double[] MeanA = [1.0, -3.0], SdA = [0.5, 2.0];
    private static readonly double[] MeanB = [4.0, 0.0, -1.0], SdB = [1.0, 0.3, 3.0];

    private sealed class TwoTensorTarget : IHmcTarget
    {
        public Tensor[] ToUnconstrained(Latents z) => [z["a"].detach(), z["b"].detach()];

        public Tensor LogDensity(Tensor x, Latents z, Tensor[] q) =>
            Gaussian(q[0], MeanA, SdA).sum(-1) + Gaussian(q[1], MeanB, SdB).sum([-2, -1]);

        public Latents FromUnconstrained(Tensor x, Latents z, Tensor[] q, Generator? generator) => new(("a", q[0]), ("b", q[1]));

        private static Tensor Gaussian(Tensor v, double[] mean, double[] sd) =>
            -0.5 * ((v - tensor(mean, ScalarType.Float64)) / tensor(sd, ScalarType.Float64)).square();
    }

    private static Latents ExactDraws(long chains, long instances, Generator g) =>
        new(("a", randn([chains, instances, 2], ScalarType.Float64, generator: g) * F64(SdA) + F64(MeanA)),
            ("b", randn([chains, instances, 1, 3], ScalarType.Float64, generator: g) * F64(SdB) + F64(MeanB)));

    private static double[] Column(Tensor t, int coordinate)
    {
        var flat = t.flatten(0, 1).flatten(1);
        return D(flat.select(1, coordinate).contiguous());
    }

    [Fact]
    public void The_flattened_kernel_leaves_a_target_of_two_latent_tensors_invariant()
    {
        // 4,000 x 5 chains started at exact draws, 20 HMC moves with an uneven diagonal preconditioner: each of the five
        // coordinates keeps its mean and variance (|z| < 4 each).
        using var scope = NewDisposeScope();
        var g = new Generator(41);
        using var hmc = new PreconditionedHmcKernel(5, PreconditionerKind.Diagonal, stepSize: 0.6, leapfrogSteps: 3, dtype: ScalarType.Float64);
        using (no_grad()) hmc.Preconditioner.LogDiagonal.copy_(F64(0.0, 1.0, 0.5, -1.0, 1.2));
        var kernel = new AdaptiveTargetKernel(new TwoTensorTarget(), hmc);
        var x = zeros(5, 1);
        var z = ExactDraws(4000, 5, g);
        var accepted = 0.0;
        for (var t = 0; t < 20; t++)
        {
            using var s = NewDisposeScope();
            var (next, step) = kernel.Step(x, z, g, differentiable: false);
            accepted += step.Accepted.to(ScalarType.Float64).mean().item<double>() / 20;
            z = next.MoveToOuterScope();
        }
        Assert.InRange(accepted, 0.2, 0.95);
        Assert.Equal(20L * 4000 * 5, kernel.Proposals);
        Approx.Equal(accepted, kernel.AcceptanceRate, 1e-9);
        Assert.Equal([4000L, 5, 2], z["a"].shape);
        Assert.Equal([4000L, 5, 1, 3], z["b"].shape);
        for (var d = 0; d < 2; d++) ZTest.Moments(Column(z["a"], d), MeanA[d], SdA[d] * SdA[d], $"a[{d}]");
        for (var d = 0; d < 3; d++) ZTest.Moments(Column(z["b"], d), MeanB[d], SdB[d] * SdB[d], $"b[{d}]");
    }

    [Fact]
    public void A_kernel_of_the_wrong_size_is_an_error_that_names_the_shapes()
    {
        using var scope = NewDisposeScope();
        using var hmc = new PreconditionedHmcKernel(4, PreconditionerKind.Diagonal, 0.1, 1, ScalarType.Float64);
        var kernel = new AdaptiveTargetKernel(new TwoTensorTarget(), hmc);
        var e = Assert.Throws<ArgumentException>(() => kernel.Move(zeros(1), ExactDraws(2, 3, new Generator(1)), new Generator(2)));
        Assert.Contains("4 dimensions", e.Message);
        Assert.Contains("[2, 3, 1, 3]", e.Message);
    }

    [Fact]
    public void Dual_averaging_through_the_flattened_kernel_reaches_the_target_acceptance()
    {
        // 300 adaptation steps of 4 moves from fresh exact draws; then 200 moves at the averaged step size over 2,000
        // chains: the acceptance rate's sampling sd is below 0.01, the band is the dual-averaging test's (+-0.05).
        using var scope = NewDisposeScope();
        var g = new Generator(43);
        using var hmc = new PreconditionedHmcKernel(5, PreconditionerKind.Diagonal, stepSize: 2.0, leapfrogSteps: 2, dtype: ScalarType.Float64);
        var kernel = new AdaptiveTargetKernel(new TwoTensorTarget(), hmc);
        var config = new KernelAdaptationConfig(McmcAdaptation.DualAveraging, Steps: 300, Moves: 4, LearningRate: 0.01, SpeedMeasure.HmcTarget);
        var trace = KernelAdaptation.Run(kernel, _ => (zeros(1), ExactDraws(100, 5, g)), config, g);
        Assert.Equal(300, trace.Count);
        Assert.True(hmc.LogStepSize.item<double>() < Math.Log(2.0), "a step of 2 on a target with sd 0.3 accepts too rarely: dual averaging must shrink it");
        var z = ExactDraws(400, 5, g);
        var accepted = 0.0;
        for (var t = 0; t < 200; t++)
        {
            using var s = NewDisposeScope();
            var (next, step) = kernel.Step(zeros(1), z, g, differentiable: false);
            accepted += step.Accepted.to(ScalarType.Float64).mean().item<double>() / 200;
            z = next.MoveToOuterScope();
        }
        Assert.InRange(accepted, 0.60, 0.70);
    }

    [Fact]
    public void Gmm_adaptation_and_adapted_hmc_rws_are_reproducible_to_the_bit()
    {
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 12, 20, new Generator(131)).X;
        using var networks = new GmmNetworks(GmmPrior.Paper, new Generator(132));
        var config = new KernelAdaptationConfig(McmcAdaptation.SpeedMeasure, Steps: 4, Moves: 2, LearningRate: 0.05, SpeedMeasure.HmcTarget);
        (byte[] Parameters, byte[] LogJoint, double[] Acceptance) Once()
        {
            var kernel = GmmKernelAdaptation.Create(GmmPrior.Paper, PreconditionerKind.Diagonal, 0.05, leapfrogSteps: 3);
            var trace = GmmKernelAdaptation.Adapt(kernel, networks, corpus, batchSize: 5, particles: 3, config, seed: 7);
            var module = (nn.Module)kernel.Kernel;
            var parameters = module.parameters().SelectMany(p => Bits(p.detach())).ToArray();
            var settings = new GmmEvalSettings(SamplerMethod.HmcRws, Sweeps: 3, Particles: 4, LeapfrogSteps: 3, Seed: 9, BatchSize: 5);
            var result = GmmEvaluator.Evaluate(corpus, settings, networks, hmcKernel: kernel);
            Assert.All(result.MeanLogJoint, v => Assert.True(double.IsFinite(v)));
            return (parameters, result.MeanLogJoint.SelectMany(BitConverter.GetBytes).ToArray(), trace.Select(m => m.Acceptance).ToArray());
        }
        var a = Once();
        var b = Once();
        Assert.Equal(4, a.Acceptance.Length);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.LogJoint, b.LogJoint);
        // The speed measure moved the kernel off its start (step 0.05, identity preconditioner).
        var start = GmmKernelAdaptation.Create(GmmPrior.Paper, PreconditionerKind.Diagonal, 0.05, leapfrogSteps: 3);
        Assert.NotEqual(((nn.Module)start.Kernel).parameters().SelectMany(p => Bits(p.detach())).ToArray(), a.Parameters);
    }

    [Fact]
    public void Only_hmc_rws_takes_a_kernel()
    {
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 2, 5, new Generator(1)).X;
        using var networks = new GmmNetworks(GmmPrior.Paper, new Generator(2));
        var kernel = GmmKernelAdaptation.Create(GmmPrior.Paper, PreconditionerKind.Diagonal, 0.05, 1);
        var e = Assert.Throws<ArgumentException>(() => GmmEvaluator.Evaluate(corpus, new GmmEvalSettings(SamplerMethod.Apg, 2, 2), networks, hmcKernel: kernel));
        Assert.Contains("only hmc-rws", e.Message);
    }
}
