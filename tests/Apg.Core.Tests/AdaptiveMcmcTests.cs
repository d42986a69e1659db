using Apg.Core.Methods.AdaptiveMcmc;

namespace Apg.Core.Tests;

/// <summary>
/// MALA and HMC with a learnable step size and preconditioner (Hirt et al. 2023): the MH ratio by hand, invariance of a
/// known Gaussian, the proposal's entropy, and the two adaptations (speed measure, dual averaging).
/// </summary>
public sealed class AdaptiveMcmcTests
{
    // A correlated 2-D Gaussian target N(m, S), S = [[1, 0.6 * 2], [0.6 * 2, 4]].
    private static readonly double[] M = [1.0, -2.0];
    private static readonly double[,] S = { { 1.0, 1.2 }, { 1.2, 4.0 } };

    private static Tensor Precision()
    {
        var s = tensor(new[] { S[0, 0], S[0, 1], S[1, 0], S[1, 1] }, [2, 2], ScalarType.Float64);
        return linalg.inv(s);
    }

    private static Func<Tensor, Tensor> Target()
    {
        var precision = Precision();
        var m = tensor(M, ScalarType.Float64);
        return x => -0.5 * ((x - m).matmul(precision) * (x - m)).sum(-1);
    }

    private static Tensor ExactDraws(int n, Generator g)
    {
        var s = tensor(new[] { S[0, 0], S[0, 1], S[1, 0], S[1, 1] }, [2, 2], ScalarType.Float64);
        return randn([n, 2], ScalarType.Float64, generator: g).matmul(linalg.cholesky(s).t()) + tensor(M, ScalarType.Float64);
    }

    private static void SetFull(Preconditioner c, double c00, double c10, double c11)
    {
        using var noGrad = no_grad();
        c.LogDiagonal.copy_(tensor(new[] { Math.Log(c00), Math.Log(c11) }, ScalarType.Float64));
        c.Lower!.copy_(tensor(new[] { 0.0, 0.0, c10, 0.0 }, [2, 2], ScalarType.Float64));
    }

    [Fact]
    public void The_mala_acceptance_ratio_matches_a_hand_computation()
    {
        using var scope = NewDisposeScope();
        using var kernel = new MalaKernel(2, PreconditionerKind.Full, stepSize: 0.7, dtype: ScalarType.Float64);
        SetFull(kernel.Preconditioner, 1.3, 0.4, 0.8);
        var x = tensor(new[] { 0.3, 0.9 }, [1, 2], ScalarType.Float64);
        var step = kernel.Step(Target(), x, new Generator(17));
        var xi = randn([1, 2], ScalarType.Float64, generator: new Generator(17)).data<double>().ToArray();

        // By hand: C = [[1.3, 0], [0.4, 0.8]], A = h^2 C C^T, grad log pi = -P (x - m).
        double h = 0.7, c00 = 1.3, c10 = 0.4, c11 = 0.8;
        double[,] cc = { { c00 * c00, c00 * c10 }, { c00 * c10, c10 * c10 + c11 * c11 } };
        var p = Precision().data<double>().ToArray();
        double[] Grad(double[] v) => [-(p[0] * (v[0] - M[0]) + p[1] * (v[1] - M[1])), -(p[2] * (v[0] - M[0]) + p[3] * (v[1] - M[1]))];
        double LogPi(double[] v) { var g = Grad(v); return 0.5 * ((v[0] - M[0]) * g[0] + (v[1] - M[1]) * g[1]); }
        double[] Mean(double[] v) { var g = Grad(v); return [v[0] + 0.5 * h * h * (cc[0, 0] * g[0] + cc[0, 1] * g[1]), v[1] + 0.5 * h * h * (cc[1, 0] * g[0] + cc[1, 1] * g[1])]; }
        double LogQ(double[] to, double[] mean)
        {
            double a = h * h * cc[0, 0], b = h * h * cc[0, 1], d = h * h * cc[1, 1];
            var det = a * d - b * b;
            double u = to[0] - mean[0], w = to[1] - mean[1];
            return -0.5 * (d * u * u - 2 * b * u * w + a * w * w) / det - 0.5 * Math.Log(det) - Math.Log(2 * Math.PI);
        }
        double[] x0 = [0.3, 0.9];
        var mx = Mean(x0);
        double[] y = [mx[0] + h * c00 * xi[0], mx[1] + h * (c10 * xi[0] + c11 * xi[1])];
        var expected = Math.Min(0, LogPi(y) - LogPi(x0) + LogQ(x0, Mean(y)) - LogQ(y, mx));

        Approx.Close(y, step.Proposed.data<double>().ToArray(), 1e-12);
        Approx.Equal(expected, step.LogAcceptance.item<double>(), 1e-10);
        Assert.True(expected < -1e-3, $"the test case must reject sometimes (log alpha {expected:G4}), or the reverse term goes unchecked");
    }

    [Theory]
    [InlineData("mala")]
    [InlineData("hmc")]
    public void The_kernels_leave_a_correlated_gaussian_invariant(string which)
    {
        // 20,000 independent chains started at exact draws stay exactly distributed after 25 steps: the mean and the
        // variances of the final states are z-tested (|z| < 4) against the target's. Acceptance must be far from 1.
        using var scope = NewDisposeScope();
        var g = new Generator(23);
        IAdaptiveKernel kernel = which == "mala"
            ? new MalaKernel(2, PreconditionerKind.Full, stepSize: 1.1, dtype: ScalarType.Float64)
            : new PreconditionedHmcKernel(2, PreconditionerKind.Full, stepSize: 0.9, leapfrogSteps: 3, dtype: ScalarType.Float64);
        // MALA with a C close to the target's Cholesky factor; HMC with a C that is off (identity-like), to reject often.
        if (which == "mala") SetFull(kernel.Preconditioner, 1.0, 1.0, 1.5);
        else SetFull(kernel.Preconditioner, 1.0, 0.0, 1.2);
        var x = ExactDraws(20_000, g);
        var accepted = 0.0;
        for (var t = 0; t < 25; t++)
        {
            using var s = NewDisposeScope();
            var step = kernel.Step(Target(), x, g);
            accepted += step.Accepted.to(ScalarType.Float64).mean().item<double>() / 25;
            x = step.Next.MoveToOuterDisposeScope();
        }
        Assert.InRange(accepted, 0.2, 0.95);
        var values = x.data<double>().ToArray();
        for (var d = 0; d < 2; d++)
        {
            var xs = Enumerable.Range(0, 20_000).Select(i => values[2 * i + d]).ToArray();
            ZTest.Moments(xs, M[d], S[d, d], $"{which} dimension {d}");
        }
        (kernel as IDisposable)?.Dispose();
    }

    [Fact]
    public void The_entropy_is_the_closed_form_of_the_gaussian_proposal()
    {
        using var scope = NewDisposeScope();
        using var kernel = new MalaKernel(2, PreconditionerKind.Full, stepSize: 0.5, dtype: ScalarType.Float64);
        SetFull(kernel.Preconditioner, 1.3, -0.7, 0.6);
        const int n = 50_000;
        var x = tensor(new[] { 0.5, -1.0 }, [1, 2], ScalarType.Float64).expand(n, 2).contiguous();
        var step = kernel.Step(Target(), x, new Generator(29));
        using var noGrad = no_grad();
        var h = kernel.LogStepSize.exp();
        var gradient = -(x - tensor(M, ScalarType.Float64)).matmul(Precision());
        var mean = x + 0.5 * h.square() * kernel.Preconditioner.Apply(kernel.Preconditioner.ApplyTranspose(gradient));
        var negLogQ = -kernel.LogProposal(step.Proposed, mean, h, 2);
        ZTest.Assert(negLogQ.mean().item<double>(), step.Entropy.item<double>(), negLogQ.std().item<double>() / Math.Sqrt(n), "entropy of the MALA proposal");
        // and the closed form itself: D/2 log(2 pi e) + D log h + log|det C| with det C = 1.3 * 0.6
        Approx.Equal(Math.Log(2 * Math.PI * Math.E) + 2 * Math.Log(0.5) + Math.Log(1.3 * 0.6), step.Entropy.item<double>(), 1e-12);
    }

    [Fact]
    public void The_speed_measure_learns_the_targets_scales_and_reaches_the_target_acceptance()
    {
        // Target N(0, diag(1, 100)): a diagonal preconditioner adapted by the speed measure should scale the second
        // coordinate about 10 times the first (the optimum is proportional to the target's standard deviations).
        using var scope = NewDisposeScope();
        var g = new Generator(31);
        using var kernel = new MalaKernel(2, PreconditionerKind.Diagonal, stepSize: 0.3, dtype: ScalarType.Float64);
        var inverseVariance = tensor(new[] { 1.0, 0.01 }, ScalarType.Float64);
        Func<Tensor, Tensor> target = z => -0.5 * (z.square() * inverseVariance).sum(-1);
        var speed = new SpeedMeasure(SpeedMeasure.MalaTarget);
        using var adam = optim.Adam(kernel.parameters(), 0.02);
        var x = randn([200, 2], ScalarType.Float64, generator: g) * tensor(new[] { 1.0, 10.0 }, ScalarType.Float64);
        var recent = new List<double>();
        for (var t = 0; t < 1500; t++)
        {
            using var s = NewDisposeScope();
            adam.zero_grad();
            var step = kernel.Step(target, x, g, differentiable: true);
            speed.Loss(step).backward();
            adam.step();
            var rate = step.Accepted.to(ScalarType.Float64).mean().item<double>();
            speed.Update(rate);
            if (t >= 1200) recent.Add(rate);
            x = step.Next.detach().MoveToOuterDisposeScope();
        }
        var d = kernel.Preconditioner.LogDiagonal.detach().data<double>().ToArray();
        var ratio = Math.Exp(d[1] - d[0]);
        Assert.InRange(ratio, 5.0, 20.0);
        Assert.InRange(recent.Average(), 0.45, 0.65);
    }

    [Fact]
    public void Beta_moves_by_its_rate_and_stays_within_the_authors_bounds()
    {
        var speed = new SpeedMeasure(SpeedMeasure.MalaTarget);
        Approx.Equal(1 + 0.01 * (0.75 - 0.55), speed.Update(0.75), 1e-15);
        for (var i = 0; i < 10_000; i++) speed.Update(1.0);
        Assert.Equal(SpeedMeasure.BetaMax, speed.Beta);
        for (var i = 0; i < 10_000; i++) speed.Update(0.0);
        Assert.Equal(SpeedMeasure.BetaMin, speed.Beta);
        Assert.Throws<InvalidDataException>(() => speed.Restore(1e5));
    }

    [Fact]
    public void A_move_whose_speed_measure_gradient_is_not_finite_leaves_the_kernel_unchanged_but_moves_beta()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(41);
        using var kernel = new MalaKernel(2, PreconditionerKind.Diagonal, stepSize: 0.3, dtype: ScalarType.Float64);
        var parameters = kernel.parameters().ToArray();
        using var adam = optim.Adam(parameters, 0.1);
        var speed = new SpeedMeasure(SpeedMeasure.MalaTarget);
        var before = parameters.Select(p => p.detach().clone()).ToArray();
        // a target whose gradient overflows: every proposal's log alpha and its gradient are NaN
        Func<Tensor, Tensor> overflowing = z => -(z.square().sum(-1) * 1e308 * 1e308);
        var x = randn([10, 2], ScalarType.Float64, generator: g);
        var move = kernel.Step(overflowing, x, g, differentiable: true);
        Assert.False(speed.Adapt(move, 0.0, parameters, adam));
        for (var i = 0; i < parameters.Length; i++) Assert.True(parameters[i].detach().allclose(before[i], 0, 0));
        Assert.True(speed.Beta < 1.0);
        // and a finite one moves the kernel
        Func<Tensor, Tensor> standard = z => -0.5 * z.square().sum(-1);
        var fine = kernel.Step(standard, x, g, differentiable: true);
        Assert.True(speed.Adapt(fine, 1.0, parameters, adam));
        Assert.Contains(Enumerable.Range(0, parameters.Length), i => !parameters[i].detach().allclose(before[i], 0, 0));
    }

    [Fact]
    public void Dual_averaging_drives_the_acceptance_rate_to_its_target()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(37);
        using var kernel = new MalaKernel(10, PreconditionerKind.Diagonal, stepSize: 3.0, dtype: ScalarType.Float64);
        Func<Tensor, Tensor> target = z => -0.5 * z.square().sum(-1);
        var adaptation = new DualAveraging(SpeedMeasure.MalaTarget, 3.0);
        var x = randn([100, 10], ScalarType.Float64, generator: g);
        void SetStep(double h)
        {
            using var noGrad = no_grad();
            kernel.LogStepSize.fill_(Math.Log(h));
        }
        double Run(int steps, bool adapt)
        {
            var total = 0.0;
            for (var t = 0; t < steps; t++)
            {
                using var s = NewDisposeScope();
                var step = kernel.Step(target, x, g);
                var rate = step.Accepted.to(ScalarType.Float64).mean().item<double>();
                total += rate;
                if (adapt) SetStep(adaptation.Update(rate));
                x = step.Next.MoveToOuterDisposeScope();
            }
            return total / steps;
        }
        Run(1000, adapt: true);
        SetStep(adaptation.AveragedStepSize);
        // 300 steps x 100 chains: the acceptance rate's sampling sd is about 0.01.
        Assert.InRange(Run(300, adapt: false), 0.50, 0.60);
    }
}
