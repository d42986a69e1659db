using Apg.Core.Training;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// APG (or, with one sweep, RWS) training of the bouncing-MNIST proposals and digit decoder together. Defaults are the
/// paper's (section 6.4: K = 5 sweeps, L = 10 particles, 5 videos a batch, Adam 1e-4 with the authors' betas 0.9, 0.99)
/// and the authors' model (D = 3 digits a training video, 96 x 96 frames, position random-walk scale 0.2).
/// </summary>
public sealed record BmnistTrainingConfig
{
    public int Sweeps { get; init; } = 5;
    public int Particles { get; init; } = 10;
    public int BatchSize { get; init; } = 5;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    public int Steps { get; init; } = 10_000;
    public ulong Seed { get; init; }
    public int DigitCount { get; init; } = 3;
    public int FrameSize { get; init; } = 96;
    public double StepScale { get; init; } = 0.2;
    public int CheckpointEvery { get; init; } = 500;
    public int LogEvery { get; init; } = 10;

    public BmnistPrior Prior => new(DigitCount: DigitCount, FrameSize: FrameSize, StepScale: StepScale);

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public JsonObject ToJson()
    {
        var o = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        o.Remove("prior");
        return o;
    }

    public static BmnistTrainingConfig FromJson(JsonNode node, string source)
    {
        try
        {
            return node.Deserialize<BmnistTrainingConfig>(Json) ?? throw new InvalidDataException($"{source}: empty training config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed bouncing-MNIST training config: {e.Message}", e);
        }
    }

    /// <summary>What must match for a checkpoint to be resumed: everything but how long and how often to log or save.</summary>
    public string Identity() => (this with { Steps = 0, CheckpointEvery = 0, LogEvery = 0 }).ToJson().ToJsonString();

    public void Validate()
    {
        ConfigChecks.AtLeastOne(Sweeps, "sweeps");
        ConfigChecks.AtLeastOne(Particles, "particles");
        ConfigChecks.AtLeastOne(BatchSize, "batch size");
        ConfigChecks.AtLeastOne(Steps, "steps");
        ConfigChecks.AtLeastOne(CheckpointEvery, "checkpoint interval");
        ConfigChecks.AtLeastOne(LogEvery, "log interval");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        Prior.Validate();
    }
}
