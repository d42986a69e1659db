using Apg.Core.Runtime;

namespace Apg.Core.Autograd;

/// <summary>
/// torch.autograd.grad with the checks TorchSharp leaves to libtorch, where a violation aborts the process
/// instead of throwing: a scalar output that carries a graph, inputs that require grad, and zeros (not an
/// invalid tensor) for an input the output does not depend on.
/// </summary>
public static class Gradients
{
    public static Tensor[] Of(Tensor output, IReadOnlyList<Tensor> inputs, bool createGraph = false, bool retainGraph = false)
    {
        if (output.numel() != 1)
            throw new ArgumentException($"gradient of a non-scalar output of shape {Shapes.Format(output)}: reduce it first");
        for (var i = 0; i < inputs.Count; i++)
            if (!inputs[i].requires_grad)
                throw new ArgumentException($"input {i} ({Shapes.Format(inputs[i])}) does not require grad");
        if (!output.requires_grad) return inputs.Select(t => zeros_like(t)).ToArray();
        var grads = autograd.grad([output], inputs.ToList(), retain_graph: createGraph || retainGraph, create_graph: createGraph, allow_unused: true);
        return grads.Select((g, i) => g is null || g.IsInvalid ? zeros_like(inputs[i]) : g).ToArray();
    }
}
