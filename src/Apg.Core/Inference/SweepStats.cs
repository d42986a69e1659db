namespace Apg.Core.Inference;

/// <summary>
/// What one sweep left behind, per instance: the mean over particles of log p(x, z), its importance-weighted
/// mean, ESS / L of the current weights (after the sweep's last block), and ESS / L of the weights of the sweep's
/// first block (the authors' choice: the {mu, tau} block of the GMM). Sweep 1 is the one-shot proposal.
/// </summary>
public sealed record SweepStats(int Sweep, double[] MeanLogJoint, double[] WeightedLogJoint, double[] EssFraction, double[] FirstBlockEssFraction)
{
    /// <summary>
    /// The stats of particles with log joints [L, B] and log weights [L, B]; firstBlockWeights are the weights after
    /// the sweep's first block (the current ones when omitted).
    /// </summary>
    public static SweepStats Measure(int sweep, Tensor logJoint, Tensor logWeights, Tensor? firstBlockWeights = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var joint = logJoint.detach().to(ScalarType.Float64);
        // One copy to the host for the four (TorchSharp reads no device memory; on the CPU cpu() is the same tensor).
        var all = stack([joint.mean([0]), (Weights.Normalized(logWeights).to(ScalarType.Float64) * joint).sum(0L),
            Weights.EffectiveSampleFraction(logWeights).to(ScalarType.Float64),
            Weights.EffectiveSampleFraction(firstBlockWeights ?? logWeights).to(ScalarType.Float64)]).cpu();
        double[] Row(int i) => all[i].data<double>().ToArray();
        return new SweepStats(sweep, Row(0), Row(1), Row(2), Row(3));
    }
}
