using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Apg.Core.Runtime;

namespace Apg.Core.Data;

/// <summary>A .npy file that cannot be read, with the file named.</summary>
public sealed class NpyFormatException(string path, string problem) : IOException($"{path}: not a readable .npy file: {problem}");

/// <summary>NumPy's .npy format (versions 1-3, C order, little-endian), the corpus format of the paper's code.</summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly Dictionary<string, ScalarType> Descriptors = new()
    {
        ["<f4"] = ScalarType.Float32, ["<f8"] = ScalarType.Float64, ["<i8"] = ScalarType.Int64,
        ["<i4"] = ScalarType.Int32, ["|b1"] = ScalarType.Bool, ["|u1"] = ScalarType.Byte,
    };

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrPattern();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex OrderPattern();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();

    /// <summary>Reads an array as a CPU tensor of its own dtype (owned by the current scope).</summary>
    public static Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such .npy file", path);
        // The data go straight from the file into the tensor: a corpus is read without a managed copy of it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = stream.Length;
        Span<byte> preamble = stackalloc byte[12];
        var got = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        if (got < 10 || !preamble[..6].SequenceEqual(Magic))
            throw new NpyFormatException(path, "it does not start with the .npy magic bytes");
        int major = preamble[6];
        int headerLength, headerStart;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]); headerStart = 10; }
        else if (major is 2 or 3 && got >= 12) { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]); headerStart = 12; }
        else throw new NpyFormatException(path, $"unsupported format version {major}");
        if (headerLength < 0 || headerStart + (long)headerLength > length)
            throw new NpyFormatException(path, $"truncated: the header claims {headerLength} bytes");
        var headerBytes = new byte[headerLength];
        stream.Position = headerStart;
        stream.ReadExactly(headerBytes);
        var header = Encoding.Latin1.GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var order = OrderPattern().Match(header);
        var shapeText = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeText.Success)
            throw new NpyFormatException(path, $"corrupt header '{header.Trim()}'");
        if (!Descriptors.TryGetValue(descr.Groups[1].Value, out var dtype))
            throw new NpyFormatException(path, $"element type '{descr.Groups[1].Value}' is not supported (use float32, float64, int64, int32, bool or uint8, little-endian)");
        if (order.Groups[1].Value == "True")
            throw new NpyFormatException(path, "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
        var shape = shapeText.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, out var v) && v >= 0 ? v : throw new NpyFormatException(path, $"corrupt shape '({shapeText.Groups[1].Value})'"))
            .ToArray();

        var dataStart = headerStart + (long)headerLength;
        var expected = shape.Aggregate(1L, (a, b) => a * b) * TensorBytes.ElementSize(dtype);
        var actual = length - dataStart;
        if (actual != expected)
            throw new NpyFormatException(path, $"{(actual < expected ? "truncated" : "trailing bytes")}: shape ({string.Join(", ", shape)}) of {descr.Groups[1].Value} needs {expected} data bytes, the file has {actual}");
        if (expected > int.MaxValue)
            throw new NpyFormatException(path, $"{expected} data bytes: arrays over 2 GB are not supported");
        var result = empty(shape, dtype);
        if (expected > 0) stream.ReadExactly(result.bytes);
        return result;
    }

    /// <summary>Writes a tensor as a version 1.0 .npy file, atomically.</summary>
    public static void Save(string path, Tensor tensor)
    {
        var descr = Descriptors.FirstOrDefault(kv => kv.Value == tensor.dtype).Key
                    ?? throw new ArgumentException($"dtype {tensor.dtype} cannot be saved as .npy here");
        var shape = tensor.shape;
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        var unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        using var scope = NewDisposeScope();
        var data = TensorBytes.InCpuOrder(tensor);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.WriteByte(1);
            stream.WriteByte(0);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(Encoding.Latin1.GetBytes(header));
            if (data.numel() > 0) stream.Write(data.bytes);
        });
    }
}
