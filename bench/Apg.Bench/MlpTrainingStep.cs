using Apg.Core.NN;
using BenchmarkDotNet.Attributes;
using TorchSharp.Modules;

namespace Apg.Bench;

/// <summary>One training step of an MLP 6 -> 32 -> 1 on a 12,000 x 6 batch: forward, backward, Adam.</summary>
public class MlpTrainingStep
{
    private Sequential model = null!;
    private Adam adam = null!;
    private Tensor x = null!, y = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(0);
        model = nn.Sequential(SeededLinear.Create(6, 32, generator), nn.Tanh(), SeededLinear.Create(32, 1, generator));
        adam = optim.Adam(model.parameters(), lr: 1e-3);
        x = randn([12_000, 6], generator: generator).DetachFromDisposeScope();
        y = randn([12_000, 1], generator: generator).DetachFromDisposeScope();
    }

    [Benchmark(Description = "MLP 6-32-1, batch 12,000: forward + backward + Adam")]
    public void Step()
    {
        using var scope = NewDisposeScope();
        model.zero_grad(set_to_none: true);
        var loss = (model.forward(x) - y).square().mean();
        loss.backward();
        adam.step();
    }
}
