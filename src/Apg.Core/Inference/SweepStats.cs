namespace Apg.Core.Inference;

/// <summary>
/// What one sweep left behind, per instance: the mean over particles of log p(x, z), its importance-weighted
/// mean, and ESS / L of the current weights. Sweep 1 is the one-shot proposal.
/// </summary>
public sealed record SweepStats(int Sweep, double[] MeanLogJoint, double[] WeightedLogJoint, double[] EssFraction);
