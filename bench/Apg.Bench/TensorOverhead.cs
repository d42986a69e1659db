using BenchmarkDotNet.Attributes;

namespace Apg.Bench;

/// <summary>What one small op costs from C#, handle management and scope included.</summary>
[MemoryDiagnoser]
public class TensorOverhead
{
    private Tensor a = null!, b = null!, m = null!;

    [GlobalSetup]
    public void Setup()
    {
        a = rand([10], generator: new Generator(1)).DetachFromDisposeScope();
        b = rand([10], generator: new Generator(2)).DetachFromDisposeScope();
        m = rand([10, 10], generator: new Generator(3)).DetachFromDisposeScope();
    }

    [Benchmark(Description = "add, 10 elements (disposed at once)")]
    public void Add()
    {
        using var c = a + b;
    }

    [Benchmark(Description = "add, 10 elements, inside a dispose scope")]
    public void AddInScope()
    {
        using var scope = NewDisposeScope();
        _ = a + b;
    }

    [Benchmark(Description = "matmul 10x10 (disposed at once)")]
    public void MatMul()
    {
        using var c = m.matmul(m);
    }
}
