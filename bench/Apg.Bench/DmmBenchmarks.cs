using Apg.Core.Models.Dmm;
using BenchmarkDotNet.Attributes;
using TorchSharp.Modules;

namespace Apg.Bench;

/// <summary>The DMM at the paper's training settings: one APG gradient step (K = 8, L = 10, 20 instances, N = 200:
/// sweeps, backward through proposals and decoder, Adam).</summary>
public class DmmBenchmarks
{
    private DmmNetworks networks = null!;
    private Adam adam = null!;
    private Generator generator = null!;
    private Tensor train = null!;

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(0);
        networks = new DmmNetworks(DmmPrior.Paper with { NoiseScale = 0.5 }, generator);
        adam = optim.Adam(networks.parameters(), 1e-4, 0.9, 0.99);
        train = DmmSimulator.Simulate(20, 200, generator).X.DetachFromDisposeScope();
    }

    [Benchmark(Description = "DMM APG training step (K=8, L=10, B=20, N=200)")]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        networks.zero_grad(set_to_none: true);
        DmmMethods.Apg(networks.Model, networks).Run(train, 8, 10, generator, withLoss: true, measureLastSweepOnly: true, backwardEachSweep: true);
        adam.step();
    }
}
