using Apg.Core.Training;
using System.Text.Json.Nodes;
using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

/// <summary>APG training on the GMM; the defaults are the paper's settings (section 6.2).</summary>
public sealed record GmmTrainingConfig : ApgTrainingConfig
{
    public GmmTrainingConfig()
    {
        (Sweeps, Particles, BatchSize, LearningRate, Beta1, Beta2) = (5, 10, 20, 2.5e-4, 0.9, 0.99);
        (Steps, CheckpointEvery, LogEvery) = (200_000, 1000, 100);
    }

    public BlockStrategy Blocks { get; init; } = BlockStrategy.Decomposed;
    public ResamplingScheme Resampling { get; init; } = ResamplingScheme.Systematic;

    public static GmmTrainingConfig FromJson(JsonNode node, string source) => Read<GmmTrainingConfig>(node, source);
}
