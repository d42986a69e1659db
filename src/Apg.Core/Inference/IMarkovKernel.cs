namespace Apg.Core.Inference;

/// <summary>A Markov transition of the latents that leaves the posterior p(z | x) invariant (exact Gibbs, HMC).</summary>
public interface IMarkovKernel
{
    Latents Move(Tensor x, Latents z, Generator? generator);
}
