using Apg.Torch;
using BenchmarkDotNet.Attributes;

namespace Apg.Bench;

using Torch = Apg.Torch.Torch;

/// <summary>What one small op costs from C#, handle management and scope included.</summary>
[MemoryDiagnoser]
public class TensorOverhead
{
    private Tensor a = null!, b = null!, m = null!;

    [GlobalSetup]
    public void Setup()
    {
        a = Torch.Rand([10], new Generator(1)).DetachFromScope();
        b = Torch.Rand([10], new Generator(2)).DetachFromScope();
        m = Torch.Rand([10, 10], new Generator(3)).DetachFromScope();
    }

    [Benchmark(Description = "add, 10 elements (disposed at once)")]
    public void Add()
    {
        using var c = a + b;
    }

    [Benchmark(Description = "add, 10 elements, inside a dispose scope")]
    public void AddInScope()
    {
        using var scope = Torch.NewDisposeScope();
        _ = a + b;
    }

    [Benchmark(Description = "matmul 10x10 (disposed at once)")]
    public void MatMul()
    {
        using var c = m.MatMul(m);
    }
}
