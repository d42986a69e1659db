namespace Apg.Core.Inference;

/// <summary>
/// One HMC transition of a model's continuous latents (LF leapfrog steps of the given size, then a Metropolis
/// accept), the rest drawn or kept as the model's target says.
/// </summary>
public sealed class HmcKernel(IHmcTarget target, int leapfrogSteps, double stepSize = 0.1) : IMarkovKernel
{
    public Latents Move(Tensor x, Latents z, Generator? generator)
    {
        var state = target.ToUnconstrained(z);
        var (next, _) = Hmc.Transition(q => target.LogDensity(x, z, q), state, stepSize, leapfrogSteps, generator);
        using var noGrad = no_grad();
        return target.FromUnconstrained(x, z, next, generator);
    }
}
