namespace Apg.Torch.NN;

/// <summary>Modules applied in order; sub-modules are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    public Sequential Append(Module<Tensor, Tensor> module)
    {
        RegisterModule(layers.Count.ToString(), module);
        layers.Add(module);
        return this;
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int index] => layers[index];

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }
}
