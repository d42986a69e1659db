using Apg.Core.Inference;
using Apg.Core.Models.Dmm;

namespace Apg.Core.Tests;

using static Apg.Core.Models.Dmm.DmmVariables;

/// <summary>The DMM: simulator, exact checks through the engine, the learned pieces' shapes and gradients, HMC-RWS.</summary>
public class DmmTests
{
    private static (DmmCorpus Corpus, Latents Truth) Rings(Generator g, int particles, int instances = 3, int points = 16, ScalarType dtype = ScalarType.Float64)
    {
        var corpus = DmmSimulator.Simulate(instances, points, g, dtype: dtype);
        var c = nn.functional.one_hot(corpus.C, 4).to(dtype).unsqueeze(0).expand(particles, -1, -1, -1);
        var h = corpus.H.unsqueeze(-1).unsqueeze(0).expand(particles, -1, -1, -1);
        var mu = randn([particles, instances, 4, 2], dtype, generator: g) * 3;      // arbitrary old centres
        return (corpus, new Latents((Mu, mu), (C, c), (H, h)));
    }

    [Fact]
    public void Simulated_rings_have_radius_two_around_their_centres_and_equal_sizes()
    {
        using var scope = NewDisposeScope();
        var corpus = DmmSimulator.Simulate(50, 200, new Generator(1), dtype: ScalarType.Float64);
        Assert.Equal([50L, 200, 2], corpus.X.shape);
        Assert.All(T.D(nn.functional.one_hot(corpus.C, 4).sum(1)), n => Assert.Equal(50, n));
        // the centre of ring m is the mean of its points (the angles cover the circle evenly), and each point is at 2 + noise
        var onehot = nn.functional.one_hot(corpus.C, 4).to(ScalarType.Float64);
        var centres = onehot.transpose(1, 2).matmul(corpus.X) / 50;
        var radius = (corpus.X - onehot.matmul(centres)).norm(-1);
        // mean radius over 10,000 points: noise 0.1 moves it by ~0.1^2/4 at most; sd of each radius ~0.1
        Approx.Equal(2.0, radius.mean().item<double>(), 0.01);
        Assert.InRange(radius.std().item<double>(), 0.05, 0.2);
        Assert.Throws<ArgumentException>(() => DmmSimulator.Simulate(2, 10, new Generator(1)));
    }

    [Fact]
    public void The_engine_gives_weight_one_to_the_exact_centre_update()
    {
        // With the true ring decoder and the exact conditional p(mu | x, c, h) as the {mu} proposal, every incremental
        // weight is 1 whatever the old centres: log weights are differences of terms up to ~1e4 in float64.
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var (corpus, start) = Rings(g, particles: 6);
        var prior = DmmPrior.Paper;
        var model = new DmmModel(prior, new CircleDecoder(2.0));
        var sampler = new ApgSampler(model, new FixedStart(start), [new GibbsBlockUpdate(new ExactCentreProposal(prior, model.Decoder))]);
        var run = sampler.Run(corpus.X, 3, 6, g);
        var worst = T.D(run.LogWeights).Max(Math.Abs);
        Assert.True(worst < 1e-8, $"max |log weight| of the exact {{mu}} block = {worst:G3}");
        // and a slightly wrong conditional (noise scale 0.12 instead of 0.1) is visibly off
        var wrong = new ApgSampler(model, new FixedStart(start), [new GibbsBlockUpdate(new ExactCentreProposal(prior with { NoiseScale = 0.12 }, model.Decoder))]);
        Assert.True(T.D(wrong.Run(corpus.X, 2, 6, g).LogWeights).Max(Math.Abs) > 1e-2, "a wrong conditional must not pass");
    }

    [Fact]
    public void Apg_on_the_dmm_has_finite_weights_and_its_loss_trains_proposals_and_decoder()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var corpus = DmmSimulator.Simulate(4, 24, g);
        using var networks = new DmmNetworks(DmmPrior.Paper, g);
        var run = DmmMethods.Apg(networks.Model, networks).Run(corpus.X, 3, 5, g, SamplerGradients.Graph);
        Assert.Equal([5L, 4, 4, 2], run.Z[Mu].shape);
        Assert.Equal([5L, 4, 24, 4], run.Z[C].shape);
        Assert.Equal([5L, 4, 24, 1], run.Z[H].shape);
        Assert.All(T.D(run.Z[H]), h => Assert.InRange(h, 0.0, 1.0));
        Assert.All(run.Sweeps.SelectMany(s => s.MeanLogJoint), v => Assert.True(double.IsFinite(v)));
        run.Loss!.backward();
        Assert.NotNull(networks.Decoder.Radius.grad);
        Assert.True(Math.Abs(networks.Decoder.Radius.grad!.item<float>()) > 0, "Eq. 7: the decoder's radius gets a gradient");
        foreach (var (name, p) in networks.named_parameters())
        {
            if (name.StartsWith("encoder.assignment") || name.StartsWith("global.assignment")) continue;   // may be tiny at init
            Assert.True(p.grad is not null && T.D(p.grad.abs().sum()).Single() > 0, $"{name} gets no gradient");
        }
    }

    [Fact]
    public void Hmc_rws_moves_the_centres_and_accepts()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var (corpus, start) = Rings(g, particles: 8, dtype: ScalarType.Float32);
        var model = new DmmModel(DmmPrior.Paper with { NoiseScale = 0.5 }, new CircleDecoder(2.0));
        var target = new DmmHmcTarget(model);
        var x = corpus.X;
        var q = target.ToUnconstrained(start);
        var (next, accepted) = Hmc.Transition(s => target.LogDensity(x, start, s), q, 0.01, 5, g);
        var rate = accepted.to(ScalarType.Float64).mean().item<double>();
        Assert.True(rate > 0.5, $"acceptance rate {rate:F2} at a small step");
        var moved = (next[0] - start[Mu]).abs().max().item<float>();
        Assert.True(moved > 1e-3, $"the centres did not move (max change {moved:G3})");
        var after = target.FromUnconstrained(x, start, next, g);
        Assert.Same(start[C], after[C]);
        Assert.Same(start[H], after[H]);
    }
}

/// <summary>The rewritten score layer gives the plain MLP's scores and gradients.</summary>
public class DmmLocalProposalTests
{
    private static Tensor PlainRingScores(Tensor point, Tensor ring, Tensor weight, Tensor bias) =>
        nn.functional.linear((point + ring.unsqueeze(2)).relu(), weight, bias).squeeze(-1);

    [Theory]
    [InlineData(1L << 18)]   // one chunk
    [InlineData(100L)]       // one ring row a chunk
    [InlineData(1000L)]      // chunks of 9 rows, the last one of 2
    public void Ring_scores_node_matches_autograd_through_the_plain_ops(long chunkElements)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var point = randn([3, 7, 5], ScalarType.Float64, generator: g).requires_grad_();
        var ring = randn([11, 3, 5], ScalarType.Float64, generator: g).requires_grad_();
        var weight = randn([1, 5], ScalarType.Float64, generator: g).requires_grad_();
        var bias = randn([1], ScalarType.Float64, generator: g).requires_grad_();
        var fused = RingScores.Apply(point, ring, weight, bias, chunkElements);
        var plain = PlainRingScores(point, ring, weight, bias);
        Assert.Equal(plain.shape, fused.shape);
        Assert.True((fused - plain).abs().max().item<double>() < 1e-12, "scores differ");
        var upstream = randn(fused.shape, ScalarType.Float64, generator: g);
        Tensor[] inputs = [point, ring, weight, bias];
        var gradFused = Apg.Core.Autograd.Gradients.Of((fused * upstream).sum(), inputs);
        var gradPlain = Apg.Core.Autograd.Gradients.Of((plain * upstream).sum(), inputs);
        string[] names = ["point", "ring", "weight", "bias"];
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i].shape, gradFused[i].shape);
            Assert.True((gradFused[i] - gradPlain[i]).abs().max().item<double>() < 1e-10, $"gradient of {names[i]} differs");
        }
    }

    [Fact]
    public void Ring_scores_node_differentiates_the_inputs_that_need_it_and_records_nothing_without_grad()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(10);
        var point = randn([2, 4, 3], ScalarType.Float64, generator: g).requires_grad_();
        var ring = randn([6, 2, 3], ScalarType.Float64, generator: g);
        var weight = randn([1, 3], ScalarType.Float64, generator: g);
        var bias = randn([1], ScalarType.Float64, generator: g);
        var fused = RingScores.Apply(point, ring, weight, bias, 30);
        var gradFused = Apg.Core.Autograd.Gradients.Of(fused.square().sum(), [point]);
        var gradPlain = Apg.Core.Autograd.Gradients.Of(PlainRingScores(point, ring, weight, bias).square().sum(), [point]);
        Assert.True((gradFused[0] - gradPlain[0]).abs().max().item<double>() < 1e-10, "gradient of point differs");
        using (no_grad())
            Assert.False(RingScores.Apply(point, ring, weight, bias).requires_grad);
    }

    [Fact]
    public void Ring_scores_node_names_the_shapes_it_was_given()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => RingScores.Apply(zeros(2, 4, 3), zeros(6, 5, 3), zeros(1, 3), zeros(1)));
        Assert.Contains("[6, 5, 3]", e.Message);
    }

    [Fact]
    public void Split_first_layer_matches_the_plain_mlp_in_value_and_gradient()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(8);
        using var proposal = new NeuralRingPointProposal(generator: g, dtype: ScalarType.Float64);
        var x = randn([3, 16, 2], ScalarType.Float64, generator: g) * 3;
        var mu = randn([5, 3, 4, 2], ScalarType.Float64, generator: g) * 3;
        var z = new Latents((DmmVariables.Mu, mu), (DmmVariables.C, zeros([5, 3, 16, 4], ScalarType.Float64)), (DmmVariables.H, zeros([5, 3, 16, 1], ScalarType.Float64)));
        var fast = ((RingPointConditional)proposal.Condition(x, z)).Assignment.Categorical.Logits;
        var plain = new Apg.Core.Distributions.Categorical(proposal.PlainScores(x, mu)).Logits;
        Assert.True((fast - plain).abs().max().item<double>() < 1e-12, "scores differ");
        var weights = randn(fast.shape, ScalarType.Float64, generator: g);
        var gradFast = Apg.Core.Autograd.Gradients.Of((fast * weights).sum(), proposal.parameters().ToArray());
        var gradPlain = Apg.Core.Autograd.Gradients.Of((plain * weights).sum(), proposal.parameters().ToArray());
        for (var i = 0; i < gradFast.Length; i++)
            Assert.True((gradFast[i] - gradPlain[i]).abs().max().item<double>() < 1e-10, $"gradient of parameter {i} differs");
    }
}
