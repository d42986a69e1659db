namespace Apg.Core.Distributions;

internal static class Shapes
{
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
                throw new ArgumentException($"shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast");
            result[i] = x == 1 ? y : x;
        }
        return result;
    }
}
