using Apg.Core.Inference;
using Apg.Core.Models.Gmm;

namespace Apg.Core.Tests;


/// <summary>
/// A short APG training run (400 steps at lr 3e-3 on 400 simulated instances of 60 points, the paper's K = 5 sweeps,
/// L = 10 particles, batches of 20) against its own untrained start:
/// - the learned global proposal q(mu, tau | x, c) moves toward the exact conditional p(mu, tau | x, c) at the
///   states the sampler visits (the trainer logs the KLs there when it is given no true assignments): the exclusive
///   KL falls several-fold (6x, 19x and 27x for seeds 3, 4 and 5; asserted: 3x);
/// - the sampler's log p(x, z) rises during training, and held out, APG with the trained proposals reaches a higher
///   log p(x, z) than with the untrained ones (by 760 and 1030 nats per instance for seeds 4 and 5).
/// Each logged value is on one batch of 20, so trends compare averages of the first and the last 5 of 20 logs.
/// The inclusive KL is not asserted: over so short a run it is not monotone. At the sampler's states it falls 3x for
/// seeds 4 and 5 but rises 9% for seed 3, and at the true assignments it rises for all three (early assignments are
/// nearly random, and the conditional proposal first fits the conditionals at those, ignoring c).
/// </summary>
[Collection("Training")]
public sealed class LearningTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void Training_moves_the_proposals_toward_the_exact_conditionals()
    {
        const ulong seed = 4;
        using var scope = NewDisposeScope();
        using var g = new Generator(140 + seed);
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 400, 60, g).X;
        var heldOut = GmmSimulator.Simulate(GmmPrior.Paper, 40, 60, g).X;
        var config = new GmmTrainingConfig { Steps = 400, LearningRate = 3e-3, Seed = seed, LogEvery = 20, CheckpointEvery = 400 };
        var logs = new List<GmmTrainingMetrics>();
        using var trained = new GmmTrainer(config, corpus, null).Train(dir.File("run" + seed), (m, _) => logs.Add(m));
        Assert.Equal(20, logs.Count);
        output.WriteLine($"seed {seed} incl {string.Join(" ", logs.Select(m => m.InclusiveKl.ToString("F0")))}");
        output.WriteLine($"seed {seed} excl {string.Join(" ", logs.Select(m => m.ExclusiveKl.ToString("F0")))}");
        output.WriteLine($"seed {seed} logp {string.Join(" ", logs.Select(m => m.LogJoint.ToString("F0")))}");

        double First(Func<GmmTrainingMetrics, double> f) => logs.Take(5).Average(f);
        double Last(Func<GmmTrainingMetrics, double> f) => logs.TakeLast(5).Average(f);
        Assert.True(Last(m => m.ExclusiveKl) < First(m => m.ExclusiveKl) / 3,
            $"exclusive KL: first logs {First(m => m.ExclusiveKl):F1}, last logs {Last(m => m.ExclusiveKl):F1}");
        Assert.All(logs, m => Assert.True(double.IsFinite(m.InclusiveKl) && m.InclusiveKl >= 0, $"step {m.Step}: inclusive KL {m.InclusiveKl}"));
        Assert.True(Last(m => m.LogJoint) > First(m => m.LogJoint),
            $"log p(x, z) of the last sweep: first logs {First(m => m.LogJoint):F1}, last logs {Last(m => m.LogJoint):F1}");

        // The trainer's networks start from GmmNetworks(prior, Generator(seed)): the same untrained start.
        using var untrained = new GmmNetworks(GmmPrior.Paper, new Generator(seed));
        var settings = new GmmEvalSettings(SamplerMethod.Apg, Sweeps: 5, Particles: 10, Seed: 1);
        var before = GmmEvaluator.Evaluate(heldOut, settings, untrained).MeanLogJoint[^1];
        var after = GmmEvaluator.Evaluate(heldOut, settings, trained).MeanLogJoint[^1];
        output.WriteLine($"seed {seed} eval {before:F1} -> {after:F1}");
        Assert.True(after > before, $"held-out log p(x, z) after 5 sweeps: untrained {before:F1}, trained {after:F1}");
    }
}
