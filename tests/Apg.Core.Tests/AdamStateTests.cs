using Apg.Core.Data;
using Apg.Core.NN;
using Apg.Core.Optim;
using TorchSharp.Modules;

namespace Apg.Core.Tests;

/// <summary>
/// AdamState: torch.optim.Adam's per-parameter state (step, exp_avg, exp_avg_sq) as named tensors. Saved after some
/// steps (through a safetensors file, as the trainer's checkpoint does) and loaded into a fresh Adam over a model with
/// the same weights, the next steps are bit-identical to the uninterrupted run's.
/// </summary>
public sealed class AdamStateTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    private static Sequential Model(ulong seed)
    {
        using var g = new Generator(seed);
        return nn.Sequential(("0", SeededLinear.Create(3, 8, g, ScalarType.Float64)), ("1", nn.Tanh()),
            ("2", SeededLinear.Create(8, 1, g, ScalarType.Float64)));
    }

    private static Adam Optimizer(Sequential model) => optim.Adam(model.parameters(), lr: 0.01, weight_decay: 0.01);

    private static void TrainSteps(Sequential model, Adam adam, Tensor x, Tensor y, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            model.zero_grad(set_to_none: true);
            (model.forward(x) - y).square().mean().backward();
            adam.step();
        }
    }

    private static List<byte[]> Bits(Sequential model) => model.parameters().Select(T.Bits).ToList();

    [Fact]
    public void Saved_and_loaded_state_continues_bit_identically()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var x = randn([16, 3], ScalarType.Float64, generator: g);
        var y = x.sum(1, keepdim: true).sin();
        using var a = Model(1);
        using var adamA = Optimizer(a);
        TrainSteps(a, adamA, x, y, 5);

        var saved = AdamState.Save(adamA);
        Assert.Equal(3 * 4, saved.Count);                                               // step, exp_avg, exp_avg_sq per parameter
        Assert.Equal(5L, saved["0.step"].item<long>());
        Assert.Equal(ScalarType.Int64, saved["0.step"].dtype);
        Assert.Equal(new long[] { 8, 3 }, saved["0.exp_avg"].shape);
        Assert.Equal(new long[] { 8, 3 }, saved["0.exp_avg_sq"].shape);
        Assert.True(saved["0.exp_avg_sq"].gt(0).any().item<bool>());                    // the moments are there, not zeros

        // a second model and optimizer, restored from checkpoint files written to disk as safetensors
        SafeTensors.Save(dir.File("model.safetensors"), StateDicts.Of(a));
        SafeTensors.Save(dir.File("adam.safetensors"), saved);
        using var b = Model(2);
        using var adamB = Optimizer(b);
        StateDicts.Load(b, SafeTensors.Load(dir.File("model.safetensors")).Tensors);
        AdamState.Load(adamB, SafeTensors.Load(dir.File("adam.safetensors")).Tensors, "adam.safetensors");
        var restored = AdamState.Save(adamB);
        foreach (var (name, t) in saved) Assert.Equal(T.Bits(t), T.Bits(restored[name]));

        // the very next step, then five more, are bit-identical
        TrainSteps(a, adamA, x, y, 1);
        TrainSteps(b, adamB, x, y, 1);
        Assert.Equal(Bits(a), Bits(b));
        TrainSteps(a, adamA, x, y, 5);
        TrainSteps(b, adamB, x, y, 5);
        Assert.Equal(Bits(a), Bits(b));
        Assert.Equal(11L, AdamState.Save(adamB)["3.step"].item<long>());

        // without the optimizer state the bias-corrected steps differ: the check above can fail
        using var c = Model(2);
        using var adamC = Optimizer(c);
        StateDicts.Load(c, SafeTensors.Load(dir.File("model.safetensors")).Tensors);
        TrainSteps(c, adamC, x, y, 1);
        using var d = Model(2);
        using var adamD = Optimizer(d);
        StateDicts.Load(d, SafeTensors.Load(dir.File("model.safetensors")).Tensors);
        AdamState.Load(adamD, SafeTensors.Load(dir.File("adam.safetensors")).Tensors, "adam.safetensors");
        TrainSteps(d, adamD, x, y, 1);
        Assert.NotEqual(Bits(c)[0], Bits(d)[0]);
    }

    [Fact]
    public void Loading_checks_names_shapes_and_the_step()
    {
        using var scope = NewDisposeScope();
        using var m = Model(3);
        using var adam = Optimizer(m);
        var good = AdamState.Save(adam);

        var wrongShape = new Dictionary<string, Tensor>(good) { ["0.exp_avg"] = zeros([3, 8], ScalarType.Float64) };
        var e = Assert.Throws<InvalidDataException>(() => AdamState.Load(adam, wrongShape, "ckpt"));
        Assert.Contains("ckpt", e.Message);
        Assert.Contains("0.exp_avg", e.Message);
        Assert.Contains("[3, 8]", e.Message);
        Assert.Contains("[8, 3]", e.Message);

        var renamed = good.ToDictionary(kv => kv.Key == "1.exp_avg_sq" ? "9.exp_avg_sq" : kv.Key, kv => kv.Value);
        Assert.Contains("'1.exp_avg_sq'", Assert.Throws<InvalidDataException>(() => AdamState.Load(adam, renamed, "ckpt")).Message);

        var badStep = new Dictionary<string, Tensor>(good) { ["2.step"] = T.F64(3) };
        Assert.Contains("'2.step'", Assert.Throws<InvalidDataException>(() => AdamState.Load(adam, badStep, "ckpt")).Message);

        var fewer = good.Where(kv => !kv.Key.StartsWith("3.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var f = Assert.Throws<InvalidDataException>(() => AdamState.Load(adam, fewer, "ckpt"));
        Assert.Contains("9 tensors", f.Message);
        Assert.Contains("needs 12", f.Message);
        Assert.Throws<InvalidDataException>(() => AdamState.Load(adam, new Dictionary<string, Tensor>(), "ckpt"));
    }
}
