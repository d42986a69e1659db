using Apg.Torch.NN;
using Apg.Torch.Optim;
using Apg.Torch.Serialization;

namespace Apg.Torch.Tests;

/// <summary>Adam against torch.optim.Adam's update (amsgrad off) computed by hand in doubles.</summary>
public class AdamTests
{
    private static readonly double[] C = [0.5, 3.0];

    /// <summary>loss = sum(c * p^2), so dloss/dp = 2 c p.</summary>
    private static Tensor Loss(Tensor p) => (p.Square() * T.F64(C)).Sum();

    /// <summary>
    /// torch.optim.Adam: g += wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    /// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
    /// </summary>
    private static double[] Reference(double[] p0, int steps, double lr, double b1, double b2, double eps, double wd)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (var t = 1; t <= steps; t++)
        for (var i = 0; i < p.Length; i++)
        {
            var g = 2 * C[i] * p[i] + wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            p[i] -= lr / (1 - Math.Pow(b1, t)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, t)) + eps);
        }
        return p;
    }

    private static double[] Run(double[] p0, int steps, double lr, double b1, double b2, double eps, double wd)
    {
        using var scope = Torch.NewDisposeScope();
        var p = T.F64(p0).RequiresGrad_();
        using var adam = new Adam([p], lr, b1, b2, eps, wd);
        for (var t = 0; t < steps; t++)
        {
            adam.ZeroGrad();
            Loss(p).Backward();
            adam.Step();
        }
        Assert.Equal(steps, adam.StepCount);
        return p.ToArray<double>();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void Two_steps_match_the_hand_computed_update(double weightDecay)
    {
        double[] p0 = [1.0, -2.0];
        var expected = Reference(p0, 2, 0.1, 0.9, 0.999, 1e-8, weightDecay);
        Approx.Equal(expected, Run(p0, 2, 0.1, 0.9, 0.999, 1e-8, weightDecay), 1e-14);
        // the first step of Adam moves each coordinate by about lr against the gradient's sign
        var one = Run(p0, 1, 0.1, 0.9, 0.999, 1e-8, weightDecay);
        Approx.Equal(new[] { 0.9, -1.9 }, one, 1e-6);
    }

    [Fact]
    public void Weight_decay_changes_the_trajectory()
    {
        double[] p0 = [1.0, -2.0];
        var plain = Reference(p0, 5, 0.05, 0.8, 0.99, 1e-3, 0);
        var decayed = Reference(p0, 5, 0.05, 0.8, 0.99, 1e-3, 0.5);
        Assert.NotEqual(plain[0], decayed[0], 6);
        Approx.Equal(plain, Run(p0, 5, 0.05, 0.8, 0.99, 1e-3, 0), 1e-14);
        Approx.Equal(decayed, Run(p0, 5, 0.05, 0.8, 0.99, 1e-3, 0.5), 1e-14);
    }

    [Fact]
    public void Float32_parameters_follow_the_same_rule()
    {
        using var scope = Torch.NewDisposeScope();
        var p = T.F32(1, -2).RequiresGrad_();
        using var adam = new Adam([p], lr: 0.1);
        for (var t = 0; t < 2; t++)
        {
            adam.ZeroGrad();
            (p.Square() * T.F32(0.5f, 3)).Sum().Backward();
            adam.Step();
        }
        Approx.Equal(Reference([1.0, -2.0], 2, 0.1, 0.9, 0.999, 1e-8, 0), p.ToArray<float>().Select(x => (double)x).ToArray(), 1e-6);
    }

    [Fact]
    public void Parameters_without_gradient_are_left_alone()
    {
        using var scope = Torch.NewDisposeScope();
        var used = T.F64(1, -2).RequiresGrad_();
        var unused = T.F64(5, 6).RequiresGrad_();
        using var adam = new Adam([used, unused], lr: 0.1);
        Loss(used).Backward();
        adam.Step();
        Assert.Equal(new[] { 5.0, 6 }, unused.ToArray<double>());
        Assert.Null(unused.Grad);
        Assert.NotNull(used.Grad);
        adam.ZeroGrad();
        Assert.Null(used.Grad);
        var state = adam.StateDict();
        Assert.True(state.ContainsKey("0.exp_avg"));
        Assert.False(state.ContainsKey("1.exp_avg"));
        Assert.Equal(1L, state["step"].ItemLong());
    }

    [Fact]
    public void Invalid_hyperparameters_are_rejected()
    {
        using var scope = Torch.NewDisposeScope();
        var p = T.F64(1).RequiresGrad_();
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], lr: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta2: -0.1));
        Assert.Throws<ArgumentException>(() => new Adam([]));
    }

    private static Sequential Model(ulong seed)
    {
        using var g = new Generator(seed);
        return new Sequential(new Linear(3, 8, generator: g, dtype: DType.Float64), new Tanh(), new Linear(8, 1, generator: g, dtype: DType.Float64));
    }

    private static void TrainSteps(Sequential model, Adam adam, Tensor x, Tensor y, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = Torch.NewDisposeScope();
            adam.ZeroGrad();
            (model.Forward(x) - y).Square().Mean().Backward();
            adam.Step();
        }
    }

    [Fact]
    public void State_dict_round_trip_continues_identically()
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(5);
        var x = Torch.Randn([16, 3], g, DType.Float64);
        var y = x.Sum(1, keepdim: true).Sin();
        using var a = Model(1);
        using var adamA = new Adam(a.Parameters(), lr: 0.01, weightDecay: 0.01);
        TrainSteps(a, adamA, x, y, 5);

        // a second model and optimizer, restored from a checkpoint written to disk as safetensors
        using var dir = new TempDir();
        SafeTensors.Save(dir.File("model.safetensors"), a.StateDict());
        SafeTensors.Save(dir.File("adam.safetensors"), adamA.StateDict());
        using var b = Model(2);
        using var adamB = new Adam(b.Parameters(), lr: 0.01, weightDecay: 0.01);
        b.LoadStateDict(SafeTensors.Load(dir.File("model.safetensors")).Tensors);
        adamB.LoadStateDict(SafeTensors.Load(dir.File("adam.safetensors")).Tensors);
        Assert.Equal(5, adamB.StepCount);

        TrainSteps(a, adamA, x, y, 5);
        TrainSteps(b, adamB, x, y, 5);
        foreach (var ((name, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            Assert.True(pa.ToBytes().SequenceEqual(pb.ToBytes()), $"{name} differs after resuming");

        // without the optimizer state the bias-corrected steps differ: the check above can fail
        using var c = Model(2);
        using var adamC = new Adam(c.Parameters(), lr: 0.01, weightDecay: 0.01);
        c.LoadStateDict(SafeTensors.Load(dir.File("model.safetensors")).Tensors);
        TrainSteps(c, adamC, x, y, 5);
        Assert.False(a.Parameters().First().ToBytes().SequenceEqual(c.Parameters().First().ToBytes()));
    }

    [Fact]
    public void Loading_optimizer_state_checks_shapes()
    {
        using var scope = Torch.NewDisposeScope();
        var p = T.F64(1, 2).RequiresGrad_();
        using var adam = new Adam([p]);
        var bad = new Dictionary<string, Tensor> { ["step"] = T.I64(3), ["0.exp_avg"] = T.F64(1, 2, 3) };
        var e = Assert.Throws<InvalidDataException>(() => adam.LoadStateDict(bad));
        Assert.Contains("0.exp_avg", e.Message);
        Assert.Throws<InvalidDataException>(() => adam.LoadStateDict(new Dictionary<string, Tensor>()));
    }
}
