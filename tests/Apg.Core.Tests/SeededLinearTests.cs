using Apg.Core.NN;

namespace Apg.Core.Tests;

/// <summary>
/// SeededLinear: nn.Linear initialized from an explicit generator with PyTorch's rule, U(-1/sqrt(in), 1/sqrt(in)) for
/// the weight and then the bias.
/// </summary>
public class SeededLinearTests
{
    [Fact]
    public void Same_seed_same_weights_other_seed_other_weights()
    {
        using var scope = NewDisposeScope();
        using var a = SeededLinear.Create(6, 5, new Generator(3));
        using var b = SeededLinear.Create(6, 5, new Generator(3));
        using var c = SeededLinear.Create(6, 5, new Generator(4));
        Assert.Equal(T.Bits(a.weight!), T.Bits(b.weight!));
        Assert.Equal(T.Bits(a.bias!), T.Bits(b.bias!));
        Assert.NotEqual(T.Bits(a.weight!), T.Bits(c.weight!));
        Assert.NotEqual(T.Bits(a.bias!), T.Bits(c.bias!));

        // the documented draws: the weight, then the bias, uniform in +-1/sqrt(in) from the generator's stream
        using var g = new Generator(3);
        var bound = 1 / Math.Sqrt(6);
        var weight = empty([5, 6], ScalarType.Float32).uniform_(-bound, bound, g);
        var bias = empty([5], ScalarType.Float32).uniform_(-bound, bound, g);
        Assert.Equal(T.Bits(weight), T.Bits(a.weight!));
        Assert.Equal(T.Bits(bias), T.Bits(a.bias!));
    }

    [Fact]
    public void Weights_are_uniform_within_one_over_sqrt_in()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        using var lin = SeededLinear.Create(100, 50, g);
        var bound = 1 / Math.Sqrt(100);
        var w = T.D(lin.weight!);
        var b = T.D(lin.bias!);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        // it fills the range: U(-0.1, 0.1) over 5000 draws reaches past +-0.09 and has variance bound^2 / 3
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound);
        var variance = w.Select(v => v * v).Average();
        var z = (variance - bound * bound / 3) / Math.Sqrt((Math.Pow(bound, 4) / 5 - Math.Pow(bound * bound / 3, 2)) / w.Length);
        Assert.True(Math.Abs(z) < 4, $"weight variance {variance} vs {bound * bound / 3}, z = {z:F2}");
        Assert.Equal(ScalarType.Float32, lin.weight!.dtype);
        Assert.Equal(new long[] { 50, 100 }, lin.weight!.shape);
        Assert.Equal(new long[] { 50 }, lin.bias!.shape);
        Assert.All(lin.parameters(), p => Assert.True(p.requires_grad));

        using var noBias = SeededLinear.Create(4, 3, g, ScalarType.Float64, bias: false);
        Assert.True(noBias.bias is null);
        Assert.Equal(ScalarType.Float64, noBias.weight!.dtype);
        Assert.Single(noBias.parameters());
        Assert.All(T.D(noBias.weight!), v => Assert.InRange(v, -0.5, 0.5));
    }

    [Fact]
    public void Forward_is_x_w_transposed_plus_b()
    {
        using var scope = NewDisposeScope();
        using var lin = SeededLinear.Create(3, 2, new Generator(4), ScalarType.Float64);
        var x = T.F64([0.5, -1, 2, 1, 1, -3], 2, 3);
        var w = T.D(lin.weight!);
        var b = T.D(lin.bias!);
        var y = T.D(lin.forward(x));
        var xs = T.D(x);
        for (var n = 0; n < 2; n++)
            for (var o = 0; o < 2; o++)
                Approx.Equal(b[o] + Enumerable.Range(0, 3).Sum(i => xs[n * 3 + i] * w[o * 3 + i]), y[n * 2 + o], 1e-13);
    }
}
