namespace Apg.Torch.NN;

/// <summary>
/// A container of named parameters and sub-modules, as torch.nn.Module. Parameters belong to the module,
/// not to any dispose scope: disposing the module frees them.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> parameters = new();
    private readonly List<(string Name, Module Module)> modules = new();

    public bool Training { get; private set; } = true;

    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        if (parameters.Any(p => p.Name == name) || modules.Any(m => m.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'");
        tensor.DetachFromScope();
        if (!tensor.RequiresGrad) tensor.RequiresGrad = true;
        parameters.Add((name, tensor));
        return tensor;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        if (parameters.Any(p => p.Name == name) || modules.Any(m => m.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'");
        modules.Add((name, module));
        return module;
    }

    /// <summary>Every parameter with its dotted path ("encoder.0.weight"), in registration order.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        foreach (var (name, tensor) in parameters) yield return (name, tensor);
        foreach (var (prefix, module) in modules)
            foreach (var (name, tensor) in module.NamedParameters())
                yield return ($"{prefix}.{name}", tensor);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    public IEnumerable<(string Name, Module Module)> NamedChildren() => modules;

    public long ParameterCount() => Parameters().Sum(p => p.NumEl);

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, m) in modules) m.Train(training);
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Moves every parameter to a device (in place for the module, as PyTorch's module.to).</summary>
    public Module To(Device device)
    {
        for (var i = 0; i < parameters.Count; i++)
        {
            var (name, old) = parameters[i];
            if (old.Device == device) continue;
            Tensor moved;
            using (Torch.NoGrad()) moved = old.To(device).DetachFromScope();
            moved.RequiresGrad = true;
            parameters[i] = (name, moved);
            old.Dispose();
        }
        foreach (var (_, m) in modules) m.To(device);
        return this;
    }

    /// <summary>Copies of the parameters, by name, as PyTorch's state_dict (owned by the current scope).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        using var _ = Torch.NoGrad();
        return NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Detach().Clone());
    }

    /// <summary>Copies values into the parameters; names and shapes must match exactly.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source = "state dict")
    {
        var own = NamedParameters().ToList();
        var missing = own.Select(p => p.Name).Where(n => !state.ContainsKey(n)).ToList();
        var unexpected = state.Keys.Where(k => own.All(p => p.Name != k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"{source} does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        using var scope = Torch.NewDisposeScope();
        using var _ = Torch.NoGrad();
        foreach (var (name, parameter) in own)
        {
            var value = state[name];
            if (!value.Shape.SequenceEqual(parameter.Shape))
                throw new InvalidDataException(
                    $"{source}: '{name}' has shape {Tensor.FormatShape(value.Shape)}, the module expects {Tensor.FormatShape(parameter.Shape)}");
            parameter.CopyFrom(value.To(parameter.DType).To(parameter.Device));
        }
    }

    public virtual void Dispose()
    {
        foreach (var (_, p) in parameters) p.Dispose();
        foreach (var (_, m) in modules) m.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with one input and one output.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    public abstract TOutput Forward(TInput input);
    public TOutput Call(TInput input) => Forward(input);
}
