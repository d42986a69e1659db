using Apg.Torch.Autograd;

namespace Apg.Core.Tests;

using Torch = Apg.Torch.Torch;

/// <summary>
/// Activations.LogSoftmax / Softmax (x - logsumexp) against libtorch's log_softmax / softmax. In float32 both round
/// once per element and once in the logsumexp, so they differ by a few ulps of max(|x|, |logsumexp|): with |x| &lt; 15
/// and M = 3 those are below 17, where an ulp is at most 2^-19 (about 2e-6), and 8 ulps = 1.5e-5 bounds the log
/// difference (and the relative difference of the probabilities). A wrong normalization (over the wrong dim, or a missing logsumexp) is off by O(1).
/// </summary>
public class ActivationsTests
{
    private static Tensor Inputs(DType dtype, ulong seed)
    {
        using var g = new Generator(seed);
        // [4, 5, 3]: a short last dim as in the GMM (M = 3 clusters), values in (-15, 15)
        return (Torch.Rand([4, 5, 3], g, DType.Float64) * 30 - 15).To(dtype);
    }

    [Fact]
    public void Float32_values_equal_libtorch_to_rounding()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Inputs(DType.Float32, 31);
        var tol = 8 * Math.Pow(2, -19);
        var expected = T.D(x.LogSoftmax(-1));
        var actual = T.D(Activations.LogSoftmax(x));
        for (var i = 0; i < expected.Length; i++) Approx.Equal(expected[i], actual[i], tol);
        var p = T.D(x.Softmax(-1));
        var q = T.D(Activations.Softmax(x));
        for (var i = 0; i < p.Length; i++) Approx.Equal(p[i], q[i], tol * p[i] + 1e-30);
        // rows are normalized
        Assert.All(T.D(Activations.Softmax(x).Sum(-1)), s => Approx.Equal(1, s, 1e-6));
    }

    [Fact]
    public void Float64_values_and_infinite_entries()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Inputs(DType.Float64, 32);
        var expected = T.D(x.LogSoftmax(-1));
        var actual = T.D(Activations.LogSoftmax(x));
        for (var i = 0; i < expected.Length; i++) Approx.Equal(expected[i], actual[i], 1e-13);
        // a -inf logit is a zero probability, as in libtorch
        var withInf = T.F64([0.5, double.NegativeInfinity, -1], 1, 3);
        Assert.Equal(T.D(withInf.Softmax(-1)), T.D(Activations.Softmax(withInf)));
        Assert.True(double.IsNegativeInfinity(T.D(Activations.LogSoftmax(withInf))[1]));
    }

    [Fact]
    public void Gradients_pass_gradcheck_and_equal_libtorch()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Inputs(DType.Float64, 33) / 5;
        var logSoftmax = GradCheck.Check(xs => Activations.LogSoftmax(xs[0]), [x]);
        Assert.True(logSoftmax.Passed, logSoftmax.Detail);
        var softmax = GradCheck.Check(xs => Activations.Softmax(xs[0]), [x]);
        Assert.True(softmax.Passed, softmax.Detail);

        // the same vector-Jacobian products as libtorch's own ops, to float64 rounding
        using var g = new Generator(34);
        var w = Torch.Randn(x.Shape, g, DType.Float64);
        foreach (var (ours, theirs) in new (Func<Tensor, Tensor>, Func<Tensor, Tensor>)[]
                 { (Activations.LogSoftmax, t => t.LogSoftmax(-1)), (Activations.Softmax, t => t.Softmax(-1)) })
        {
            var a = x.Detach().RequiresGrad_();
            var b = x.Detach().RequiresGrad_();
            var ga = AutogradFunctions.Grad([(ours(a) * w).Sum()], [a])[0]!;
            var gb = AutogradFunctions.Grad([(theirs(b) * w).Sum()], [b])[0]!;
            var da = T.D(ga);
            var db = T.D(gb);
            for (var i = 0; i < da.Length; i++) Approx.Equal(db[i], da[i], 1e-12);
        }
    }
}
