using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Gmm.GmmVariables;

/// <summary>
/// An exact Gibbs chain (GmmMethods.Gibbs from the prior) on one instance of N = 300 points in three well separated
/// clusters (centers 5 to 8 apart, sd 0.5, 100 points each) recovers the clusters' means up to a relabeling.
/// Given the right assignments the posterior of a mean has sd 1 / sqrt(n tau) = 0.05 per coordinate around the cluster's
/// sample mean (shrinkage to mu0 = 0 moves it by nu0 / (nu0 + n) |mean| &lt; 0.005), so 0.35 is 7 posterior sds;
/// a chain stuck with two clusters merged, or a wrong update, is off by 2.5 or more.
/// </summary>
public class GibbsChainTests
{
    private static readonly double[,] Centers = { { -4, -4 }, { 0, 4 }, { 4, -2 } };

    [Fact]
    public void Gibbs_from_the_prior_recovers_the_cluster_means()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(91);
        const int perCluster = 100, particles = 10, sweeps = 40;
        var labels = randperm(3 * perCluster, ScalarType.Int64, generator: g).remainder(3).to(ScalarType.Int64);                 // interleaved labels, 100 each
        var centers = T.F64(Centers.Cast<double>().ToArray(), 3, 2);
        var x = (centers.index_select(0, labels) + randn([3 * perCluster, 2], ScalarType.Float64, generator: g) * 0.5).to(ScalarType.Float32);
        var l = T.L(labels);
        var xs = T.D(x);
        var sampleMeans = new double[3, 2];
        for (var i = 0; i < l.Length; i++)
            for (var d = 0; d < 2; d++) sampleMeans[l[i], d] += xs[i * 2 + d] / perCluster;

        var run = GmmMethods.Gibbs(new GmmModel(GmmPrior.Paper), null).Run(x.unsqueeze(0), sweeps, particles, g);
        var mu = T.D(run.Z[Mu]);                                                         // [L, 1, 3, 2]
        int[][] permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for (var p = 0; p < particles; p++)
        {
            double Error(int[] perm) => Enumerable.Range(0, 3).SelectMany(m => Enumerable.Range(0, 2)
                .Select(d => Math.Abs(mu[(p * 3 + perm[m]) * 2 + d] - sampleMeans[m, d]))).Max();
            var best = permutations.Min(Error);
            Assert.True(best < 0.35, $"particle {p}: cluster means off by {best:F3} under the best relabeling; " +
                                     $"mu = [{string.Join(", ", mu.Skip(p * 6).Take(6).Select(v => v.ToString("F2")))}]");
        }
        // and the chain got there: log p(x, z) rose from the one-shot sweep
        Assert.True(run.Sweeps[^1].MeanLogJoint[0] > run.Sweeps[0].MeanLogJoint[0] + 100);
    }
}
