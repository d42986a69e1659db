using Apg.Core.Inference;
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
        DmmMethods.Apg(networks.Model, networks).Train(train, 8, 10, generator, TrainingStepKind.Measured);
        adam.step();
    }
}

/// <summary>The DMM local proposal's ring scores alone (the largest block of a sweep), to see its share of a step.</summary>
public class DmmLocalProposalBenchmarks
{
    private NeuralRingPointProposal local = null!;
    private Tensor trainX = null!, testX = null!;
    private Latents trainZ = null!, testZ = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(0);
        local = new NeuralRingPointProposal(generator: generator);
        (trainX, trainZ) = Particles(DmmSimulator.Simulate(20, 200, generator), 10, generator);
        (testX, testZ) = Particles(DmmSimulator.Simulate(20, 600, generator), 10, generator);
    }

    private static (Tensor X, Latents Z) Particles(DmmCorpus sample, int particles, Generator generator)
    {
        var mu = randn([particles, sample.X.size(0), DmmPrior.Paper.Clusters, DmmPrior.Dimensions], generator: generator) * 2;
        return (sample.X.DetachFromDisposeScope(), new Latents((DmmVariables.Mu, mu.DetachFromDisposeScope())));
    }

    [Benchmark(Description = "DMM local proposal scores + backward (L=10, B=20, N=200)")]
    public void TrainingSize()
    {
        using var scope = NewDisposeScope();
        local.zero_grad(set_to_none: true);
        var logits = ((RingPointConditional)local.Condition(trainX, trainZ)).Assignment.Categorical.Logits;
        logits.sum().backward();
    }

    [Benchmark(Description = "DMM local proposal scores, no gradients (L=10, B=20, N=600)")]
    public void EvaluationSize()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        local.Condition(testX, testZ);
    }
}
