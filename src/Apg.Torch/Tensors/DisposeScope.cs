namespace Apg.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and frees them when it
/// ends, except those moved out with <see cref="Tensor.MoveToOuterScope"/> or <see cref="Tensor.DetachFromScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly DisposeScope? outer;
    private readonly List<Tensor> tensors = new();
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    public static DisposeScope? Current => current;
    internal DisposeScope? Outer => outer;
    public int Count => tensors.Count;

    internal void Register(Tensor tensor) => tensors.Add(tensor);

    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
            throw new InvalidOperationException("dispose scopes must end in the reverse order they began");
        disposed = true;
        current = outer;
        foreach (var tensor in tensors)
            if (tensor.Scope == this) tensor.Dispose();
        tensors.Clear();
    }
}
