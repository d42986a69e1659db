using Apg.Core.Runtime;
using Apg.Core.Autograd;

namespace Apg.Core.Inference;

/// <summary>
/// Hamiltonian Monte Carlo with an identity mass matrix: one transition = fresh momentum, LF leapfrog steps of
/// size epsilon, then a Metropolis accept per particle and instance. State tensors are [L, B, ...];
/// the log density returns [L, B].
/// </summary>
public static class Hmc
{
    public static (Tensor[] State, Tensor Accepted) Transition(Func<Tensor[], Tensor> logDensity, Tensor[] state,
        double stepSize, int leapfrogSteps, Generator? generator)
    {
        if (leapfrogSteps < 1) throw new ArgumentOutOfRangeException(nameof(leapfrogSteps), leapfrogSteps, "at least one leapfrog step");
        using var grad = enable_grad();
        var q = state.Select(s => s.detach()).ToArray();
        var momentum = q.Select(s => SeededDraws.Randn(s.shape, s.dtype, s.device, generator)).ToArray();
        var (logP0, gradient) = ValueAndGradient(logDensity, q);
        var h0 = logP0 - Kinetic(momentum);
        var (end, p, logP) = Leapfrog.Integrate(state => ValueAndGradient(logDensity, state), q, momentum, logP0, gradient, leapfrogSteps,
            (m, g, which) => m + g * (which == LeapfrogKick.Full ? stepSize : stepSize / 2), (s, m) => s + m * stepSize);
        q = end;
        using var noGrad = no_grad();
        var h1 = logP - Kinetic(p);
        var logU = SeededDraws.Rand(h0.shape, h0.dtype, h0.device, generator).log();
        // NaN energies (a diverged trajectory) compare false and are rejected.
        var accept = logU.lt(h1 - h0);
        var next = q.Select((s, i) => where(Broadcast(accept, s), s, state[i].detach())).ToArray();
        return (next, accept);
    }

    private static (Tensor Value, Tensor[] Gradient) ValueAndGradient(Func<Tensor[], Tensor> logDensity, Tensor[] q)
    {
        var leaves = q.Select(s => s.detach().requires_grad_()).ToArray();
        var value = logDensity(leaves);
        var gradients = Gradients.Of(value.sum(), leaves);
        return (value.detach(), gradients);
    }

    private static Tensor Kinetic(Tensor[] momentum)
    {
        Tensor? total = null;
        foreach (var m in momentum)
        {
            var term = m.square().flatten(2).sum(-1) * 0.5;
            total = total is null ? term : total + term;
        }
        return total!;
    }

    private static Tensor Broadcast(Tensor mask, Tensor like)
    {
        var m = mask;
        for (var d = mask.dim(); d < like.dim(); d++) m = m.unsqueeze(-1);
        return m.expand(like.shape);
    }
}
