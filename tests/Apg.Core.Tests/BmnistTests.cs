using Apg.Core.Data;
using Apg.Core.Inference;
using Apg.Core.Models.Bmnist;
using Apg.Core.Training;

namespace Apg.Core.Tests;

using static BmnistVariables;

/// <summary>
/// Bouncing MNIST: the spatial transformer's placement and crops at whole pixels, template matching, the model's block
/// terms, the position proposal's density, finite per-block weights, the reconstruction error by hand, resume.
/// Frames are 40 x 40 with 28 x 28 synthetic digits (a 13 x 13 map) so the tests stay fast.
/// </summary>
[Collection("Training")]
public sealed class BmnistTests : IDisposable
{
    private const int Frame = 40, Side = 28;
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private static readonly SpatialTransformer Transformer = new(Frame, Side);

    /// <summary>Synthetic digits [n, 28, 28]: sparse random strokes in (0, 1], zero elsewhere, so no two shifts look alike.</summary>
    private static Tensor Digits(int n, ulong seed)
    {
        var g = new Generator(seed);
        var values = rand([n, Side, Side], generator: g);
        return where(rand([n, Side, Side], generator: g).gt(0.75), values * 0.9 + 0.1, zeros_like(values));
    }

    private static Tensor At(int column, int row) =>
        tensor(new[] { (float)Transformer.PositionOf(column), (float)Transformer.PositionOf(row) });

    [Fact]
    public void A_digit_lands_where_its_position_says_to_the_pixel()
    {
        using var scope = NewDisposeScope();
        var digit = Digits(1, 1)[0];
        var frame = Transformer.Place(digit, At(5, 9));
        Assert.Equal(new long[] { Frame, Frame }, frame.shape);
        var window = frame.narrow(0, 9, Side).narrow(1, 5, Side);
        Assert.True((window - digit).abs().max().item<float>() < 1e-5, "the placed digit differs from the digit inside its window");
        Assert.Equal(digit.sum().item<float>(), frame.sum().item<float>(), 3);   // nothing outside the window
        // -1 is the left and top border, 1 the right and bottom one.
        var corner = Transformer.Place(digit, tensor(new[] { 1f, -1f }));
        Assert.True((corner.narrow(0, 0, Side).narrow(1, Frame - Side, Side) - digit).abs().max().item<float>() < 1e-5);
    }

    /// <summary>affine_grid + grid_sample (bilinear, zero padding, align_corners) over the whole frame: the reference placement.</summary>
    private static Tensor PlaceByGridSample(Tensor digits, Tensor where_)
    {
        var n = digits.size(0);
        var a = (Frame - 1.0) / (Side - 1.0);
        var b = (Frame - Side) / (Side - 1.0);
        var theta = zeros(n, 2, 3);
        theta[.., 0, 0] = tensor(a);
        theta[.., 1, 1] = tensor(a);
        theta[.., 0, 2] = -where_[.., 0] * b;
        theta[.., 1, 2] = -where_[.., 1] * b;
        var grid = nn.functional.affine_grid(theta, [n, 1, Frame, Frame], align_corners: true);
        return nn.functional.grid_sample(digits.unsqueeze(1), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true).squeeze(1);
    }

    [Fact]
    public void Placement_at_any_position_equals_grid_sample_over_the_whole_frame()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(31);
        var digits = Digits(40, 31);
        // Inside, on and beyond the borders: grid_sample's zero padding drops what leaves the frame.
        var where_ = (rand([40, 2], generator: g) * 2.6 - 1.3);
        var fast = Transformer.Place(digits, where_);
        var reference = PlaceByGridSample(digits, where_);
        Assert.True((fast - reference).abs().max().item<float>() < 1e-5, $"max |scatter - grid_sample| = {(fast - reference).abs().max().item<float>()}");
        // Both are differentiable in the position, with the same gradient.
        var p1 = where_.clone().requires_grad_();
        var p2 = where_.clone().requires_grad_();
        var weights = rand([40, Frame, Frame], generator: g);
        (Transformer.Place(digits, p1) * weights).sum().backward();
        (PlaceByGridSample(digits, p2) * weights).sum().backward();
        Assert.True((p1.grad! - p2.grad!).abs().max().item<float>() < 1e-2 * p2.grad!.abs().max().item<float>(), "position gradients differ");
    }

    [Fact]
    public void The_inverse_crop_recovers_a_placed_digit()
    {
        using var scope = NewDisposeScope();
        var digits = Digits(2, 2);
        var where_ = stack([At(3, 11), At(12, 0)]);
        var frames = Transformer.Place(digits, where_);                                       // [2, F, F]
        var crops = Transformer.Crop(frames, where_.unsqueeze(1));                           // [2, 1, P, P]
        Assert.True((crops.squeeze(1) - digits).abs().max().item<float>() < 1e-5, "crop(place(digit)) differs from the digit");
        // Both digits in one frame, cropped at both positions at once: each crop holds its digit where they do not overlap.
        var both = frames.sum(0, keepdim: true).clamp(0, 1);
        var two = Transformer.Crop(both, where_.unsqueeze(0)).squeeze(0);
        var alone = Transformer.Crop(frames[0].unsqueeze(0), where_[0].view(1, 1, 2)).view(Side, Side);
        Assert.True(two[0].ge(alone - 1e-5).all().item<bool>(), "a crop of the two-digit frame lost the first digit's pixels");
    }

    [Fact]
    public void Template_matching_peaks_at_the_true_position_of_a_digit_in_a_clean_frame()
    {
        using var scope = NewDisposeScope();
        var digits = Digits(3, 3);
        int[][] corners = [[0, 0], [7, 4], [12, 12]];
        for (var i = 0; i < 3; i++)
        {
            var frame = Transformer.Place(digits[i], At(corners[i][0], corners[i][1]));
            var map = Transformer.Correlate(frame.unsqueeze(0), digits[i].unsqueeze(0)).squeeze(0);   // [13, 13]
            Assert.Equal(new long[] { Transformer.MapSize, Transformer.MapSize }, map.shape);
            var best = map.argmax().item<long>();
            Assert.Equal((long)corners[i][1], best / Transformer.MapSize);   // row
            Assert.Equal((long)corners[i][0], best % Transformer.MapSize);   // column
        }
    }

    [Fact]
    public void The_fft_correlation_equals_conv2d_one_group_per_frame()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(30);
        var frames = rand([5, Frame, Frame], generator: g);
        var templates = rand([5, Side, Side], generator: g);
        var direct = nn.functional.conv2d(frames.unsqueeze(0), templates.unsqueeze(1), groups: 5).squeeze(0);
        var viaFft = Transformer.Correlate(frames, templates);
        Assert.Equal(direct.shape, viaFft.shape);
        // Entries are sums of 784 products of magnitude up to 1 (about 196): float32 FFT rounding is about 1e-6 of that.
        Assert.True((direct - viaFft).abs().max().item<float>() < 1e-3, $"max |fft - conv2d| = {(direct - viaFft).abs().max().item<float>()}");
    }

    [Fact]
    public void Simulated_videos_are_their_digits_placed_at_their_positions_bouncing_inside_the_frame()
    {
        using var scope = NewDisposeScope();
        var pool = Digits(10, 4).reshape(10, -1);
        var settings = new BmnistSimulation(Timesteps: 12, DigitCount: 2, FrameSize: Frame, StepSize: 0.3);
        var corpus = BmnistSimulator.Simulate(pool, 6, settings, new Generator(5));
        Assert.Equal(new long[] { 6, 12, Frame, Frame }, corpus.Frames.shape);
        Assert.Equal(new long[] { 6, 12, 2, 2 }, corpus.Positions.shape);
        Assert.True(corpus.Positions.abs().le(1).all().item<bool>(), "a digit left the frame");
        // A step moves at most StepSize per axis plus half a pixel of rounding at each end.
        var step = (corpus.Positions.narrow(1, 1, 11) - corpus.Positions.narrow(1, 0, 11)).abs().max().item<float>();
        Assert.True(step <= 0.3 + 2.0 / (Frame - Side) + 1e-5, $"a step of {step}");
        var images = pool.view(10, Side, Side).index_select(0, corpus.Digits.reshape(-1)).view(6, 1, 2, Side, Side).expand(6, 12, 2, Side, Side);
        var rendered = Transformer.Place(images, corpus.Positions).sum(2).clamp(0, 1);
        Assert.True((rendered - corpus.Frames).abs().max().item<float>() <= 0.5 / 255 + 1e-5, "frames differ from their digits at their positions");
        // Saved as bytes and loaded back, nothing changes.
        var path = dir.File("videos.npy");
        BmnistCorpusFiles.Save(path, corpus);
        var loaded = BmnistCorpusFiles.Load(path);
        Assert.True(loaded.Frames.equal(corpus.Frames).all().item<bool>());
        Assert.True(loaded.Positions.equal(corpus.Positions).all().item<bool>());
    }

    private static BmnistNetworks Networks(int digits = 2, ulong seed = 7) =>
        new(new BmnistPrior(DigitCount: digits, FrameSize: Frame), Digits(20, 8).mean([0]), new Generator(seed));

    private static Tensor Videos(int count, int frames, int digits, ulong seed) =>
        BmnistSimulator.Simulate(Digits(20, seed).reshape(20, -1), count, new BmnistSimulation(frames, digits, Frame, 0.3), new Generator(seed)).Frames;

    [Fact]
    public void A_blocks_terms_carry_every_change_of_the_log_joint_when_only_that_block_moves()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var networks = Networks();
        var model = networks.Model;
        var x = Videos(2, 4, 2, 9);
        var (z, _) = networks.OneShot.Sample(x, 3, new Generator(10));
        var g = new Generator(11);
        foreach (var block in new[] { WhatBlock, WhereBlock(1), WhereBlock(3), WhereBlock(4) })
        {
            var name = block.Variables[0];
            var moved = z.With(new Latents((name, z[name] + randn(z[name].shape, generator: g) * 0.1)));
            var joint = (model.LogJoint(x, moved) - model.LogJoint(x, z)).to(ScalarType.Float64);
            var terms = (model.LogJointTerms(x, moved, block) - model.LogJointTerms(x, z, block)).to(ScalarType.Float64);
            // float32 sums of about T x F x F pixel terms: rounding error up to about 1e-5 of the log joint's size.
            var scale = model.LogJoint(x, z).abs().max().item<float>();
            var worst = (joint - terms).abs().max().item<double>();
            Assert.True(worst <= 1e-5 * scale, $"{block.Name}: the block terms miss {worst:G3} nats of the log joint's change (log joint about {scale:F0})");
            Assert.True(joint.abs().max().item<double>() > 100 * 1e-5 * scale, $"{block.Name}: the move changed too little to test anything");
        }
    }

    [Fact]
    public void The_position_proposal_scores_its_own_draw_as_it_scores_the_same_values_recomputed()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var networks = Networks(3);
        var x = Videos(2, 3, 3, 12);
        var (z, _) = networks.OneShot.Sample(x, 4, new Generator(13));
        var proposal = networks.Where(3).ElementAt(1);
        var conditional = proposal.Condition(x, z);
        var drawn = conditional.Sample(new Generator(14));
        var cached = conditional.LogProb(drawn);
        var recomputed = proposal.Condition(x, z).LogProb(new Latents((Where(2), drawn[Where(2)].clone())));
        Approx.Close(cached.to(ScalarType.Float64).flatten().data<double>().ToArray(), recomputed.to(ScalarType.Float64).flatten().data<double>().ToArray(), 1e-5);
        // The old values score differently from the new ones (the residuals follow the values scored).
        var old = conditional.LogProb(z.Only([Where(2)]));
        Assert.False(old.equal(cached).all().item<bool>());
    }

    [Fact]
    public void The_reverse_density_after_a_draw_equals_a_fresh_conditionals_bit_for_bit()
    {
        // As the engine calls it: the draw and its density with gradients, then the old values' density without. The
        // first digit's distribution is reused from the draw; a fresh conditional recomputes it.
        using var scope = NewDisposeScope();
        using var networks = Networks(3);
        var x = Videos(2, 3, 3, 12);
        Latents z;
        using (no_grad()) z = networks.OneShot.Sample(x, 4, new Generator(13)).Z;
        var proposal = networks.Where(3).ElementAt(1);
        var conditional = proposal.Condition(x, z);
        var drawn = conditional.Sample(new Generator(14));
        Assert.True(conditional.LogProb(drawn).requires_grad);
        Tensor reused, fresh;
        using (no_grad())
        {
            reused = conditional.LogProb(z.Only([Where(2)]));
            fresh = proposal.Condition(x, z).LogProb(z.Only([Where(2)]));
        }
        Assert.Equal(T.Bits(fresh), T.Bits(reused));
        // With gradients on, a density is recomputed, so that the first digit's term reaches the network too: the
        // position network's gradient equals a fresh conditional's.
        var parameters = networks.WhereEncoder.parameters().ToArray();
        var viaDraw = Apg.Core.Autograd.Gradients.Of(conditional.LogProb(z.Only([Where(2)])).sum(), parameters);
        var viaFresh = Apg.Core.Autograd.Gradients.Of(proposal.Condition(x, z).LogProb(z.Only([Where(2)])).sum(), parameters);
        for (var i = 0; i < parameters.Length; i++) Assert.Equal(T.Bits(viaFresh[i]), T.Bits(viaDraw[i]));
    }

    [Theory]
    [InlineData(SamplerMethod.Apg)]
    [InlineData(SamplerMethod.Bpg)]
    [InlineData(SamplerMethod.Rws)]
    [InlineData(SamplerMethod.HmcRws)]
    public void Every_block_weight_is_finite_and_each_sampler_runs(SamplerMethod method)
    {
        using var scope = NewDisposeScope();
        using var networks = Networks();
        var x = Videos(3, 3, 2, 15);
        // ApgSampler validates every block's weights (Weights.Validate throws on NaN or all -inf); the final ones are checked here.
        var result = BmnistEvaluator.Evaluate(x, new BmnistEvalSettings(method, 3, 4, LeapfrogSteps: 2, Seed: 16, StepSize: 0.01), networks);
        Assert.All(result.MeanLogJoint, v => Assert.True(double.IsFinite(v)));
        Assert.All(result.Ess, v => Assert.InRange(v, 0, 1 + 1e-9));
        Assert.True(double.IsFinite(result.MeanSquaredError) && result.MeanSquaredError > 0);
        Assert.Equal(method == SamplerMethod.Rws ? 1 : 3, result.MeanLogJoint.Length);
    }

    [Fact]
    public void Hmc_moves_codes_and_positions()
    {
        using var scope = NewDisposeScope();
        using var networks = Networks();
        var x = Videos(2, 3, 2, 17);
        var (z, _) = networks.OneShot.Sample(x, 4, new Generator(18));
        // The Bernoulli floor (log(m + 1e-9)) makes gradients at a digit's edge huge: measured acceptance on these videos
        // is 0 at step 1e-2, 0.13 at 1e-3, 0.63 at 1e-4, so the test moves with 1e-4.
        var moved = new HmcKernel(new BmnistHmcTarget(networks.Model), 3, 1e-4).Move(x, z, new Generator(19));
        Assert.False(moved[What].equal(z[What]).all().item<bool>(), "HMC left every code where it was");
        Assert.False(moved[Where(2)].equal(z[Where(2)]).all().item<bool>(), "HMC left every position where it was");
    }

    [Fact]
    public void The_reconstruction_error_of_a_tiny_video_matches_the_hand_computation()
    {
        using var scope = NewDisposeScope();
        // One video, two 2 x 2 frames. Frame 1: errors 0.5, 0, 0, 1 -> 0.25 + 0 + 0 + 1 = 1.25. Frame 2: all 0.2 -> 4 x 0.04 = 0.16.
        var x = tensor(new float[] { 1, 0, 0, 1, 0.2f, 0.2f, 0.2f, 0.2f }, [1, 2, 2, 2]);
        var r = tensor(new float[] { 0.5f, 0, 0, 0, 0, 0, 0, 0 }, [1, 2, 2, 2]);
        var mse = ReconstructionError.MeanSquared(x, r);
        Assert.Equal(new long[] { 1 }, mse.shape);
        Assert.Equal((1.25 + 0.16) / 2, mse.item<float>(), 5);
        Assert.Throws<ArgumentException>(() => ReconstructionError.MeanSquared(x, r.view(1, 2, 4)));
        // A blank reconstruction scores each frame's summed squared grey levels: (1 + 1) and 4 x 0.04.
        Assert.Equal((2 + 0.16) / 2, ReconstructionError.MeanSquared(x, zeros_like(x)).item<float>(), 5);
    }

    [Fact]
    public void The_weighted_reconstruction_of_one_heavy_particle_is_that_particles_frames()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var networks = Networks();
        var x = Videos(2, 3, 2, 20);
        var (z, _) = networks.OneShot.Sample(x, 3, new Generator(21));
        var logW = tensor(new float[] { float.NegativeInfinity, 0, 0, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }, [3, 2]);
        var reconstruction = ReconstructionError.Reconstruct(networks.Model, z, logW);
        var frames = networks.Model.Reconstruct(z);                                          // [L, B, T, F, F]
        Assert.True((reconstruction[0] - frames[1, 0]).abs().max().item<float>() < 1e-6);
        Assert.True((reconstruction[1] - frames[0, 1]).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Resumed_training_is_bit_identical()
    {
        using var scope = NewDisposeScope();
        var videos = Videos(12, 3, 2, 22);
        var mean = Digits(20, 22).mean([0]);
        var config = new BmnistTrainingConfig { Sweeps = 2, Particles = 3, BatchSize = 4, Steps = 6, LearningRate = 1e-3, Seed = 4, DigitCount = 2, FrameSize = Frame, LogEvery = 2, CheckpointEvery = 4 };
        new BmnistTrainer(config, videos, mean).Train(dir.File("straight")).Dispose();
        new BmnistTrainer(config with { Steps = 4 }, videos, mean).Train(dir.File("resumed")).Dispose();
        new BmnistTrainer(config, videos, mean).Train(dir.File("resumed")).Dispose();
        var (a, _) = SafeTensors.Load(Path.Combine(dir.File("straight"), Checkpoint.WeightsFile));
        var (b, _) = SafeTensors.Load(Path.Combine(dir.File("resumed"), Checkpoint.WeightsFile));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains("networks.mean_digit", a.Keys);
        foreach (var key in a.Keys)
            Assert.True(T.Bits(a[key]).SequenceEqual(T.Bits(b[key])), $"tensor '{key}' differs between the straight and the resumed run");
        using var loaded = BmnistTrainer.LoadNetworks(dir.File("straight"));
        Assert.True(loaded.MeanDigit.equal(mean).all().item<bool>(), "the checkpoint lost the mean digit");
    }

    [Fact]
    public void Bad_corpora_and_shapes_get_errors_that_name_them()
    {
        using var scope = NewDisposeScope();
        var missing = dir.File("none.npy");
        Assert.Contains("none.npy", Assert.Throws<FileNotFoundException>(() => BmnistCorpusFiles.Load(missing)).Message);
        var flat = dir.File("flat.npy");
        Npy.Save(flat, zeros(3, 4));
        Assert.Contains("[videos, frames, F, F]", Assert.Throws<InvalidDataException>(() => BmnistCorpusFiles.Load(flat)).Message);
        var noPositions = dir.File("nopos.npy");
        Npy.Save(noPositions, zeros([2, 3, Frame, Frame], ScalarType.Byte));
        Assert.Contains("positions", Assert.Throws<FileNotFoundException>(() => BmnistCorpusFiles.Load(noPositions)).Message);
        using var networks = Networks();
        var wrong = zeros(2, 3, 32, 32);
        Assert.Contains("[videos, frames, 40, 40]", Assert.Throws<ArgumentException>(() =>
            BmnistEvaluator.Evaluate(wrong, new BmnistEvalSettings(SamplerMethod.Apg, 2, 2), networks)).Message);
        Assert.Contains("positions must be", Assert.Throws<ArgumentException>(() => Transformer.Place(zeros(2, Side, Side), zeros(3, 2))).Message);
    }
}
