using Apg.Core.Models.Gmm;
using Apg.Core.Training;
using Apg.Core.Data;

namespace Apg.Core.Tests;


/// <summary>
/// Training N steps straight and training N/2 then resuming to N (a second trainer on the same out directory) end in
/// bit-identical checkpoints (weights, Adam's moments and step, the generator's state) and the same metrics rows:
/// the checkpoint restores every source of state, and epoch orders come from (seed, epoch) alone. The breaks are in
/// the middle of an epoch (5 steps each) and between checkpoints (every 5), at a logged step (12, logs every 4) and
/// between logged steps (11: the first run also logs its last step, so the resumed log may hold that one extra row).
/// </summary>
[Collection("Training")]
public sealed class ResumeTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(12)]
    [InlineData(11)]
    public void Resumed_training_is_bit_identical_to_an_uninterrupted_run(int breakStep)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(101);
        var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 50, 30, g);
        var config = new GmmTrainingConfig
        {
            Sweeps = 3, Particles = 4, BatchSize = 10, Steps = 24, LearningRate = 1e-3, Seed = 7, LogEvery = 4, CheckpointEvery = 5,
        };
        var straight = dir.File("straight");
        var resumed = dir.File("resumed");
        new GmmTrainer(config, corpus.X, corpus.C).Train(straight).Dispose();
        new GmmTrainer(config with { Steps = breakStep }, corpus.X, corpus.C).Train(resumed).Dispose();
        Assert.Equal(breakStep, Step(resumed));
        new GmmTrainer(config, corpus.X, corpus.C).Train(resumed).Dispose();
        Assert.Equal(24, Step(straight));
        Assert.Equal(24, Step(resumed));

        var (a, _) = SafeTensors.Load(Path.Combine(straight, Checkpoint.WeightsFile));
        var (b, _) = SafeTensors.Load(Path.Combine(resumed, Checkpoint.WeightsFile));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains(a.Keys, k => k.StartsWith("networks.", StringComparison.Ordinal));
        Assert.Contains(a.Keys, k => k.StartsWith("adam.", StringComparison.Ordinal));
        Assert.Contains("generator.state", a.Keys);
        foreach (var key in a.Keys)
        {
            Assert.Equal(a[key].shape, b[key].shape);
            Assert.True(T.Bits(a[key]).SequenceEqual(T.Bits(b[key])), $"tensor '{key}' differs between the straight and the resumed run");
        }

        // metrics rows, but for the wall-clock 'seconds' column
        static List<string> Rows(string d) => File.ReadAllLines(Path.Combine(d, GmmTrainer.MetricsFile))
            .Select(line => string.Join(",", line.Split(',').Where((_, i) => i != 1))).ToList();
        var rows = Rows(straight);
        Assert.Equal(7, rows.Count); // header + steps 4, 8, ..., 24
        var resumedRows = Rows(resumed);
        if (breakStep % config.LogEvery == 0)
            Assert.Equal(rows, resumedRows);
        else
            Assert.Equal(rows, resumedRows.Where(row => !row.StartsWith($"{breakStep},", StringComparison.Ordinal)));
    }

    private static int Step(string directory) => Checkpoint.Load(directory).Manifest["step"]!.GetValue<int>();
}
