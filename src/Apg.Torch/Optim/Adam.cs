namespace Apg.Torch.Optim;

/// <summary>
/// Adam with PyTorch's update rule (L2 weight decay added to the gradient, bias corrections folded into
/// the step size and denominator exactly as torch.optim.Adam does, amsgrad off).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Tensor?[] expAvg;
    private readonly Tensor?[] expAvgSq;

    public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0) : base(parameters)
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be >= 0");
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        (Lr, Beta1, Beta2, Eps, WeightDecay) = (lr, beta1, beta2, eps, weightDecay);
        expAvg = new Tensor?[Parameters.Count];
        expAvgSq = new Tensor?[Parameters.Count];
    }

    public double Lr { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public long StepCount { get; private set; }

    public override void Step()
    {
        StepCount++;
        var biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        var stepSize = Lr / biasCorrection1;
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var g = p.Grad;
            if (g is null) continue;
            if (WeightDecay != 0) g = g + p * WeightDecay;
            var m = expAvg[i] ??= Torch.ZerosLike(p).DetachFromScope();
            var v = expAvgSq[i] ??= Torch.ZerosLike(p).DetachFromScope();
            m.Mul_(Beta1).Add_(g, 1 - Beta1);
            v.Mul_(Beta2).Addcmul_(g, g, 1 - Beta2);
            var denom = (v.Sqrt() / biasCorrection2Sqrt).Add_(Eps);
            p.Addcdiv_(m, denom, -stepSize);
        }
    }

    public override Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor> { ["step"] = Torch.Tensor(new[] { StepCount }) };
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (expAvg[i] is { } m) state[$"{i}.exp_avg"] = m.Clone();
            if (expAvgSq[i] is { } v) state[$"{i}.exp_avg_sq"] = v.Clone();
        }
        return state;
    }

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source = "optimizer state")
    {
        if (!state.TryGetValue("step", out var step))
            throw new InvalidDataException($"{source}: no 'step' entry");
        for (var i = 0; i < Parameters.Count; i++)
        {
            expAvg[i]?.Dispose();
            expAvgSq[i]?.Dispose();
            expAvg[i] = Load(state, $"{i}.exp_avg", Parameters[i], source);
            expAvgSq[i] = Load(state, $"{i}.exp_avg_sq", Parameters[i], source);
        }
        StepCount = step.ItemLong();
    }

    private static Tensor? Load(IReadOnlyDictionary<string, Tensor> state, string name, Tensor parameter, string source)
    {
        if (!state.TryGetValue(name, out var value)) return null;
        if (!value.Shape.SequenceEqual(parameter.Shape))
            throw new InvalidDataException(
                $"{source}: '{name}' has shape {Tensor.FormatShape(value.Shape)}, its parameter has {Tensor.FormatShape(parameter.Shape)}");
        using var noGrad = Torch.NoGrad();
        return value.To(parameter.DType).To(parameter.Device).Clone().DetachFromScope();
    }

    public override void Dispose()
    {
        foreach (var t in expAvg) t?.Dispose();
        foreach (var t in expAvgSq) t?.Dispose();
        base.Dispose();
    }
}
