using Apg.Core.Data;
using Apg.Core.Methods.AdaptiveMcmc;
using Apg.Core.Methods.IterativeInference;
using Apg.Core.Methods.Vae;

namespace Apg.Core.Tests;

/// <summary>Hirt et al.'s training scheme: every kernel and adaptation trains, resumes bit-identically, and adapts.</summary>
[Collection("Training")]
public sealed class McmcVaeTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>Grey levels of 28x28 images: a random blob each, so a VAE has something to learn.</summary>
    private static Tensor Images(int count, Generator g)
    {
        var grid = arange(MnistDigits.Side, dtype: ScalarType.Float32);
        var centres = rand([count, 2], generator: g) * 16 + 6;
        var rows = (grid.view(1, MnistDigits.Side, 1) - centres[.., 0].view(count, 1, 1)).square();
        var columns = (grid.view(1, 1, MnistDigits.Side) - centres[.., 1].view(count, 1, 1)).square();
        return (-(rows + columns) / 10).exp().reshape(count, MnistDigits.Pixels);
    }

    private static McmcVaeConfig Small(McmcKernelChoice kernel, McmcAdaptation adaptation, int steps) => new()
    {
        Kernel = kernel, Adaptation = adaptation, Latent = 2, Hidden = [32], McmcSteps = 4, LeapfrogSteps = 2, InitialStepSize = 0.05,
        BatchSize = 16, Steps = steps, Seed = 5, CheckpointEvery = 1000, LogEvery = 5, KernelLearningRate = 0.01,
    };

    [Theory]
    [InlineData(McmcKernelChoice.Mala, McmcAdaptation.SpeedMeasure)]
    [InlineData(McmcKernelChoice.Hmc, McmcAdaptation.DualAveraging)]
    public void Resumed_training_is_bit_identical(McmcKernelChoice kernel, McmcAdaptation adaptation)
    {
        using var scope = NewDisposeScope();
        var images = Images(64, new Generator(41));
        var config = Small(kernel, adaptation, 10) with { CheckpointEvery = 5 };
        using var straight = new McmcVaeTrainer(config, images, null).Train(dir.File("straight"));
        using var half = new McmcVaeTrainer(config with { Steps = 5 }, images, null).Train(dir.File("resumed"));
        var trainer = new McmcVaeTrainer(config, images, null);
        using var resumed = trainer.Train(dir.File("resumed"));
        Assert.Equal(5, trainer.ResumedFrom);
        var a = straight.state_dict();
        var b = resumed.state_dict();
        foreach (var (name, value) in a) Assert.True(value.equal(b[name]).all().item<bool>(), $"'{name}' differs after resume");
        Assert.Equal(straight.AdaptationState, resumed.AdaptationState);
    }

    [Theory]
    [InlineData(McmcKernelChoice.Mala, McmcAdaptation.SpeedMeasure)]
    [InlineData(McmcKernelChoice.Hmc, McmcAdaptation.SpeedMeasure)]
    [InlineData(McmcKernelChoice.Mala, McmcAdaptation.DualAveraging)]
    public void Training_moves_the_acceptance_rate_towards_its_target(McmcKernelChoice kernel, McmcAdaptation adaptation)
    {
        // From a step size of 0.05 the chain accepts almost everything; adaptation must bring the last logged rates
        // within 0.15 of the target (0.55 MALA, 0.65 HMC) over 200 steps (measured: MALA 0.50 speed measure, 0.55 dual
        // averaging; HMC 0.66 speed measure).
        using var scope = NewDisposeScope();
        var images = Images(128, new Generator(42));
        var config = Small(kernel, adaptation, 200);
        var rates = new List<double>();
        var diverged = new List<int>();
        var run = dir.File($"{kernel}-{adaptation}");
        using var networks = new McmcVaeTrainer(config, images, null).Train(run,
            (m, _) => { if (m.Step > 150) rates.Add(m.Acceptance); diverged.Add(m.DivergedMoves); });
        Assert.InRange(rates.Average(), config.TargetAcceptance - 0.15, config.TargetAcceptance + 0.15);
        // metrics.csv logs each interval's diverged moves as the progress callback saw them, at most every move of it
        var lines = File.ReadAllLines(Path.Combine(run, Apg.Core.Training.TrainingState.MetricsFile));
        var column = Array.IndexOf(lines[0].Split(','), "diverged_moves");
        Assert.True(column >= 0, $"no diverged_moves column in '{lines[0]}'");
        Assert.Equal(diverged, lines.Skip(1).Select(line => int.Parse(line.Split(',')[column])));
        Assert.All(diverged, d => Assert.InRange(d, 0, config.LogEvery * config.McmcSteps));
        Assert.True(networks.Kernel.LogStepSize.exp().item<float>() > 0.05f, "the step size did not grow from its small start");
        var ll = HeldOutLogLikelihood.Estimate(networks.Vae, MnistDigits.Binarize(Images(20, new Generator(43)), new Generator(44)), 50, new Generator(45));
        Assert.True(double.IsFinite(ll) && ll < 0, $"held-out log p(x) {ll}");
    }

    [Fact]
    public void Bad_settings_and_a_mismatched_pre_trained_vae_are_errors()
    {
        using var scope = NewDisposeScope();
        var images = Images(32, new Generator(46));
        Assert.Contains("diagonal", Assert.Throws<ArgumentException>(() => new McmcVaeTrainer(
            Small(McmcKernelChoice.Mala, McmcAdaptation.DualAveraging, 2) with { Preconditioner = PreconditionerKind.Full }, images, null)).Message);
        using var wide = new StandardVae(new IaiTrainingConfig { Latent = 3, Hidden = [32] });
        Assert.Contains("latent size is 3", Assert.Throws<ArgumentException>(() => new McmcVaeTrainer(Small(McmcKernelChoice.Mala, McmcAdaptation.SpeedMeasure, 2), images, wide)).Message);
        Assert.Contains("MCMC steps must be at least 1", Assert.Throws<ArgumentException>(() => new McmcVaeTrainer(Small(McmcKernelChoice.Mala, McmcAdaptation.SpeedMeasure, 2) with { McmcSteps = 0 }, images, null)).Message);
    }
}
