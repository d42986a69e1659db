using Apg.Core.Training;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

/// <summary>
/// APG training on the DMM, proposals and decoder together (Eq. 7). Defaults are the paper's settings (section 6.3:
/// K = 8 sweeps, L = 10, 20 instances a batch, Adam 1e-4, 300,000 steps) and its noise scale 0.1; the authors'
/// training default noise scale is 0.5.
/// </summary>
public sealed record DmmTrainingConfig : ApgTrainingConfig
{
    public DmmTrainingConfig()
    {
        (Sweeps, Particles, BatchSize, LearningRate, Beta1, Beta2) = (8, 10, 20, 1e-4, 0.9, 0.99);
        (Steps, CheckpointEvery, LogEvery) = (300_000, 1000, 100);
    }

    public double NoiseScale { get; init; } = 0.1;
    public ResamplingScheme Resampling { get; init; } = ResamplingScheme.Systematic;

    [JsonIgnore] public DmmPrior Prior => DmmPrior.Paper with { NoiseScale = NoiseScale };

    public static DmmTrainingConfig FromJson(JsonNode node, string source) => Read<DmmTrainingConfig>(node, source);

    public override void Validate()
    {
        base.Validate();
        Prior.Validate();
    }
}
