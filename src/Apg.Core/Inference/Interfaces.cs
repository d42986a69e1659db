namespace Apg.Core.Inference;

/// <summary>A block of latent variables updated together. PerPoint: its incremental weight factorizes over data points.</summary>
public sealed record Block(string Name, IReadOnlyList<string> Variables, bool PerPoint = false);

/// <summary>A generative model p(x, z) over data x [B, ...] and latents [L, B, ...].</summary>
public interface IModel
{
    /// <summary>log p(x, z): [L, B].</summary>
    Tensor LogJoint(Tensor x, Latents z);

    /// <summary>
    /// The terms of log p(x, z) that involve the block's variables (the others cancel in an incremental weight):
    /// [L, B], or [L, B, N] for a per-point block.
    /// </summary>
    Tensor LogJointTerms(Tensor x, Latents z, Block block);

    /// <summary>Learnable parameters of the model (theta); empty when nothing is learned.</summary>
    IReadOnlyList<Tensor> Parameters { get; }
}

/// <summary>A distribution over a block's variables, fixed by everything else (x and z_-b).</summary>
public interface IBlockConditional
{
    /// <summary>Draws new values of the block's variables: [L, B, ...] each.</summary>
    Latents Sample(Generator? generator);

    /// <summary>log q of values of the block's variables: [L, B], or [L, B, N] for a per-point block.</summary>
    Tensor LogProb(Latents values);
}

/// <summary>q(z_b | x, z_-b): a Gibbs-style block proposal, the same distribution for the forward and the reverse kernel.</summary>
public interface IBlockProposal
{
    /// <summary>The block whose variables this proposal draws.</summary>
    Block Block { get; }

    /// <summary>The proposal given the data and the current values of every other variable.</summary>
    IBlockConditional Condition(Tensor x, Latents z);
}

/// <summary>q(z | x): the one-shot proposal that starts every sampler.</summary>
public interface IOneShotProposal
{
    /// <summary>Draws L particles per instance; log q [L, B] carries gradients to the proposal's parameters.</summary>
    (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator);
}

/// <summary>
/// One block update move: new values of the block, log q(new | old) (with gradients) and log r(old | new),
/// each [L, B] or [L, B, N].
/// </summary>
public sealed record BlockMove(Latents Proposed, Tensor LogForward, Tensor LogReverse);

/// <summary>A block update: a Gibbs-style proposal, or a composition of them (the joint block).</summary>
public interface IBlockUpdate
{
    Block Block { get; }
    BlockMove Propose(Tensor x, Latents z, Generator? generator);
}
