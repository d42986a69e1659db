namespace Apg.Core.Inference;

/// <summary>Which momentum update of a leapfrog trajectory a kick is: the opening half step, a full one, the closing half.</summary>
public enum LeapfrogKick { OpeningHalf, Full, ClosingHalf }

/// <summary>
/// The one leapfrog integrator of every HMC kernel (fixed-step HMC-RWS and the adapted, preconditioned HMC): a half
/// kick, then per step a drift and a kick, the last one half. The metric is an argument, as blackjax's integrators
/// take the mass matrix: kick(p, grad log pi, which) and drift(q, p) hold the step size and the preconditioner, so each
/// kernel keeps its own arithmetic (a scalar step, or a learnable h with C) and its own graph (detached or not).
/// </summary>
public static class Leapfrog
{
    /// <summary>
    /// Integrates steps leapfrog steps from (q, p), with the gradient of log pi at q given; returns the end point, its
    /// momentum and log pi there. valueAndGradient(q) gives log pi and its gradient per state tensor.
    /// </summary>
    public static (Tensor[] Q, Tensor[] P, Tensor LogDensity) Integrate(Func<Tensor[], (Tensor Value, Tensor[] Gradient)> valueAndGradient,
        Tensor[] q, Tensor[] p, Tensor logDensity, Tensor[] gradient, int steps,
        Func<Tensor, Tensor, LeapfrogKick, Tensor> kick, Func<Tensor, Tensor, Tensor> drift)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "at least one leapfrog step");
        p = p.Select((m, i) => kick(m, gradient[i], LeapfrogKick.OpeningHalf)).ToArray();
        for (var step = 1; step <= steps; step++)
        {
            var current = p;
            q = q.Select((s, i) => drift(s, current[i])).ToArray();
            (logDensity, gradient) = valueAndGradient(q);
            var which = step < steps ? LeapfrogKick.Full : LeapfrogKick.ClosingHalf;
            p = p.Select((m, i) => kick(m, gradient[i], which)).ToArray();
        }
        return (q, p, logDensity);
    }
}
