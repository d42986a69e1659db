using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

/// <summary>
/// A libtorch tensor. Freed when disposed, when its dispose scope ends, or, only as a last resort, by
/// the finalizer. Operations return new tensors owned by the current scope.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private IntPtr handle;

    internal Tensor(IntPtr handle)
    {
        this.handle = handle;
        Scope = DisposeScope.Current;
        Scope?.Register(this);
    }

    ~Tensor() => Free();

    internal DisposeScope? Scope { get; private set; }

    internal IntPtr Handle =>
        handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Tensor), "this tensor was disposed (by its dispose scope, or explicitly)");

    public bool IsDisposed => handle == IntPtr.Zero;

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) apg_free(h);
    }

    /// <summary>Hands this tensor to the enclosing scope (or to no scope), so it outlives the current one.</summary>
    public Tensor MoveToOuterScope()
    {
        Scope = Scope?.Outer;
        Scope?.Register(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller disposes it.</summary>
    public Tensor DetachFromScope()
    {
        Scope = null;
        return this;
    }

    // ---- error plumbing
    internal static IntPtr Check(IntPtr result)
    {
        if (result == IntPtr.Zero) throw LastError();
        return result;
    }

    internal static void Check(int status)
    {
        if (status < 0) throw LastError();
    }

    internal static TorchException LastError() =>
        new(Marshal.PtrToStringUTF8(apg_last_error()) ?? "unknown libtorch error");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor New(IntPtr result) => new(Check(result));

    // ---- metadata
    public long Dim => apg_dim(Handle);
    public long NumEl => apg_numel(Handle);
    public DType DType => (DType)apg_dtype(Handle);
    public Device Device => new((DeviceType)apg_device_type(Handle), apg_device_index(Handle));
    public bool IsContiguous => apg_is_contiguous(Handle) != 0;

    public unsafe long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* p = shape) Check(apg_sizes(Handle, p));
            return shape;
        }
    }

    public long Size(long dim)
    {
        var shape = Shape;
        var d = dim < 0 ? dim + shape.Length : dim;
        if (d < 0 || d >= shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), $"dim {dim} is out of range for a tensor of shape {FormatShape(shape)}");
        return shape[d];
    }

    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    // ---- data
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        if (DTypeExtensions.OfElement<T>() != DType)
            throw new ArgumentException($"ToArray<{typeof(T).Name}> on a tensor of dtype {DType}: convert with To(DType) first");
        var result = new T[NumEl];
        fixed (T* p = result) Check(apg_copy_to(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Copies the elements, in row-major order, into raw bytes (for serialization).</summary>
    public unsafe byte[] ToBytes()
    {
        var result = new byte[NumEl * DType.ElementSize()];
        fixed (byte* p = result) Check(apg_copy_to(Handle, p, result.Length));
        return result;
    }

    public unsafe double Item()
    {
        double value;
        Check(apg_item_double(Handle, &value));
        return value;
    }

    public unsafe long ItemLong()
    {
        long value;
        Check(apg_item_long(Handle, &value));
        return value;
    }

    public Tensor To(DType dtype) => New(apg_to_dtype(Handle, (int)dtype));
    public Tensor To(Device device) => New(apg_to_device(Handle, (int)device.Type, device.Index));
    public Tensor Clone() => New(apg_clone(Handle));
    public Tensor Contiguous() => New(apg_contiguous(Handle));
    /// <summary>Another handle to the same tensor, owned by the current scope.</summary>
    public Tensor Alias() => New(apg_alias(Handle));

    public Tensor CopyFrom(Tensor source) { Check(apg_copy_(Handle, source.Handle)); return this; }
    public Tensor Zero_() { Check(apg_zero_(Handle)); return this; }
    public Tensor Fill_(double value) { Check(apg_fill_(Handle, value)); return this; }

    public override unsafe string ToString()
    {
        if (IsDisposed) return "Tensor(disposed)";
        var buf = new byte[256];
        fixed (byte* p = buf) Check(apg_to_string(Handle, p, buf.Length));
        return "Tensor(" + Encoding.UTF8.GetString(buf, 0, Array.IndexOf(buf, (byte)0)) + ")";
    }
}
