using Apg.Core.Methods.Vae;
using TorchSharp.Modules;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>
/// Marino et al.'s iterative inference model f_phi: from the ELBO's gradient with respect to the posterior's parameters
/// (mean, logvar), the parameters themselves and the data, a gated update of the parameters:
/// new = gate * old + (1 - gate) * proposal, one sigmoid gate per parameter. Gradients enter as log(|g| + 1e-5) and
/// sign(g), so that their scale, which spans orders of magnitude, reaches the network in a usable range.
/// </summary>
public sealed class IterativeInferenceModel : nn.Module
{
    private readonly Sequential net;

    public IterativeInferenceModel(long pixels, IReadOnlyList<long> hidden, long latent, Generator? generator = null, Device? device = null)
        : base(nameof(IterativeInferenceModel))
    {
        Latent = latent;
        Pixels = pixels;
        net = Mlp.Create(6 * latent + pixels, hidden, 4 * latent, generator, device);
        RegisterComponents();
    }

    public long Latent { get; }
    public long Pixels { get; }

    /// <summary>The network's input [B, 6D + P] for gradients, parameters [B, D] and data [B, P].</summary>
    public static Tensor Inputs(Tensor x, Tensor mean, Tensor logVar, Tensor gradMean, Tensor gradLogVar) =>
        cat([(gradMean.abs() + 1e-5).log(), gradMean.sign(), (gradLogVar.abs() + 1e-5).log(), gradLogVar.sign(), mean, logVar, x], -1);

    /// <summary>One update of (mean, logvar) [B, D] from the ELBO's gradients with respect to them.</summary>
    public (Tensor Mean, Tensor LogVar) Step(Tensor x, Tensor mean, Tensor logVar, Tensor gradMean, Tensor gradLogVar)
    {
        var outputs = net.forward(Inputs(x, mean, logVar, gradMean, gradLogVar)).chunk(4, -1);
        var gateMean = outputs[2].sigmoid();
        var gateLogVar = outputs[3].sigmoid();
        return (gateMean * mean + (1 - gateMean) * outputs[0], gateLogVar * logVar + (1 - gateLogVar) * outputs[1]);
    }
}
