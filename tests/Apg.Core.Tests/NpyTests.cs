using Apg.Core.Data;

namespace Apg.Core.Tests;


/// <summary>The .npy reader and writer: round trips bit for bit; damaged files are errors that name the file.</summary>
public sealed class NpyTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    public static TheoryData<string> Kinds => new() { "f32", "f64", "i64", "scalar", "vector", "empty" };

    private static Tensor Sample(string kind) => kind switch
    {
        "f32" => T.F32([1.5f, -0f, float.NaN, float.NegativeInfinity, 3e-39f, 7, 1e30f, -2.25f, 0.1f, 9, 10, 11], 3, 4),
        "f64" => T.F64([Math.PI, -1e300, double.Epsilon, 0.1, 2, 3, -0.5, 1e-310, 4, 5, 6, 7], 2, 3, 2),
        "i64" => T.I64([long.MinValue, 0, long.MaxValue, -5, 42], 5),
        "scalar" => tensor(2.5, ScalarType.Float64),
        "vector" => T.F32([4f], 1),
        "empty" => zeros([0, 3], ScalarType.Float64),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Round_trip_is_bit_exact(string kind)
    {
        using var scope = NewDisposeScope();
        var path = dir.File(kind + ".npy");
        var t = Sample(kind);
        Npy.Save(path, t);
        var back = Npy.Load(path);
        Assert.Equal(t.dtype, back.dtype);
        Assert.Equal(t.shape, back.shape);
        Assert.Equal(T.Bits(t), T.Bits(back));
        // version 1.0 header padded so the data starts on a 64-byte boundary, as NumPy writes it
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, (10 + BitConverter.ToUInt16(bytes, 8)) % 64);
    }

    [Fact]
    public void Truncated_data_names_the_file()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("cut.npy");
        Npy.Save(path, Sample("f64"));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.Throws<NpyFormatException>(() => Npy.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("(2, 3, 2)", e.Message);

        File.WriteAllBytes(path, bytes[..40]);                                          // inside the header
        var h = Assert.Throws<NpyFormatException>(() => Npy.Load(path));
        Assert.Contains(path, h.Message);
        Assert.Contains("truncated", h.Message);

        File.WriteAllBytes(path, [.. bytes, 0, 0, 0, 0, 0, 0, 0, 0]);                   // and the other way
        Assert.Contains("trailing bytes", Assert.Throws<NpyFormatException>(() => Npy.Load(path)).Message);
    }

    [Fact]
    public void Not_an_npy_file_and_unsupported_types_name_the_file()
    {
        var text = dir.File("text.npy");
        File.WriteAllText(text, "x,y\n1,2\n");
        var e = Assert.Throws<NpyFormatException>(() => Npy.Load(text));
        Assert.Contains(text, e.Message);
        Assert.Contains("magic", e.Message);

        // a big-endian float64 header written by hand
        var big = dir.File("big.npy");
        var header = "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }";
        header += new string(' ', 64 - (10 + header.Length + 1) % 64) + "\n";
        using (var s = File.Create(big))
        {
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            s.Write(BitConverter.GetBytes((ushort)header.Length));
            s.Write(System.Text.Encoding.Latin1.GetBytes(header));
            s.Write(new byte[8]);
        }
        var b = Assert.Throws<NpyFormatException>(() => Npy.Load(big));
        Assert.Contains(big, b.Message);
        Assert.Contains(">f8", b.Message);
    }
}
