using System.Runtime.InteropServices;
using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

/// <summary>Tensor creation, sampling and runtime settings: PyTorch's torch.* in .NET casing.</summary>
public static unsafe class Torch
{
    // ---- creation
    public static Tensor Tensor<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = DTypeExtensions.OfElement<T>();
        long numel = 1;
        foreach (var s in shape) numel *= s;
        if (shape.Length == 0 && data.Length != 1 || shape.Length > 0 && numel != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill a tensor of shape {Apg.Torch.Tensor.FormatShape(shape)}");
        fixed (T* p = data)
        fixed (long* s = shape)
            return Apg.Torch.Tensor.New(apg_from_data(p, s, shape.Length, (int)dtype));
    }

    public static Tensor Tensor<T>(T[] data) where T : unmanaged => Tensor<T>(data, data.Length);
    public static Tensor Tensor<T>(T[] data, params long[] shape) where T : unmanaged => Tensor<T>(data.AsSpan(), shape);

    public static Tensor Tensor<T>(T[,] data) where T : unmanaged =>
        Tensor<T>(MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], data.Length), data.GetLength(0), data.GetLength(1));

    public static Tensor Tensor<T>(T[,,] data) where T : unmanaged =>
        Tensor<T>(MemoryMarshal.CreateReadOnlySpan(ref data[0, 0, 0], data.Length), data.GetLength(0), data.GetLength(1), data.GetLength(2));

    /// <summary>A tensor from raw little-endian row-major bytes of the given dtype.</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, params long[] shape)
    {
        long numel = 1;
        foreach (var s in shape) numel *= s;
        if (numel * dtype.ElementSize() != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes cannot fill a {dtype} tensor of shape {Apg.Torch.Tensor.FormatShape(shape)}");
        if (numel == 0) return Zeros(shape, dtype);
        fixed (byte* p = bytes)
        fixed (long* s = shape)
            return Apg.Torch.Tensor.New(apg_from_data(p, s, shape.Length, (int)dtype));
    }

    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Apg.Torch.Tensor.New(apg_scalar_tensor(value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Apg.Torch.Tensor.New(apg_empty(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Apg.Torch.Tensor.New(apg_zeros(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Apg.Torch.Tensor.New(apg_ones(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Apg.Torch.Tensor.New(apg_full(s, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType, t.Device);
    public static Tensor OnesLike(Tensor t) => Ones(t.Shape, t.DType, t.Device);
    public static Tensor FullLike(Tensor t, double value) => Full(t.Shape, value, t.DType, t.Device);

    public static Tensor Arange(double end, DType dtype = DType.Int64, Device? device = null) => Arange(0, end, 1, dtype, device);

    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Apg.Torch.Tensor.New(apg_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Eye(long n, long? m = null, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Apg.Torch.Tensor.New(apg_eye(n, m ?? n, (int)dtype, (int)d.Type, d.Index));
    }

    // ---- joins and selection
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    private static Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        Span<IntPtr> handles = tensors.Count <= 64 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        for (var i = 0; i < tensors.Count; i++) handles[i] = tensors[i].Handle;
        fixed (IntPtr* h = handles)
            return Apg.Torch.Tensor.New(stack ? apg_stack(h, tensors.Count, dim) : apg_cat(h, tensors.Count, dim));
    }

    public static Tensor Where(Tensor condition, Tensor a, Tensor b) =>
        Apg.Torch.Tensor.New(apg_where(condition.Handle, a.Handle, b.Handle));

    public static Tensor SearchSorted(Tensor sorted, Tensor values, bool right = false) =>
        Apg.Torch.Tensor.New(apg_searchsorted(sorted.Handle, values.Handle, right ? 1 : 0));

    // ---- sampling; a null generator means libtorch's default one (seeded by ManualSeed)
    public static Tensor Rand(long[] shape, Generator? generator, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? generator?.Device ?? Device.Cpu;
        fixed (long* s = shape)
            return Apg.Torch.Tensor.New(apg_rand(s, shape.Length, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Randn(long[] shape, Generator? generator, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? generator?.Device ?? Device.Cpu;
        fixed (long* s = shape)
            return Apg.Torch.Tensor.New(apg_randn(s, shape.Length, Generator.HandleOf(generator), (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor RandInt(long low, long high, long[] shape, Generator? generator, Device? device = null)
    {
        var d = device ?? generator?.Device ?? Device.Cpu;
        fixed (long* s = shape)
            return Apg.Torch.Tensor.New(apg_randint(low, high, s, shape.Length, Generator.HandleOf(generator), (int)d.Type, d.Index));
    }

    public static Tensor RandPerm(long n, Generator? generator, Device? device = null)
    {
        var d = device ?? generator?.Device ?? Device.Cpu;
        return Apg.Torch.Tensor.New(apg_randperm(n, Generator.HandleOf(generator), (int)d.Type, d.Index));
    }

    /// <summary>Draws Normal(mean, std) elementwise (mean and std broadcast to a common shape).</summary>
    public static Tensor Normal(Tensor mean, Tensor std, Generator? generator) =>
        Apg.Torch.Tensor.New(apg_normal(mean.Handle, std.Handle, Generator.HandleOf(generator)));

    /// <summary>Gamma(alpha, 1) draws; differentiable in alpha (implicit reparameterization).</summary>
    public static Tensor StandardGamma(Tensor alpha, Generator? generator) =>
        Apg.Torch.Tensor.New(apg_standard_gamma(alpha.Handle, Generator.HandleOf(generator)));

    public static Tensor Bernoulli(Tensor probs, Generator? generator) =>
        Apg.Torch.Tensor.New(apg_bernoulli(probs.Handle, Generator.HandleOf(generator)));

    /// <summary>Indices drawn from the (unnormalized) rows of probs; shape [..., numSamples].</summary>
    public static Tensor Multinomial(Tensor probs, long numSamples, bool replacement, Generator? generator) =>
        Apg.Torch.Tensor.New(apg_multinomial(probs.Handle, numSamples, replacement ? 1 : 0, Generator.HandleOf(generator)));

    public static Tensor Uniform_(Tensor t, double low, double high, Generator? generator)
    {
        Apg.Torch.Tensor.Check(apg_uniform_(t.Handle, low, high, Generator.HandleOf(generator)));
        return t;
    }

    public static Tensor Normal_(Tensor t, double mean, double std, Generator? generator)
    {
        Apg.Torch.Tensor.Check(apg_normal_(t.Handle, mean, std, Generator.HandleOf(generator)));
        return t;
    }

    public static void ManualSeed(ulong seed) => apg_manual_seed(seed);

    // ---- scopes and runtime
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Gradients off until disposed (PyTorch's torch.no_grad()).</summary>
    public static GradModeScope NoGrad() => new(false);
    public static GradModeScope EnableGrad() => new(true);
    public static bool IsGradEnabled => apg_is_grad_enabled() != 0;

    public static int NumThreads
    {
        get => apg_get_num_threads();
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be positive");
            apg_set_num_threads(value);
        }
    }

    /// <summary>Pins OpenBLAS's own thread pool; false where the BLAS is not OpenBLAS.</summary>
    public static bool SetBlasThreads(int n) => apg_set_blas_threads(n) != 0;

    public static string Version => Marshal.PtrToStringUTF8(apg_torch_version()) ?? "?";

    public static string BlasInfo
    {
        get
        {
            var buf = new byte[512];
            fixed (byte* p = buf) apg_blas_info(p, buf.Length);
            return System.Text.Encoding.UTF8.GetString(buf, 0, Array.IndexOf(buf, (byte)0));
        }
    }

    public static bool CudaIsAvailable => apg_cuda_is_available() != 0;
    public static int CudaDeviceCount => apg_cuda_device_count();

    /// <summary>The device named by APG_DEVICE (cpu, cuda, cuda:N), else cuda when available, else cpu.</summary>
    public static Device DefaultDevice()
    {
        var text = Environment.GetEnvironmentVariable("APG_DEVICE");
        if (!string.IsNullOrWhiteSpace(text)) return Device.Parse(text);
        return CudaIsAvailable ? Device.Cuda : Device.Cpu;
    }
}

/// <summary>Sets the grad mode for its lifetime, then restores the previous one.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool previous;

    internal GradModeScope(bool enabled)
    {
        previous = apg_is_grad_enabled() != 0;
        apg_set_grad_enabled(enabled ? 1 : 0);
    }

    public void Dispose() => apg_set_grad_enabled(previous ? 1 : 0);
}
