using Apg.Core.Inference;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// A model's continuous latents moved by an adaptive kernel (MALA, or HMC with a learned step size and preconditioner):
/// the target's unconstrained tensors [L, B, ...] are flattened into one vector per particle and instance [L, B, D],
/// moved, and mapped back, the other latents drawn or kept as the target says. For fixed kernel parameters it leaves the
/// posterior invariant, so it serves as HMC-RWS's kernel once adapted.
/// </summary>
public sealed class AdaptiveTargetKernel(IHmcTarget target, IAdaptiveKernel kernel) : IMarkovKernel
{
    public IAdaptiveKernel Kernel => kernel;

    public Latents Move(Tensor x, Latents z, Generator? generator) => Step(x, z, generator, differentiable: false).Next;

    /// <summary>One transition and its record (log alpha and entropy differentiable in the kernel's parameters when asked).</summary>
    public (Latents Next, McmcStep Step) Step(Tensor x, Latents z, Generator? generator, bool differentiable)
    {
        var state = target.ToUnconstrained(z);
        var sizes = state.Select(s => s.shape.Skip(2).Aggregate(1L, (a, b) => a * b)).ToArray();
        if (sizes.Sum() != kernel.Preconditioner.Dimensions)
            throw new ArgumentException(
                $"the kernel has {kernel.Preconditioner.Dimensions} dimensions but the target's unconstrained latents have {sizes.Sum()} per particle " +
                $"(shapes {string.Join(", ", state.Select(s => "[" + string.Join(", ", s.shape) + "]"))})");
        Tensor[] Split(Tensor flat) => flat.split(sizes, -1).Select((part, i) => part.reshape(state[i].shape)).ToArray();
        var move = kernel.Step(v => target.LogDensity(x, z, Split(v)), cat(state.Select(s => s.flatten(2)).ToArray(), -1), generator, differentiable);
        using var noGrad = no_grad();
        return (target.FromUnconstrained(x, z, Split(move.Next), generator), move);
    }
}
