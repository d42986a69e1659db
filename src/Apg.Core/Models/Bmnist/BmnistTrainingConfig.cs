using Apg.Core.Training;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// APG (or, with one sweep, RWS) training of the bouncing-MNIST proposals and digit decoder together. Defaults are the
/// paper's (section 6.4: K = 5 sweeps, L = 10 particles, 5 videos a batch, Adam 1e-4 with the authors' betas 0.9, 0.99)
/// and the authors' model (D = 3 digits a training video, 96 x 96 frames, position random-walk scale 0.2).
/// </summary>
public sealed record BmnistTrainingConfig : ApgTrainingConfig
{
    public BmnistTrainingConfig()
    {
        (Sweeps, Particles, BatchSize, LearningRate, Beta1, Beta2) = (5, 10, 5, 1e-4, 0.9, 0.99);
        (Steps, CheckpointEvery, LogEvery) = (10_000, 500, 10);
    }

    public int DigitCount { get; init; } = 3;
    public int FrameSize { get; init; } = 96;
    public double StepScale { get; init; } = 0.2;

    [JsonIgnore] public BmnistPrior Prior => new(DigitCount: DigitCount, FrameSize: FrameSize, StepScale: StepScale);

    public static BmnistTrainingConfig FromJson(JsonNode node, string source) => Read<BmnistTrainingConfig>(node, source);

    public override void Validate()
    {
        base.Validate();
        Prior.Validate();
    }
}
