using Apg.Core.Autograd;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// The entropy-regularized speed measure of Titsias and Dellaportas (2019), as Hirt et al. adapt their kernels:
/// maximize E[log alpha] + beta * H[q], with beta itself moved towards a target acceptance rate after every move,
/// beta &lt;- beta (1 + rate (acceptance - target)), kept within [BetaMin, BetaMax]: a chain that accepts more than the
/// target is pushed to bigger moves. Targets: 0.55 for MALA, 0.65 for HMC. The rate 0.01 and the bounds [0.001, 100] are
/// those of the authors' adaptive HMC (Hirt, Titsias, Dellaportas 2021). Unbounded, beta ran to 1e5 while a kernel that
/// started with small steps caught up, and then to its floor: Adam's second moment, filled by the huge gradients of that
/// time, froze the step size for thousands of steps at an acceptance rate of 0.3 against 0.55.
/// </summary>
public sealed class SpeedMeasure(double targetAcceptance, double beta = 1.0, double betaRate = 0.01)
{
    public const double MalaTarget = 0.55, HmcTarget = 0.65, BetaMin = 1e-3, BetaMax = 100;

    public double TargetAcceptance { get; } = targetAcceptance is > 0 and < 1 ? targetAcceptance
        : throw new ArgumentException($"the target acceptance must lie in (0, 1), got {targetAcceptance}");
    public double Beta { get; private set; } = beta is >= BetaMin and <= BetaMax ? beta
        : throw new ArgumentException($"beta must lie in [{BetaMin}, {BetaMax}], got {beta}");
    public double BetaRate { get; } = betaRate is > 0 and < 1 ? betaRate : throw new ArgumentException($"beta's rate must lie in (0, 1), got {betaRate}");

    /// <summary>The loss to minimize: -(mean log alpha + beta * entropy), differentiable in the kernel's parameters.</summary>
    public Tensor Loss(McmcStep step) => -(step.LogAcceptance.mean() + Beta * step.Entropy);

    /// <summary>Restores beta (from a checkpoint).</summary>
    public void Restore(double beta) => Beta = beta is >= BetaMin and <= BetaMax ? beta
        : throw new InvalidDataException($"a saved beta must lie in [{BetaMin}, {BetaMax}], got {beta}");

    /// <summary>Moves beta after a move with the given acceptance rate; returns the new beta.</summary>
    public double Update(double acceptanceRate)
    {
        Beta = Math.Clamp(Beta * (1 + BetaRate * (acceptanceRate - TargetAcceptance)), BetaMin, BetaMax);
        return Beta;
    }

    /// <summary>
    /// One adaptation after a move, as the authors' kernels adapt: the optimizer steps on this move's speed measure alone,
    /// then beta follows the move's acceptance rate. A move whose gradient is not finite (a trajectory that overflowed)
    /// is left out of the optimizer's step (one NaN in a parameter would end the adaptation) but still moves beta.
    /// Returns whether the gradient was finite.
    /// </summary>
    public bool Adapt(McmcStep move, double acceptanceRate, Tensor[] parameters, optim.Optimizer optimizer)
    {
        var gradients = Gradients.Of(Loss(move), parameters);
        var finite = gradients.All(g => g.isfinite().all().item<bool>());
        if (finite)
        {
            optimizer.zero_grad();
            // backward of sum(g * p) puts exactly g into each parameter's .grad
            Tensor? surrogate = null;
            for (var i = 0; i < parameters.Length; i++)
            {
                var term = (gradients[i].detach() * parameters[i]).sum();
                surrogate = surrogate is null ? term : surrogate + term;
            }
            surrogate!.backward();
            optimizer.step();
        }
        Update(acceptanceRate);
        return finite;
    }
}
