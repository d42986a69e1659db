using Apg.Core.Runtime;

namespace Apg.Core.Data;

/// <summary>Tensors to and from raw little-endian row-major bytes, for the file formats we read and write.</summary>
public static class TensorBytes
{
    public static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new ArgumentException($"dtype {dtype} has no fixed element size here"),
    };

    /// <summary>A CPU tensor of the given dtype and shape filled from bytes (copied).</summary>
    public static Tensor From(ReadOnlySpan<byte> bytes, ScalarType dtype, long[] shape)
    {
        var numel = shape.Aggregate(1L, (a, b) => a * b);
        if (numel * ElementSize(dtype) != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes cannot fill a {dtype} tensor of shape {Shapes.Format(shape)}");
        var result = empty(shape, dtype);
        if (numel > 0) bytes.CopyTo(result.bytes);
        return result;
    }

    /// <summary>The tensor detached, on the CPU and contiguous: its .bytes are its values in row-major order.</summary>
    public static Tensor InCpuOrder(Tensor tensor) => tensor.detach().cpu().contiguous();

    /// <summary>The tensor's values as bytes (copied to the CPU and made contiguous first).</summary>
    public static byte[] Of(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = InCpuOrder(tensor);
        return cpu.numel() == 0 ? [] : cpu.bytes.ToArray();
    }
}
