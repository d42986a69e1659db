using Apg.Core.Inference;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// A model's continuous latents moved by an adaptive kernel (MALA, or HMC with a learned step size and preconditioner):
/// the target's unconstrained tensors [L, B, ...] are flattened into one vector per particle and instance [L, B, D],
/// moved, and mapped back, the other latents drawn or kept as the target says. For fixed kernel parameters it leaves the
/// posterior invariant, so it serves as HMC-RWS's kernel once adapted. It counts its proposals and acceptances.
/// </summary>
public sealed class AdaptiveTargetKernel(IHmcTarget target, IAdaptiveKernel kernel) : IMarkovKernel
{
    public IAdaptiveKernel Kernel => kernel;

    /// <summary>Proposals made (one per particle and instance) and accepted since construction.</summary>
    public long Proposals { get; private set; }
    public long Acceptances { get; private set; }

    public double AcceptanceRate => Proposals == 0 ? double.NaN : Acceptances / (double)Proposals;

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
        var flat = cat(state.Select(s => s.reshape(s.shape[0], s.shape[1], -1)).ToArray(), -1);
        var move = kernel.Step(v => target.LogDensity(x, z, Split(v)), flat, generator, differentiable);
        using var noGrad = no_grad();
        Proposals += move.Accepted.numel();
        Acceptances += move.Accepted.sum().item<long>();
        return (target.FromUnconstrained(x, z, Split(move.Next), generator), move);
    }
}
