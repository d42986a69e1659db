namespace Apg.Torch.Optim;

/// <summary>Updates a fixed list of parameters from their accumulated gradients.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<Tensor> parameters)
    {
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("an optimizer needs at least one parameter");
    }

    public IReadOnlyList<Tensor> Parameters { get; }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }

    public abstract void Step();

    /// <summary>The optimizer's state as named tensors, for checkpoints (owned by the current scope).</summary>
    public abstract Dictionary<string, Tensor> StateDict();

    public abstract void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string source = "optimizer state");

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
