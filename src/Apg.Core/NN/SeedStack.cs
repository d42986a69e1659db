using TorchSharp.Modules;

namespace Apg.Core.NN;

/// <summary>
/// Seed batching: S networks of one architecture, one per training seed, trained in one program. Each layer's
/// parameters hold the S copies stacked on a new leading axis (weight [S, out, in], bias [S, out]), and a batch's
/// instances are S consecutive groups, group s seen by network s only. One op then does the work of S, which is
/// what pays on a task whose step is thousands of small ops. The seeds share nothing but the ops: their
/// parameters, gradients and (Adam being elementwise) optimizer states stay apart.
/// </summary>
public static class SeedStack
{
    /// <summary>
    /// Each seed's layer applied to its own group of instances. input [..., I, ..., in] with the instances on
    /// instanceAxis; weight [S, out, in] and bias [S, out] for S stacked layers (I a multiple of S), or [out, in]
    /// and [out] for one network (plain torch.nn.functional.linear).
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias, int instanceAxis)
    {
        if (weight.dim() == 2) return nn.functional.linear(input, weight, bias);
        var shape = input.shape;
        var axis = instanceAxis < 0 ? instanceAxis + shape.Length : instanceAxis;
        var seeds = weight.size(0);
        if (axis < 0 || axis >= shape.Length - 1 || shape[axis] % seeds != 0)
            throw new ArgumentException($"SeedStack.Linear: input [{string.Join(", ", shape)}] has no instance axis {instanceAxis} divisible into {seeds} seeds' groups");
        long before = 1, after = shape[axis] / seeds;
        for (var i = 0; i < axis; i++) before *= shape[i];
        for (var i = axis + 1; i < shape.Length - 1; i++) after *= shape[i];
        var grouped = input.reshape(before, seeds, after, shape[^1]);                 // [P, S, R, in]
        var output = matmul(grouped, weight.transpose(1, 2));                          // [P, S, R, out]
        if (bias is not null) output = output + bias.unsqueeze(1);
        return output.reshape([.. shape[..^1], weight.size(1)]);
    }

    /// <summary>
    /// Makes target the stack of networks (one per seed, each of target's architecture): every Linear layer of
    /// target gets the seeds' weights and biases stacked in seed order. Layers other than Linear holding parameters
    /// are refused.
    /// </summary>
    public static void Stack<T>(T target, IReadOnlyList<T> networks) where T : nn.Module
    {
        if (networks.Count == 0) throw new ArgumentException("SeedStack.Stack: no networks to stack");
        var layers = networks.Select(n => n.named_modules().ToDictionary(m => m.name, m => m.module)).ToList();
        using var noGrad = no_grad();
        foreach (var (name, module) in target.named_modules())
        {
            if (module is Linear linear)
            {
                var copies = layers.Select(l => (Linear)l[name]).ToList();
                linear.weight = new Parameter(stack(copies.Select(c => c.weight!).ToArray()));
                if (linear.bias is not null) linear.bias = new Parameter(stack(copies.Select(c => c.bias!).ToArray()));
            }
            else if (module.named_parameters(recurse: false).Any())
                throw new NotSupportedException($"SeedStack.Stack: layer '{name}' ({module.GetType().Name}) holds parameters and is not a Linear");
        }
    }

    /// <summary>Seed s's parameters, copied out of stacked into plain (a network of the same architecture).</summary>
    public static void Unstack<T>(T stacked, int seed, T plain) where T : nn.Module
    {
        var source = stacked.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in plain.named_parameters())
        {
            var all = source[name];
            if (all.dim() != parameter.dim() + 1 || seed < 0 || seed >= all.size(0))
                throw new ArgumentException($"SeedStack.Unstack: parameter '{name}' [{string.Join(", ", all.shape)}] holds no seed {seed} of [{string.Join(", ", parameter.shape)}]");
            parameter.copy_(all[seed]);
        }
    }
}
