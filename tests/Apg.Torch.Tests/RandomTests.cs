namespace Apg.Torch.Tests;

/// <summary>
/// Sampling against theory. Each statistic is turned into a z-score with the standard error computed from the
/// theoretical distribution: the sample mean of n draws has variance sigma^2 / n, and the sample variance has
/// variance (mu_4 - sigma^4) / n to leading order (mu_4 the fourth central moment). Under a correct sampler z is
/// close to standard normal, so |z| &lt; 4 fails with probability about 6e-5 (and the seeds are fixed, so the
/// outcome is reproducible); a wrong scale, shift or shape moves z into the tens or hundreds at these n.
/// </summary>
public class RandomTests
{
    private const int N = 200_000;

    private static (double Mean, double Var) Moments(double[] xs)
    {
        var mean = xs.Average();
        var var = xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1);
        return (mean, var);
    }

    /// <summary>Checks the sample mean and variance of xs against a distribution with the given mean, variance and fourth central moment.</summary>
    private static void AssertMoments(double[] xs, double mean, double variance, double mu4, string what)
    {
        var n = xs.Length;
        var (m, v) = Moments(xs);
        var zMean = (m - mean) / Math.Sqrt(variance / n);
        var zVar = (v - variance) / Math.Sqrt((mu4 - variance * variance) / n);
        Assert.True(Math.Abs(zMean) < 4, $"{what}: sample mean {m} vs {mean}, z = {zMean:F2}");
        Assert.True(Math.Abs(zVar) < 4, $"{what}: sample variance {v} vs {variance}, z = {zVar:F2}");
    }

    [Fact]
    public void Rand_is_uniform_on_unit_interval()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(101);
        var xs = Torch.Rand([N], g, DType.Float64).ToArray<double>();
        Assert.All(xs, x => Assert.True(x >= 0 && x < 1, $"{x} outside [0, 1)"));
        // U(0, 1): mean 1/2, variance 1/12, fourth central moment 1/80
        AssertMoments(xs, 0.5, 1.0 / 12, 1.0 / 80, "rand");
        var fs = Torch.Rand([N], g).ToArray<float>();
        Assert.All(fs, x => Assert.True(x >= 0 && x < 1, $"{x} outside [0, 1)"));
        AssertMoments(fs.Select(x => (double)x).ToArray(), 0.5, 1.0 / 12, 1.0 / 80, "rand float32");
    }

    [Fact]
    public void Randn_is_standard_normal()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(102);
        // N(0, 1): fourth central moment 3
        AssertMoments(Torch.Randn([N], g, DType.Float64).ToArray<double>(), 0, 1, 3, "randn");
        AssertMoments(Torch.Randn([N], g).ToArray<float>().Select(x => (double)x).ToArray(), 0, 1, 3, "randn float32");
        var xs = Torch.Randn([N], g, DType.Float64).ToArray<double>();
        // P(|X| < 1) = erf(1 / sqrt 2) = 0.682689492; the count is binomial
        const double p = 0.682689492137086;
        var inside = xs.Count(x => Math.Abs(x) < 1);
        var z = (inside - N * p) / Math.Sqrt(N * p * (1 - p));
        Assert.True(Math.Abs(z) < 4, $"P(|X| < 1): {inside / (double)N} vs {p}, z = {z:F2}");
    }

    [Fact]
    public void Normal_with_tensor_mean_and_std()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(103);
        var xs = Torch.Normal(Torch.Full([N], 2.0, DType.Float64), Torch.Full([N], 3.0, DType.Float64), g).ToArray<double>();
        // N(2, 9): fourth central moment 3 * 81
        AssertMoments(xs, 2, 9, 3 * 81, "normal(2, 3)");
        // per-element parameters: the first half from N(-5, 0.5^2), the second from N(5, 0.5^2)
        var mean = Torch.Cat([Torch.Full([N / 2], -5.0, DType.Float64), Torch.Full([N / 2], 5.0, DType.Float64)]);
        var ys = Torch.Normal(mean, Torch.Full([1], 0.5, DType.Float64), g).ToArray<double>();
        AssertMoments(ys[..(N / 2)], -5, 0.25, 3 * 0.0625, "normal(-5, 0.5)");
        AssertMoments(ys[(N / 2)..], 5, 0.25, 3 * 0.0625, "normal(5, 0.5)");
    }

    [Theory]
    [InlineData(0.5)]   // alpha < 1 takes the boosted branch of Marsaglia-Tsang
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(20.0)]
    public void StandardGamma_has_mean_and_variance_alpha(double alpha)
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(104 + (ulong)(alpha * 10));
        var xs = Torch.StandardGamma(Torch.Full([N], alpha, DType.Float64), g).ToArray<double>();
        Assert.All(xs, x => Assert.True(x > 0));
        // Gamma(alpha, 1): mean alpha, variance alpha, fourth central moment 3 alpha (alpha + 2)
        AssertMoments(xs, alpha, alpha, 3 * alpha * (alpha + 2), $"gamma({alpha})");
        var fs = Torch.StandardGamma(Torch.Full([N], alpha), g).ToArray<float>().Select(x => (double)x).ToArray();
        AssertMoments(fs, alpha, alpha, 3 * alpha * (alpha + 2), $"gamma({alpha}) float32");
    }

    [Fact]
    public void Bernoulli_frequency()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(105);
        const double p = 0.3;
        var xs = Torch.Bernoulli(Torch.Full([N], p, DType.Float64), g).ToArray<double>();
        Assert.All(xs, x => Assert.True(x is 0 or 1));
        // the count of ones is Binomial(N, p): standard error sqrt(N p (1 - p))
        var ones = xs.Sum();
        var z = (ones - N * p) / Math.Sqrt(N * p * (1 - p));
        Assert.True(Math.Abs(z) < 4, $"bernoulli({p}): frequency {ones / N}, z = {z:F2}");
        // probabilities 0 and 1 are exact
        Assert.Equal(new[] { 0.0, 1, 0, 1 }, Torch.Bernoulli(T.F64(0, 1, 0, 1), g).ToArray<double>());
    }

    [Fact]
    public void Multinomial_frequencies_follow_normalized_weights()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(106);
        double[] weights = [1, 2, 3, 4]; // unnormalized: probabilities 0.1, 0.2, 0.3, 0.4
        var draws = Torch.Multinomial(T.F64(weights), N, replacement: true, g);
        Assert.Equal(new long[] { N }, draws.Shape);
        Assert.Equal(DType.Int64, draws.DType);
        var counts = new long[4];
        foreach (var d in draws.ToArray<long>()) counts[d]++;
        for (var k = 0; k < 4; k++)
        {
            // each category's count is Binomial(N, p_k)
            var p = weights[k] / weights.Sum();
            var z = (counts[k] - N * p) / Math.Sqrt(N * p * (1 - p));
            Assert.True(Math.Abs(z) < 4, $"category {k}: frequency {counts[k] / (double)N} vs {p}, z = {z:F2}");
        }
        // without replacement, drawing every category is a permutation; zero weight is never drawn
        var perm = Torch.Multinomial(T.F64([1, 2, 3, 4, 0, 0, 1, 1], 2, 4), 2, replacement: false, g);
        Assert.Equal(new long[] { 2, 2 }, perm.Shape);
        var rows = perm.ToArray<long>();
        Assert.NotEqual(rows[0], rows[1]);
        Assert.Equal(new long[] { 2, 3 }, rows[2..].Order().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 3 }, Torch.Multinomial(T.F64(weights), 4, false, g).ToArray<long>().Order().ToArray());
    }

    [Fact]
    public void RandInt_and_in_place_samplers()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(107);
        var ints = Torch.RandInt(-3, 7, [N], g).ToArray<long>();
        Assert.All(ints, x => Assert.InRange(x, -3, 6));
        // discrete uniform on 10 values: mean 1.5, variance (10^2 - 1) / 12, fourth central moment (3 n^2 - 7)(n^2 - 1) / 240
        AssertMoments(ints.Select(x => (double)x).ToArray(), 1.5, 99.0 / 12, (3 * 100 - 7) * 99.0 / 240, "randint");
        var u = Torch.Uniform_(Torch.Empty([N], DType.Float64), -2, 3, g).ToArray<double>();
        Assert.All(u, x => Assert.InRange(x, -2, 3));
        // U(-2, 3): width 5: variance 25/12, fourth central moment 625/80
        AssertMoments(u, 0.5, 25.0 / 12, 625.0 / 80, "uniform_");
        var nrm = Torch.Normal_(Torch.Empty([N], DType.Float64), 1, 2, g).ToArray<double>();
        AssertMoments(nrm, 1, 4, 3 * 16, "normal_");
    }

    [Fact]
    public void RandPerm_is_a_permutation()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(108);
        var p = Torch.RandPerm(1000, g).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 1000).Select(i => (long)i), p); // identity has probability 1/1000!
        // the first element is uniform over 0..9 in small permutations: each value about 1/10 of the time
        var firsts = new int[10];
        for (var i = 0; i < 5000; i++)
        {
            using var inner = Torch.NewDisposeScope();
            firsts[Torch.RandPerm(10, g)[0].ItemLong()]++;
        }
        foreach (var c in firsts)
        {
            var z = (c - 500) / Math.Sqrt(5000 * 0.1 * 0.9);
            Assert.True(Math.Abs(z) < 4, $"first element counts [{string.Join(", ", firsts)}]");
        }
    }

    [Fact]
    public void Same_seed_same_bits_different_seed_different_bits()
    {
        using var scope = Torch.NewDisposeScope();
        byte[] Draw(ulong seed)
        {
            using var g = new Generator(seed);
            var parts = new[]
            {
                Torch.Rand([100], g).ToBytes(), Torch.Randn([100], g, DType.Float64).ToBytes(),
                Torch.Normal(Torch.Zeros([50]), Torch.Ones([50]), g).ToBytes(),
                Torch.StandardGamma(Torch.Full([50], 0.7), g).ToBytes(), Torch.Bernoulli(Torch.Full([50], 0.5), g).ToBytes(),
                Torch.Multinomial(Torch.Ones([10]), 20, true, g).ToBytes(), Torch.RandPerm(50, g).ToBytes(),
                Torch.RandInt(0, 100, [50], g).ToBytes(),
            };
            return parts.SelectMany(b => b).ToArray();
        }
        Assert.Equal(Draw(42), Draw(42));
        Assert.NotEqual(Draw(42), Draw(43));
    }

    [Fact]
    public void Generator_state_restores_the_same_stream()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(7);
        Assert.Equal(7UL, g.InitialSeed);
        Torch.Randn([10], g);
        var state = g.GetState();
        Assert.Equal(DType.UInt8, state.DType);
        var first = Torch.Randn([20], g, DType.Float64).ToBytes();
        var firstGamma = Torch.StandardGamma(Torch.Full([20], 2.0), g).ToBytes();
        g.SetState(state);
        Assert.Equal(first, Torch.Randn([20], g, DType.Float64).ToBytes());
        Assert.Equal(firstGamma, Torch.StandardGamma(Torch.Full([20], 2.0), g).ToBytes());
        // the state carries over to another generator, whatever its seed
        using var other = new Generator(999);
        other.SetState(state);
        Assert.Equal(first, Torch.Randn([20], other, DType.Float64).ToBytes());
        // reseeding restarts the stream
        g.ManualSeed(7);
        using var fresh = new Generator(7);
        Assert.Equal(Torch.Rand([10], fresh).ToBytes(), Torch.Rand([10], g).ToBytes());
    }
}

/// <summary>libtorch's default generator is process-wide, so these run alone.</summary>
[Collection("Serial")]
public class DefaultGeneratorTests
{
    [Fact]
    public void ManualSeed_makes_the_default_generator_repeat()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(1234);
        var a = Torch.Randn([50], null).ToBytes();
        var lin = new NN.Linear(3, 2);
        var w = lin.Weight.ToBytes();
        lin.Dispose();
        Torch.ManualSeed(1234);
        Assert.Equal(a, Torch.Randn([50], null).ToBytes());
        using var lin2 = new NN.Linear(3, 2);
        Assert.Equal(w, lin2.Weight.ToBytes());
        Torch.ManualSeed(1235);
        Assert.NotEqual(a, Torch.Randn([50], null).ToBytes());
    }
}
