using Apg.Core.Training;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

/// <summary>
/// APG training on the DMM, proposals and decoder together (Eq. 7). Defaults are the paper's settings (section 6.3:
/// K = 8 sweeps, L = 10, 20 instances a batch, Adam 1e-4, 300,000 steps) and its noise scale 0.1; the authors'
/// training default noise scale is 0.5.
/// </summary>
public sealed record DmmTrainingConfig
{
    public int Sweeps { get; init; } = 8;
    public int Particles { get; init; } = 10;
    public int BatchSize { get; init; } = 20;
    public double LearningRate { get; init; } = 1e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    public int Steps { get; init; } = 300_000;
    public ulong Seed { get; init; }
    public double NoiseScale { get; init; } = 0.1;
    public ResamplingScheme Resampling { get; init; } = ResamplingScheme.Systematic;
    public int CheckpointEvery { get; init; } = 1000;
    public int LogEvery { get; init; } = 100;

    public DmmPrior Prior => DmmPrior.Paper with { NoiseScale = NoiseScale };

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public JsonObject ToJson()
    {
        var o = JsonSerializer.SerializeToNode(this, Json)!.AsObject();
        o.Remove("prior");
        return o;
    }

    public static DmmTrainingConfig FromJson(JsonNode node, string source) =>
        node.Deserialize<DmmTrainingConfig>(Json) ?? throw new InvalidDataException($"{source}: empty training config");

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
