using Apg.Torch;

namespace Apg.Core.Inference;

using Torch = Apg.Torch.Torch;

/// <summary>
/// What one sweep left behind, per instance: the mean over particles of log p(x, z), its importance-weighted
/// mean, and ESS / L of the current weights. Sweep 1 is the one-shot proposal.
/// </summary>
public sealed record SweepStats(int Sweep, double[] MeanLogJoint, double[] WeightedLogJoint, double[] EssFraction)
{
    /// <summary>The stats of particles with log joints [L, B] and log weights [L, B].</summary>
    public static SweepStats Measure(int sweep, Tensor logJoint, Tensor logWeights)
    {
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var joint = logJoint.Detach().To(DType.Float64);
        return new SweepStats(sweep, joint.Mean(0).ToArray<double>(),
            (Weights.Normalized(logWeights).To(DType.Float64) * joint).Sum(0).ToArray<double>(),
            Weights.EffectiveSampleFraction(logWeights).To(DType.Float64).ToArray<double>());
    }
}
