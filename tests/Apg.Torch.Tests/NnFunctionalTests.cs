using Apg.Torch.NN;
using F = Apg.Torch.NN.Functional;

namespace Apg.Torch.Tests;

public class NnFunctionalTests
{
    [Fact]
    public void Linear_is_x_times_w_transposed_plus_b()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64([1, 2, 3, 4, 5, 6], 2, 3);
        var w = T.F64([1, 0, -1, 0.5, 0.5, 0.5], 2, 3);
        Assert.Equal(new[] { 8.0, 23, 8, 27.5 }, F.Linear(x, w, T.F64(10, 20)).ToArray<double>());
        Assert.Equal(new[] { -2.0, 3, -2, 7.5 }, F.Linear(x, w).ToArray<double>());
    }

    // channel 0 doubles along rows and columns; channel 1 is a diagonal
    private static Tensor ConvInput() => T.F64([1, 2, 4, 8, 16, 32, 64, 128, 256, 1, 0, 0, 0, 2, 0, 0, 0, 3], 1, 2, 3, 3);

    [Fact]
    public void Conv2d_with_groups_by_hand()
    {
        using var scope = Torch.NewDisposeScope();
        // groups = 2: output channel c sees only input channel c.
        // w0 = [[1, 0], [0, -1]]: out = x[i, j] - x[i+1, j+1] -> [1-16, 2-32, 8-128, 16-256]
        // w1 = [[1, 2], [3, 4]] over the diagonal: [1*1+4*2, 3*2, 2*2, 1*2+4*3] = [9, 6, 4, 14]
        var w = T.F64([1, 0, 0, -1, 1, 2, 3, 4], 2, 1, 2, 2);
        var y = F.Conv2d(ConvInput(), w, T.F64(0.5, -1), groups: 2);
        Assert.Equal(new long[] { 1, 2, 2, 2 }, y.Shape);
        Assert.Equal(new[] { -14.5, -29.5, -119.5, -239.5, 8, 5, 3, 13 }, y.ToArray<double>());
        // groups = 1 with the same kernels as one output channel sums the two channels
        var y1 = F.Conv2d(ConvInput(), w.View(1, 2, 2, 2));
        Assert.Equal(new[] { -6.0, -24, -116, -226 }, y1.ToArray<double>());
    }

    [Fact]
    public void Conv2d_padding_and_stride_by_hand()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64([1, 2, 3, 4], 1, 1, 2, 2);
        var ones = Torch.Ones([1, 1, 3, 3], DType.Float64);
        // with padding 1 every 3x3 window covers the whole 2x2 image
        Assert.Equal(new[] { 10.0, 10, 10, 10 }, F.Conv2d(x, ones, padding: 1).ToArray<double>());
        Assert.Equal(new long[] { 1, 1, 1, 1 }, F.Conv2d(x, ones, padding: 1, stride: 2).Shape);
        // a 1x1 kernel with dilation is the identity scaled
        Assert.Equal(new[] { 3.0, 6, 9, 12 }, F.Conv2d(x, T.F64([3], 1, 1, 1, 1), dilation: 2).ToArray<double>());
    }

    /// <summary>Direct loops of the definition of cross-correlation, with groups, stride, padding and dilation.</summary>
    private static double[] ReferenceConv(double[] x, int c, int h, int w, double[] k, int outC, int kh, int kw, double[] b,
        int stride, int pad, int dil, int groups, out int oh, out int ow)
    {
        oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
        ow = (w + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        var cinPerGroup = c / groups;
        var coutPerGroup = outC / groups;
        var y = new double[outC * oh * ow];
        for (var o = 0; o < outC; o++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            var sum = b[o];
            var g = o / coutPerGroup;
            for (var ci = 0; ci < cinPerGroup; ci++)
            for (var u = 0; u < kh; u++)
            for (var v = 0; v < kw; v++)
            {
                int r = i * stride - pad + u * dil, s = j * stride - pad + v * dil;
                if (r < 0 || r >= h || s < 0 || s >= w) continue;
                sum += x[((g * cinPerGroup + ci) * h + r) * w + s] * k[((o * cinPerGroup + ci) * kh + u) * kw + v];
            }
            y[(o * oh + i) * ow + j] = sum;
        }
        return y;
    }

    [Theory]
    [InlineData(1, 0, 1, 1)]
    [InlineData(2, 1, 1, 2)]
    [InlineData(1, 2, 2, 4)]
    [InlineData(2, 1, 2, 2)]
    public void Conv2d_matches_reference_loops(int stride, int pad, int dil, int groups)
    {
        using var scope = Torch.NewDisposeScope();
        const int c = 4, h = 6, w = 5, outC = 4, kh = 3, kw = 2;
        var x = T.Uniform([1, c, h, w], -1, 1, seed: 3);
        var k = T.Uniform([outC, c / groups, kh, kw], -1, 1, seed: 4);
        var b = T.Uniform([outC], -1, 1, seed: 5);
        var expected = ReferenceConv(x.ToArray<double>(), c, h, w, k.ToArray<double>(), outC, kh, kw, b.ToArray<double>(),
            stride, pad, dil, groups, out var oh, out var ow);
        var y = F.Conv2d(x, k, b, stride, pad, dil, groups);
        Assert.Equal(new long[] { 1, outC, oh, ow }, y.Shape);
        Approx.Equal(expected, y.ToArray<double>(), 1e-13);
    }

    [Fact]
    public void Softmax_and_log_softmax()
    {
        using var scope = Torch.NewDisposeScope();
        double[] v = [1, 2, 3, -1, 0, 4];
        var x = T.F64(v, 2, 3);
        var expected = new double[6];
        for (var r = 0; r < 2; r++)
        {
            var z = Enumerable.Range(0, 3).Sum(j => Math.Exp(v[r * 3 + j]));
            for (var j = 0; j < 3; j++) expected[r * 3 + j] = Math.Exp(v[r * 3 + j]) / z;
        }
        Approx.Equal(expected, F.Softmax(x, 1).ToArray<double>(), 1e-15);
        Approx.Equal(expected.Select(v => Math.Log(v)).ToArray(), F.LogSoftmax(x, -1).ToArray<double>(), 1e-14);
        Approx.Equal(expected, new Softmax(1).Forward(x).ToArray<double>(), 1e-15);
        // over dim 0 each column sums to one
        Approx.Equal(new[] { 1.0, 1, 1 }, x.Softmax(0).Sum(0).ToArray<double>(), 1e-15);
        // stable for large logits
        Approx.Equal(new[] { 1 / (1 + Math.Exp(-1)), 1 / (1 + Math.E) }, T.F64(1001, 1000).Softmax(0).ToArray<double>(), 1e-15);
    }

    [Fact]
    public void Activation_modules_and_functional_aliases()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(-1, 0.5);
        Assert.Equal(new[] { 0.0, 0.5 }, new ReLU().Forward(x).ToArray<double>());
        Assert.Equal(new[] { 0.0, 0.5 }, F.Relu(x).ToArray<double>());
        Approx.Equal(new[] { Math.Tanh(-1), Math.Tanh(0.5) }, new Tanh().Forward(x).ToArray<double>(), 1e-15);
        Approx.Equal(new[] { Math.Tanh(-1), Math.Tanh(0.5) }, F.Tanh(x).ToArray<double>(), 1e-15);
        Approx.Equal(new[] { 1 / (1 + Math.E), 1 / (1 + Math.Exp(-0.5)) }, new Sigmoid().Call(x).ToArray<double>(), 1e-15);
        Approx.Equal(new[] { 1 / (1 + Math.E), 1 / (1 + Math.Exp(-0.5)) }, F.Sigmoid(x).ToArray<double>(), 1e-15);
        Approx.Equal(new[] { Math.Log(1 + Math.Exp(-2)) / 2, Math.Log(1 + Math.E) / 2 }, new Softplus(beta: 2).Forward(x).ToArray<double>(), 1e-15);
        Approx.Equal(new[] { Math.Log(1 + Math.Exp(-1)), Math.Log(1 + Math.Exp(0.5)) }, F.Softplus(x).ToArray<double>(), 1e-15);
    }

    [Fact]
    public void One_hot()
    {
        using var scope = Torch.NewDisposeScope();
        var y = F.OneHot(T.I64(0, 2, 1), 4);
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal(new long[] { 3, 4 }, y.Shape);
        Assert.Equal(new long[] { 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0 }, y.ToArray<long>());
        // numClasses inferred as max + 1, extra dims kept
        var z = F.OneHot(T.I64([1, 0, 2, 2], 2, 2));
        Assert.Equal(new long[] { 2, 2, 3 }, z.Shape);
        Assert.Equal(new long[] { 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1 }, z.ToArray<long>());
    }

    [Fact]
    public void Dropout_extremes()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2, 3, 4);
        Assert.Equal(x.ToArray<double>(), F.Dropout(x, 0.5, training: false).ToArray<double>());
        Assert.Equal(x.ToArray<double>(), F.Dropout(x, 0, training: true).ToArray<double>());
        Assert.Equal(new double[4], F.Dropout(x, 1, training: true).ToArray<double>());
        // kept elements are scaled by 1 / (1 - p)
        var d = F.Dropout(Torch.Ones([1000], DType.Float64), 0.5, training: true).ToArray<double>();
        Assert.All(d, v => Assert.True(v == 0 || v == 2));
        Assert.Contains(0.0, d);
        Assert.Contains(2.0, d);
    }
}
