using Apg.Torch;
using Apg.Torch.NN;

namespace Apg.Core.Models.Gmm;

/// <summary>The three learned GMM proposals, as one module so they save and load together.</summary>
public sealed class GmmNetworks : Module
{
    public GmmNetworks(GmmPrior prior, Generator? generator = null, DType dtype = DType.Float32)
    {
        Encoder = RegisterModule("encoder", new NeuralGlobalProposal(prior, conditionsOnAssignments: false, generator, dtype));
        Global = RegisterModule("global", new NeuralGlobalProposal(prior, conditionsOnAssignments: true, generator, dtype));
        Local = RegisterModule("local", new NeuralLocalProposal(prior, generator: generator, dtype: dtype));
    }

    /// <summary>q(mu, tau | x), the one-shot global encoder.</summary>
    public NeuralGlobalProposal Encoder { get; }
    /// <summary>q(mu, tau | x, c).</summary>
    public NeuralGlobalProposal Global { get; }
    /// <summary>q(c | x, mu, tau), also the one-shot local encoder.</summary>
    public NeuralLocalProposal Local { get; }

    public NeuralOneShot OneShot => new(Encoder, Local);
}
