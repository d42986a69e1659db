using Apg.Torch.NN;

namespace Apg.Torch.Tests;

public class DisposeScopeTests
{
    [Fact]
    public void Tensors_created_in_a_scope_are_disposed_at_its_end()
    {
        Tensor a, b;
        using (var scope = Torch.NewDisposeScope())
        {
            Assert.Same(scope, DisposeScope.Current);
            a = Torch.Ones([3]);
            b = a * 2 + 1;                      // intermediates count too
            Assert.Equal(3, scope.Count);
            Assert.False(b.IsDisposed);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.Equal("Tensor(disposed)", a.ToString());
    }

    [Fact]
    public void MoveToOuterScope_keeps_a_tensor_until_the_outer_scope_ends()
    {
        Tensor kept, dropped;
        using (var outer = Torch.NewDisposeScope())
        {
            using (Torch.NewDisposeScope())
            {
                kept = Torch.Full([2], 5).MoveToOuterScope();
                dropped = Torch.Full([2], 6);
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(new float[] { 5, 5 }, kept.ToArray<float>());
            Assert.Same(outer, DisposeScope.Current);
        }
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void DetachFromScope_leaves_disposal_to_the_caller()
    {
        Tensor t;
        using (Torch.NewDisposeScope())
        using (Torch.NewDisposeScope())
            t = Torch.Full([2], 3).DetachFromScope();
        Assert.False(t.IsDisposed);
        Assert.Equal(new float[] { 3, 3 }, t.ToArray<float>());
        t.Dispose();
        Assert.True(t.IsDisposed);
        t.Dispose(); // twice is harmless
    }

    [Fact]
    public void Moving_out_of_the_outermost_scope_means_no_scope()
    {
        Tensor t;
        using (Torch.NewDisposeScope())
            t = Torch.Ones([1]).MoveToOuterScope();
        Assert.False(t.IsDisposed);
        t.Dispose();
    }

    [Fact]
    public void Disposing_a_tensor_early_is_fine_and_tensors_outside_scopes_live_on()
    {
        var free = Torch.Ones([2]);
        using (var scope = Torch.NewDisposeScope())
        {
            var x = Torch.Ones([2]);
            x.Dispose();
            Assert.True(x.IsDisposed);
            _ = free + free;
        }
        Assert.False(free.IsDisposed);
        free.Dispose();
    }

    [Fact]
    public void Module_parameters_outlive_the_scope_they_were_created_in()
    {
        Linear lin;
        using var g = new Generator(1);
        using (Torch.NewDisposeScope())
            lin = new Linear(2, 2, generator: g);
        Assert.False(lin.Weight.IsDisposed);
        Assert.False(lin.Bias!.IsDisposed);
        lin.Dispose();
        Assert.True(lin.Weight.IsDisposed);
    }

    [Fact]
    public void Scopes_must_end_in_reverse_order_and_can_then_be_unwound()
    {
        var before = DisposeScope.Current;
        var outer = Torch.NewDisposeScope();
        var inner = Torch.NewDisposeScope();
        var t = Torch.Ones([1]);
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        Assert.Same(inner, DisposeScope.Current);
        // unwinding in the right order still works after the failed attempt
        inner.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Same(outer, DisposeScope.Current);
        outer.Dispose();
        Assert.Same(before, DisposeScope.Current);
    }

    [Fact]
    public void Scopes_are_per_thread()
    {
        using var scope = Torch.NewDisposeScope();
        Tensor? other = null;
        DisposeScope? seen = scope;
        var thread = new Thread(() =>
        {
            seen = DisposeScope.Current;
            other = Torch.Ones([1]);
        });
        thread.Start();
        thread.Join();
        Assert.Null(seen);
        Assert.Equal(0, scope.Count);
        Assert.False(other!.IsDisposed);
        other.Dispose();
    }
}
