using Apg.Core.Training;
using System.Text.Json.Nodes;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>Which inference model a run trains: the standard encoder (with the decoder: a VAE) or the iterative model
/// (on a trained, frozen decoder, so that both are compared under one generative model).</summary>
public enum IaiMode { Standard, Iterative }

/// <summary>
/// Training of a VAE on binarized MNIST digits with either inference model. Defaults are Marino et al.'s MNIST set-up
/// (latent 64, 2 x 512 ELU, batch 64, Adam 2e-4, 5 inference iterations, 10 samples when iterative).
/// </summary>
public sealed record IaiTrainingConfig : TrainingSchedule
{
    public IaiTrainingConfig() => (BatchSize, LearningRate, Steps, CheckpointEvery, LogEvery) = (64, 2e-4, 100_000, 1000, 100);

    public IaiMode Mode { get; init; } = IaiMode.Standard;
    public int Latent { get; init; } = 64;
    public long[] Hidden { get; init; } = [512, 512];
    public int Iterations { get; init; } = 5;
    public int Samples { get; init; } = 10;

    public static IaiTrainingConfig FromJson(JsonNode node, string source) => Read<IaiTrainingConfig>(node, source);

    public override void Validate()
    {
        ConfigChecks.AtLeastOne(Latent, "latent size");
        foreach (var h in Hidden) ConfigChecks.AtLeastOne(h, "hidden width");
        ConfigChecks.AtLeastOne(Iterations, "inference iterations");
        ConfigChecks.AtLeastOne(Samples, "samples");
        base.Validate();
    }
}
