using Apg.Core.Inference;

namespace Apg.Core.Tests;


/// <summary>
/// Weights that cannot be normalized stop the sampler with a DegenerateWeightsException naming the sweep, the block
/// and the instances, instead of resampling from NaN probabilities.
/// </summary>
public class DegenerateWeightsTests
{
    private static Tensor Data() => T.F64([0.5, 1.2, 0.9, -0.3, 2.0, 1.1], 2, 3);

    [Fact]
    public void All_minus_infinity_weights_in_a_block_name_the_block_and_the_sweep()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(121);
        // theta must be positive; the one-shot proposes near 5 (finite weights), the block near -5 (all outside the support)
        var model = new NormalMeanModel(m0: 1, s0: 2, sigma: 1, lower: 0);
        var block = new GaussianBlockProposal([-5, -5], [0.1, 0.1]);
        var sampler = new ApgSampler(model, new GaussianOneShot(5, 0.1), [new GibbsBlockUpdate(block)]);
        var e = Assert.Throws<DegenerateWeightsException>(() => sampler.Run(Data(), 3, 8, g));
        Assert.Contains("sweep 2", e.Message);
        Assert.Contains($"block '{NormalMeanModel.Block.Name}'", e.Message);
        Assert.Contains("all -inf", e.Message);
        Assert.Contains("instance(s) 0, 1", e.Message);
        // one sweep (the one-shot proposal alone) is fine
        Assert.Single(sampler.Run(Data(), 1, 8, g).Sweeps);
    }

    [Fact]
    public void Nan_weights_from_the_one_shot_proposal_name_sweep_one()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(122);
        var model = new NormalMeanModel(m0: 1, s0: 2, sigma: 1);
        var sampler = new ApgSampler(model, new GaussianOneShot(0, 1, logQOffset: double.NaN), []);
        var e = Assert.Throws<DegenerateWeightsException>(() => sampler.Run(Data(), 1, 4, g));
        Assert.Contains("sweep 1 (one-shot proposal)", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void Validate_names_only_the_degenerate_instances()
    {
        using var scope = NewDisposeScope();
        var ninf = double.NegativeInfinity;
        // instances 0 and 2 have a finite weight; instance 1 has none, instance 3 a NaN
        var logWeights = T.F64([0, ninf, -1, 0, ninf, ninf, ninf, double.NaN, -2, ninf, 3, 1], 3, 4);
        var e = Assert.Throws<DegenerateWeightsException>(() => Weights.Validate(logWeights, "here"));
        Assert.StartsWith("here: NaN", e.Message);
        Assert.Contains("instance(s) 1, 3 of the batch", e.Message);
        Weights.Validate(T.F64([0, ninf, ninf, 0], 2, 2), "fine");                     // some -inf, but each instance has a finite one
    }

    [Fact]
    public void Plus_infinity_weights_are_degenerate_too()
    {
        using var scope = NewDisposeScope();
        var logWeights = T.F64([0, double.PositiveInfinity, -1, 0, -2, 3], 3, 2);
        var e = Assert.Throws<DegenerateWeightsException>(() => Weights.Validate(logWeights, "here"));
        Assert.Contains("+inf", e.Message);
        Assert.Contains("instance(s) 1", e.Message);
        Weights.Validate(T.F64([0, double.NegativeInfinity, -1, 0, -2, 3], 3, 2), "finite somewhere in every instance");
    }
}
