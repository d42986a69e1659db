using Apg.Core.Training;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>Which inference model a run trains: the standard encoder (with the decoder: a VAE) or the iterative model
/// (on a trained, frozen decoder, so that both are compared under one generative model).</summary>
public enum IaiMode { Standard, Iterative }

/// <summary>
/// Training of a VAE on binarized MNIST digits with either inference model. Defaults are Marino et al.'s MNIST set-up
/// (latent 64, 2 x 512 ELU, batch 64, Adam 2e-4, 5 inference iterations, 10 samples when iterative).
/// </summary>
public sealed record IaiTrainingConfig
{
    public IaiMode Mode { get; init; } = IaiMode.Standard;
    public int Latent { get; init; } = 64;
    public long[] Hidden { get; init; } = [512, 512];
    public int Iterations { get; init; } = 5;
    public int Samples { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-4;
    public int Steps { get; init; } = 100_000;
    public ulong Seed { get; init; }
    public int CheckpointEvery { get; init; } = 1000;
    public int LogEvery { get; init; } = 100;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, Json)!.AsObject();

    public static IaiTrainingConfig FromJson(JsonNode node, string source)
    {
        try
        {
            return node.Deserialize<IaiTrainingConfig>(Json) ?? throw new InvalidDataException($"{source}: empty training config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed training config at {e.Path}: {e.Message}", e);
        }
    }

    /// <summary>What must match for a checkpoint to be resumed: everything but how long and how often to log or save.</summary>
    public string Identity() => (this with { Steps = 0, CheckpointEvery = 0, LogEvery = 0 }).ToJson().ToJsonString();

    public void Validate()
    {
        ConfigChecks.AtLeastOne(Latent, "latent size");
        foreach (var h in Hidden) ConfigChecks.AtLeastOne(h, "hidden width");
        ConfigChecks.AtLeastOne(Iterations, "inference iterations");
        ConfigChecks.AtLeastOne(Samples, "samples");
        ConfigChecks.AtLeastOne(BatchSize, "batch size");
        ConfigChecks.AtLeastOne(Steps, "steps");
        ConfigChecks.AtLeastOne(CheckpointEvery, "checkpoint interval");
        ConfigChecks.AtLeastOne(LogEvery, "log interval");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
    }
}
