using Apg.Core.Data;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>
/// GeneratorState: a generator's stream saved and restored. A restored state repeats the same draws (on the same or
/// another generator, and through a safetensors file as in a checkpoint); a state of the wrong size or type is an
/// exception naming the source, where TorchSharp's own set_state would abort the process.
/// </summary>
public sealed class GeneratorStateTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    /// <summary>Normal, gamma and permutation draws, as bytes one after the other.</summary>
    private static byte[] Draw(Generator g) =>
        [.. T.Bits(randn([20], ScalarType.Float64, generator: g)),
         .. T.Bits(_standard_gamma(full([20], 2.0, ScalarType.Float32), g)),
         .. T.Bits(randperm(50, ScalarType.Int64, generator: g))];

    [Fact]
    public void A_restored_state_repeats_the_same_draws()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(7);
        randn([10], ScalarType.Float32, generator: g);                                 // somewhere in the stream
        var state = GeneratorState.Get(g);
        Assert.Equal(ScalarType.Byte, state.dtype);
        Assert.Equal(1, state.dim());
        var first = Draw(g);
        Assert.NotEqual(first, Draw(g));                                 // the stream moved on

        GeneratorState.Set(g, state, "test");
        Assert.Equal(first, Draw(g));

        // the state carries over to another generator, whatever its seed
        using var other = new Generator(999);
        GeneratorState.Set(other, state, "test");
        Assert.Equal(first, Draw(other));

        // and through a checkpoint file
        SafeTensors.Save(dir.File("gen.safetensors"), new Dictionary<string, Tensor> { ["generator.state"] = state });
        using var third = new Generator(1);
        GeneratorState.Set(third, SafeTensors.Load(dir.File("gen.safetensors")).Tensors["generator.state"], "gen.safetensors");
        Assert.Equal(first, Draw(third));
    }

    [Fact]
    public void A_state_of_the_wrong_size_or_type_is_an_exception_not_an_abort()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(8);
        var state = GeneratorState.Get(g);
        var size = state.shape[0];

        var shorter = zeros([size - 8], ScalarType.Byte);
        var e = Assert.Throws<InvalidDataException>(() => GeneratorState.Set(g, shorter, "run/checkpoint.safetensors"));
        Assert.Contains("run/checkpoint.safetensors", e.Message);
        Assert.Contains($"[{size - 8}]", e.Message);
        Assert.Contains($"[{size}]", e.Message);

        Assert.Throws<InvalidDataException>(() => GeneratorState.Set(g, zeros([size + 1], ScalarType.Byte), "x"));
        Assert.Throws<InvalidDataException>(() => GeneratorState.Set(g, zeros([0], ScalarType.Byte), "x"));
        Assert.Throws<InvalidDataException>(() => GeneratorState.Set(g, state.view(1, size), "x"));
        var t = Assert.Throws<InvalidDataException>(() => GeneratorState.Set(g, state.to(ScalarType.Int64), "x"));
        Assert.Contains("Int64", t.Message);

        // the generator was left alone: it continues as one that was never touched
        using var untouched = new Generator(8);
        Assert.Equal(Draw(untouched), Draw(g));
    }
}
