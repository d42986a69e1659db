namespace Apg.Core.Training;

/// <summary>The checks every training config's Validate makes, with one wording.</summary>
public static class ConfigChecks
{
    /// <summary>A count that must be at least 1 (sweeps, particles, steps, intervals, sizes).</summary>
    public static void AtLeastOne(long value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be at least 1, got {value}");
    }
}
