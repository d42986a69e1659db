using Apg.Torch;
using Apg.Torch.NN;
using Apg.Torch.Optim;
using BenchmarkDotNet.Attributes;

namespace Apg.Bench;

using Torch = Apg.Torch.Torch;

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
        model = new Sequential(new Linear(6, 32, generator: generator), new Tanh(), new Linear(32, 1, generator: generator));
        adam = new Adam(model.Parameters(), lr: 1e-3);
        x = Torch.Randn([12_000, 6], generator).DetachFromScope();
        y = Torch.Randn([12_000, 1], generator).DetachFromScope();
    }

    [Benchmark(Description = "MLP 6-32-1, batch 12,000: forward + backward + Adam")]
    public void Step()
    {
        using var scope = Torch.NewDisposeScope();
        adam.ZeroGrad();
        var loss = (model.Forward(x) - y).Square().Mean();
        loss.Backward();
        adam.Step();
    }
}
