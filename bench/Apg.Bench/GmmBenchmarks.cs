using Apg.Core.Inference;
using Apg.Core.Models.Gmm;
using BenchmarkDotNet.Attributes;
using TorchSharp.Modules;

namespace Apg.Bench;

/// <summary>
/// The GMM at the paper's settings: one APG gradient step (K = 5, L = 10, 20 instances, N = 60: sweeps, backward,
/// Adam) and one evaluation batch (APG K = 20, L = 50, 20 instances, N = 100, no gradients).
/// </summary>
public class GmmBenchmarks
{
    private GmmNetworks networks = null!;
    private ApgSampler sampler = null!;
    private Adam adam = null!;
    private Generator generator = null!;
    private Tensor train = null!, test = null!;

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(0);
        networks = new GmmNetworks(GmmPrior.Paper, generator);
        sampler = GmmMethods.Apg(new GmmModel(GmmPrior.Paper), networks);
        adam = optim.Adam(networks.parameters(), 2.5e-4, 0.9, 0.99);
        train = GmmSimulator.Simulate(GmmPrior.Paper, 20, 60, generator).X.DetachFromDisposeScope();
        test = GmmSimulator.Simulate(GmmPrior.Paper, 20, 100, generator).X.DetachFromDisposeScope();
    }

    [Benchmark(Description = "GMM APG training step (K=5, L=10, B=20, N=60)")]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        networks.zero_grad(set_to_none: true);
        sampler.Run(train, 5, 10, generator, withLoss: true, measureLastSweepOnly: true, backwardEachSweep: true);
        adam.step();
    }

    [Benchmark(Description = "GMM APG evaluation batch (K=20, L=50, B=20, N=100)")]
    public void EvaluationBatch()
    {
        using var scope = NewDisposeScope();
        sampler.Run(test, 20, 50, generator);
    }
}
