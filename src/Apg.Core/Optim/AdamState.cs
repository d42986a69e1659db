using Apg.Core.Runtime;
using TorchSharp.Modules;

namespace Apg.Core.Optim;

/// <summary>
/// torch.optim.Adam's per-parameter state (step, exp_avg, exp_avg_sq) as named tensors, so it can live in a
/// safetensors checkpoint beside the weights and a resumed run continues bit-identically.
/// </summary>
public static class AdamState
{
    public static Dictionary<string, Tensor> Save(Adam adam)
    {
        var result = new Dictionary<string, Tensor>();
        var states = adam.state_dict().State;
        for (var i = 0; i < states.Count; i++)
        {
            var s = (Adam.State)states[i];
            result[$"{i}.step"] = tensor(s.step);
            result[$"{i}.exp_avg"] = s.exp_avg.detach().clone();
            result[$"{i}.exp_avg_sq"] = s.exp_avg_sq.detach().clone();
        }
        return result;
    }

    public static void Load(Adam adam, IReadOnlyDictionary<string, Tensor> saved, string source)
    {
        var states = adam.state_dict().State;
        var expected = states.Count * 3;
        if (saved.Count != expected)
            throw new InvalidDataException($"{source}: the optimizer state has {saved.Count} tensors, this model's Adam needs {expected}");
        using var noGrad = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var s = (Adam.State)states[i];
            var step = Get(saved, $"{i}.step", source);
            if (step.numel() != 1 || step.dtype != ScalarType.Int64)
                throw new InvalidDataException($"{source}: optimizer entry '{i}.step' must be one int64, found {step.dtype} {Shapes.Format(step)}");
            s.step = step.item<long>();
            Copy(s.exp_avg, Get(saved, $"{i}.exp_avg", source), $"{i}.exp_avg", source);
            Copy(s.exp_avg_sq, Get(saved, $"{i}.exp_avg_sq", source), $"{i}.exp_avg_sq", source);
        }
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> saved, string name, string source) =>
        saved.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"{source}: no optimizer entry '{name}'");

    private static void Copy(Tensor target, Tensor value, string name, string source)
    {
        if (!value.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"{source}: optimizer entry '{name}' has shape {Shapes.Format(value)}, the parameter has {Shapes.Format(target)}");
        target.copy_(value.to(target.dtype, target.device));
    }
}
