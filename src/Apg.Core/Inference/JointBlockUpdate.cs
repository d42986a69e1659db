namespace Apg.Core.Inference;

/// <summary>
/// One block made of a global then a local Gibbs-style proposal, with one weight: forward
/// q(g' | x, l) q(l' | x, g'), reverse q(g | x, l) q(l | x, g'). Each conditional is computed once and scores
/// both the new and the old value. Per-point terms of the local proposal are summed.
/// </summary>
public sealed class JointBlockUpdate(Block block, IBlockProposal global, IBlockProposal local) : IBlockUpdate
{
    public Block Block { get; } = block;

    public BlockMove Propose(Tensor x, Latents z, Generator? generator)
    {
        var globalConditional = global.Condition(x, z);
        var newGlobal = globalConditional.Sample(generator);
        var localConditional = local.Condition(x, z.With(newGlobal));
        var newLocal = localConditional.Sample(generator);
        var logForward = Total(globalConditional.LogProb(newGlobal)) + Total(localConditional.LogProb(newLocal));
        Tensor logReverse;
        using (no_grad())
            logReverse = Total(globalConditional.LogProb(z.Only(global.Block.Variables)))
                         + Total(localConditional.LogProb(z.Only(local.Block.Variables)));
        return new BlockMove(newGlobal.With(newLocal), logForward, logReverse);
    }

    private static Tensor Total(Tensor logProb) => logProb.dim() > 2 ? logProb.sum(-1) : logProb;
}
