namespace Apg.Torch.Tests;

public class ReductionTests
{
    // [[1, 2, 3], [4, 5, 6]]
    private static Tensor M() => T.F64([1, 2, 3, 4, 5, 6], 2, 3);

    [Fact]
    public void Sum_and_mean_over_all_and_dims()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(21.0, M().Sum().Item());
        Assert.Equal(3.5, M().Mean().Item());
        Assert.Equal(new[] { 5.0, 7, 9 }, M().Sum(0).ToArray<double>());
        Assert.Equal(new[] { 6.0, 15 }, M().Sum(1).ToArray<double>());
        Assert.Equal(new long[] { 2, 1 }, M().Sum(1, keepdim: true).Shape);
        Assert.Equal(new long[] { 2 }, M().Sum(-1).Shape);
        Assert.Equal(new[] { 2.0, 5 }, M().Mean(1).ToArray<double>());
        Assert.Equal(new[] { 2.5, 3.5, 4.5 }, M().Mean(0).ToArray<double>());
        var cube = T.F64(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), 2, 3, 4);
        // sum over dims 0 and 2: for each j, sum_i sum_k (12 i + 4 j + k) = 2*4*4j + 4*12 + 2*6
        Assert.Equal(new[] { 60.0, 92, 124 }, cube.Sum([0, 2]).ToArray<double>());
        Assert.Equal(new long[] { 1, 3, 1 }, cube.Sum([0, 2], keepdim: true).Shape);
        Assert.Equal(new[] { 60.0 / 8, 92.0 / 8, 124.0 / 8 }, cube.Mean([0, 2]).ToArray<double>());
        Assert.Equal(new long[] { 1, 3, 1 }, cube.Mean([0, 2], keepdim: true).Shape);
    }

    [Fact]
    public void Prod_and_variance()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 6.0, 120 }, M().Prod(1).ToArray<double>());
        Assert.Equal(new long[] { 1, 3 }, M().Prod(0, keepdim: true).Shape);
        // values 1..6 in a row: mean 3.5, squared deviations sum 17.5
        var row = T.F64(1, 2, 3, 4, 5, 6);
        Approx.Equal(17.5 / 5, row.Var(0).Item(), 1e-15);
        Approx.Equal(17.5 / 6, row.Var(0, unbiased: false).Item(), 1e-15);
        Assert.Equal(new[] { 1.0, 1 }, M().Var(1).ToArray<double>());
        Assert.Equal(new long[] { 2, 1 }, M().Var(1, keepdim: true).Shape);
    }

    [Fact]
    public void Max_min_argmax_and_sort()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64([3, 9, 1, 7, 2, 8], 2, 3);
        Assert.Equal(9.0, x.Max().Item());
        Assert.Equal(1.0, x.Min().Item());
        var (values, indices) = x.Max(1);
        Assert.Equal(new[] { 9.0, 8 }, values.ToArray<double>());
        Assert.Equal(new long[] { 1, 2 }, indices.ToArray<long>());
        var (minValues, minIndices) = x.Min(0, keepdim: true);
        Assert.Equal(new long[] { 1, 3 }, minValues.Shape);
        Assert.Equal(new[] { 3.0, 2, 1 }, minValues.ToArray<double>());
        Assert.Equal(new long[] { 0, 1, 0 }, minIndices.ToArray<long>());
        Assert.Equal(new long[] { 1, 0, 1 }, x.ArgMax(0).ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, x.ArgMin(1).ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, x.ArgMin(1, keepdim: true).Shape);
        var (sorted, order) = x.Sort();
        Assert.Equal(new[] { 1.0, 3, 9, 2, 7, 8 }, sorted.ToArray<double>());
        Assert.Equal(new long[] { 2, 0, 1, 1, 0, 2 }, order.ToArray<long>());
        var (desc, descOrder) = x.Sort(0, descending: true);
        Assert.Equal(new[] { 7.0, 9, 8, 3, 2, 1 }, desc.ToArray<double>());
        Assert.Equal(new long[] { 1, 0, 1, 0, 1, 0 }, descOrder.ToArray<long>());
    }

    [Fact]
    public void LogSumExp_matches_doubles_and_is_stable()
    {
        using var scope = Torch.NewDisposeScope();
        double[] v = [0.3, -1.2, 2.5, 0.0, 1.1, -0.7];
        var x = T.F64(v, 2, 3);
        double Lse(IEnumerable<double> xs) => Math.Log(xs.Sum(Math.Exp));
        Approx.Equal(new[] { Lse(v[..3]), Lse(v[3..]) }, x.LogSumExp(1).ToArray<double>(), 1e-14);
        Approx.Equal(new[] { Lse([v[0], v[3]]), Lse([v[1], v[4]]), Lse([v[2], v[5]]) }, x.LogSumExp(0).ToArray<double>(), 1e-14);
        Approx.Equal(Lse(v), x.LogSumExp([0, 1]).Item(), 1e-14);
        Assert.Equal(new long[] { 2, 1 }, x.LogSumExp(1, keepdim: true).Shape);
        // exp(1000) overflows doubles; logsumexp subtracts the max first: 1000 + log(1 + e^{-0.5})
        var big = T.F64(1000, 999.5);
        Approx.Equal(1000 + Math.Log(1 + Math.Exp(-0.5)), big.LogSumExp(0).Item(), 1e-12);
        Approx.Equal(-1000 + Math.Log(2), T.F64(-1000, -1000).LogSumExp(0).Item(), 1e-12);
    }

    [Fact]
    public void CumSum_along_each_dim()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 1.0, 3, 6, 4, 9, 15 }, M().CumSum(1).ToArray<double>());
        Assert.Equal(new[] { 1.0, 2, 3, 5, 7, 9 }, M().CumSum(0).ToArray<double>());
        Assert.Equal(new long[] { 1, 3, 6 }, T.I64(1, 2, 3).CumSum(0).ToArray<long>());
    }
}
