using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// The GMM likelihood's quadratic form against the Normal density it rewrites, sum_d log N(x_d; mu_d, tau_d^-1/2),
/// on draws from the prior (points far from some clusters, precisions from Gamma(2, 2)). In float64 the two differ by
/// rounding of terms up to ~1e3 (tau x^2 far from a cluster), so 1e-9 is loose; in float32 by ~1e3 x 6e-8.
/// </summary>
public class GmmLikelihoodTests
{
    private static (Tensor X, Latents Z) Draw(ScalarType dtype)
    {
        var g = new Generator(71);
        var x = GmmSimulator.Simulate(GmmPrior.Paper, 4, 25, g, dtype).X;
        var (z, _) = new PriorOneShot(GmmPrior.Paper).Sample(x, 6, g);
        return (x, z);
    }

    private static Tensor Direct(Tensor x, Tensor mu, Tensor tau) =>
        new Normal(mu.unsqueeze(-3), tau.unsqueeze(-3).rsqrt()).LogProb(x.unsqueeze(-2)).sum(-1);

    [Theory]
    [InlineData(ScalarType.Float64, 1e-9)]
    [InlineData(ScalarType.Float32, 1e-3)]
    public void Per_cluster_quadratic_form_equals_the_normal_density(ScalarType dtype, double tol)
    {
        using var scope = NewDisposeScope();
        var (x, z) = Draw(dtype);
        var quadratic = GmmModel.LogLikelihoodPerCluster(x, z[Mu], z[Tau]);
        Assert.Equal([6L, 4, 25, GmmPrior.Paper.Clusters], quadratic.shape);
        var worst = (quadratic - Direct(x, z[Mu], z[Tau])).abs().max().to(ScalarType.Float64).item<double>();
        Assert.True(worst <= tol, $"{dtype}: max |quadratic - direct| = {worst:G3}");
    }

    [Fact]
    public void Assigned_likelihood_is_the_assigned_clusters_entry_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var (x, z) = Draw(ScalarType.Float32);
        var perCluster = GmmModel.LogLikelihoodPerCluster(x, z[Mu], z[Tau]);
        var picked = perCluster.gather(-1, z[C].argmax(-1, keepdim: true)).squeeze(-1);
        Assert.True(new GmmModel(GmmPrior.Paper).LogLikelihood(x, z).eq(picked).all().item<bool>());
    }

    [Fact]
    public void Points_and_means_of_different_dimensions_are_an_error_naming_both_shapes()
    {
        using var scope = NewDisposeScope();
        var (x, z) = Draw(ScalarType.Float32);
        var e = Assert.Throws<ArgumentException>(() => GmmModel.LogLikelihoodPerCluster(x.narrow(-1, 0, 1), z[Mu], z[Tau]));
        Assert.Contains("[4, 25, 1]", e.Message);
        Assert.Contains("[6, 4, 3, 2]", e.Message);
    }
}
