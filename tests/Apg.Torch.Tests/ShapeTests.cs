namespace Apg.Torch.Tests;

public class ShapeTests
{
    // [[0, 1, 2], [3, 4, 5]]
    private static Tensor M() => T.F64([0, 1, 2, 3, 4, 5], 2, 3);

    [Fact]
    public void View_reshape_flatten_squeeze_unsqueeze()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 2 }, M().View(3, 2).Shape);
        Assert.Equal(new long[] { 6 }, M().View(-1).Shape);
        Assert.Equal(new[] { 0.0, 1, 2, 3, 4, 5 }, M().Reshape(3, 2).ToArray<double>());
        Assert.Equal(new long[] { 6 }, M().Flatten().Shape);
        var x = Torch.Zeros([2, 1, 3, 1]);
        Assert.Equal(new long[] { 2, 3 }, x.Squeeze().Shape);
        Assert.Equal(new long[] { 2, 3, 1 }, x.Squeeze(1).Shape);
        Assert.Equal(new long[] { 2, 1, 3, 1 }, x.Squeeze(0).Shape); // size 2: unchanged
        Assert.Equal(new long[] { 2, 3 }, x.Flatten(1, 3).Shape);
        Assert.Equal(new long[] { 6, 1 }, x.Flatten(0, 2).Shape);
        Assert.Equal(new long[] { 2, 3 }, x.Flatten(1).Shape);
        Assert.Equal(new long[] { 1, 2, 3 }, M().Unsqueeze(0).Shape);
        Assert.Equal(new long[] { 2, 3, 1 }, M().Unsqueeze(-1).Shape);
    }

    [Fact]
    public void Transpose_permute_flip_reorder_elements()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 0.0, 3, 1, 4, 2, 5 }, M().T().Contiguous().ToArray<double>());
        Assert.Equal(new[] { 0.0, 3, 1, 4, 2, 5 }, M().T().ToArray<double>()); // ToArray copes with strides
        Assert.Equal(new[] { 0.0, 3, 1, 4, 2, 5 }, M().Transpose(0, 1).ToArray<double>());
        var cube = T.F64(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), 2, 3, 4);
        var p = cube.Permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, p.Shape);
        // p[k, i, j] = cube[i, j, k] = 12 i + 4 j + k
        Assert.Equal(12 * 1 + 4 * 2 + 3, p[3][1][2].Item());
        Assert.Equal(new[] { 2.0, 1, 0, 5, 4, 3 }, M().Flip(1).ToArray<double>());
        Assert.Equal(new[] { 5.0, 4, 3, 2, 1, 0 }, M().Flip(0, 1).ToArray<double>());
    }

    [Fact]
    public void Expand_and_repeat()
    {
        using var scope = Torch.NewDisposeScope();
        var col = T.F64([1, 2], 2, 1);
        Assert.Equal(new[] { 1.0, 1, 1, 2, 2, 2 }, col.Expand(2, 3).ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 1, 2, 2, 2 }, col.Expand(-1, 3).ToArray<double>());
        Assert.Equal(new long[] { 2, 3 }, col.ExpandAs(M()).Shape);
        Assert.Equal(new[] { 1.0, 2, 1, 2, 1, 2 }, T.F64(1, 2).Repeat(3).ToArray<double>());
        Assert.Equal(new long[] { 4, 3 }, col.Repeat(2, 3).Shape);
        Assert.Equal(new[] { 1.0, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2 }, col.Repeat(2, 3).ToArray<double>());
    }

    [Fact]
    public void Narrow_slice_select_and_indexer()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 1.0, 2, 4, 5 }, M().Narrow(1, 1, 2).ToArray<double>());
        Assert.Equal(new[] { 0.0, 2, 3, 5 }, M().Slice(1, 0, long.MaxValue, 2).ToArray<double>());
        Assert.Equal(new[] { 3.0, 4, 5 }, M().Slice(0, 1, 2).ToArray<double>());
        Assert.Equal(new[] { 1.0, 4 }, M().Select(1, 1).ToArray<double>());
        Assert.Equal(new[] { 3.0, 4, 5 }, M()[1].ToArray<double>());
        Assert.Equal(new[] { 2.0, 5 }, M().Select(1, -1).ToArray<double>());
        Assert.Equal(new[] { 1.0, 0, 0, 1, 1, 0, 1, 1, 1 }, Torch.Ones([3, 3], DType.Float64).Tril().ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 0, 1, 1, 1, 1, 1, 1 }, Torch.Ones([3, 3], DType.Float64).Tril(1).ToArray<double>());
    }

    [Fact]
    public void Cat_and_stack()
    {
        using var scope = Torch.NewDisposeScope();
        var a = T.F64([1, 2], 1, 2);
        var b = T.F64([3, 4, 5, 6], 2, 2);
        Assert.Equal(new[] { 1.0, 2, 3, 4, 5, 6 }, Torch.Cat([a, b]).ToArray<double>());
        Assert.Equal(new long[] { 3, 2 }, Torch.Cat([a, b], 0).Shape);
        Assert.Equal(new[] { 3.0, 4, 1, 2, 5, 6, 1, 2 }, Torch.Cat([b, a.Expand(2, 2)], 1).ToArray<double>());
        var s = Torch.Stack([T.F64(1, 2), T.F64(3, 4)]);
        Assert.Equal(new long[] { 2, 2 }, s.Shape);
        Assert.Equal(new[] { 1.0, 2, 3, 4 }, s.ToArray<double>());
        var s1 = Torch.Stack([T.F64(1, 2), T.F64(3, 4)], 1);
        Assert.Equal(new[] { 1.0, 3, 2, 4 }, s1.ToArray<double>());
        var many = Enumerable.Range(0, 100).Select(i => Torch.Scalar(i, DType.Float64)).ToList(); // more than the stackalloc limit
        Assert.Equal(4950.0, Torch.Stack(many).Sum().Item());
    }

    [Fact]
    public void Index_select_gather_scatter_against_hand_arrays()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 3.0, 4, 5, 0, 1, 2, 3, 4, 5 }, M().IndexSelect(0, T.I64(1, 0, 1)).ToArray<double>());
        Assert.Equal(new[] { 2.0, 0, 5, 3 }, M().IndexSelect(1, T.I64(2, 0)).ToArray<double>());
        // gather dim 1: out[i, j] = m[i, idx[i, j]]
        var idx = T.I64([2, 0, 1, 1], 2, 2);
        Assert.Equal(new[] { 2.0, 0, 4, 4 }, M().Gather(1, idx).ToArray<double>());
        // gather dim 0: out[i, j] = m[idx[i, j], j]
        Assert.Equal(new[] { 3.0, 1, 5 }, M().Gather(0, T.I64([1, 0, 1], 1, 3)).ToArray<double>());
        // scatter dim 1: out[i, idx[i, j]] = src[i, j]
        var src = T.F64([10, 20, 30, 40], 2, 2);
        Assert.Equal(new[] { 20.0, 1, 10, 30, 40, 5 }, M().Scatter(1, T.I64([2, 0, 0, 1], 2, 2), src).ToArray<double>());
        // scatter_add sums collisions: row 1 adds 30 and 40 into column 1
        Assert.Equal(new[] { 20.0, 1, 12, 3, 74, 5 }, M().ScatterAdd(1, T.I64([2, 0, 1, 1], 2, 2), src).ToArray<double>());
        var mask = Torch.Tensor(new[] { true, false, true, false, true, false }, 2, 3);
        Assert.Equal(new[] { 0.0, 2, 4 }, M().MaskedSelect(mask).ToArray<double>());
    }

    [Fact]
    public void SearchSorted_left_and_right()
    {
        using var scope = Torch.NewDisposeScope();
        var sorted = T.F64(1, 3, 5, 7);
        var values = T.F64(0, 1, 4, 5, 8);
        // left: first index i with sorted[i] >= v; right: first index with sorted[i] > v
        Assert.Equal(new long[] { 0, 0, 2, 2, 4 }, Torch.SearchSorted(sorted, values).ToArray<long>());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, Torch.SearchSorted(sorted, values, right: true).ToArray<long>());
        // batched rows
        var rows = T.F64([0, 1, 2, 10, 20, 30], 2, 3);
        Assert.Equal(new long[] { 1, 2 }, Torch.SearchSorted(rows, T.F64([0.5, 25], 2, 1)).ToArray<long>());
    }

    [Fact]
    public void MatMul_and_bmm_by_hand()
    {
        using var scope = Torch.NewDisposeScope();
        var a = T.F64([1, 2, 3, 4, 5, 6], 2, 3);
        var b = T.F64([7, 8, 9, 10, 11, 12], 3, 2);
        // [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]]
        Assert.Equal(new[] { 58.0, 64, 139, 154 }, a.MatMul(b).ToArray<double>());
        Assert.Equal(new[] { 14.0, 32 }, a.MatMul(T.F64(1, 2, 3)).ToArray<double>()); // matrix-vector
        var batchA = Torch.Stack([a, a * 2]);
        var batchB = Torch.Stack([b, b.Neg()]);
        Assert.Equal(new[] { 58.0, 64, 139, 154, -116, -128, -278, -308 }, batchA.Bmm(batchB).ToArray<double>());
        Assert.Equal(new long[] { 2, 2, 2 }, batchA.MatMul(batchB).Shape);
        Assert.Equal(new[] { 58.0f, 64, 139, 154 }, a.To(DType.Float32).MatMul(b.To(DType.Float32)).ToArray<float>());
    }
}
