using System.Text.Json;
using System.Text.Json.Nodes;
using Apg.Core.Data;

namespace Apg.Core.Training;

/// <summary>
/// A training checkpoint: one safetensors file holding the weights, the optimizer state and the generator state,
/// with the manifest (config, seed, step, metrics, git commit) in its metadata, so one atomic rename publishes
/// all of it. manifest.json beside it is a readable copy.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "checkpoint.safetensors";
    public const string ManifestFile = "manifest.json";
    private const string ManifestKey = "manifest";

    public static void Save(string directory, IReadOnlyDictionary<string, Tensor> tensors, JsonObject manifest)
    {
        Directory.CreateDirectory(directory);
        var text = manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        SafeTensors.Save(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { [ManifestKey] = text });
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestFile), text + "\n");
    }

    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, WeightsFile));

    /// <summary>Reads a checkpoint; a missing, truncated or corrupt one is an error naming the file.</summary>
    public static (Dictionary<string, Tensor> Tensors, JsonObject Manifest) Load(string directory)
    {
        var path = Path.Combine(directory, WeightsFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{directory}: no checkpoint here (expected {WeightsFile}); train one with `./apg <task> train --out {directory}`", path);
        var (tensors, metadata) = SafeTensors.Load(path);
        if (!metadata.TryGetValue(ManifestKey, out var text))
            throw new SafeTensorsFormatException(path, "no manifest in its metadata: not an Apg checkpoint");
        try
        {
            return (tensors, JsonNode.Parse(text)?.AsObject() ?? throw new SafeTensorsFormatException(path, "empty manifest"));
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"corrupt manifest: {e.Message}");
        }
    }

    /// <summary>The tensors under a prefix ("networks."), with the prefix removed.</summary>
    public static Dictionary<string, Tensor> Under(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    public static Dictionary<string, Tensor> Prefixed(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.ToDictionary(kv => prefix + kv.Key, kv => kv.Value);
}
