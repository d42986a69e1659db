using Apg.Core.Models.Bmnist;
using BenchmarkDotNet.Attributes;
using TorchSharp.Modules;

namespace Apg.Bench;

/// <summary>
/// Bouncing MNIST at the workload: one APG gradient step (K = 5 sweeps, L = 10 particles, 5 videos of T = 10
/// frames with D = 3 digits, 96 x 96 pixels: sweeps, backward through proposals and decoder, Adam). Synthetic digits
/// (sparse random strokes): the cost does not depend on what the digits look like.
/// </summary>
public class BmnistBenchmarks
{
    private BmnistNetworks networks = null!;
    private Adam adam = null!;
    private Generator generator = null!;
    private Tensor videos = null!;

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(0);
        var pool = where(rand([100, 784], generator: generator).gt(0.8), rand([100, 784], generator: generator), zeros(100, 784));
        videos = BmnistSimulator.Simulate(pool, 5, new BmnistSimulation(10, 3, 96, 0.3), generator).Frames.DetachFromDisposeScope();
        networks = new BmnistNetworks(new BmnistPrior(DigitCount: 3), BmnistSimulator.MeanDigit(pool), generator);
        adam = optim.Adam(networks.parameters(), 1e-4, 0.9, 0.99);
    }

    [Benchmark(Description = "BC-MNIST APG training step (K=5, L=10, B=5, T=10, D=3, 96x96)")]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        networks.zero_grad(set_to_none: true);
        BmnistMethods.Apg(networks, 10).Train(videos, 5, 10, generator, TrainingStepKind.Measured);
        adam.step();
    }
}
