using Apg.Core.Inference;

namespace Apg.Core.Tests;


/// <summary>
/// Resampling over particles, per instance: log weights [L, B] give ancestors [L, B]. Systematic resampling gives each
/// particle floor(L w) or ceil(L w) offspring (a property of its single stratified uniform, exact up to rounding of the
/// cumulative weights); both schemes are unbiased, E[offspring] = L w.
/// </summary>
public class ResamplingTests
{
    /// <summary>counts[l, b]: how many of instance b's L ancestors are particle l.</summary>
    private static long[,] Offspring(Tensor ancestors)
    {
        var (particles, instances) = ((int)ancestors.size(0), (int)ancestors.size(1));
        var a = T.L(ancestors);
        var counts = new long[particles, instances];
        for (var l = 0; l < particles; l++)
            for (var b = 0; b < instances; b++)
            {
                var parent = a[l * instances + b];
                Assert.InRange(parent, 0, particles - 1);
                counts[parent, b]++;
            }
        return counts;
    }

    /// <summary>Normalized weights [L, B] in doubles, from the log weights as given (float32 values are widened exactly).</summary>
    private static double[,] Normalize(Tensor logWeights)
    {
        var (particles, instances) = ((int)logWeights.size(0), (int)logWeights.size(1));
        var lw = T.D(logWeights);
        var w = new double[particles, instances];
        for (var b = 0; b < instances; b++)
        {
            var column = Enumerable.Range(0, particles).Select(l => lw[l * instances + b]).ToArray();
            var lse = Exact.LogSumExp(column);
            for (var l = 0; l < particles; l++) w[l, b] = Math.Exp(column[l] - lse);
        }
        return w;
    }

    /// <summary>Random log weights [L, B] with spread (sd 2) and about a fifth of the particles at -inf (weight 0), never a whole instance.</summary>
    private static Tensor RandomLogWeights(int particles, int instances, ScalarType dtype, ulong seed)
    {
        using var g = new Generator(seed);
        var lw = randn([particles, instances], ScalarType.Float64, generator: g) * 2;
        var dead = rand([particles, instances], ScalarType.Float64, generator: g).lt(0.2);
        dead = dead.logical_and(arange(particles, ScalarType.Int64).unsqueeze(1).expand(particles, instances).ne(0)); // particle 0 stays alive
        return lw.masked_fill(dead, double.NegativeInfinity).to(dtype);
    }

    [Theory]
    [InlineData(7, ScalarType.Float64)]
    [InlineData(10, ScalarType.Float64)]
    [InlineData(64, ScalarType.Float64)]
    [InlineData(10, ScalarType.Float32)]
    [InlineData(64, ScalarType.Float32)]
    public void Systematic_gives_floor_or_ceil_of_L_w_offspring_per_instance(int particles, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(41);
        const int instances = 400;
        // Rounding of the cumulative weights in the dtype may move a pointer across a boundary that L w puts exactly on
        // an integer: allow that slack (L times a few ulps of 1), never more.
        var slack = particles * (dtype == ScalarType.Float64 ? 1e-12 : 1e-5);
        for (var repeat = 0; repeat < 5; repeat++)
        {
            var logWeights = RandomLogWeights(particles, instances, dtype, (ulong)(100 + repeat));
            var counts = Offspring(Resampling.Ancestors(logWeights, ResamplingScheme.Systematic, g));
            var w = Normalize(logWeights);
            for (var b = 0; b < instances; b++)
                for (var l = 0; l < particles; l++)
                {
                    var expected = particles * w[l, b];
                    if (w[l, b] == 0)
                        Assert.True(counts[l, b] == 0, $"instance {b}: particle {l} has weight 0 but {counts[l, b]} offspring");
                    else
                        Assert.True(counts[l, b] >= Math.Floor(expected - slack) && counts[l, b] <= Math.Ceiling(expected + slack),
                            $"instance {b}, particle {l}: {counts[l, b]} offspring for L w = {expected}");
                }
        }
    }

    [Theory]
    [InlineData(ResamplingScheme.Systematic)]
    [InlineData(ResamplingScheme.Multinomial)]
    public void Offspring_counts_are_unbiased(ResamplingScheme scheme)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(42);
        // One weight vector repeated over R independent instances; no L w is an integer.
        double[] w = [0.05, 0.12, 0.33, 0.19, 0.31];
        const int particles = 5, instances = 20_000;
        var logWeights = (T.F64(w).log() + 3.7).unsqueeze(1).expand(particles, instances).to(ScalarType.Float32); // unnormalized
        var counts = Offspring(Resampling.Ancestors(logWeights, scheme, g));
        for (var l = 0; l < particles; l++)
        {
            var mean = Enumerable.Range(0, instances).Average(b => (double)counts[l, b]);
            var lw = particles * w[l];
            // Systematic: floor or ceil, ceil with probability frac(L w), so Var = f (1 - f). Multinomial: Binomial(L, w).
            var f = lw - Math.Floor(lw);
            var variance = scheme == ResamplingScheme.Systematic ? f * (1 - f) : particles * w[l] * (1 - w[l]);
            ZTest.Assert(mean, lw, Math.Sqrt(variance / instances), $"{scheme}: mean offspring of particle {l}");
        }
    }

    [Theory]
    [InlineData(ResamplingScheme.Systematic)]
    [InlineData(ResamplingScheme.Multinomial)]
    public void Zero_weight_particles_are_never_selected(ResamplingScheme scheme)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(43);
        const int particles = 10, instances = 20_000;
        using var gw = new Generator(44);
        // float32, where the cumulative weights round below 1, and the last particles dead: a pointer past the rounded
        // total must not land on them.
        var logWeights = randn([particles, instances], ScalarType.Float32, generator: gw) * 3;
        logWeights = cat([logWeights.narrow(0, 0, 6), full([4, instances], double.NegativeInfinity, ScalarType.Float32)], 0);
        var ancestors = T.L(Resampling.Ancestors(logWeights, scheme, g));
        Assert.True(ancestors.All(a => a < 6), $"{scheme} selected a particle of weight 0 (max ancestor {ancestors.Max()})");
    }

    [Fact]
    public void Select_gathers_along_the_particle_dim_per_instance()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(45);
        const int particles = 6, instances = 4;
        var ancestors = randint(0, particles, [particles, instances], ScalarType.Int64, generator: g);
        var a = T.L(ancestors);
        foreach (long[] shape in new long[][] { [particles, instances], [particles, instances, 3], [particles, instances, 5, 2] })
        {
            var numel = shape.Aggregate(1L, (x, y) => x * y);
            var inner = numel / (particles * instances);
            var values = arange(numel, ScalarType.Float64).view(shape);         // value = flat index: every entry distinct
            var selected = T.D(Resampling.Select(values, ancestors));
            Assert.Equal(numel, selected.Length);
            for (var l = 0; l < particles; l++)
                for (var b = 0; b < instances; b++)
                    for (var k = 0; k < inner; k++)
                    {
                        var source = (a[l * instances + b] * instances + b) * inner + k;
                        Assert.Equal(source, selected[(l * instances + b) * inner + k]);
                    }
        }
    }

    [Fact]
    public void Ancestors_need_two_dimensional_log_weights()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => Resampling.Ancestors(zeros([3, 2, 4], ScalarType.Float32), ResamplingScheme.Systematic, null));
        Assert.Contains("[3, 2, 4]", e.Message);
    }
}
