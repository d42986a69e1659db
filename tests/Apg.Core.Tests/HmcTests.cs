using Apg.Core.Inference;

namespace Apg.Core.Tests;


/// <summary>
/// HMC leaves its target invariant: 20,000 independent chains started from exact draws of Normal(0, diag(1, 2^2)) keep
/// that law after 8 transitions (z-tests on means and variances, |z| &lt; 4). The step size 1.5 with 3 leapfrog steps
/// has an energy error large enough to matter (acceptance about 0.75): without the Metropolis correction the first
/// dimension's variance grows from 1 to 2.3, over 100 standard errors (0.01).
/// </summary>
public class HmcTests
{
    private static readonly double[] Sd = [1, 2];

    private static Tensor LogDensity(Tensor[] q)
    {
        var scale = T.F64(Sd.Select(s => 1 / (s * s)).ToArray());
        return -(q[0].square() * scale).sum(-1) * 0.5;                                  // [L, B]
    }

    [Fact]
    public void Transitions_keep_a_gaussian_target_invariant()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(151);
        const int chains = 20_000;
        var state = new[] { randn([1, chains, 2], ScalarType.Float64, generator: g) * T.F64(Sd) };
        var accepted = 0.0;
        const int transitions = 8;
        for (var t = 0; t < transitions; t++)
        {
            var (next, accept) = Hmc.Transition(LogDensity, state, stepSize: 1.5, leapfrogSteps: 3, g);
            Assert.Equal(new long[] { 1, chains }, accept.shape);
            accepted += T.D(accept.to(ScalarType.Float64)).Average() / transitions;
            state = next;
        }
        Assert.InRange(accepted, 0.5, 0.95);                                            // the correction is at work (0.75)
        Assert.False(state[0].requires_grad);
        var q = T.D(state[0]);
        for (var d = 0; d < 2; d++)
            ZTest.Moments(Enumerable.Range(0, chains).Select(i => q[i * 2 + d]).ToArray(), 0, Sd[d] * Sd[d], $"HMC dim {d}");
    }

    [Fact]
    public void At_least_one_leapfrog_step()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => Hmc.Transition(LogDensity, [zeros([1, 2, 2], ScalarType.Float64)], 0.1, 0, null));
    }
}
