using Apg.Core.NN;
using TorchSharp.Modules;

namespace Apg.Core.Models.Bmnist;

/// <summary>The generative model's learned part (theta): code [.., Z] -> digit [.., P, P]; MLP Z -> 200 -> 400 -> P*P, ReLU, sigmoid.</summary>
public sealed class DigitDecoder : nn.Module
{
    private readonly Sequential net;
    private readonly int side;

    public DigitDecoder(int codeSize, int digitSize, Generator? generator = null, Device? device = null) : base(nameof(DigitDecoder))
    {
        side = digitSize;
        net = nn.Sequential(
            ("linear0", SeededLinear.Create(codeSize, 200, generator, device: device)), ("relu0", nn.ReLU()),
            ("linear1", SeededLinear.Create(200, 400, generator, device: device)), ("relu1", nn.ReLU()),
            ("linear2", SeededLinear.Create(400, digitSize * digitSize, generator, device: device)), ("sigmoid", nn.Sigmoid()));
        register_module("net", net);
    }

    public Tensor Decode(Tensor what) => net.forward(what).unflatten(what.dim() - 1, [side, side]);
}
