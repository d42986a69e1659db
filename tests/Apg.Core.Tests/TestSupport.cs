using System.Runtime.CompilerServices;
using Apg.Core.Autograd;
using Apg.Core.Inference;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>Loads libtorch and applies APG_NUM_THREADS once, before any test touches a tensor.</summary>
internal static class TestRuntime
{
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Initialize();
}

/// <summary>A one-shot proposal that hands out given latents (log q = 0): the engine then only sees the blocks.</summary>
internal sealed class FixedStart(Latents z) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator) =>
        (z, zeros([particles, x.size(0)], x.dtype, x.device));
}

/// <summary>Tests that must not share the two cores with the rest of the suite while they run (training loops).</summary>
[CollectionDefinition("Training", DisableParallelization = true)]
public sealed class TrainingCollection;

/// <summary>Tests that must run alone: they measure process-wide state (resident memory).</summary>
[CollectionDefinition("Serial", DisableParallelization = true)]
public sealed class SerialCollection;

internal static class Approx
{
    public static void Equal(double expected, double actual, double tol, [CallerArgumentExpression(nameof(actual))] string what = "")
    {
        if (!(Math.Abs(expected - actual) <= tol))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(expected - actual):G3} > {tol:G3})");
    }

    /// <summary>|expected - actual| &lt;= tol * max(1, |expected|) elementwise.</summary>
    public static void Close(double[] expected, double[] actual, double tol, [CallerArgumentExpression(nameof(actual))] string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        var worst = 0.0;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var err = Math.Abs(expected[i] - actual[i]) / Math.Max(1, Math.Abs(expected[i]));
            if (!(err <= worst) || double.IsNaN(err)) { worst = double.IsNaN(err) ? double.PositiveInfinity : err; at = i; }
        }
        if (!(worst <= tol))
            Assert.Fail($"{what}[{at}]: expected {expected[at]:R}, got {actual[at]:R} (scaled error {worst:G3} > {tol:G3})");
    }
}

/// <summary>z-tests: |z| &lt; 4 fails a correct sampler with probability about 6e-5, and the seeds are fixed.</summary>
internal static class ZTest
{
    public const double Bound = 4;

    public static void Assert(double estimate, double expected, double standardError, string what)
    {
        var z = (estimate - expected) / standardError;
        Xunit.Assert.True(Math.Abs(z) < Bound, $"{what}: {estimate:G6} vs {expected:G6} (standard error {standardError:G3}), z = {z:F2}");
    }

    /// <summary>
    /// The sample mean and the sample variance of xs against the distribution's mean and variance. The standard errors
    /// are sigma / sqrt(n) for the mean and sqrt((m4 - s^4) / n) for the variance, m4 the sample fourth central moment
    /// (the delta method; it needs a finite fourth moment).
    /// </summary>
    public static void Moments(double[] xs, double mean, double variance, string what)
    {
        var n = xs.Length;
        var m = xs.Average();
        var s2 = xs.Sum(x => (x - m) * (x - m)) / (n - 1);
        var m4 = xs.Sum(x => Math.Pow(x - m, 4)) / n;
        Assert(m, mean, Math.Sqrt(variance / n), $"{what} mean");
        Assert(s2, variance, Math.Sqrt(Math.Max(m4 - s2 * s2, 1e-300) / n), $"{what} variance");
    }

    /// <summary>A count of successes in n independent trials of probability p.</summary>
    public static void Frequency(long count, long n, double p, string what) =>
        Assert(count, n * p, Math.Sqrt(n * p * (1 - p)), $"{what} count (frequency {count / (double)n:G5} vs {p:G5})");
}

/// <summary>Closed forms in doubles, independent of libtorch.</summary>
internal static class Exact
{
    public const double HalfLog2Pi = 0.91893853320467274178;

    // Lanczos (g = 7, 9 terms): relative error about 1e-15 for x > 0; reflection below 1/2.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++) a += Lanczos[i] / (x + i);
        return HalfLog2Pi + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    public static double NormalLogPdf(double x, double mean, double sd) =>
        -0.5 * ((x - mean) / sd) * ((x - mean) / sd) - Math.Log(sd) - HalfLog2Pi;

    /// <summary>Gamma in shape / rate form.</summary>
    public static double GammaLogPdf(double x, double shape, double rate) =>
        shape * Math.Log(rate) + (shape - 1) * Math.Log(x) - rate * x - LogGamma(shape);

    public static double BetaLogPdf(double x, double a, double b) =>
        (a - 1) * Math.Log(x) + (b - 1) * Math.Log(1 - x) - LogGamma(a) - LogGamma(b) + LogGamma(a + b);

    public static double LogSumExp(IEnumerable<double> xs)
    {
        var list = xs.ToList();
        var max = list.Max();
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(list.Sum(x => Math.Exp(x - max)));
    }

    public static double LogSigmoid(double x) => x >= 0 ? -Math.Log(1 + Math.Exp(-x)) : x - Math.Log(1 + Math.Exp(x));
}

internal static class T
{
    public static Tensor F64(params double[] values) => tensor(values, ScalarType.Float64);
    public static Tensor F64(double[] values, params long[] shape) => tensor(values, shape, ScalarType.Float64);
    public static Tensor F32(float[] values, params long[] shape) => tensor(values, shape, ScalarType.Float32);
    public static Tensor I64(long[] values, params long[] shape) => tensor(values, shape, ScalarType.Int64);

    /// <summary>The values as float64 doubles, row-major (copied to the CPU); the temporaries are freed here.</summary>
    public static double[] D(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray();
    }

    public static long[] L(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to(ScalarType.Int64).contiguous().data<long>().ToArray();
    }

    public static Tensor Full(double value, params long[] shape) => full(shape, value, ScalarType.Float64);

    /// <summary>The tensor's raw bytes (little-endian, row-major), for bit-for-bit comparisons.</summary>
    public static byte[] Bits(Tensor t) => Apg.Core.Data.TensorBytes.Of(t);
}

/// <summary>
/// torch.autograd.gradcheck: autograd's gradient of a float64 function against central finite differences. The
/// function's output is reduced with fixed random weights so every output element counts; an element passes when
/// |autograd - finite difference| &lt;= atol + rtol |finite difference|.
/// </summary>
internal static class GradCheck
{
    public sealed record Result(bool Passed, double MaxAbsError, string Detail);

    public static Result Check(Func<Tensor[], Tensor> function, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, ulong seed = 0)
    {
        using var scope = NewDisposeScope();
        foreach (var x in inputs)
            if (x.dtype != ScalarType.Float64)
                throw new ArgumentException($"gradcheck needs float64 inputs, got {x.dtype} of shape {Shapes.Format(x)}");

        var leaves = inputs.Select(x => x.detach().clone().requires_grad_()).ToArray();
        using var generator = new Generator(seed);
        Tensor weights;
        using (no_grad())
        {
            var probe = function(leaves);
            weights = randn(probe.shape, ScalarType.Float64, generator: generator);
        }
        Tensor Objective(Tensor[] xs) => (function(xs) * weights).sum();

        var analytic = Gradients.Of(Objective(leaves), leaves);
        var worst = 0.0;
        var detail = "";
        using var noGrad = no_grad();
        for (var i = 0; i < leaves.Length; i++)
        {
            var values = T.D(leaves[i]);
            var shape = leaves[i].shape;
            var grad = T.D(analytic[i]);
            for (var j = 0; j < values.Length; j++)
            {
                using var inner = NewDisposeScope();
                var plus = (double[])values.Clone();
                var minus = (double[])values.Clone();
                plus[j] += eps;
                minus[j] -= eps;
                var xsPlus = (Tensor[])leaves.Clone();
                var xsMinus = (Tensor[])leaves.Clone();
                xsPlus[i] = tensor(plus, shape, ScalarType.Float64);
                xsMinus[i] = tensor(minus, shape, ScalarType.Float64);
                var numeric = (Objective(xsPlus).item<double>() - Objective(xsMinus).item<double>()) / (2 * eps);
                var error = Math.Abs(numeric - grad[j]);
                if (!(error <= atol + rtol * Math.Abs(numeric)) && detail == "")
                    detail = $"input {i} element {j}: autograd {grad[j]:G10}, finite difference {numeric:G10}";
                if (!(error <= worst)) worst = double.IsNaN(error) ? double.PositiveInfinity : error;
            }
        }
        return new Result(detail == "", worst, detail);
    }
}

/// <summary>A fresh folder under /tmp per test class, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apgcore-tests-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
