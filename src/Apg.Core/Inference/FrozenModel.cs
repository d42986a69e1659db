namespace Apg.Core.Inference;

/// <summary>
/// A model whose parameters are held fixed: the same log-joint with no learnable parameters, so that a sampler run
/// with a loss trains the proposals only (no Eq. 7 term, no model gradients).
/// </summary>
public sealed class FrozenModel(IModel inner) : IModel
{
    public IModel Inner { get; } = inner;
    public Tensor LogJoint(Tensor x, Latents z) => Inner.LogJoint(x, z);
    public Tensor LogJointTerms(Tensor x, Latents z, Block block) => Inner.LogJointTerms(x, z, block);
    public IReadOnlyList<Tensor> Parameters => [];
}
