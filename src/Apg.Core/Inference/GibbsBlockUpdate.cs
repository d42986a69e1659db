namespace Apg.Core.Inference;

/// <summary>
/// Updates one block with a Gibbs-style proposal. z_-b does not change inside the update, so the conditional
/// is computed once and scores both the new value (forward kernel) and the old one (reverse kernel).
/// </summary>
public sealed class GibbsBlockUpdate(IBlockProposal proposal) : IBlockUpdate
{
    public Block Block => proposal.Block;

    public BlockMove Propose(Tensor x, Latents z, Generator? generator)
    {
        var conditional = proposal.Condition(x, z);
        var proposed = conditional.Sample(generator);
        var logForward = conditional.LogProb(proposed);
        Tensor logReverse;
        using (no_grad()) logReverse = conditional.LogProb(z.Only(Block.Variables));
        return new BlockMove(proposed, logForward, logReverse);
    }
}
