namespace Apg.Core.Runtime;

/// <summary>Shape helpers with readable errors.</summary>
public static class Shapes
{
    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static string Format(Tensor tensor) => Format(tensor.shape);

    /// <summary>NumPy broadcasting of two shapes; an error names both when they do not broadcast.</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        var n = Math.Max(a.Length, b.Length);
        var result = new long[n];
        for (var i = 0; i < n; i++)
        {
            var x = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            var y = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (x != y && x != 1 && y != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} do not broadcast");
            result[i] = x == 1 ? y : x;
        }
        return result;
    }
}
