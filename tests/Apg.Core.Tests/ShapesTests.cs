using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>Shapes: readable shapes, and NumPy broadcasting with an error that names both shapes.</summary>
public class ShapesTests
{
    [Fact]
    public void Format_writes_shapes_as_lists()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("[3, 4]", Shapes.Format(zeros([3, 4], ScalarType.Float32)));
        Assert.Equal("[]", Shapes.Format(tensor(1.0, ScalarType.Float64)));
        Assert.Equal("[0, 2, 1]", Shapes.Format(new long[] { 0, 2, 1 }));
    }

    [Theory]
    [InlineData(new long[] { 3, 1 }, new long[] { 4 }, new long[] { 3, 4 })]
    [InlineData(new long[] { 2, 1, 5 }, new long[] { 7, 1 }, new long[] { 2, 7, 5 })]
    [InlineData(new long[] { }, new long[] { 2, 3 }, new long[] { 2, 3 })]
    [InlineData(new long[] { 1 }, new long[] { 0 }, new long[] { 0 })]
    public void Broadcast_follows_numpy_and_libtorch(long[] a, long[] b, long[] expected)
    {
        Assert.Equal(expected, Shapes.Broadcast(a, b));
        Assert.Equal(expected, Shapes.Broadcast(b, a));
        using var scope = NewDisposeScope();
        Assert.Equal(expected, (zeros(a, ScalarType.Float32) + zeros(b, ScalarType.Float32)).shape);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Shapes.Broadcast([2, 3], [4, 3]));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
    }
}
