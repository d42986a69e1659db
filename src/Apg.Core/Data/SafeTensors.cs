using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Apg.Core.Runtime;

namespace Apg.Core.Data;

/// <summary>A safetensors file that cannot be read: truncated, corrupt, or not safetensors at all.</summary>
public sealed class SafeTensorsFormatException(string path, string problem)
    : IOException($"{path}: not a valid safetensors file: {problem}")
{
    public string Path { get; } = path;
}

/// <summary>
/// The safetensors format (the PyTorch ecosystem's): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw row-major little-endian data.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<ScalarType, string> Names = new()
    {
        [ScalarType.Bool] = "BOOL", [ScalarType.Byte] = "U8", [ScalarType.Int32] = "I32",
        [ScalarType.Int64] = "I64", [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64",
    };

    /// <summary>Writes named tensors (sorted by name) and string metadata, atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor");
            if (!Names.TryGetValue(tensor.dtype, out var dtypeName))
                throw new ArgumentException($"tensor '{name}' has dtype {tensor.dtype}, which safetensors saving does not support here");
            var bytes = TensorBytes.Of(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = dtypeName,
                ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes.Length)),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // keeps the data 8-byte aligned, as the reference writer does
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var blob in blobs) stream.Write(blob);
        });
    }

    /// <summary>Reads every tensor (on the CPU, owned by the current scope) and the metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new SafeTensorsFormatException(path, $"truncated: {bytes.Length} bytes, shorter than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
            throw new SafeTensorsFormatException(path, $"corrupt header length {headerLength}");
        if ((long)headerLength > bytes.Length - 8)
            throw new SafeTensorsFormatException(path, $"truncated: the header claims {headerLength} bytes but only {bytes.Length - 8} follow");
        var dataStart = 8 + (int)headerLength;
        var data = bytes.AsSpan(dataStart);

        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject
                     ?? throw new SafeTensorsFormatException(path, "corrupt header: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"corrupt header: {e.Message}");
        }

        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        long covered = 0;
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    foreach (var (k, v) in node?.AsObject() ?? new JsonObject()) metadata[k] = v?.GetValue<string>() ?? "";
                    continue;
                }
                var entry = node as JsonObject ?? throw new SafeTensorsFormatException(path, $"tensor '{name}': entry is not an object");
                var dtypeName = entry["dtype"]?.GetValue<string>() ?? throw new SafeTensorsFormatException(path, $"tensor '{name}': no dtype");
                var dtype = Names.FirstOrDefault(kv => kv.Value == dtypeName).Key;
                if (!Names.ContainsKey(dtype) || Names[dtype] != dtypeName)
                    throw new SafeTensorsFormatException(path, $"tensor '{name}': unsupported dtype '{dtypeName}'");
                var shape = (entry["shape"] as JsonArray ?? throw new SafeTensorsFormatException(path, $"tensor '{name}': no shape"))
                    .Select(s => s!.GetValue<long>()).ToArray();
                if (shape.Any(s => s < 0)) throw new SafeTensorsFormatException(path, $"tensor '{name}': negative size in shape");
                var offsets = (entry["data_offsets"] as JsonArray ?? throw new SafeTensorsFormatException(path, $"tensor '{name}': no data_offsets"))
                    .Select(o => o!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new SafeTensorsFormatException(path, $"tensor '{name}': corrupt data_offsets");
                if (offsets[1] > data.Length)
                    throw new SafeTensorsFormatException(path,
                        $"truncated: tensor '{name}' needs bytes [{offsets[0]}, {offsets[1]}) but the data section holds {data.Length}");
                var numel = shape.Aggregate(1L, (a, b) => a * b);
                if ((offsets[1] - offsets[0]) != numel * TensorBytes.ElementSize(dtype))
                    throw new SafeTensorsFormatException(path,
                        $"tensor '{name}': {offsets[1] - offsets[0]} bytes for {dtypeName} of shape {Shapes.Format(shape)}");
                tensors[name] = TensorBytes.From(data.Slice((int)offsets[0], (int)(offsets[1] - offsets[0])), dtype, shape);
                covered = Math.Max(covered, offsets[1]);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new SafeTensorsFormatException(path, $"corrupt header: {e.Message}");
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        if (covered != data.Length)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new SafeTensorsFormatException(path, $"the data section holds {data.Length} bytes but the tensors cover {covered}");
        }
        return (tensors, metadata);
    }
}
