namespace Apg.Core.Inference;

/// <summary>
/// What HMC-RWS needs from a model: the continuous latents in unconstrained coordinates, their log density
/// (discrete latents summed out or held fixed, Jacobians included), and the way back to full latents.
/// </summary>
public interface IHmcTarget
{
    Tensor[] ToUnconstrained(Latents z);
    Tensor LogDensity(Tensor x, Latents z, Tensor[] unconstrained);
    /// <summary>Full latents from a new continuous state (discrete ones drawn or kept as the model's scheme says).</summary>
    Latents FromUnconstrained(Tensor x, Latents z, Tensor[] unconstrained, Generator? generator);
}
