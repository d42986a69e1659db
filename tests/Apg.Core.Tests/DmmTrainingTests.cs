using Apg.Core.Data;
using Apg.Core.Models.Dmm;
using Apg.Core.Models.Gmm;
using Apg.Core.Training;

namespace Apg.Core.Tests;

/// <summary>DMM training (Eq. 7: the decoder learns), resume, and the errors bad input gets.</summary>
[Collection("Training")]
public sealed class DmmTrainingTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private static double HeldOutLogJoint(DmmNetworks networks, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var run = DmmMethods.Apg(networks.Model, networks).Run(x, 4, 10, new Generator(99));
        return run.Sweeps[^1].MeanLogJoint.Average();
    }

    [Fact]
    public void The_decoder_learns_the_rings_radius_and_held_out_log_joint_rises()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(21);
        var train = DmmSimulator.Simulate(60, 40, g).X;
        var test = DmmSimulator.Simulate(10, 40, g).X;
        var config = new DmmTrainingConfig { Sweeps = 3, Particles = 4, BatchSize = 10, Steps = 200, LearningRate = 0.01, Seed = 3, NoiseScale = 0.5, LogEvery = 50, CheckpointEvery = 1000 };
        using var untrained = new DmmNetworks(config.Prior, new Generator(config.Seed));
        var before = HeldOutLogJoint(untrained, test);
        using var trained = new DmmTrainer(config, train).Train(dir.File("learn"));
        var after = HeldOutLogJoint(trained, test);
        var radius = trained.Decoder.Radius.item<float>();
        // The radius starts at 1 and the data's is 2: it must move most of the way (measured: about 1.9 here).
        Assert.InRange(radius, 1.5, 2.5);
        // log p per instance of 40 points rises by thousands of nats from random weights (measured: -4,000 to -300).
        Assert.True(after > before + 500, $"held-out log p(x, z): {before:F0} before, {after:F0} after training");
    }

    [Fact]
    public void Resumed_training_is_bit_identical()
    {
        using var scope = NewDisposeScope();
        var corpus = DmmSimulator.Simulate(30, 16, new Generator(5)).X;
        var config = new DmmTrainingConfig { Sweeps = 2, Particles = 3, BatchSize = 10, Steps = 8, LearningRate = 1e-3, Seed = 4, NoiseScale = 0.5, LogEvery = 2, CheckpointEvery = 3 };
        new DmmTrainer(config, corpus).Train(dir.File("straight")).Dispose();
        new DmmTrainer(config with { Steps = 5 }, corpus).Train(dir.File("resumed")).Dispose();
        new DmmTrainer(config, corpus).Train(dir.File("resumed")).Dispose();
        var (a, _) = SafeTensors.Load(Path.Combine(dir.File("straight"), Checkpoint.WeightsFile));
        var (b, _) = SafeTensors.Load(Path.Combine(dir.File("resumed"), Checkpoint.WeightsFile));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains("networks.decoder.radius", a.Keys);
        foreach (var key in a.Keys)
            Assert.True(T.Bits(a[key]).SequenceEqual(T.Bits(b[key])), $"tensor '{key}' differs between the straight and the resumed run");
    }

    [Fact]
    public void Bad_corpora_and_foreign_checkpoints_get_errors_that_name_them()
    {
        using var scope = NewDisposeScope();
        var missing = Assert.Throws<FileNotFoundException>(() => DmmCorpusFiles.Load(dir.File("nope.npy")));
        Assert.Contains("nope.npy", missing.Message);
        Assert.Contains("dmm simulate", missing.Message);

        var wrong = dir.File("wrong.npy");
        Npy.Save(wrong, zeros([3, 5, 3]));
        var shape = Assert.Throws<InvalidDataException>(() => DmmCorpusFiles.Load(wrong));
        Assert.Contains("wrong.npy", shape.Message);
        Assert.Contains("[3, 5, 3]", shape.Message);

        var nan = dir.File("nan.npy");
        var x = zeros([2, 8, 2]);
        x[0, 3, 1] = tensor(float.NaN);
        Npy.Save(nan, x);
        Assert.Contains("NaN", Assert.Throws<InvalidDataException>(() => DmmCorpusFiles.Load(nan)).Message);

        var gmmRun = dir.File("gmm-run");
        var gmm = GmmSimulator.Simulate(GmmPrior.Paper, 10, 10, new Generator(1));
        new GmmTrainer(new GmmTrainingConfig { Sweeps = 2, Particles = 2, BatchSize = 10, Steps = 1, CheckpointEvery = 1, LogEvery = 1 }, gmm.X, gmm.C).Train(gmmRun).Dispose();
        var foreign = Assert.Throws<InvalidDataException>(() => DmmTrainer.LoadNetworks(gmmRun));
        Assert.Contains("'gmm'", foreign.Message);
        Assert.Contains("not a DMM checkpoint", foreign.Message);
        Assert.Throws<InvalidDataException>(() => new DmmTrainer(new DmmTrainingConfig { Steps = 1, BatchSize = 10 }, DmmSimulator.Simulate(10, 8, new Generator(1)).X).Train(gmmRun));
    }
}
