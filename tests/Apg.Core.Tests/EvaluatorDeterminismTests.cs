using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;


/// <summary>GmmEvaluator: the same seed gives bit-identical results for every method, and another seed does not.</summary>
public class EvaluatorDeterminismTests
{
    private static byte[] Bits(double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    [Theory]
    [InlineData(SamplerMethod.Apg)]
    [InlineData(SamplerMethod.Bpg)]
    [InlineData(SamplerMethod.Rws)]
    [InlineData(SamplerMethod.HmcRws)]
    [InlineData(SamplerMethod.Gibbs)]
    public void Same_seed_same_bits(SamplerMethod method)
    {
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 12, 20, new Generator(131)).X;
        using var networks = new GmmNetworks(GmmPrior.Paper, new Generator(132));
        var settings = new GmmEvalSettings(method, Sweeps: 3, Particles: 4, LeapfrogSteps: 2, Seed: 9, BatchSize: 5);
        var a = GmmEvaluator.Evaluate(corpus, settings, networks);
        var b = GmmEvaluator.Evaluate(corpus, settings, networks);
        Assert.Equal(12, a.Instances);
        Assert.Equal(method == SamplerMethod.Rws ? 1 : 3, a.MeanLogJoint.Length);
        Assert.All(a.MeanLogJoint, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(Bits(a.MeanLogJoint), Bits(b.MeanLogJoint));
        Assert.Equal(Bits(a.Ess), Bits(b.Ess));

        var other = GmmEvaluator.Evaluate(corpus, settings with { Seed = 10 }, networks);
        Assert.NotEqual(Bits(a.MeanLogJoint), Bits(other.MeanLogJoint));
    }

    [Theory]
    [InlineData(SamplerMethod.Apg)]
    [InlineData(SamplerMethod.Rws)]
    public void Instance_values_average_to_the_sweep_means(SamplerMethod method)
    {
        // 12 instances in batches of 5: the last batch is partial, so every instance's slot is checked.
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 12, 20, new Generator(133)).X;
        using var networks = new GmmNetworks(GmmPrior.Paper, new Generator(134));
        var r = GmmEvaluator.Evaluate(corpus, new GmmEvalSettings(method, Sweeps: 3, Particles: 4, Seed: 9, BatchSize: 5), networks);
        Assert.Equal(r.MeanLogJoint.Length, r.InstanceLogJoint.Length);
        for (var k = 0; k < r.MeanLogJoint.Length; k++)
        {
            Assert.Equal(12, r.InstanceLogJoint[k].Length);
            Assert.All(r.InstanceLogJoint[k], v => Assert.True(double.IsFinite(v) && v != 0.0, $"sweep {k + 1}: {v}"));
            Approx.Equal(r.MeanLogJoint[k], r.InstanceLogJoint[k].Average(), 1e-9 * Math.Abs(r.MeanLogJoint[k]));
        }
    }

    [Fact]
    public void Learned_methods_need_networks()
    {
        using var scope = NewDisposeScope();
        var corpus = zeros([2, 5, 2], ScalarType.Float32);
        var e = Assert.Throws<ArgumentException>(() => GmmEvaluator.Evaluate(corpus, new GmmEvalSettings(SamplerMethod.Apg, 2, 2), null));
        Assert.Contains("--checkpoint", e.Message);
        Assert.Throws<ArgumentException>(() => GmmEvaluator.Evaluate(corpus, new GmmEvalSettings(SamplerMethod.Gibbs, 0, 2), null));
    }

    [Fact]
    public void Batches_shrink_so_that_many_particles_keep_memory_bounded()
    {
        // The authors' evaluation: L = 1,000 fits 20 instances of N = 100 a batch; BPG's 100,000 particles one.
        Assert.Equal(20, GmmEvaluator.InstancesPerBatch(20, 1000, 100, 3));
        Assert.Equal(1, GmmEvaluator.InstancesPerBatch(20, 100_000, 100, 3));
        Assert.Equal(2, GmmEvaluator.InstancesPerBatch(20, 20_000, 100, 3));
        Assert.Equal(5, GmmEvaluator.InstancesPerBatch(5, 10, 100, 3));
        for (long particles = 1; particles <= 1_000_000; particles *= 10)
        {
            var batch = GmmEvaluator.InstancesPerBatch(20, particles, 100, 3);
            Assert.InRange(batch, 1, 20);
            Assert.True(batch == 1 || batch * particles * 100 * 3 <= GmmEvaluator.MaxBatchElements, $"L = {particles}: {batch} instances exceed the bound");
        }
    }
}
