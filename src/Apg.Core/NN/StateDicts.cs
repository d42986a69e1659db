using Apg.Core.Runtime;

namespace Apg.Core.NN;

/// <summary>
/// Loading a module's parameters by name with every name and shape checked: TorchSharp's load_state_dict
/// broadcasts a wrong-shaped tensor silently.
/// </summary>
public static class StateDicts
{
    /// <summary>
    /// Named parameters and buffers, detached views of the module's own tensors (owned by the current scope; disposing
    /// them leaves the module's parameters alone). TorchSharp's state_dict hands out the parameters themselves.
    /// </summary>
    public static Dictionary<string, Tensor> Of(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach());

    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source = "state dict")
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(n => !state.ContainsKey(n)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"{source} does not match {module.GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (name, target) in own)
            if (!state[name].shape.SequenceEqual(target.shape))
                throw new InvalidDataException(
                    $"{source}: '{name}' has shape {Shapes.Format(state[name])}, the module expects {Shapes.Format(target)}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, target) in own)
            target.copy_(state[name].to(target.dtype, target.device));
    }
}
