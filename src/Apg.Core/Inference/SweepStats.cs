namespace Apg.Core.Inference;

/// <summary>
/// What one sweep left behind, per instance: the mean over particles of log p(x, z), its importance-weighted
/// mean, and ESS / L of the current weights. Sweep 1 is the one-shot proposal.
/// </summary>
public sealed record SweepStats(int Sweep, double[] MeanLogJoint, double[] WeightedLogJoint, double[] EssFraction)
{
    /// <summary>The stats of particles with log joints [L, B] and log weights [L, B].</summary>
    public static SweepStats Measure(int sweep, Tensor logJoint, Tensor logWeights)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var joint = logJoint.detach().to(ScalarType.Float64);
        return new SweepStats(sweep, joint.mean([0]).data<double>().ToArray(),
            (Weights.Normalized(logWeights).to(ScalarType.Float64) * joint).sum(0L).data<double>().ToArray(),
            Weights.EffectiveSampleFraction(logWeights).to(ScalarType.Float64).data<double>().ToArray());
    }
}
