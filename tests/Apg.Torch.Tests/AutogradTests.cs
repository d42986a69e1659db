using Apg.Torch.Autograd;

namespace Apg.Torch.Tests;

public class AutogradTests
{
    [Fact]
    public void NoGrad_scope_turns_gradients_off_and_restores()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2).RequiresGrad_();
        Assert.True(Torch.IsGradEnabled);
        Assert.True((x * 2).RequiresGrad);
        using (Torch.NoGrad())
        {
            Assert.False(Torch.IsGradEnabled);
            var y = x * 2;
            Assert.False(y.RequiresGrad);
            using (Torch.EnableGrad())
            {
                Assert.True(Torch.IsGradEnabled);
                Assert.True((x * 2).RequiresGrad);
            }
            Assert.False(Torch.IsGradEnabled);
        }
        Assert.True(Torch.IsGradEnabled);
        Assert.False(x.Detach().RequiresGrad);
        Assert.False(T.F64(1).RequiresGrad);
    }

    [Fact]
    public void Grad_of_a_simple_function()
    {
        using var scope = Torch.NewDisposeScope();
        // f(x, y) = sum(x^3 * y): df/dx = 3 x^2 y, df/dy = x^3; z is unused
        var x = T.F64(1, -2, 0.5).RequiresGrad_();
        var y = T.F64(2, 3, -4).RequiresGrad_();
        var z = T.F64(7).RequiresGrad_();
        var f = (x.Pow(3) * y).Sum();
        var grads = AutogradFunctions.Grad([f], [x, y, z]);
        Assert.Equal(new[] { 6.0, 36, -3 }, grads[0]!.ToArray<double>());
        Assert.Equal(new[] { 1.0, -8, 0.125 }, grads[1]!.ToArray<double>());
        Assert.Null(grads[2]);
        Assert.Null(x.Grad); // functional grad does not accumulate
    }

    [Fact]
    public void Grad_with_grad_outputs_and_create_graph()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2, 3).RequiresGrad_();
        var y = x.Square();
        // vector-Jacobian product with v = [1, 10, 100]: 2 x v
        var vjp = AutogradFunctions.Grad([y], [x], [T.F64(1, 10, 100)], retainGraph: true)[0]!;
        Assert.Equal(new[] { 2.0, 40, 600 }, vjp.ToArray<double>());
        // second derivative of sum(x^3) is 6x
        var g = AutogradFunctions.Grad([x.Pow(3).Sum()], [x], createGraph: true)[0]!;
        Assert.True(g.RequiresGrad);
        Assert.Equal(new[] { 3.0, 12, 27 }, g.ToArray<double>());
        var h = AutogradFunctions.Grad([g.Sum()], [x])[0]!;
        Assert.Equal(new[] { 6.0, 12, 18 }, h.ToArray<double>());
        Assert.Throws<ArgumentException>(() => AutogradFunctions.Grad([y, y], [x], [T.F64(1, 1, 1)]));
    }

    [Fact]
    public void Backward_accumulates_into_leaves()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(1, 2).RequiresGrad_();
        Assert.Null(x.Grad);
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        Assert.Equal(new[] { 2.0, 4 }, x.Grad!.ToArray<double>());
        loss.Backward();
        Assert.Equal(new[] { 4.0, 8 }, x.Grad!.ToArray<double>());
        // a second backward through a freed graph is a libtorch error
        Assert.Throws<TorchException>(() => loss.Backward());
        x.Grad = null;
        Assert.Null(x.Grad);
        // backward of a non-scalar with an explicit gradient
        (x * 3).Backward(T.F64(1, -1));
        Assert.Equal(new[] { 3.0, -3 }, x.Grad!.ToArray<double>());
        x.Grad = T.F64(0.5, 0.5);
        Assert.Equal(new[] { 0.5, 0.5 }, x.Grad!.ToArray<double>());
        x.RequiresGrad = false;
        Assert.False(x.RequiresGrad);
    }
}
