namespace Apg.Torch.Tests;

/// <summary>Unary and binary elementwise ops against closed forms computed in C# doubles.</summary>
public class ElementwiseTests
{
    private const double EulerGamma = 0.57721566490153286;

    private static double[] Apply(Func<Tensor, Tensor> op, params double[] x)
    {
        using var scope = Torch.NewDisposeScope();
        return op(T.F64(x)).ToArray<double>();
    }

    [Fact]
    public void Exponentials_and_logarithms()
    {
        Approx.Equal(new[] { 1, Math.E, 1 / Math.E }, Apply(t => t.Exp(), 0, 1, -1), 1e-15);
        Approx.Equal(new[] { 0, 1, Math.Log(0.25) }, Apply(t => t.Log(), 1, Math.E, 0.25), 1e-15);
        // log1p and expm1 keep precision near 0, where log(1 + x) would round to 0.
        Approx.Equal(new[] { 1e-17, Math.Log(2) }, Apply(t => t.Log1p(), 1e-17, 1), 1e-30);
        Approx.Equal(new[] { 1e-17, Math.E - 1 }, Apply(t => t.Expm1(), 1e-17, 1), 1e-15);
        Approx.Equal(new[] { 2, 0.5, 0 }, Apply(t => t.Sqrt(), 4, 0.25, 0), 0);
        Approx.Equal(new[] { 0.5, 2 }, Apply(t => t.Rsqrt(), 4, 0.25), 1e-15);
        Assert.True(double.IsNaN(Apply(t => t.Log(), -1)[0]));
        Assert.Equal(double.NegativeInfinity, Apply(t => t.Log(), 0)[0]);
    }

    [Fact]
    public void Powers_signs_and_reciprocals()
    {
        Approx.Equal(new[] { 9, 0.25, 4 }, Apply(t => t.Square(), 3, -0.5, -2), 0);
        Approx.Equal(new[] { 3, 0.5, 0 }, Apply(t => t.Abs(), -3, 0.5, 0), 0);
        Approx.Equal(new[] { -1.0, 1, 0 }, Apply(t => t.Sign(), -3, 0.5, 0), 0);
        Approx.Equal(new[] { -0.5, 4 }, Apply(t => t.Reciprocal(), -2, 0.25), 0);
        Approx.Equal(new[] { 8, -27, 0.125 }, Apply(t => t.Pow(3), 2, -3, 0.5), 1e-15);
        Approx.Equal(new[] { Math.Sqrt(2), 3 }, Apply(t => t.Pow(0.5), 2, 9), 1e-15);
        Approx.Equal(new[] { 8, Math.Sqrt(2), 1 }, Apply(t => t.Pow(T.F64(3, 0.5, 0)), 2, 2, 5), 1e-15);
        Approx.Equal(new[] { 2.0, -1.0 }, Apply(t => -t, -2, 1), 0);
    }

    [Fact]
    public void Trigonometric_and_squashing_functions()
    {
        Approx.Equal(new[] { 1.0, 0 }, Apply(t => t.Sin(), Math.PI / 2, 0), 1e-15);
        Approx.Equal(new[] { 1.0, -1 }, Apply(t => t.Cos(), 0, Math.PI), 1e-15);
        // tanh(x) = (e^{2x} - 1) / (e^{2x} + 1)
        Approx.Equal(new[] { 0, (Math.E - 1) / (Math.E + 1), -(Math.E - 1) / (Math.E + 1) }, Apply(t => t.Tanh(), 0, 0.5, -0.5), 1e-15);
        // sigmoid(log 3) = 3 / 4
        Approx.Equal(new[] { 0.5, 0.75, 0.25 }, Apply(t => t.Sigmoid(), 0, Math.Log(3), -Math.Log(3)), 1e-15);
        Approx.Equal(new[] { 0, 0, 2.5 }, Apply(t => t.Relu(), -1, 0, 2.5), 0);
        Approx.Equal(new[] { -0.2, 3 }, Apply(t => t.LeakyRelu(0.1), -2, 3), 1e-15);
        Approx.Equal(new[] { 2 * (Math.Exp(-1) - 1), 3 }, Apply(t => t.Elu(2), -1, 3), 1e-15);
    }

    [Fact]
    public void Softplus_closed_form_with_beta_and_threshold()
    {
        Approx.Equal(new[] { Math.Log(2), Math.Log(1 + Math.E), Math.Log(1 + Math.Exp(-3)) }, Apply(t => t.Softplus(), 0, 1, -3), 1e-15);
        // (1/beta) log(1 + exp(beta x))
        Approx.Equal(new[] { Math.Log(2) / 2, Math.Log(1 + Math.Exp(2)) / 2 }, Apply(t => t.Softplus(beta: 2), 0, 1), 1e-15);
        // above threshold/beta softplus returns x itself (exactly)
        Assert.Equal(new[] { 30.0, 5.0 }, Apply(t => t.Softplus(threshold: 4), 30, 5));
        Approx.Equal(Math.Log(1 + Math.Exp(3.9)), Apply(t => t.Softplus(threshold: 4), 3.9)[0], 1e-14);
    }

    [Fact]
    public void Lgamma_and_digamma_closed_forms()
    {
        // lgamma(5) = log 4!, lgamma(1/2) = log sqrt(pi), lgamma(1) = lgamma(2) = 0
        Approx.Equal(new[] { Math.Log(24), 0.5 * Math.Log(Math.PI), 0, 0, Math.Log(120) }, Apply(t => t.Lgamma(), 5, 0.5, 1, 2, 6), 1e-13);
        // digamma(1) = -gamma, digamma(2) = 1 - gamma, digamma(1/2) = -gamma - 2 log 2, digamma(n) = H_{n-1} - gamma
        Approx.Equal(new[] { -EulerGamma, 1 - EulerGamma, -EulerGamma - 2 * Math.Log(2), 1 + 1 / 2.0 + 1 / 3.0 - EulerGamma },
            Apply(t => t.Digamma(), 1, 2, 0.5, 4), 1e-13);
        using var scope = Torch.NewDisposeScope();
        Approx.Equal(-0.5772156649, Torch.Tensor(new[] { 1f }).Digamma().ToArray<float>()[0], 1e-6);
    }

    [Fact]
    public void Rounding_and_classification()
    {
        Assert.Equal(new[] { 1.0, -2, 2 }, Apply(t => t.Floor(), 1.5, -1.5, 2));
        Assert.Equal(new[] { 2.0, -1, 2 }, Apply(t => t.Ceil(), 1.5, -1.5, 2));
        // libtorch rounds half to even
        Assert.Equal(new[] { 2.0, 4, -2, 3 }, Apply(t => t.Round(), 2.5, 3.5, -2.5, 2.6));
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, double.NaN, double.PositiveInfinity, double.NegativeInfinity);
        Assert.Equal(new[] { false, true, false, false }, x.IsNan().ToArray<bool>());
        Assert.Equal(new[] { false, false, true, true }, x.IsInf().ToArray<bool>());
        Assert.Equal(new[] { true, false, false, false }, x.IsFinite().ToArray<bool>());
    }

    [Fact]
    public void Binary_arithmetic_broadcasts()
    {
        using var scope = Torch.NewDisposeScope();
        var col = T.F64([1, 2], 2, 1);
        var row = T.F64(10, 20, 30);
        Assert.Equal(new[] { 11.0, 21, 31, 12, 22, 32 }, (col + row).ToArray<double>());
        Assert.Equal(new long[] { 2, 3 }, (col + row).Shape);
        Assert.Equal(new[] { -9.0, -19, -29, -8, -18, -28 }, (col - row).ToArray<double>());
        Assert.Equal(new[] { 10.0, 20, 30, 20, 40, 60 }, (col * row).ToArray<double>());
        Approx.Equal(new[] { 0.1, 0.05, 1 / 30.0, 0.2, 0.1, 2 / 30.0 }, (col / row).ToArray<double>(), 1e-16);
        Assert.Equal(new[] { 3.0, 1 }, T.F64(3, -1).Maximum(T.F64(2, 1)).ToArray<double>());
        Assert.Equal(new[] { 2.0, -1 }, T.F64(3, -1).Minimum(T.F64(2, 1)).ToArray<double>());
        // Python semantics: the remainder takes the divisor's sign, floor division rounds down
        Assert.Equal(new[] { 1.0, -1, 1 }, T.F64(-3, 3, 7).Remainder(T.F64(2, -2, 3)).ToArray<double>());
        Assert.Equal(new[] { 1.0, 1.5 }, (T.F64(-3, 5.5) % 2).ToArray<double>());
        Assert.Equal(new long[] { -4, 3 }, T.I64(-7, 7).FloorDivide(T.I64(2, 2)).ToArray<long>());
    }

    [Fact]
    public void Scalar_operators_on_both_sides()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2, 4);
        Assert.Equal(new[] { 3.0, 4, 6 }, (x + 2).ToArray<double>());
        Assert.Equal(new[] { 3.0, 4, 6 }, (2 + x).ToArray<double>());
        Assert.Equal(new[] { -1.0, 0, 2 }, (x - 2).ToArray<double>());
        Assert.Equal(new[] { 1.0, 0, -2 }, (2 - x).ToArray<double>());
        Assert.Equal(new[] { 3.0, 6, 12 }, (x * 3).ToArray<double>());
        Assert.Equal(new[] { 3.0, 6, 12 }, (3 * x).ToArray<double>());
        Assert.Equal(new[] { 0.5, 1, 2 }, (x / 2).ToArray<double>());
        Assert.Equal(new[] { 4.0, 2, 1 }, (4 / x).ToArray<double>());
    }

    [Fact]
    public void Comparisons_and_logic_give_bool()
    {
        using var scope = Torch.NewDisposeScope();
        var a = T.F64(1, 2, 3);
        var b = T.F64(3, 2, 1);
        Assert.Equal(DType.Bool, (a < b).DType);
        Assert.Equal(new[] { true, false, false }, (a < b).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, (a <= b).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, (a > b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, (a >= b).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, a.Eq(b).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, a.Ne(b).ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, (a > 1.5).ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, (a <= 2).ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, (a < 2).ToArray<bool>());
        Assert.Equal(new[] { false, false, true }, (a >= 3).ToArray<bool>());
        Assert.Equal(new[] { false, true, false }, a.Eq(2).ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, a.Ne(2).ToArray<bool>());
        var p = Torch.Tensor(new[] { true, true, false, false });
        var q = Torch.Tensor(new[] { true, false, true, false });
        Assert.Equal(new[] { true, false, false, false }, (p & q).ToArray<bool>());
        Assert.Equal(new[] { true, true, true, false }, (p | q).ToArray<bool>());
        Assert.Equal(new[] { false, true, true, false }, p.LogicalXor(q).ToArray<bool>());
        Assert.Equal(new[] { false, false, true, true }, (!p).ToArray<bool>());
        Assert.True(p.Any().ToArray<bool>()[0]);
        Assert.False(p.All().ToArray<bool>()[0]);
    }

    [Fact]
    public void Clamp_where_and_masked_fill()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(-2, 0.5, 3);
        Assert.Equal(new[] { -1.0, 0.5, 1 }, x.Clamp(-1, 1).ToArray<double>());
        Assert.Equal(new[] { 0.0, 0.5, 3 }, x.ClampMin(0).ToArray<double>());
        Assert.Equal(new[] { -2.0, 0.5, 2 }, x.ClampMax(2).ToArray<double>());
        var cond = Torch.Tensor(new[] { true, false, true });
        Assert.Equal(new[] { -2.0, 20, 3 }, Torch.Where(cond, x, T.F64(10, 20, 30)).ToArray<double>());
        Assert.Equal(new[] { 9.0, 0.5, 9 }, x.MaskedFill(cond, 9).ToArray<double>());
        Assert.True(x.AllClose(T.F64(-2, 0.5 + 1e-9, 3)));
        Assert.False(x.AllClose(T.F64(-2, 0.6, 3)));
    }

    [Fact]
    public void In_place_updates()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2);
        Assert.Same(x, x.Add_(T.F64(1, 1)));
        Assert.Equal(new[] { 2.0, 3 }, x.ToArray<double>());
        x.Add_(T.F64(1, 2), alpha: -2);           // x - 2 * [1, 2]
        Assert.Equal(new[] { 0.0, -1 }, x.ToArray<double>());
        x.Add_(0.5).Mul_(2);                         // (x + 0.5) * 2
        Assert.Equal(new[] { 1.0, -1 }, x.ToArray<double>());
        x.Sub_(T.F64(1, 1)).Mul_(T.F64(3, 4));       // (x - 1) * [3, 4]
        Assert.Equal(new[] { 0.0, -8 }, x.ToArray<double>());
        x.Div_(T.F64(1, 2));
        Assert.Equal(new[] { 0.0, -4 }, x.ToArray<double>());
        x.Addcmul_(T.F64(2, 3), T.F64(5, 7), 0.5);  // x + 0.5 * a * b
        Assert.Equal(new[] { 5.0, 6.5 }, x.ToArray<double>());
        x.Addcdiv_(T.F64(1, 3), T.F64(4, 2), -2);   // x - 2 * a / b
        Assert.Equal(new[] { 4.5, 3.5 }, x.ToArray<double>());
        x.Clamp_(4, 4.2);
        Assert.Equal(new[] { 4.2, 4 }, x.ToArray<double>());
    }
}
