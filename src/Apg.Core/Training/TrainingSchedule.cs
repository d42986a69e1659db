using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Apg.Core.Training;

/// <summary>
/// What every training config holds: the optimizer's schedule (batch size, learning rate, steps, seed) and how often
/// to log and checkpoint, with their checks and one JSON form. A task's config derives from it and adds only its
/// own fields (and its defaults, set in its constructor).
/// </summary>
public abstract record TrainingSchedule
{
    public int BatchSize { get; init; } = 20;
    public double LearningRate { get; init; } = 1e-4;
    public int Steps { get; init; } = 1000;
    public ulong Seed { get; init; }
    public int CheckpointEvery { get; init; } = 1000;
    public int LogEvery { get; init; } = 100;

    /// <summary>snake_case names and kebab-case enums, as the run keys and checkpoint manifests store them.</summary>
    protected static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>The config as JSON (its runtime type's fields).</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, GetType(), JsonOptions)!.AsObject();

    /// <summary>What must match for a checkpoint to be resumed: everything but how long and how often to log or save.</summary>
    public string Identity() => (this with { Steps = 0, CheckpointEvery = 0, LogEvery = 0 }).ToJson().ToJsonString();

    /// <summary>Reads a config of type T; malformed JSON is an error naming the source and the field.</summary>
    protected static T Read<T>(JsonNode node, string source) where T : TrainingSchedule
    {
        try
        {
            return node.Deserialize<T>(JsonOptions) ?? throw new InvalidDataException($"{source}: empty training config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed training config at {e.Path}: {e.Message}", e);
        }
    }

    /// <summary>This config, of its own type, with each schedule field given replaced and the others kept: how a command
    /// line overrides a task's defaults.</summary>
    public TrainingSchedule WithSchedule(int? batchSize, double? learningRate, int? steps, ulong? seed, int? checkpointEvery, int? logEvery) =>
        this with
        {
            BatchSize = batchSize ?? BatchSize, LearningRate = learningRate ?? LearningRate, Steps = steps ?? Steps,
            Seed = seed ?? Seed, CheckpointEvery = checkpointEvery ?? CheckpointEvery, LogEvery = logEvery ?? LogEvery,
        };

    /// <summary>The schedule's checks; a task's config adds its own after them.</summary>
    public virtual void Validate()
    {
        ConfigChecks.AtLeastOne(BatchSize, "batch size");
        ConfigChecks.AtLeastOne(Steps, "steps");
        ConfigChecks.AtLeastOne(CheckpointEvery, "checkpoint interval");
        ConfigChecks.AtLeastOne(LogEvery, "log interval");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
    }
}

/// <summary>
/// Training by APG sweeps (Algorithm 2; with one sweep, RWS): K sweeps of L particles, Adam with its betas. A task
/// with no settings of its own trains with this record as it is.
/// </summary>
public record ApgTrainingConfig : TrainingSchedule
{
    public int Sweeps { get; init; } = 5;
    public int Particles { get; init; } = 10;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;

    public override void Validate()
    {
        ConfigChecks.AtLeastOne(Sweeps, "sweeps");
        ConfigChecks.AtLeastOne(Particles, "particles");
        base.Validate();
    }

    /// <summary>This config, of its own type, with the sweeps and particles given replaced and the others kept.</summary>
    public ApgTrainingConfig WithSweeps(int? sweeps, int? particles) =>
        this with { Sweeps = sweeps ?? Sweeps, Particles = particles ?? Particles };

    /// <summary>Reads the schedule of a saved config; malformed JSON is an error naming the source and the field.</summary>
    public static ApgTrainingConfig Parse(JsonNode node, string source) => Read<ApgTrainingConfig>(node, source);
}
