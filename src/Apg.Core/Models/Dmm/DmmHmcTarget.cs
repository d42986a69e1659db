using Apg.Core.Inference;

namespace Apg.Core.Models.Dmm;

using static DmmVariables;

/// <summary>
/// HMC-RWS on the DMM: HMC on the centres mu with the assignments c and angles h held at their values (the model has
/// no closed-form conditional for them). The authors' leapfrog never updated mu, so their DMM HMC-RWS did not move;
/// this one does (tests show it accepts and moves).
/// </summary>
public sealed class DmmHmcTarget(DmmModel model) : IHmcTarget
{
    public Tensor[] ToUnconstrained(Latents z) => [z[Mu].detach()];

    public Tensor LogDensity(Tensor x, Latents z, Tensor[] q) => model.LogJoint(x, z.With(new Latents((Mu, q[0]))));

    public Latents FromUnconstrained(Tensor x, Latents z, Tensor[] q, Generator? generator) => z.With(new Latents((Mu, q[0])));
}
