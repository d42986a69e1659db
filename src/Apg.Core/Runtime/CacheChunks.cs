namespace Apg.Core.Runtime;

/// <summary>
/// Row ranges for building a large intermediate a few rows at a time, so that each chunk is made, used and dropped
/// while it is still in cache: a whole hidden block of tens of MB costs more in memory traffic than in arithmetic.
/// </summary>
public static class CacheChunks
{
    /// <summary>Elements per chunk: 1 MB of float32, well inside a core's L2 cache.</summary>
    public const long DefaultElements = 1 << 18;

    /// <summary>Consecutive (start, length) ranges covering rows, each of about chunkElements / perRow rows (at least one).</summary>
    public static IEnumerable<(long Start, long Length)> Rows(long rows, long perRow, long chunkElements = DefaultElements)
    {
        var chunk = Math.Max(1, chunkElements / Math.Max(1, perRow));
        for (long start = 0; start < rows; start += chunk)
            yield return (start, Math.Min(chunk, rows - start));
    }
}
