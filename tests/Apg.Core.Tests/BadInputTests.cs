using Apg.Core.Data;
using Apg.Core.Models.Gmm;
using Apg.Core.Training;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;


/// <summary>Bad corpora, checkpoints and configs: each a clear error that names the file (or directory) and the problem.</summary>
[Collection("Training")]
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private string Corpus(string name, Tensor values)
    {
        var path = dir.File(name);
        Npy.Save(path, values);
        return path;
    }

    [Theory]
    [InlineData(new long[] { 10, 60, 3 })]
    [InlineData(new long[] { 10, 60 })]
    [InlineData(new long[] { 2, 10, 60, 2 })]
    [InlineData(new long[] { 0, 60, 2 })]
    public void Corpus_of_the_wrong_shape(long[] shape)
    {
        using var scope = NewDisposeScope();
        var path = Corpus("shape.npy", zeros(shape, ScalarType.Float32));
        var e = Assert.Throws<InvalidDataException>(() => GmmCorpus.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(Shapes.Format(shape), e.Message);
        Assert.Contains("[instances, points, 2]", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Corpus_with_non_finite_values_names_the_first_one(double bad)
    {
        using var scope = NewDisposeScope();
        var values = zeros([10, 60, 2], ScalarType.Float32);
        values[3, 7, 1].fill_(bad);                                                      // instance 3, point 7
        var path = Corpus("nan.npy", values);
        var e = Assert.Throws<InvalidDataException>(() => GmmCorpus.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("NaN or infinite", e.Message);
        Assert.Contains("instance 3, point 7", e.Message);
    }

    [Fact]
    public void Corpus_of_integers_and_mismatched_assignments()
    {
        using var scope = NewDisposeScope();
        var ints = Corpus("ints.npy", zeros([4, 5, 2], ScalarType.Int64));
        var e = Assert.Throws<InvalidDataException>(() => GmmCorpus.Load(ints));
        Assert.Contains(ints, e.Message);
        Assert.Contains("Int64", e.Message);

        var good = Corpus("good.npy", zeros([4, 5, 2], ScalarType.Float32));
        Assert.Null(GmmCorpus.Load(good).Assignments);
        var side = GmmCorpus.AssignmentsPath(good);
        Npy.Save(side, zeros([4, 6], ScalarType.Int64));
        var s = Assert.Throws<InvalidDataException>(() => GmmCorpus.Load(good));
        Assert.Contains(side, s.Message);
        Assert.Contains("[4, 5]", s.Message);
        Npy.Save(side, zeros([4, 5], ScalarType.Int64));
        Assert.Equal(new long[] { 4, 5 }, GmmCorpus.Load(good).Assignments!.shape);

        var missing = dir.File("missing.npy");
        var m = Assert.Throws<FileNotFoundException>(() => GmmCorpus.Load(missing));
        Assert.Contains(missing, m.Message);
    }

    [Fact]
    public void Missing_checkpoint_directory()
    {
        var missing = dir.File("no-such-run");
        var e = Assert.Throws<FileNotFoundException>(() => GmmTrainer.LoadNetworks(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains(Checkpoint.WeightsFile, e.Message);
    }

    private static GmmTrainingConfig TinyConfig => new()
    {
        Sweeps = 2, Particles = 2, BatchSize = 5, Steps = 2, LearningRate = 1e-3, Seed = 3, LogEvery = 1, CheckpointEvery = 1,
    };

    private string TrainTiny(string name)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(111);
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 10, 12, g);
        var run = dir.File(name);
        new GmmTrainer(TinyConfig, corpus.X, corpus.C).Train(run).Dispose();
        return run;
    }

    [Fact]
    public void Truncated_checkpoint()
    {
        var run = TrainTiny("truncated");
        using (GmmTrainer.LoadNetworks(run)) { }                                        // whole, it loads
        var path = Path.Combine(run, Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<SafeTensorsFormatException>(() => GmmTrainer.LoadNetworks(run));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        // resuming from it fails the same way instead of starting over
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 10, 12, new Generator(112));
        var r = Assert.Throws<SafeTensorsFormatException>(() => new GmmTrainer(TinyConfig with { Steps = 4 }, corpus.X, null).Train(run));
        Assert.Contains(path, r.Message);
    }

    [Fact]
    public void Resuming_with_a_different_config()
    {
        var run = TrainTiny("config");
        using var scope = NewDisposeScope();
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 10, 12, new Generator(113));
        foreach (var changed in new[] { TinyConfig with { LearningRate = 2e-3 }, TinyConfig with { Particles = 3 }, TinyConfig with { Seed = 4 } })
        {
            var e = Assert.Throws<InvalidOperationException>(() => new GmmTrainer(changed with { Steps = 4 }, corpus.X, null).Train(run));
            Assert.Contains(run, e.Message);
            Assert.Contains("different config", e.Message);
        }
        // steps, logging and checkpoint intervals may change
        new GmmTrainer(TinyConfig with { Steps = 3, LogEvery = 2, CheckpointEvery = 3 }, corpus.X, null).Train(run).Dispose();
        Assert.Equal(3, Checkpoint.Load(run).Manifest["step"]!.GetValue<int>());
    }

    [Fact]
    public void Invalid_configs_and_corpus_smaller_than_a_batch()
    {
        using var scope = NewDisposeScope();
        var corpus = zeros([4, 10, 2], ScalarType.Float32);
        Assert.Contains("steps", Assert.Throws<ArgumentException>(() => new GmmTrainer(TinyConfig with { Steps = 0 }, corpus, null)).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new GmmTrainer(TinyConfig with { LearningRate = 0 }, corpus, null)).Message);
        Assert.Contains("fewer than one batch", Assert.Throws<ArgumentException>(() => new GmmTrainer(TinyConfig, corpus, null)).Message);
    }
}
