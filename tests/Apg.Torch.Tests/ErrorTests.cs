using Apg.Torch.NN;

namespace Apg.Torch.Tests;

/// <summary>libtorch's errors surface as TorchException with its own text, and the process carries on.</summary>
public class ErrorTests
{
    [Fact]
    public void Matmul_shape_mismatch_carries_libtorch_message()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Ones([2, 3]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(Torch.Ones([2, 3])));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied", e.Message);
        Assert.Contains("2x3", e.Message);
        // the process and libtorch keep working
        Assert.Equal(new float[] { 3, 3, 3, 3 }, a.MatMul(Torch.Ones([3, 2])).ToArray<float>());
    }

    [Fact]
    public void Broadcast_mismatch_carries_libtorch_message()
    {
        using var scope = Torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => Torch.Ones([2]) + Torch.Ones([3]));
        Assert.Contains("size of tensor a (2) must match the size of tensor b (3)", e.Message);
        Assert.Equal(new float[] { 2, 2 }, (Torch.Ones([2]) + Torch.Ones([2])).ToArray<float>());
    }

    [Fact]
    public void Other_libtorch_errors_are_TorchExceptions()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Contains("invalid for input of size 6", Assert.Throws<TorchException>(() => Torch.Ones([2, 3]).View(4)).Message);
        Assert.Throws<TorchException>(() => Torch.Cat([Torch.Ones([2, 3]), Torch.Ones([2, 4])], 0));
        Assert.Throws<TorchException>(() => Torch.Ones([2]).Gather(0, T.I64(5)));
        Assert.Throws<TorchException>(() => Functional.Conv2d(Torch.Ones([1, 3, 4, 4]), Torch.Ones([2, 2, 3, 3])));
        Assert.Throws<TorchException>(() => Torch.Ones([2]).Item());
        Assert.Contains("only for scalar outputs", Assert.Throws<TorchException>(() => Torch.Ones([2]).RequiresGrad_().Mul(Torch.Ones([2])).Backward()).Message);
        Assert.Throws<TorchException>(() => Torch.Ones([2]).Backward()); // no grad_fn
        Assert.Throws<TorchException>(() => Torch.Ones([2]).Clamp());
    }

    [Fact]
    public void Error_messages_do_not_leak_between_calls()
    {
        using var scope = Torch.NewDisposeScope();
        var first = Assert.Throws<TorchException>(() => Torch.Ones([2]) + Torch.Ones([3]));
        var second = Assert.Throws<TorchException>(() => Torch.Ones([2, 3]).View(5));
        Assert.DoesNotContain("size of tensor a", second.Message);
        Assert.Contains("invalid for input of size 6", second.Message);
        Assert.NotEqual(first.Message, second.Message);
    }

    [Fact]
    public void Using_a_disposed_tensor_is_ObjectDisposed()
    {
        var t = Torch.Ones([2]);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t.Sum());
        Assert.Throws<ObjectDisposedException>(() => t.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Throws<ObjectDisposedException>(() => Torch.Ones([2]) + t);
        Tensor scoped;
        using (Torch.NewDisposeScope()) scoped = Torch.Ones([1]);
        Assert.Throws<ObjectDisposedException>(() => scoped.Item());
        var g = new Generator(1);
        g.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Torch.Rand([1], g));
        var lin = new Linear(2, 2, generator: new Generator(2));
        lin.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lin.Forward(Torch.Ones([1, 2])));
    }

    [Fact]
    public void ToArray_with_the_wrong_element_type_is_ArgumentException()
    {
        using var scope = Torch.NewDisposeScope();
        var d = Torch.Ones([2], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => d.ToArray<float>());
        Assert.Contains("Float64", e.Message);
        Assert.Throws<ArgumentException>(() => Torch.Ones([2], DType.Int64).ToArray<int>());
        Assert.Throws<ArgumentException>(() => Torch.Tensor(new short[] { 1 }));
        Assert.Equal(new[] { 1.0, 1 }, d.ToArray<double>()); // still usable
    }

    [Fact]
    public void Invalid_arguments_on_the_managed_side()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Torch.NumThreads = 0);
        Assert.True(Torch.NumThreads > 0);
        Assert.False(Torch.CudaIsAvailable && Torch.CudaDeviceCount == 0);
    }
}
