using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Apg.Core.Methods.AdaptiveMcmc;

public enum McmcKernelChoice { Mala, Hmc }
public enum McmcAdaptation { SpeedMeasure, DualAveraging }

/// <summary>
/// A VAE refined by a short MCMC chain (Hirt et al. 2023), trained after VAE pre-training. Defaults are the authors':
/// latent 10, 2 x 200 hidden, 10 MCMC steps (2 leapfrog steps for HMC), VAE Adam 5e-4, kernel Adam 1e-3, target
/// acceptance 0.55 (MALA) or 0.65 (HMC).
/// </summary>
public sealed record McmcVaeConfig
{
    public McmcKernelChoice Kernel { get; init; } = McmcKernelChoice.Mala;
    public McmcAdaptation Adaptation { get; init; } = McmcAdaptation.SpeedMeasure;
    public PreconditionerKind Preconditioner { get; init; } = PreconditionerKind.Diagonal;
    public int Latent { get; init; } = 10;
    public long[] Hidden { get; init; } = [200, 200];
    public int McmcSteps { get; init; } = 10;
    public int LeapfrogSteps { get; init; } = 2;
    public double InitialStepSize { get; init; } = 0.05;
    public int BatchSize { get; init; } = 100;
    public double VaeLearningRate { get; init; } = 5e-4;
    public double KernelLearningRate { get; init; } = 1e-3;
    public int Steps { get; init; } = 10_000;
    public ulong Seed { get; init; }
    public int CheckpointEvery { get; init; } = 1000;
    public int LogEvery { get; init; } = 100;

    public double TargetAcceptance => Kernel == McmcKernelChoice.Mala ? SpeedMeasure.MalaTarget : SpeedMeasure.HmcTarget;

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, Json)!.AsObject();

    public static McmcVaeConfig FromJson(JsonNode node, string source)
    {
        try
        {
            return node.Deserialize<McmcVaeConfig>(Json) ?? throw new InvalidDataException($"{source}: empty config");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: malformed MCMC-VAE config at {e.Path}: {e.Message}", e);
        }
    }

    public string Identity() => (this with { Steps = 0, CheckpointEvery = 0, LogEvery = 0 }).ToJson().ToJsonString();

    public void Validate()
    {
        foreach (var (value, name) in new[] { (Latent, "latent size"), (McmcSteps, "MCMC steps"), (LeapfrogSteps, "leapfrog steps"),
                     (BatchSize, "batch size"), (Steps, "steps"), (CheckpointEvery, "checkpoint interval"), (LogEvery, "log interval") })
            if (value < 1) throw new ArgumentException($"{name} must be at least 1, got {value}");
        if (Hidden.Any(h => h < 1)) throw new ArgumentException("hidden widths must be at least 1");
        if (!(InitialStepSize > 0) || !(VaeLearningRate > 0) || !(KernelLearningRate > 0))
            throw new ArgumentException("the initial step size and both learning rates must be positive");
        if (Adaptation == McmcAdaptation.DualAveraging && Preconditioner == PreconditionerKind.Full)
            throw new ArgumentException("dual averaging adapts the step size only: use a diagonal (identity) preconditioner");
    }
}
