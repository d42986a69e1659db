using Apg.Core.Inference;

namespace Apg.Core.Tests;


/// <summary>
/// The generic sweep engine (Algorithm 2) on a conjugate model solved by hand (NormalMeanModel): a one-shot proposal
/// from the prior, then sweeps of one block. The self-normalized estimate sum_l softmax(log w)_l theta_l of the posterior
/// mean is checked on B = 100 independent instances: e_b = (estimate_b - posterior mean_b) / posterior sd_b should
/// average to 0 within Monte Carlo error, so z = mean(e) / (sd(e) / sqrt(B)) with |z| &lt; 4. Self-normalization adds a
/// bias of order 1 / L, and bias / standard error grows as sqrt(B / L): with the imperfect proposal it showed as z = 1.9
/// at L = B = 200, so L = 1000 and B = 100 (z from -0.6 to 0.1 over six seeds).
/// </summary>
public class ApgEngineTests
{
    private const int Instances = 100, Points = 5, Particles = 1000, Sweeps = 4;
    private static readonly NormalMeanModel Model = new(m0: 1, s0: 2, sigma: 1.5);

    private static Tensor Data(ulong seed)
    {
        using var g = new Generator(seed);
        // each instance has its own true theta from the prior, then its points
        var theta = randn([Instances, 1], ScalarType.Float64, generator: g) * Model.S0 + Model.M0;
        return theta + randn([Instances, Points], ScalarType.Float64, generator: g) * Model.Sigma;
    }

    /// <summary>The standardized errors e_b of the weighted and of the unweighted estimates, and the mean ESS / L of the last sweep.</summary>
    private static (double[] Weighted, double[] Unweighted, double Ess) Run(Tensor x, IBlockProposal proposal, ulong seed)
    {
        using var g = new Generator(seed);
        var sampler = new ApgSampler(Model, new GaussianOneShot(Model.M0, Model.S0), [new GibbsBlockUpdate(proposal)]);
        var run = sampler.Run(x, Sweeps, Particles, g);
        Assert.Equal(Sweeps, run.Sweeps.Count);
        var theta = run.Z[NormalMeanModel.Theta].squeeze(-1);                    // [L, B]
        var weighted = T.D((run.LogWeights.softmax(0) * theta).sum(dim: 0));
        var unweighted = T.D(theta.mean([0]));
        var (mean, sd) = Model.Posterior(x);
        return (Enumerable.Range(0, Instances).Select(b => (weighted[b] - mean[b]) / sd[b]).ToArray(),
            Enumerable.Range(0, Instances).Select(b => (unweighted[b] - mean[b]) / sd[b]).ToArray(),
            run.Sweeps[^1].EssFraction.Average());
    }

    private static double Z(double[] errors)
    {
        var mean = errors.Average();
        var sd = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / (errors.Length - 1));
        return mean / (sd / Math.Sqrt(errors.Length));
    }

    [Fact]
    public void Exact_block_proposal_gives_unit_weights_and_the_posterior_mean()
    {
        using var scope = NewDisposeScope();
        var x = Data(61);
        var (mean, sd) = Model.Posterior(x);
        var (weighted, _, ess) = Run(x, new GaussianBlockProposal(mean, sd), 62);
        // with q = the posterior every incremental weight is p(x) / p(x) = 1: ESS / L = 1 to float64 rounding
        Approx.Equal(1, ess, 1e-9);
        var z = Z(weighted);
        Assert.True(Math.Abs(z) < ZTest.Bound, $"posterior mean estimate: z = {z:F2}");
        // and the estimates scatter like means of L posterior draws: e_b has sd 1 / sqrt(L)
        var spread = Math.Sqrt(weighted.Sum(e => e * e) / Instances) * Math.Sqrt(Particles);
        Assert.InRange(spread, 0.72, 1.28); // the relative sd of a sd from 100 values is 1 / sqrt(200) = 7%: 4 standard errors
    }

    [Fact]
    public void Weights_correct_an_imperfect_proposal()
    {
        using var scope = NewDisposeScope();
        var x = Data(63);
        var (mean, sd) = Model.Posterior(x);
        // shifted by one posterior sd and 1.5 times too wide: valid (heavier tails than the target), but wrong
        var proposal = new GaussianBlockProposal(mean.Select((m, b) => m + sd[b]).ToArray(), sd.Select(s => 1.5 * s).ToArray());
        var (weighted, unweighted, ess) = Run(x, proposal, 64);
        Assert.InRange(ess, 0.05, 0.95); // the weights do vary (ESS / L about 0.16)
        var z = Z(weighted);
        Assert.True(Math.Abs(z) < ZTest.Bound, $"weighted posterior mean estimate: z = {z:F2}");
        // the particles alone are off by one posterior sd: the test would catch weights that were not applied
        Assert.InRange(unweighted.Average(), 0.8, 1.2);
        Assert.True(Math.Abs(Z(unweighted)) > 20, $"unweighted z = {Z(unweighted):F1}");
    }

    [Fact]
    public void Sweep_and_particle_counts_are_checked()
    {
        using var scope = NewDisposeScope();
        var x = Data(65);
        var sampler = new ApgSampler(Model, new GaussianOneShot(0, 1), []);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Run(x, 0, 10, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Run(x, 2, 0, null));
    }
}
