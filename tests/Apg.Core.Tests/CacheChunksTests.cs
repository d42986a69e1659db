using Apg.Core.Runtime;

namespace Apg.Core.Tests;

public sealed class CacheChunksTests
{
    [Theory]
    [InlineData(10, 3, 9, 3)]        // 3 rows a chunk: 3, 3, 3, 1
    [InlineData(7, 100, 50, 1)]      // a row larger than a chunk: one row a chunk
    [InlineData(5, 2, 1000, 5)]      // everything in one chunk
    [InlineData(4, 0, 8, 4)]         // empty rows count as one element
    public void Ranges_cover_the_rows_in_order_without_overlap(long rows, long perRow, long chunkElements, long expectedChunk)
    {
        var ranges = CacheChunks.Rows(rows, perRow, chunkElements).ToList();
        long next = 0;
        foreach (var (start, length) in ranges)
        {
            Assert.Equal(next, start);
            Assert.InRange(length, 1, expectedChunk);
            next = start + length;
        }
        Assert.Equal(rows, next);
        Assert.Equal((rows + expectedChunk - 1) / expectedChunk, ranges.Count);
    }
}
