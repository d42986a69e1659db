using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch.NN;

public enum GridSampleMode { Bilinear = 0, Nearest = 1 }
public enum GridSamplePadding { Zeros = 0, Border = 1, Reflection = 2 }

/// <summary>torch.nn.functional in .NET casing.</summary>
public static unsafe class Functional
{
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Tensor.New(apg_linear(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero));

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, long groups = 1)
    {
        long* s = stackalloc long[] { stride, stride };
        long* p = stackalloc long[] { padding, padding };
        long* d = stackalloc long[] { dilation, dilation };
        return Tensor.New(apg_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, s, p, d, groups));
    }

    public static Tensor Softmax(Tensor input, long dim) => input.Softmax(dim);
    public static Tensor LogSoftmax(Tensor input, long dim) => input.LogSoftmax(dim);
    public static Tensor Relu(Tensor input) => input.Relu();
    public static Tensor Tanh(Tensor input) => input.Tanh();
    public static Tensor Sigmoid(Tensor input) => input.Sigmoid();
    public static Tensor Softplus(Tensor input, double beta = 1, double threshold = 20) => input.Softplus(beta, threshold);

    /// <summary>One-hot int64 encoding of an int64 tensor with numClasses classes in a new last dim.</summary>
    public static Tensor OneHot(Tensor input, long numClasses = -1) => Tensor.New(apg_one_hot(input.Handle, numClasses));

    /// <summary>Sampling grid for affine transforms theta [N, 2, 3] over an output of size [N, C, H, W].</summary>
    public static Tensor AffineGrid(Tensor theta, long[] size, bool alignCorners = false)
    {
        fixed (long* s = size) return Tensor.New(apg_affine_grid(theta.Handle, s, size.Length, alignCorners ? 1 : 0));
    }

    public static Tensor GridSample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear,
        GridSamplePadding padding = GridSamplePadding.Zeros, bool alignCorners = false) =>
        Tensor.New(apg_grid_sample(input.Handle, grid.Handle, (long)mode, (long)padding, alignCorners ? 1 : 0));

    public static Tensor Dropout(Tensor input, double p, bool training) => Tensor.New(apg_dropout(input.Handle, p, training ? 1 : 0));
}
