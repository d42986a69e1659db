using Apg.Core.Runtime;
using TorchSharp.Modules;

namespace Apg.Core.NN;

/// <summary>
/// torch.nn.Linear initialized from an explicit generator, with PyTorch's rule: U(-1/sqrt(in), 1/sqrt(in)) for
/// the weight (kaiming_uniform_ with a = sqrt(5)) and the bias. TorchSharp's constructor draws from the global
/// generator, so the weights are redrawn here: weight first, then bias.
/// </summary>
public static class SeededLinear
{
    public static Linear Create(long inFeatures, long outFeatures, Generator? generator, ScalarType dtype = ScalarType.Float32,
        Device? device = null, bool bias = true)
    {
        var layer = nn.Linear(inFeatures, outFeatures, hasBias: bias, device: device, dtype: dtype);
        var bound = 1.0 / Math.Sqrt(inFeatures);
        using var noGrad = no_grad();
        SeededDraws.Uniform_(layer.weight!, -bound, bound, generator);
        if (layer.bias is not null) SeededDraws.Uniform_(layer.bias, -bound, bound, generator);
        return layer;
    }
}
