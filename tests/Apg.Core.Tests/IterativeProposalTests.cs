using Apg.Core.Inference;
using Apg.Core.Methods.IterativeInference;
using Apg.Core.Models.Dmm;

namespace Apg.Core.Tests;

using static DmmVariables;

/// <summary>The iterative update as an APG block proposal (our addition): its gradient inputs and its learning.</summary>
[Collection("Training")]
public sealed class IterativeProposalTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private static Latents Truth(DmmCorpus corpus, int particles, Generator g, ScalarType dtype)
    {
        var c = nn.functional.one_hot(corpus.C, 4).to(dtype).unsqueeze(0).expand(particles, -1, -1, -1);
        var h = corpus.H.unsqueeze(-1).unsqueeze(0).expand(particles, -1, -1, -1).to(dtype);
        var mu = randn([particles, corpus.X.size(0), 4, 2], dtype, generator: g) * 3;
        return new Latents((Mu, mu), (C, c), (H, h));
    }

    [Fact]
    public void The_gradient_inputs_are_the_block_elbos_gradient_by_finite_differences()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(31);
        var corpus = DmmSimulator.Simulate(2, 16, g, noise: 0.5, dtype: ScalarType.Float64);
        var z = Truth(corpus, 3, g, ScalarType.Float64);
        var prior = DmmPrior.Paper with { NoiseScale = 0.5 };
        var model = new DmmModel(prior, new CircleDecoder(2.0));
        using var proposal = new IterativeGaussianProposal(model, Global, Mu, 0.0, 2 * Math.Log(prior.MuScale), iterations: 1, samples: 1);
        var mean = randn([3, 2, 4, 2], ScalarType.Float64, generator: g);
        var logVar = 0.3 * randn([3, 2, 4, 2], ScalarType.Float64, generator: g) - 1;
        var (gradMean, gradLogVar) = proposal.ElboGradients(corpus.X, z, mean, logVar, new Generator(5));
        var eps = randn(mean.shape, ScalarType.Float64, generator: new Generator(5));
        double Objective(Tensor m, Tensor lv) =>
            (model.LogJointTerms(corpus.X, z.With(new Latents((Mu, m + (0.5 * lv).exp() * eps))), Global).sum() + 0.5 * lv.sum()).item<double>();
        using var noGrad = no_grad();
        const double h = 1e-6;
        foreach (var index in new long[][] { [0, 0, 0, 0], [1, 1, 2, 1], [2, 0, 3, 1] })
        {
            var step = zeros_like(mean);
            step[index[0], index[1], index[2], index[3]] = tensor(h, ScalarType.Float64);
            var dMean = (Objective(mean + step, logVar) - Objective(mean - step, logVar)) / (2 * h);
            var dLogVar = (Objective(mean, logVar + step) - Objective(mean, logVar - step)) / (2 * h);
            var at = $"[{string.Join(", ", index)}]";
            Approx.Equal(dMean, gradMean[index[0], index[1], index[2], index[3]].item<double>(), 1e-5 * Math.Max(1, Math.Abs(dMean)), $"d ELBO / d mean{at}");
            Approx.Equal(dLogVar, gradLogVar[index[0], index[1], index[2], index[3]].item<double>(), 1e-5 * Math.Max(1, Math.Abs(dLogVar)), $"d ELBO / d logvar{at}");
        }
    }

    /// <summary>
    /// Training is chaotic, so one run is not a test. Measured on 30 other seeds of exactly this set-up (300-329): 27 ended
    /// below 0.75 times the prior mean's error and 3 did not (the worst at 1.17 times); at Adam 3e-3 instead of the
    /// default 1e-3, 12 of 60 missed, the worst at 5.1 times. The median of nine misses when five of nine do: 0.1% if
    /// each seed misses with p = 0.1, 5% at p = 0.27 (the 95% upper bound from 3 of 30). The set-up is well posed, so
    /// the exact conditional is what q is trained towards: the true ring decoder, and (c, h) held at the truth, so the
    /// {mu} block is the only block.
    /// </summary>
    [Fact]
    public void Trained_by_apg_sweeps_on_true_rings_the_median_seed_moves_towards_the_exact_conditional()
    {
        using var scope = NewDisposeScope();
        var prior = DmmPrior.Paper with { NoiseScale = 0.5 };
        var model = new FrozenModel(new DmmModel(prior, new CircleDecoder(2.0)));
        var g = new Generator(32);
        var heldOut = DmmSimulator.Simulate(6, 40, g, noise: 0.5);
        var zHeldOut = Truth(heldOut, 4, g, ScalarType.Float32);
        var exact = ((CentreConditional)new ExactCentreProposal(prior, new CircleDecoder(2.0)).Condition(heldOut.X, zHeldOut)).Distribution.Loc;
        var priorMeanError = exact.abs().mean().item<float>();
        var errors = new List<double>();
        foreach (var seed in Enumerable.Range(1, 9))
        {
            using var seedScope = NewDisposeScope();
            var generator = new Generator((ulong)seed);
            using var proposal = new IterativeGaussianProposal(model, Global, Mu, 0.0, 2 * Math.Log(prior.MuScale), iterations: 3, samples: 2, noiseSeed: 7, generator: generator);
            using var adam = optim.Adam(proposal.parameters(), 1e-3);
            for (var step = 0; step < 400; step++)
            {
                using var stepScope = NewDisposeScope();
                var batch = DmmSimulator.Simulate(8, 40, generator, noise: 0.5);
                var sampler = new ApgSampler(model, new FixedStart(Truth(batch, 10, generator, ScalarType.Float32)), [new GibbsBlockUpdate(proposal)]);
                adam.zero_grad();
                sampler.Train(batch.X, 2, 10, generator);
                adam.step();
            }
            using var noGrad = no_grad();
            var q = (DiagonalNormalConditional)proposal.Condition(heldOut.X, zHeldOut);
            errors.Add((q.Distribution.Loc - exact).abs().mean().item<float>());
        }
        var median = errors.Order().ElementAt(4);
        Assert.True(median < 0.75 * priorMeanError,
            $"mean |q's mean - exact conditional mean| after training, by seed: {string.Join(", ", errors.Select(e => e.ToString("F2")))}; the prior mean's: {priorMeanError:F2}");
    }

    [Fact]
    public void The_dmm_trainer_moves_the_proposal_and_leaves_the_trained_dmm_as_it_was()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(32);
        var train = DmmSimulator.Simulate(16, 40, g, noise: 0.5).X;
        using var networks = new DmmNetworks(DmmPrior.Paper with { NoiseScale = 0.5 }, new Generator(3));
        var dmmBefore = networks.parameters().Select(p => p.detach().clone()).ToList();
        var config = new DmmIterativeProposalConfig { Sweeps = 2, Particles = 4, BatchSize = 8, Steps = 20, LearningRate = 3e-3, Seed = 4, LogEvery = 10, CheckpointEvery = 1000 };
        using var untrained = DmmIterativeProposalTrainer.Create(networks, config, new Generator(config.Seed));
        using var trained = new DmmIterativeProposalTrainer(config, train, networks).Train(dir.File("run"));
        Assert.Contains(untrained.parameters().Zip(trained.parameters()), pair => !pair.First.equal(pair.Second).all().item<bool>());
        Assert.All(dmmBefore.Zip(networks.parameters()), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>(), "the trained DMM must stay as it was"));
        var rows = File.ReadAllLines(Path.Combine(dir.File("run"), "metrics.csv")).Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(["10", "20"], rows.Select(r => r[0]));
        Assert.All(rows, r => Assert.True(double.IsFinite(double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)), $"loss at step {r[0]}: {r[2]}"));
    }
}
