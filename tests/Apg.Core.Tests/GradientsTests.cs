using Apg.Core.Autograd;

namespace Apg.Core.Tests;

/// <summary>
/// Gradients.Of: torch.autograd.grad with zeros (not an abort) for an input the output does not use, and argument
/// errors as exceptions.
/// </summary>
public class GradientsTests
{
    [Fact]
    public void Matches_a_hand_computed_gradient_and_gives_zeros_for_an_unused_input()
    {
        using var scope = NewDisposeScope();
        // f(x, y) = sum(x^3 * y): df/dx = 3 x^2 y, df/dy = x^3; z is unused
        var x = T.F64(1, -2, 0.5).requires_grad_();
        var y = T.F64(2, 3, -4).requires_grad_();
        var z = T.F64([7, 8], 2, 1).requires_grad_();
        var f = (x.pow(3) * y).sum();
        var grads = Gradients.Of(f, [x, y, z]);
        Assert.Equal(3, grads.Length);
        Assert.Equal(new[] { 6.0, 36, -3 }, T.D(grads[0]));
        Assert.Equal(new[] { 1.0, -8, 0.125 }, T.D(grads[1]));
        Assert.Equal(new long[] { 2, 1 }, grads[2].shape);
        Assert.Equal(ScalarType.Float64, grads[2].dtype);
        Assert.Equal(new[] { 0.0, 0 }, T.D(grads[2]));
        Assert.True(x.grad is null);                                                    // functional grad does not accumulate
        Assert.False(grads[0].requires_grad);

        // an output with no graph at all (a constant) has zero gradients too
        var constant = T.F64(1, 2).sum();
        Assert.All(Gradients.Of(constant, [x, z]), g => Assert.All(T.D(g), v => Assert.Equal(0, v)));
    }

    [Fact]
    public void Create_graph_gives_second_derivatives()
    {
        using var scope = NewDisposeScope();
        var x = T.F64(1, 2, 3).requires_grad_();
        // the derivative of sum(x^3) is 3 x^2, and that of sum(3 x^2) is 6 x
        var g = Gradients.Of(x.pow(3).sum(), [x], createGraph: true)[0];
        Assert.True(g.requires_grad);
        Assert.Equal(new[] { 3.0, 12, 27 }, T.D(g));
        var h = Gradients.Of(g.sum(), [x])[0];
        Assert.Equal(new[] { 6.0, 12, 18 }, T.D(h));
    }

    [Fact]
    public void Bad_arguments_are_exceptions()
    {
        using var scope = NewDisposeScope();
        var x = T.F64(1, 2).requires_grad_();
        var vector = Assert.Throws<ArgumentException>(() => Gradients.Of(x * 2, [x]));
        Assert.Contains("[2]", vector.Message);
        var plain = T.F64(3, 4);
        var noGrad = Assert.Throws<ArgumentException>(() => Gradients.Of((x * plain).sum(), [x, plain]));
        Assert.Contains("input 1", noGrad.Message);
    }
}
