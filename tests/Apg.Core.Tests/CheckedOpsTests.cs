using Apg.Core.Inference;
using Apg.Core.Models.Gmm;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>
/// Shapes that would make TorchSharp's matmul abort the whole process (SIGABRT) are exceptions instead: if one of
/// these reached libtorch, the test host would die and the run would fail.
/// </summary>
public sealed class CheckedOpsTests
{
    [Fact]
    public void Mismatched_inner_dims_are_an_error_naming_both_shapes()
    {
        using var a = rand([2, 3, 4]);
        using var b = rand([2, 5, 2]);
        var e = Assert.Throws<ArgumentException>(() => CheckedOps.MatMul(a, b, "test product"));
        Assert.Contains("test product", e.Message);
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Contains("[2, 5, 2]", e.Message);
    }

    [Fact]
    public void Batch_dims_that_do_not_broadcast_are_an_error()
    {
        using var a = rand([2, 3, 4]);
        using var b = rand([3, 4, 2]);
        Assert.Throws<ArgumentException>(() => CheckedOps.MatMul(a, b, "batch"));
    }

    [Fact]
    public void Matching_shapes_give_torch_matmul()
    {
        using var g = new Generator(5);
        using var a = rand([4, 2, 3], generator: g);
        using var b = rand([1, 3, 5], generator: g);
        Assert.Equal(T.Bits(a.matmul(b)), T.Bits(CheckedOps.MatMul(a, b, "ok")));
    }

    [Fact]
    public void Latents_with_a_wrong_cluster_count_are_an_error_not_an_abort()
    {
        var model = new GmmModel(GmmPrior.Paper);
        using var scope = NewDisposeScope();
        var x = rand([2, 7, 2]);
        var z = new Latents((GmmVariables.Mu, rand([3, 2, 3, 2])), (GmmVariables.Tau, rand([3, 2, 3, 2]) + 1),
            (GmmVariables.C, nn.functional.one_hot(zeros([3, 2, 7], ScalarType.Int64), 4).to(ScalarType.Float32)));
        var e = Assert.Throws<ArgumentException>(() => model.LogJoint(x, z));
        Assert.Contains("[3, 2, 7, 4]", e.Message);
    }

    [Fact]
    public void A_corpus_of_the_wrong_dimension_is_an_error_not_an_abort()
    {
        using var g = new Generator(1);
        using var networks = new GmmNetworks(GmmPrior.Paper, g);
        using var scope = NewDisposeScope();
        var x = rand([2, 7, 3], generator: g);
        var sampler = GmmMethods.Apg(new GmmModel(GmmPrior.Paper), networks);
        Assert.ThrowsAny<Exception>(() => sampler.Run(x, 2, 3, g));
        var gibbs = GmmMethods.Gibbs(new GmmModel(GmmPrior.Paper), null);
        Assert.ThrowsAny<Exception>(() => gibbs.Run(x, 2, 3, g));
    }
}
