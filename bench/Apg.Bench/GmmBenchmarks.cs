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
        sampler.Train(train, 5, 10, generator, TrainingStepKind.Measured);
        adam.step();
    }

    [Benchmark(Description = "GMM APG evaluation batch (K=20, L=50, B=20, N=100)")]
    public void EvaluationBatch()
    {
        using var scope = NewDisposeScope();
        sampler.Run(test, 20, 50, generator);
    }
}

/// <summary>
/// The GMM training step of Seeds training seeds at once (seed batching, NN.SeedStack): the seeds' networks stacked,
/// their 20-instance batches in one batch of 20 x Seeds, one step of all of them. With Stacked false, one seed's
/// networks on the same batch of 20 x Seeds: the work a stacked step cannot do with less of, its lower bound.
/// Set both before Setup.
/// </summary>
public class GmmSeedBatchBenchmarks
{
    [Params(5)]
    public int Seeds { get; set; } = 5;

    [Params(true, false)]
    public bool Stacked { get; set; } = true;

    private GmmNetworks networks = null!;
    private ApgSampler sampler = null!;
    private Adam adam = null!;
    private Generator generator = null!;
    private Tensor train = null!;

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(0);
        var seeds = Enumerable.Range(0, Seeds).Select(s => (ulong)s).ToArray();
        networks = Stacked ? GmmNetworks.Stacked(GmmPrior.Paper, seeds) : new GmmNetworks(GmmPrior.Paper, generator);
        sampler = GmmMethods.Apg(new GmmModel(GmmPrior.Paper), networks, objective: new SeedBatchObjective(SweepObjectives.ReweightedWakeSleep, Seeds));
        adam = optim.Adam(networks.parameters(), 2.5e-4, 0.9, 0.99);
        train = GmmSimulator.Simulate(GmmPrior.Paper, 20 * Seeds, 60, generator).X.DetachFromDisposeScope();
    }

    [Benchmark(Description = "GMM APG training step of Seeds seeds at once, or of one seed on their batch (K=5, L=10, B=20 x Seeds, N=60)")]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        networks.zero_grad(set_to_none: true);
        sampler.Train(train, 5, 10, generator, TrainingStepKind.Measured);
        adam.step();
    }
}

/// <summary>
/// The GMM's local proposal q(c | x, mu, tau) alone, the part the issue names as dominant: scores at the training
/// step's size (L = 10, 20 instances, N = 60) with their backward, and at the evaluation batch's size (L = 50, N = 100).
/// </summary>
public class GmmLocalProposalBenchmarks
{
    private NeuralLocalProposal local = null!;
    private Tensor trainX = null!, testX = null!;
    private Latents trainZ = null!, testZ = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generator = new Generator(0);
        var prior = GmmPrior.Paper;
        local = new NeuralLocalProposal(prior, generator: generator);
        var train = GmmSimulator.Simulate(prior, 20, 60, generator);
        var test = GmmSimulator.Simulate(prior, 20, 100, generator);
        trainX = train.X.DetachFromDisposeScope();
        testX = test.X.DetachFromDisposeScope();
        trainZ = Particles(train, 10);
        testZ = Particles(test, 50);
    }

    private static Latents Particles(GmmSimulator.Corpus sample, int particles)
    {
        var mu = sample.Mu.unsqueeze(0).expand(particles, -1, -1, -1).contiguous().DetachFromDisposeScope();
        var tau = sample.Tau.unsqueeze(0).expand(particles, -1, -1, -1).contiguous().DetachFromDisposeScope();
        return new Latents((GmmVariables.Mu, mu), (GmmVariables.Tau, tau));
    }

    [Benchmark(Description = "GMM local proposal scores + backward (L=10, B=20, N=60)")]
    public void TrainingSize()
    {
        using var scope = NewDisposeScope();
        local.zero_grad(set_to_none: true);
        var logits = ((LocalConditional)local.Condition(trainX, trainZ)).Distribution.Categorical.Logits;
        logits.sum().backward();
    }

    [Benchmark(Description = "GMM local proposal scores, no gradients (L=50, B=20, N=100)")]
    public void EvaluationSize()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        local.Condition(testX, testZ);
    }
}
