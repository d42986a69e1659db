using Apg.Core.NN;
using TorchSharp.Modules;

namespace Apg.Core.Tests;

/// <summary>
/// StateDicts: a module's parameters by name, and loading them back with every name and shape checked (TorchSharp's
/// own load_state_dict would broadcast a wrong-shaped tensor silently). A rejected state changes nothing.
/// </summary>
public class StateDictsTests
{
    private static Sequential Mlp(ulong seed, ScalarType dtype = ScalarType.Float32)
    {
        using var g = new Generator(seed);
        return nn.Sequential(("0", SeededLinear.Create(3, 4, g, dtype)), ("1", nn.ReLU()), ("2", SeededLinear.Create(4, 2, g, dtype)));
    }

    private static readonly string[] Names = ["0.weight", "0.bias", "2.weight", "2.bias"];

    [Fact]
    public void Of_names_every_parameter_with_its_shape()
    {
        using var scope = NewDisposeScope();
        using var m = Mlp(1);
        var state = StateDicts.Of(m);
        Assert.Equal(Names.Order(), state.Keys.Order());
        Assert.Equal(new long[] { 4, 3 }, state["0.weight"].shape);
        Assert.Equal(new long[] { 4 }, state["0.bias"].shape);
        Assert.Equal(new long[] { 2, 4 }, state["2.weight"].shape);
        Assert.Equal(new long[] { 2 }, state["2.bias"].shape);
        // detached views of the module's own values: no gradient flows through them
        Assert.All(state.Values, t => Assert.False(t.requires_grad));
        var parameters = m.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in Names) Assert.Equal(T.Bits(parameters[name]), T.Bits(state[name]));
        // views, not the parameters themselves: disposing them leaves the module whole
        var before = m.parameters().Select(T.Bits).ToList();
        foreach (var t in state.Values) t.Dispose();
        Assert.Equal(before, m.parameters().Select(T.Bits).ToList());
        Assert.Equal(new long[] { 2, 2 }, m.forward(ones([2, 3], ScalarType.Float32)).shape);
    }

    [Fact]
    public void Load_copies_the_values_and_keeps_the_module_trainable()
    {
        using var scope = NewDisposeScope();
        using var a = Mlp(5);
        using var b = Mlp(6);
        var x = tensor(new float[] { 1, 2, 3 }, [1, 3], ScalarType.Float32);
        Assert.NotEqual(T.D(a.forward(x)), T.D(b.forward(x)));
        StateDicts.Load(b, StateDicts.Of(a));
        Assert.Equal(T.D(a.forward(x)), T.D(b.forward(x)));
        foreach (var ((_, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
        {
            Assert.Equal(T.Bits(pa), T.Bits(pb));
            Assert.True(pb.requires_grad);
        }
        // the values were copied: changing a afterwards leaves b alone
        using (no_grad()) a.parameters().First().fill_(9);
        Assert.NotEqual(T.D(a.parameters().First()), T.D(b.parameters().First()));

        // values of another dtype are converted to the module's
        var zerosF64 = StateDicts.Of(a).ToDictionary(kv => kv.Key, kv => zeros_like(kv.Value).to(ScalarType.Float64));
        StateDicts.Load(b, zerosF64);
        Assert.Equal(ScalarType.Float32, b.parameters().First().dtype);
        Assert.Equal(new double[12], T.D(b.parameters().First()));
    }

    [Fact]
    public void A_wrong_shape_names_the_parameter_both_shapes_and_the_source()
    {
        using var scope = NewDisposeScope();
        using var m = Mlp(7);
        var before = m.parameters().Select(T.Bits).ToList();
        var state = StateDicts.Of(m).ToDictionary(kv => kv.Key, kv => kv.Value);
        state["2.weight"] = zeros([4, 2], ScalarType.Float32);                    // transposed: same count, wrong shape
        var e = Assert.Throws<InvalidDataException>(() => StateDicts.Load(m, state, "checkpoint.safetensors"));
        Assert.Contains("'2.weight'", e.Message);
        Assert.Contains("[4, 2]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        Assert.Contains("checkpoint.safetensors", e.Message);
        // a broadcastable shape is just as wrong
        state["2.weight"] = zeros([1, 4], ScalarType.Float32);
        Assert.Contains("[1, 4]", Assert.Throws<InvalidDataException>(() => StateDicts.Load(m, state)).Message);
        Assert.Equal(before, m.parameters().Select(T.Bits).ToList());                // nothing was copied
    }

    [Fact]
    public void Missing_and_unexpected_names_are_listed()
    {
        using var scope = NewDisposeScope();
        using var m = Mlp(8);
        var before = m.parameters().Select(T.Bits).ToList();
        var state = StateDicts.Of(Mlp(9)).ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Remove("0.bias");
        state["extra"] = zeros([1], ScalarType.Float32);
        var e = Assert.Throws<InvalidDataException>(() => StateDicts.Load(m, state, "run/checkpoint.safetensors"));
        Assert.Contains("missing [0.bias]", e.Message);
        Assert.Contains("unexpected [extra]", e.Message);
        Assert.Contains("run/checkpoint.safetensors", e.Message);

        var onlyMissing = StateDicts.Of(Mlp(9)).ToDictionary(kv => kv.Key, kv => kv.Value);
        onlyMissing.Remove("2.weight");
        Assert.Contains("missing [2.weight]", Assert.Throws<InvalidDataException>(() => StateDicts.Load(m, onlyMissing)).Message);
        var onlyExtra = StateDicts.Of(Mlp(9)).ToDictionary(kv => kv.Key, kv => kv.Value);
        onlyExtra["3.weight"] = zeros([1], ScalarType.Float32);
        Assert.Contains("unexpected [3.weight]", Assert.Throws<InvalidDataException>(() => StateDicts.Load(m, onlyExtra)).Message);
        Assert.Equal(before, m.parameters().Select(T.Bits).ToList());
    }
}
