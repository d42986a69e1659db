namespace Apg.Bench;

/// <summary>
/// Whether a benchmarked training step measures its last sweep, as a logged step does (APG_BENCH_MEASURED=1), or not,
/// as the trainer's other steps run (the default): the difference is the statistics' extra log joint and host copy.
/// </summary>
public static class TrainingStepKind
{
    public static bool Measured { get; } = Environment.GetEnvironmentVariable("APG_BENCH_MEASURED") == "1";
}
