namespace Apg.Core.Inference;

/// <summary>One sweep of block Gibbs: each block drawn from its exact conditional given the rest, in order.</summary>
public sealed class BlockGibbsKernel(IReadOnlyList<IBlockUpdate> blocks) : IMarkovKernel
{
    public Latents Move(Tensor x, Latents z, Generator? generator)
    {
        foreach (var update in blocks) z = z.With(update.Propose(x, z, generator).Proposed);
        return z;
    }
}
