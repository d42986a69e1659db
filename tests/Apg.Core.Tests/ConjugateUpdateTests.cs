using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;


/// <summary>
/// The exact conditional p(mu, tau | x, c) against a brute-force posterior: prior x likelihood evaluated point by
/// point on a fine (mu, tau) grid in doubles and normalized numerically, with no conjugacy used. The prior has
/// mu0 = 1.5 != nu0 = 0.5, so the public reference's defect (nu0 where mu0 belongs in beta') changes beta' by 15-50%
/// for these data, and an empty cluster must get the prior back exactly.
/// </summary>
public class ConjugateUpdateTests
{
    private static readonly GmmPrior Prior = new(Clusters: 3, Dimensions: 2, Mu0: 1.5, Nu0: 0.5, Alpha0: 2, Beta0: 2);

    // 10 points in 2D: 7 in cluster 0, 3 in cluster 1, none in cluster 2; interleaved so the order means nothing.
    private static readonly int[] Labels = [0, 1, 0, 0, 1, 0, 0, 0, 1, 0];
    private static readonly double[,] Points =
    {
        { -1.2, 2.2 }, { 3.1, -0.5 }, { 0.4, 1.1 }, { -0.9, 2.9 }, { 2.4, 0.8 },
        { 0.1, 1.8 }, { -0.6, 2.5 }, { -1.5, 1.4 }, { 4.0, -1.7 }, { 0.3, 2.0 },
    };

    private static (Tensor X, Tensor C) Data()
    {
        var n = Labels.Length;
        var x = T.F64(Points.Cast<double>().ToArray(), 1, n, 2);
        var c = nn.functional.one_hot(T.I64(Labels.Select(l => (long)l).ToArray(), n), 3).to(ScalarType.Float64).view(1, 1, n, 3);
        return (x, c);
    }

    private static double[] Values(int cluster, int dim) =>
        Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == cluster).Select(i => Points[i, dim]).ToArray();

    /// <summary>
    /// Unnormalized log posterior on a midpoint grid: mu in [-15, 15] (3000 cells), tau in (0, 10] (2000 cells).
    /// The posteriors here have sd(mu | tau) about 0.5 and tau concentrated in (0.2, 4), so the midpoint rule's
    /// relative error, about (h / sd)^2 / 24, is near 1e-5, and the mass outside the grid is below 1e-6.
    /// </summary>
    private sealed class Grid
    {
        public const int MuCells = 3000, TauCells = 2000;
        public const double MuLo = -15, MuHi = 15, TauHi = 10;
        public readonly double HMu = (MuHi - MuLo) / MuCells, HTau = TauHi / TauCells;
        public readonly double[,] Density = new double[MuCells, TauCells]; // normalized: sums to 1 / (HMu HTau)

        public double Mu(int i) => MuLo + (i + 0.5) * HMu;
        public double Tau(int j) => (j + 0.5) * HTau;

        public Grid(double[] data)
        {
            var log = new double[MuCells, TauCells];
            var max = double.NegativeInfinity;
            for (var i = 0; i < MuCells; i++)
                for (var j = 0; j < TauCells; j++)
                {
                    var mu = Mu(i);
                    var tau = Tau(j);
                    var lp = Exact.GammaLogPdf(tau, Prior.Alpha0, Prior.Beta0) + Exact.NormalLogPdf(mu, Prior.Mu0, 1 / Math.Sqrt(Prior.Nu0 * tau));
                    foreach (var v in data) lp += Exact.NormalLogPdf(v, mu, 1 / Math.Sqrt(tau));
                    log[i, j] = lp;
                    max = Math.Max(max, lp);
                }
            var total = 0.0;
            for (var i = 0; i < MuCells; i++)
                for (var j = 0; j < TauCells; j++)
                    total += Density[i, j] = Math.Exp(log[i, j] - max);
            var z = total * HMu * HTau;
            for (var i = 0; i < MuCells; i++)
                for (var j = 0; j < TauCells; j++)
                    Density[i, j] /= z;
        }

        public (double MeanMu, double MeanTau) Means()
        {
            double mu = 0, tau = 0;
            for (var i = 0; i < MuCells; i++)
                for (var j = 0; j < TauCells; j++)
                {
                    var mass = Density[i, j] * HMu * HTau;
                    mu += mass * Mu(i);
                    tau += mass * Tau(j);
                }
            return (mu, tau);
        }

        public (int I, int J) Mode()
        {
            var (bi, bj) = (0, 0);
            for (var i = 0; i < MuCells; i++)
                for (var j = 0; j < TauCells; j++)
                    if (Density[i, j] > Density[bi, bj]) (bi, bj) = (i, j);
            return (bi, bj);
        }

        /// <summary>The marginal density of mu in cell i: the sum over tau.</summary>
        public double MuMarginal(int i)
        {
            var sum = 0.0;
            for (var j = 0; j < TauCells; j++) sum += Density[i, j] * HTau;
            return sum;
        }

        /// <summary>The marginal density of tau in cell j: the sum over mu.</summary>
        public double TauMarginal(int j)
        {
            var sum = 0.0;
            for (var i = 0; i < MuCells; i++) sum += Density[i, j] * HMu;
            return sum;
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    public void Posterior_matches_a_brute_force_grid(int cluster, int dim)
    {
        using var scope = NewDisposeScope();
        var (x, c) = Data();
        var posterior = ExactGlobalProposal.Posterior(Prior, x, c);           // [1, 1, M, D]
        double P(Tensor t) => T.D(t)[cluster * 2 + dim];
        var (mu, nu, alpha, beta) = (P(posterior.Mu), P(posterior.Nu), P(posterior.Alpha), P(posterior.Beta));

        var data = Values(cluster, dim);
        var grid = new Grid(data);
        var (meanMu, meanTau) = grid.Means();
        // E[mu] = mu', E[tau] = alpha' / beta' (tolerance 1e-3: 100 times the grid's error, far below the defect's effect)
        Approx.Equal(meanMu, mu, 1e-3 * Math.Max(1, Math.Abs(meanMu)));
        Approx.Equal(meanTau, alpha / beta, 1e-3 * meanTau);

        // the joint density at the grid's mode and around it (mu +- 0.5, tau +- 0.2), through the library's NormalGamma density
        var (mi, mj) = grid.Mode();
        foreach (var (i, j) in new[] { (mi, mj), (mi - 50, mj + 40), (mi + 50, mj - 40), (mi + 30, mj + 80) })
        {
            var lp = posterior.LogProb(T.Full(grid.Mu(i), 1, 1, 3, 2), T.Full(grid.Tau(j), 1, 1, 3, 2));
            var expected = grid.Density[i, j];
            Assert.True(expected > 1e-4, $"grid point ({grid.Mu(i)}, {grid.Tau(j)}) is too far in the tail to compare");
            Approx.Equal(expected, Math.Exp(P(lp)), 1e-3 * expected);
        }
        // the marginal of tau is Gamma(alpha', beta')
        foreach (var j in new[] { 60, 150, 250, 400 })
        {
            var expected = grid.TauMarginal(j);
            Assert.True(expected > 1e-3, $"tau = {grid.Tau(j)} is too far in the tail to compare");
            Approx.Equal(expected, Math.Exp(Exact.GammaLogPdf(grid.Tau(j), alpha, beta)), 1e-3 * expected);
        }

        // the marginal of mu is Student-t with 2 alpha' degrees of freedom, location mu', scale sqrt(beta' / (alpha' nu'))
        var scale = Math.Sqrt(beta / (alpha * nu));
        foreach (var i in new[] { mi - 100, mi - 30, mi, mi + 50, mi + 120 })
        {
            var expected = grid.MuMarginal(i);
            Assert.True(expected > 1e-3, $"mu = {grid.Mu(i)} is too far in the tail to compare");
            var t = (grid.Mu(i) - mu) / scale;
            var dof = 2 * alpha;
            var logT = Exact.LogGamma((dof + 1) / 2) - Exact.LogGamma(dof / 2) - 0.5 * Math.Log(dof * Math.PI) - Math.Log(scale)
                       - (dof + 1) / 2 * Math.Log(1 + t * t / dof);
            Approx.Equal(expected, Math.Exp(logT), 1e-3 * expected);
        }

        // The defective public version puts nu0 where mu0 belongs; it misses the grid by far more than the tolerance.
        var n = data.Length;
        var xbar = data.Average();
        var spread = data.Sum(v => (v - xbar) * (v - xbar));
        var defectiveBeta = Prior.Beta0 + spread / 2 + n * Prior.Nu0 * (xbar - Prior.Nu0) * (xbar - Prior.Nu0) / (2 * (Prior.Nu0 + n));
        var defectiveMeanTau = (Prior.Alpha0 + n / 2.0) / defectiveBeta;
        Assert.True(Math.Abs(defectiveMeanTau - meanTau) > 0.05 * meanTau,
            $"these data do not tell the defect apart: E[tau] {meanTau} vs defective {defectiveMeanTau}");
    }

    [Fact]
    public void Empty_cluster_gets_the_prior_back_exactly()
    {
        using var scope = NewDisposeScope();
        var (x, c) = Data();
        var posterior = ExactGlobalProposal.Posterior(Prior, x, c);
        foreach (var dim in new[] { 0, 1 })
        {
            var k = 2 * 2 + dim; // cluster 2 holds no point
            Assert.Equal(Prior.Mu0, T.D(posterior.Mu)[k]);
            Assert.Equal(Prior.Nu0, T.D(posterior.Nu)[k]);
            Assert.Equal(Prior.Alpha0, T.D(posterior.Alpha)[k]);
            Assert.Equal(Prior.Beta0, T.D(posterior.Beta)[k]);
        }

        // float32 data and the paper's prior: the prior's values as float32 (not "one point at 0")
        var paper = GmmPrior.Paper;
        var p32 = ExactGlobalProposal.Posterior(paper, x.to(ScalarType.Float32), c.to(ScalarType.Float32));
        Assert.Equal((double)(float)paper.Mu0, T.D(p32.Mu)[4]);
        Assert.Equal((double)(float)paper.Nu0, T.D(p32.Nu)[4]);
        Assert.Equal((double)(float)paper.Alpha0, T.D(p32.Alpha)[4]);
        Assert.Equal((double)(float)paper.Beta0, T.D(p32.Beta)[4]);
    }

    [Fact]
    public void Soft_counts_follow_the_spec_formula_with_xbar()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(51);
        var x = randn([2, 12, 2], ScalarType.Float64, generator: g) * 2 + 1;                 // [B, N, D]
        var weights = rand([2, 12, 3], ScalarType.Float64, generator: g);                     // soft, unnormalized assignments
        var (n, s1, s2) = Apg.Core.Models.Gmm.GmmConjugacy.Statistics(weights, x);
        var post = GmmConjugacy.Posterior(Prior, n, s1, s2);
        var (nv, s1v, s2v) = (T.D(n), T.D(s1), T.D(s2));
        var (mu, nu, alpha, beta) = (T.D(post.Mu), T.D(post.Nu), T.D(post.Alpha), T.D(post.Beta));
        var xs = T.D(x);
        var ws = T.D(weights);
        for (var b = 0; b < 2; b++)
            for (var m = 0; m < 3; m++)
                for (var d = 0; d < 2; d++)
                {
                    double cn = 0, c1 = 0, c2 = 0;
                    for (var i = 0; i < 12; i++)
                    {
                        var w = ws[(b * 12 + i) * 3 + m];
                        var v = xs[(b * 12 + i) * 2 + d];
                        cn += w; c1 += w * v; c2 += w * v * v;
                    }
                    var k = (b * 3 + m) * 2 + d;
                    Approx.Equal(cn, nv[k], 1e-12);
                    Approx.Equal(c1, s1v[k], 1e-12);
                    Approx.Equal(c2, s2v[k], 1e-11);
                    // nu' = nu0 + n; mu' = (nu0 mu0 + s1) / (nu0 + n); alpha' = alpha0 + n / 2;
                    // beta' = beta0 + (s2 - n xbar^2) / 2 + n nu0 (xbar - mu0)^2 / (2 (nu0 + n))
                    var xbar = c1 / cn;
                    Approx.Equal(Prior.Nu0 + cn, nu[k], 1e-12);
                    Approx.Equal((Prior.Nu0 * Prior.Mu0 + c1) / (Prior.Nu0 + cn), mu[k], 1e-12);
                    Approx.Equal(Prior.Alpha0 + cn / 2, alpha[k], 1e-12);
                    var expectedBeta = Prior.Beta0 + (c2 - cn * xbar * xbar) / 2 + cn * Prior.Nu0 * (xbar - Prior.Mu0) * (xbar - Prior.Mu0) / (2 * (Prior.Nu0 + cn));
                    Approx.Equal(expectedBeta, beta[k], 1e-11 * expectedBeta);
                }
    }
}
