using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>HMC-RWS on bouncing MNIST: HMC on every latent (codes and all positions), all continuous, as the authors'.</summary>
public sealed class BmnistHmcTarget(BmnistModel model) : IHmcTarget
{
    public Tensor[] ToUnconstrained(Latents z) => [z[What].detach(), StackWhere(z, Frames(z)).detach()];

    public Tensor LogDensity(Tensor x, Latents z, Tensor[] q) => model.LogJoint(x, FromStacked(q[0], q[1]));

    public Latents FromUnconstrained(Tensor x, Latents z, Tensor[] q, Generator? generator) => FromStacked(q[0], q[1]);
}
