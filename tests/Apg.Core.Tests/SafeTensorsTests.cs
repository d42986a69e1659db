using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Apg.Core.Data;

namespace Apg.Core.Tests;

/// <summary>
/// The safetensors reader and writer (Apg.Core.Data.SafeTensors) and the atomic write beneath it (AtomicFile): every
/// dtype round trips bit for bit, the file is the published layout, damaged files are errors that name the file.
/// </summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["f32"] = tensor(new[] { 1.5f, -0f, float.NaN, float.NegativeInfinity, 3e-39f, 7 }, [2, 3], ScalarType.Float32),
        ["f64"] = tensor(new[] { Math.PI, -1e300, double.Epsilon }, ScalarType.Float64),
        ["i64"] = tensor(new[] { long.MinValue, 0, long.MaxValue, -5 }, [2, 1, 2], ScalarType.Int64),
        ["bool"] = tensor(new[] { true, false, false, true }, ScalarType.Bool),
        ["u8"] = tensor(new byte[] { 0, 1, 128, 255 }, [2, 2], ScalarType.Byte),
        ["i32"] = tensor(new[] { int.MinValue, -1, int.MaxValue }, ScalarType.Int32),
        ["scalar"] = tensor(2.5, ScalarType.Float64),
        ["empty"] = zeros([0, 3], ScalarType.Float32),
    };

    private static readonly Dictionary<string, string> Meta = new() { ["format"] = "pt", ["note"] = "héllo \"quoted\"" };

    [Fact]
    public void Every_dtype_and_the_metadata_round_trip_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("all.safetensors");
        var sample = Sample();
        SafeTensors.Save(path, sample, Meta);
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.Equal(Meta, metadata);
        Assert.Equal(sample.Keys.Order(), tensors.Keys.Order());
        foreach (var (name, t) in sample)
        {
            Assert.Equal(t.dtype, tensors[name].dtype);
            Assert.Equal(t.shape, tensors[name].shape);
            Assert.Equal(T.Bits(t), T.Bits(tensors[name]));
        }
        Assert.Equal(new[] { true, false, false, true }, tensors["bool"].data<bool>().ToArray());
        Assert.Equal(new[] { int.MinValue, -1, int.MaxValue }, tensors["i32"].data<int>().ToArray());
        Assert.Empty(tensors["scalar"].shape);
    }

    [Fact]
    public void File_layout_is_the_published_format()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("layout.safetensors");
        SafeTensors.Save(path, Sample(), Meta);
        var bytes = File.ReadAllBytes(path);

        // 8-byte little-endian header length, then that many bytes of UTF-8 JSON
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.True(n > 0 && 8 + n <= bytes.Length);
        Assert.Equal(0, (8 + n) % 8); // data start aligned, as the reference writer pads with spaces
        var json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", json);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var data = bytes.AsSpan(8 + (int)n);

        Assert.Equal("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
        Assert.Equal("héllo \"quoted\"", root.GetProperty("__metadata__").GetProperty("note").GetString());

        // every tensor: dtype code, shape, and [begin, end) offsets into the data section holding its little-endian bytes
        var expected = new (string Name, string Dtype, long[] Shape, byte[] Bytes)[]
        {
            ("f32", "F32", [2, 3], new[] { 1.5f, -0f, float.NaN, float.NegativeInfinity, 3e-39f, 7 }.SelectMany(BitConverter.GetBytes).ToArray()),
            ("f64", "F64", [3], new[] { Math.PI, -1e300, double.Epsilon }.SelectMany(BitConverter.GetBytes).ToArray()),
            ("i64", "I64", [2, 1, 2], new[] { long.MinValue, 0, long.MaxValue, -5 }.SelectMany(BitConverter.GetBytes).ToArray()),
            ("bool", "BOOL", [4], [1, 0, 0, 1]),
            ("u8", "U8", [2, 2], [0, 1, 128, 255]),
            ("i32", "I32", [3], new[] { int.MinValue, -1, int.MaxValue }.SelectMany(BitConverter.GetBytes).ToArray()),
            ("scalar", "F64", [], BitConverter.GetBytes(2.5)),
            ("empty", "F32", [0, 3], []),
        };
        var ranges = new List<(long Begin, long End)>();
        foreach (var (name, dtype, shape, raw) in expected)
        {
            var entry = root.GetProperty(name);
            Assert.Equal(dtype, entry.GetProperty("dtype").GetString());
            Assert.Equal(shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray());
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            Assert.Equal(raw, data[(int)offsets[0]..(int)offsets[1]].ToArray());
            ranges.Add((offsets[0], offsets[1]));
        }
        Assert.Equal(expected.Length + 1, root.EnumerateObject().Count());
        // the ranges tile the data section exactly, with no gaps or overlaps
        var sorted = ranges.OrderBy(r => r.Begin).ThenBy(r => r.End).ToList();
        Assert.Equal(0, sorted[0].Begin);
        for (var i = 1; i < sorted.Count; i++) Assert.Equal(sorted[i - 1].End, sorted[i].Begin);
        Assert.Equal(data.Length, sorted[^1].End);
    }

    [Fact]
    public void Reads_a_file_written_by_hand_in_the_reference_layout()
    {
        using var scope = NewDisposeScope();
        // as Python's safetensors would write {"b": tensor([[1, 2]], dtype=int32), "a": tensor([0.5, -2.0])}
        var header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[8,16]},\"__metadata__\":{\"k\":\"v\"}}";
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var file = new List<byte>();
        file.AddRange(BitConverter.GetBytes((ulong)headerBytes.Length));
        file.AddRange(headerBytes);
        file.AddRange(new[] { 0.5f, -2f }.SelectMany(BitConverter.GetBytes));
        file.AddRange(new[] { 1, 2 }.SelectMany(BitConverter.GetBytes));
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, file.ToArray());

        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.Equal(new[] { 0.5f, -2f }, tensors["a"].data<float>().ToArray());
        Assert.Equal(new long[] { 1, 2 }, tensors["b"].shape);
        Assert.Equal(new[] { 1, 2 }, tensors["b"].data<int>().ToArray());
        Assert.Equal("v", metadata["k"]);
    }

    [Theory]
    [InlineData(3)]     // shorter than the header length field
    [InlineData(20)]    // inside the header
    [InlineData(-3)]    // last bytes of the data missing
    public void Truncated_file_names_the_file(int keep)
    {
        using var scope = NewDisposeScope();
        var path = dir.File($"truncated{keep}.safetensors");
        SafeTensors.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Corrupt_header_names_the_file()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("corrupt.safetensors");
        SafeTensors.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        // overwrite the start of the JSON with garbage
        Encoding.ASCII.GetBytes("{not json").CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt header", e.Message);

        // a huge header length
        var huge = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue - 5);
        File.WriteAllBytes(path, huge);
        Assert.Contains(path, Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path)).Message);

        // valid JSON with a wrong dtype, and offsets that disagree with the shape
        foreach (var header in new[]
                 {
                     "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                     "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                     "{\"a\":{\"dtype\":\"F32\",\"shape\":\"two\",\"data_offsets\":[0,8]}}",
                     "[1, 2]",
                 })
        {
            var h = Encoding.UTF8.GetBytes(header);
            File.WriteAllBytes(path, BitConverter.GetBytes((ulong)h.Length).Concat(h).Concat(new byte[8]).ToArray());
            var err = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
            Assert.Contains(path, err.Message);
        }
    }

    [Fact]
    public void Missing_file_is_FileNotFound()
    {
        var path = dir.File("nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void Writes_are_atomic_and_overwrite()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("sub/model.safetensors"); // the folder is created
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = T.F64(1, 2) });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["y"] = T.I64([7], 1) }, new Dictionary<string, string> { ["v"] = "2" });
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.Equal(new[] { "y" }, tensors.Keys);
        Assert.Equal(new long[] { 7 }, tensors["y"].data<long>().ToArray());
        Assert.Equal("2", metadata["v"]);
        // nothing but the target in the folder: no temporary file left behind
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));

        // a write that fails midway leaves the old file intact and no temporary behind
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Reserved_name_is_rejected()
    {
        using var scope = NewDisposeScope();
        var path = dir.File("reserved.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = T.F64(1) }));
        Assert.False(File.Exists(path));
    }
}
