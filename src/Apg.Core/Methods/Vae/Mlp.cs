using Apg.Core.NN;
using TorchSharp.Modules;

namespace Apg.Core.Methods.Vae;

/// <summary>A multilayer perceptron with ELU between layers (Marino et al.'s networks), initialized from a generator.</summary>
public static class Mlp
{
    public static Sequential Create(long input, IReadOnlyList<long> hidden, long output, Generator? generator, Device? device = null)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        var width = input;
        for (var i = 0; i < hidden.Count; i++)
        {
            layers.Add(($"linear{i}", SeededLinear.Create(width, hidden[i], generator, device: device)));
            layers.Add(($"elu{i}", nn.ELU()));
            width = hidden[i];
        }
        layers.Add(($"linear{hidden.Count}", SeededLinear.Create(width, output, generator, device: device)));
        return nn.Sequential(layers);
    }
}
