using System.Runtime.CompilerServices;

namespace Apg.Torch.Tests;

/// <summary>Tests that must run alone: they measure process-wide state (resident memory, libtorch's default generator).</summary>
[CollectionDefinition("Serial", DisableParallelization = true)]
public sealed class SerialCollection;

internal static class Approx
{
    public static void Equal(double expected, double actual, double tol, [CallerArgumentExpression(nameof(actual))] string what = "")
    {
        if (!(Math.Abs(expected - actual) <= tol))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(expected - actual):G3} > {tol:G3})");
    }

    public static void Equal(double[] expected, double[] actual, double tol, [CallerArgumentExpression(nameof(actual))] string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}; all: [{string.Join(", ", actual)}]");
    }

    public static void Equal(float[] expected, float[] actual, double tol, [CallerArgumentExpression(nameof(actual))] string what = "") =>
        Equal(expected.Select(x => (double)x).ToArray(), actual.Select(x => (double)x).ToArray(), tol, what);
}

internal static class T
{
    public static Tensor F64(params double[] values) => Torch.Tensor(values);
    public static Tensor F64(double[] values, params long[] shape) => Torch.Tensor(values, shape);
    public static Tensor F32(params float[] values) => Torch.Tensor(values);
    public static Tensor F32(float[] values, params long[] shape) => Torch.Tensor(values, shape);
    public static Tensor I64(params long[] values) => Torch.Tensor(values);
    public static Tensor I64(long[] values, params long[] shape) => Torch.Tensor(values, shape);

    public static double[] D(Tensor t) => t.To(DType.Float64).ToArray<double>();

    /// <summary>Uniform float64 values in [lo, hi) from a fixed seed.</summary>
    public static Tensor Uniform(long[] shape, double lo, double hi, ulong seed = 1)
    {
        using var g = new Generator(seed);
        return Torch.Rand(shape, g, DType.Float64) * (hi - lo) + lo;
    }

    public static byte[] Bits(Tensor t) => t.ToBytes();
}

/// <summary>A fresh folder under /tmp per test class, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apgtorch-tests-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
