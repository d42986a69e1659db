using Apg.Core.Inference;
using Apg.Core.Models.Dmm;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;

/// <summary>
/// Gradients accumulated sweep by sweep (SamplerGradients.EachSweep) equal those of one backward through the whole loss: each
/// sweep's terms reach the parameters only through that sweep's proposals. In float64 the two differ only by the
/// order of the sums, far below 1e-9 relative.
/// </summary>
public class SweepBackwardTests
{
    private static void AssertSameGradients(nn.Module networks, Func<bool, SamplerRun> run)
    {
        networks.zero_grad(set_to_none: true);
        var whole = run(false);
        whole.Loss!.backward();
        var expected = networks.parameters().Select(p => p.grad!.clone()).ToArray();
        networks.zero_grad(set_to_none: true);
        var perSweep = run(true);
        Assert.False(perSweep.Loss!.requires_grad, "the per-sweep loss comes back detached");
        Approx.Equal(whole.Loss.item<double>(), perSweep.Loss.item<double>(), 1e-9 * Math.Abs(whole.Loss.item<double>()));
        var actual = networks.parameters().Select(p => p.grad!).ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            var scale = Math.Max(1e-12, expected[i].abs().max().item<double>());
            var diff = (expected[i] - actual[i]).abs().max().item<double>();
            Assert.True(diff <= 1e-9 * scale, $"parameter {i}: gradients differ by {diff:G3} (scale {scale:G3})");
        }
    }

    [Fact]
    public void Gmm_gradients_are_the_same_summed_by_sweep()
    {
        using var scope = NewDisposeScope();
        var x = GmmSimulator.Simulate(GmmPrior.Paper, 4, 12, new Generator(1), ScalarType.Float64).X;
        using var networks = new GmmNetworks(GmmPrior.Paper, new Generator(2), ScalarType.Float64);
        var sampler = GmmMethods.Apg(new GmmModel(GmmPrior.Paper), networks);
        AssertSameGradients(networks, perSweep => sampler.Run(x, 4, 5, new Generator(3), perSweep ? SamplerGradients.EachSweep : SamplerGradients.Graph));
    }

    [Fact]
    public void Dmm_gradients_including_the_decoder_are_the_same_summed_by_sweep()
    {
        using var scope = NewDisposeScope();
        var x = DmmSimulator.Simulate(3, 16, new Generator(4), dtype: ScalarType.Float64).X;
        using var networks = new DmmNetworks(DmmPrior.Paper with { NoiseScale = 0.5 }, new Generator(5), ScalarType.Float64);
        AssertSameGradients(networks, perSweep => DmmMethods.Apg(networks.Model, networks).Run(x, 4, 5, new Generator(6), perSweep ? SamplerGradients.EachSweep : SamplerGradients.Graph));
    }
}
