using Apg.Core.Inference;
using Apg.Core.Models.Bmnist;
using Apg.Core.Models.Dmm;
using Apg.Core.Models.Gmm;
using Apg.Core.NN;

namespace Apg.Core.Tests;

/// <summary>
/// What every task must satisfy to plug into the engine, checked on each task the same way: latents shaped
/// [L, B, ...], a block's LogJointTerms carrying every change of the log joint when only that block moves, finite
/// weights, bit-identical reruns from one seed, and a checkpoint that loads back bit for bit. (Exact conditionals,
/// where a task has them, are checked in ExactConditionalWeightTests.)
/// </summary>
[Collection("Training")]
public sealed class TaskContractTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private const int L = 3, B = 2;

    /// <summary>A task at test size: its APG sampler over fresh networks, a batch x, and a short training that
    /// returns the trained networks and the networks loaded back from its checkpoint.</summary>
    public sealed record TaskCase(string Name, Func<(ApgSampler Sampler, Tensor X, IDisposable Networks)> Build,
        Func<string, (nn.Module Trained, nn.Module Loaded)> TrainAndLoad)
    {
        public override string ToString() => Name;
    }

    private static Tensor Digits(int n, ulong seed)
    {
        var g = new Generator(seed);
        var values = rand([n, 28, 28], generator: g);
        return where(rand([n, 28, 28], generator: g).gt(0.75), values * 0.9 + 0.1, zeros_like(values));
    }

    public static TheoryData<TaskCase> Tasks() => new()
    {
        new TaskCase("gmm",
            () =>
            {
                var networks = new GmmNetworks(GmmPrior.Paper, new Generator(1));
                var x = GmmSimulator.Simulate(GmmPrior.Paper, B, 12, new Generator(2)).X;
                return (GmmMethods.Apg(new GmmModel(GmmPrior.Paper), networks), x, networks);
            },
            folder =>
            {
                var corpus = GmmSimulator.Simulate(GmmPrior.Paper, 6, 12, new Generator(3));
                var config = new GmmTrainingConfig { Sweeps = 2, Particles = 2, BatchSize = 3, Steps = 2, LearningRate = 1e-3, Seed = 4, LogEvery = 1 };
                return (new GmmTrainer(config, corpus.X, corpus.C).Train(folder), GmmTrainer.LoadNetworks(folder));
            }),
        new TaskCase("dmm",
            () =>
            {
                var networks = new DmmNetworks(DmmPrior.Paper with { NoiseScale = 0.5 }, new Generator(1));
                var x = DmmSimulator.Simulate(B, 16, new Generator(2)).X;
                return (DmmMethods.Apg(networks.Model, networks), x, networks);
            },
            folder =>
            {
                var corpus = DmmSimulator.Simulate(6, 16, new Generator(3)).X;
                var config = new DmmTrainingConfig { Sweeps = 2, Particles = 2, BatchSize = 3, Steps = 2, LearningRate = 1e-3, Seed = 4, NoiseScale = 0.5, LogEvery = 1 };
                return (new DmmTrainer(config, corpus).Train(folder), DmmTrainer.LoadNetworks(folder));
            }),
        new TaskCase("bmnist",
            () =>
            {
                var prior = new BmnistPrior(DigitCount: 2, FrameSize: 40);
                var networks = new BmnistNetworks(prior, Digits(10, 1).mean([0]), new Generator(1));
                var x = BmnistSimulator.Simulate(Digits(10, 2).reshape(10, -1), B, new BmnistSimulation(3, 2, 40, 0.3), new Generator(2)).Frames;
                return (BmnistMethods.Apg(networks, 3), x, networks);
            },
            folder =>
            {
                var videos = BmnistSimulator.Simulate(Digits(10, 3).reshape(10, -1), 4, new BmnistSimulation(3, 2, 40, 0.3), new Generator(3)).Frames;
                var config = new BmnistTrainingConfig { Sweeps = 2, Particles = 2, BatchSize = 2, Steps = 2, LearningRate = 1e-3, Seed = 4, DigitCount = 2, FrameSize = 40, LogEvery = 1 };
                return (new BmnistTrainer(config, videos, Digits(10, 3).mean([0])).Train(folder), BmnistTrainer.LoadNetworks(folder));
            }),
    };

    [Theory, MemberData(nameof(Tasks))]
    public void Every_latent_is_particles_first_and_finite(TaskCase task)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (sampler, x, networks) = task.Build();
        using var _ = networks;
        var run = sampler.Run(x, 2, L, new Generator(5));
        foreach (var (name, value) in run.Z)
        {
            Assert.True(value.dim() >= 2 && value.size(0) == L && value.size(1) == B, $"{task.Name}: latent {name} is {Runtime.Shapes.Format(value)}, not [L={L}, B={B}, ...]");
            Assert.True(value.to(ScalarType.Float64).isfinite().all().item<bool>(), $"{task.Name}: latent {name} has a non-finite value");
        }
        Assert.Equal([L, B], run.LogWeights.shape);
        Assert.True(run.LogWeights.isfinite().all().item<bool>(), $"{task.Name}: non-finite log weights");
    }

    [Theory, MemberData(nameof(Tasks))]
    public void A_blocks_log_joint_terms_carry_every_change_of_the_log_joint_when_only_that_block_moves(TaskCase task)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (sampler, x, networks) = task.Build();
        using var _ = networks;
        var g = new Generator(6);
        var z = sampler.Run(x, 1, L, g).Z;
        foreach (var update in sampler.Blocks)
        {
            var moved = z.With(update.Propose(x, z, g).Proposed);
            var change = (sampler.Model.LogJoint(x, moved) - sampler.Model.LogJoint(x, z)).to(ScalarType.Float64);
            Tensor Terms(Latents values)
            {
                var t = sampler.Model.LogJointTerms(x, values, update.Block).to(ScalarType.Float64);
                return update.Block.PerPoint ? t.flatten(2).sum(-1) : t;
            }
            var termsChange = Terms(moved) - Terms(z);
            // float32 sums of hundreds of terms: the tolerance scales with the size of the log joint itself.
            var scale = sampler.Model.LogJoint(x, z).abs().max().to(ScalarType.Float64).item<double>();
            var gap = (change - termsChange).abs().max().item<double>();
            Assert.True(gap <= 1e-5 * scale + 1e-3, $"{task.Name}, block {update.Block.Name}: log-joint change and block-term change differ by {gap} (scale {scale})");
        }
    }

    [Theory, MemberData(nameof(Tasks))]
    public void One_seed_gives_the_same_bits_twice(TaskCase task)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (sampler, x, networks) = task.Build();
        using var _ = networks;
        var first = sampler.Run(x, 3, L, new Generator(7));
        var second = sampler.Run(x, 3, L, new Generator(7));
        Assert.Equal(T.Bits(first.LogWeights), T.Bits(second.LogWeights));
        foreach (var (name, value) in first.Z) Assert.Equal(T.Bits(value), T.Bits(second.Z[name]));
    }

    [Theory, MemberData(nameof(Tasks))]
    public void A_checkpoint_loads_back_bit_for_bit(TaskCase task)
    {
        using var scope = NewDisposeScope();
        var (trained, loaded) = task.TrainAndLoad(dir.File(task.Name));
        using (trained)
        using (loaded)
        {
            var a = StateDicts.Of(trained);
            var b = StateDicts.Of(loaded);
            Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
            foreach (var (name, value) in a) Assert.True(T.Bits(value).SequenceEqual(T.Bits(b[name])), $"{task.Name}: {name} differs after loading");
        }
    }
}
