using Apg.Torch.NN;

namespace Apg.Torch.Tests;

public class ModuleTests
{
    private static Sequential Mlp(ulong seed, DType dtype = DType.Float32)
    {
        using var g = new Generator(seed);
        return new Sequential(new Linear(3, 4, generator: g, dtype: dtype), new ReLU(), new Linear(4, 2, generator: g, dtype: dtype));
    }

    [Fact]
    public void Sequential_names_parameters_with_dotted_paths()
    {
        using var scope = Torch.NewDisposeScope();
        using var m = Mlp(1);
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, m.NamedParameters().Select(p => p.Name));
        Assert.Equal(new[] { new long[] { 4, 3 }, [4], [2, 4], [2] }, m.NamedParameters().Select(p => p.Parameter.Shape));
        Assert.Equal(4 * 3 + 4 + 2 * 4 + 2, m.ParameterCount());
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(new[] { "0", "1", "2" }, m.NamedChildren().Select(c => c.Name));
        Assert.Equal(3, m.Count);
        Assert.IsType<ReLU>(m[1]);
        // nesting prefixes every level
        using var g = new Generator(2);
        using var outer = new Sequential(new Sequential(new Linear(2, 2, generator: g)), new Linear(2, 1, bias: false, generator: g));
        Assert.Equal(new[] { "0.0.weight", "0.0.bias", "1.weight" }, outer.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Linear_initialization_is_uniform_within_one_over_sqrt_in()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(3);
        using var lin = new Linear(100, 50, generator: g);
        var bound = 1 / Math.Sqrt(100);
        var w = lin.Weight.ToArray<float>();
        var b = lin.Bias!.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        // it fills the range: U(-0.1, 0.1) over 5000 draws reaches past +-0.09 and has variance bound^2 / 3
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound);
        var variance = w.Select(v => (double)v * v).Average();
        var z = (variance - bound * bound / 3) / Math.Sqrt((Math.Pow(bound, 4) / 5 - Math.Pow(bound * bound / 3, 2)) / w.Length);
        Assert.True(Math.Abs(z) < 4, $"weight variance {variance} vs {bound * bound / 3}, z = {z:F2}");
        Assert.Equal(DType.Float32, lin.Weight.DType);
        Assert.Equal(100, lin.InFeatures);
        Assert.Equal(50, lin.OutFeatures);
        using var noBias = new Linear(4, 3, bias: false, generator: g, dtype: DType.Float64);
        Assert.Null(noBias.Bias);
        Assert.Equal(DType.Float64, noBias.Weight.DType);
        Assert.Single(noBias.Parameters());
    }

    [Fact]
    public void Forward_composes_the_layers()
    {
        using var scope = Torch.NewDisposeScope();
        using var m = Mlp(4, DType.Float64);
        var x = T.F64([0.5, -1, 2, 1, 1, -3], 2, 3);
        var w0 = m.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        var expected = x.MatMul(w0["0.weight"].T()).Add(w0["0.bias"]).Relu().MatMul(w0["2.weight"].T()).Add(w0["2.bias"]);
        Assert.Equal(expected.ToArray<double>(), m.Forward(x).ToArray<double>());
        Assert.Equal(expected.ToArray<double>(), m.Call(x).ToArray<double>());
    }

    [Fact]
    public void State_dict_round_trip_copies_values()
    {
        using var scope = Torch.NewDisposeScope();
        using var a = Mlp(5);
        using var b = Mlp(6);
        var x = Torch.Tensor(new float[] { 1, 2, 3 }, 1, 3);
        Assert.NotEqual(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        var state = a.StateDict();
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, state.Keys);
        Assert.All(state.Values, t => Assert.False(t.RequiresGrad));
        b.LoadStateDict(state);
        Assert.Equal(a.Forward(x).ToArray<float>(), b.Forward(x).ToArray<float>());
        foreach (var ((_, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
        {
            Assert.Equal(pa.ToBytes(), pb.ToBytes());
            Assert.True(pb.RequiresGrad);
        }
        // the state dict holds copies: changing the module afterwards leaves it alone, and vice versa
        var saved = state["0.bias"].ToArray<float>();
        using (Torch.NoGrad()) a.Parameters().ElementAt(1).Fill_(9);
        Assert.Equal(saved, state["0.bias"].ToArray<float>());
        state["0.weight"].Fill_(0);
        Assert.NotEqual(new float[12], b.Parameters().First().ToArray<float>());
        // values of another dtype are converted
        b.LoadStateDict(state.ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.Float64)));
        Assert.Equal(DType.Float32, b.Parameters().First().DType);
        Assert.Equal(new float[12], b.Parameters().First().ToArray<float>());
    }

    [Fact]
    public void Load_state_dict_with_a_wrong_shape_names_the_parameter()
    {
        using var scope = Torch.NewDisposeScope();
        using var m = Mlp(7);
        var state = m.StateDict();
        state["2.weight"] = Torch.Zeros([4, 2]);
        var e = Assert.Throws<InvalidDataException>(() => m.LoadStateDict(state, "checkpoint.safetensors"));
        Assert.Contains("'2.weight'", e.Message);
        Assert.Contains("[4, 2]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        Assert.Contains("checkpoint.safetensors", e.Message);

        var missing = m.StateDict();
        missing.Remove("0.bias");
        missing["extra"] = Torch.Zeros([1]);
        var e2 = Assert.Throws<InvalidDataException>(() => m.LoadStateDict(missing));
        Assert.Contains("missing [0.bias]", e2.Message);
        Assert.Contains("unexpected [extra]", e2.Message);
    }

    [Fact]
    public void ZeroGrad_and_train_eval()
    {
        using var scope = Torch.NewDisposeScope();
        using var m = Mlp(8);
        m.Forward(Torch.Ones([2, 3])).Sum().Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
        Assert.True(m.Training);
        m.Eval();
        Assert.False(m.Training);
        Assert.All(m.NamedChildren(), c => Assert.False(c.Module.Training));
        m.Train();
        Assert.True(m[2].Training);
        Assert.Same(m, m.To(Device.Cpu));
    }
}
