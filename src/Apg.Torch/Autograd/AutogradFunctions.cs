using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch.Autograd;

/// <summary>torch.autograd's functional interface.</summary>
public static unsafe class AutogradFunctions
{
    /// <summary>
    /// Gradients of sum(outputs[i] * gradOutputs[i]) with respect to each input (null where an input is unused).
    /// Scalar outputs need no gradOutputs.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null, bool retainGraph = false, bool createGraph = false)
    {
        if (gradOutputs != null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"{gradOutputs.Count} grad outputs for {outputs.Count} outputs");
        var outs = outputs.Select(t => t.Handle).ToArray();
        var ins = inputs.Select(t => t.Handle).ToArray();
        var gouts = gradOutputs?.Select(t => t.Handle).ToArray();
        var result = new IntPtr[ins.Length];
        fixed (IntPtr* o = outs)
        fixed (IntPtr* i = ins)
        fixed (IntPtr* g = gouts)
        fixed (IntPtr* r = result)
            Tensor.Check(apg_autograd_grad(o, outs.Length, i, ins.Length, gouts == null ? null : g,
                retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0, r));
        return result.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
    }
}
