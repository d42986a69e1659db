using Apg.Torch;

namespace Apg.Core.Inference;

using Torch = Apg.Torch.Torch;

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
        using var grad = Torch.EnableGrad();
        var q = state.Select(s => s.Detach()).ToArray();
        var momentum = q.Select(s => Torch.Randn(s.Shape, generator, s.DType, s.Device)).ToArray();
        var (logP0, gradient) = ValueAndGradient(logDensity, q);
        var h0 = logP0 - Kinetic(momentum);
        var p = momentum.Select((m, i) => m + gradient[i] * (stepSize / 2)).ToArray();
        Tensor logP = logP0;
        for (var step = 1; step <= leapfrogSteps; step++)
        {
            q = q.Select((s, i) => s + p[i] * stepSize).ToArray();
            (logP, gradient) = ValueAndGradient(logDensity, q);
            var scale = step < leapfrogSteps ? stepSize : stepSize / 2;
            p = p.Select((m, i) => m + gradient[i] * scale).ToArray();
        }
        using var noGrad = Torch.NoGrad();
        var h1 = logP - Kinetic(p);
        var logU = Torch.Rand(h0.Shape, generator, h0.DType, h0.Device).Log();
        // NaN energies (a diverged trajectory) compare false and are rejected.
        var accept = logU.Lt(h1 - h0);
        var next = q.Select((s, i) => Torch.Where(Broadcast(accept, s), s, state[i].Detach())).ToArray();
        return (next, accept);
    }

    private static (Tensor Value, Tensor[] Gradient) ValueAndGradient(Func<Tensor[], Tensor> logDensity, Tensor[] q)
    {
        var leaves = q.Select(s => s.Detach().RequiresGrad_()).ToArray();
        var value = logDensity(leaves);
        var gradients = Apg.Torch.Autograd.AutogradFunctions.Grad([value.Sum()], leaves);
        return (value.Detach(), gradients.Select((g, i) => g ?? Torch.ZerosLike(leaves[i])).ToArray());
    }

    private static Tensor Kinetic(Tensor[] momentum)
    {
        Tensor? total = null;
        foreach (var m in momentum)
        {
            var term = m.Square().Flatten(2).Sum(-1) * 0.5;
            total = total is null ? term : total + term;
        }
        return total!;
    }

    private static Tensor Broadcast(Tensor mask, Tensor like)
    {
        var m = mask;
        for (var d = mask.Dim; d < like.Dim; d++) m = m.Unsqueeze(-1);
        return m.Expand(like.Shape);
    }
}
