namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// The entropy-regularized speed measure of Titsias and Dellaportas (2019), as Hirt et al. (2023) adapt their kernels:
/// maximize E[log alpha] + beta * H[q], with beta itself moved towards a target acceptance rate after every step,
/// beta &lt;- beta (1 + rate (acceptance - target)): a chain that accepts more than the target is pushed to bigger moves.
/// Targets: 0.55 for MALA, 0.65 for HMC.
/// </summary>
public sealed class SpeedMeasure(double targetAcceptance, double beta = 1.0, double betaRate = 0.02)
{
    public const double MalaTarget = 0.55, HmcTarget = 0.65;

    public double TargetAcceptance { get; } = targetAcceptance is > 0 and < 1 ? targetAcceptance
        : throw new ArgumentException($"the target acceptance must lie in (0, 1), got {targetAcceptance}");
    public double Beta { get; private set; } = beta > 0 ? beta : throw new ArgumentException($"beta must be positive, got {beta}");
    public double BetaRate { get; } = betaRate;

    /// <summary>The loss to minimize: -(mean log alpha + beta * entropy), differentiable in the kernel's parameters.</summary>
    public Tensor Loss(McmcStep step) => -(step.LogAcceptance.mean() + Beta * step.Entropy);

    /// <summary>Restores beta (from a checkpoint).</summary>
    public void Restore(double beta) => Beta = beta > 0 ? beta : throw new InvalidDataException($"a saved beta must be positive, got {beta}");

    /// <summary>Moves beta after a step with the given acceptance rate; returns the new beta.</summary>
    public double Update(double acceptanceRate)
    {
        Beta = Math.Max(1e-8, Beta * (1 + BetaRate * (acceptanceRate - TargetAcceptance)));
        return Beta;
    }
}
