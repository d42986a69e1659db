using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>
/// SeededDraws on the CPU: every helper draws bit for bit what libtorch's own op draws from an identically seeded
/// generator, so routing draws through it (for CUDA tensors, where a CPU generator is refused) changes no CPU run.
/// The CUDA path itself is checked on a GPU machine by scripts/device/cuda-check.sh.
/// </summary>
public sealed class SeededDrawsTests
{
    private static (byte[] Ours, byte[] Torch) Both(Func<Generator, Tensor> ours, Func<Generator, Tensor> torchOp)
    {
        using var scope = NewDisposeScope();
        using var a = new Generator(11);
        using var b = new Generator(11);
        // two draws each, so that the stream's position after the first is compared too
        return ([.. T.Bits(ours(a)), .. T.Bits(ours(a))], [.. T.Bits(torchOp(b)), .. T.Bits(torchOp(b))]);
    }

    [Fact]
    public void Rand_and_randn_draw_what_torch_draws()
    {
        var (o1, t1) = Both(g => SeededDraws.Rand([3, 4], ScalarType.Float64, CPU, g), g => rand([3, 4], ScalarType.Float64, CPU, generator: g));
        Assert.Equal(t1, o1);
        var (o2, t2) = Both(g => SeededDraws.Randn([5], ScalarType.Float32, CPU, g), g => randn([5], ScalarType.Float32, CPU, generator: g));
        Assert.Equal(t2, o2);
    }

    [Fact]
    public void Randperm_gamma_bernoulli_and_multinomial_draw_what_torch_draws()
    {
        var (o1, t1) = Both(g => SeededDraws.Randperm(17, CPU, g), g => randperm(17, generator: g));
        Assert.Equal(t1, o1);
        using var alpha = tensor(new[] { 0.3, 1.0, 2.5, 7.0 }, ScalarType.Float64);
        var (o2, t2) = Both(g => SeededDraws.StandardGamma(alpha, g), g => _standard_gamma(alpha, g));
        Assert.Equal(t2, o2);
        using var p = tensor(new[] { 0.1f, 0.5f, 0.9f, 0.5f });
        var (o3, t3) = Both(g => SeededDraws.Bernoulli(p, g), g => bernoulli(p, g));
        Assert.Equal(t3, o3);
        using var probs = tensor(new[] { 0.2, 0.3, 0.5, 0.6, 0.3, 0.1 }, [2, 3], ScalarType.Float64);
        var (o4, t4) = Both(g => SeededDraws.Multinomial(probs, 5, true, g), g => multinomial(probs, 5, true, g));
        Assert.Equal(t4, o4);
    }

    [Fact]
    public void Uniform_fills_the_tensor_in_place_as_torch_does()
    {
        using var scope = NewDisposeScope();
        using var a = new Generator(5);
        using var b = new Generator(5);
        var ours = zeros([4, 3], ScalarType.Float32);
        var returned = SeededDraws.Uniform_(ours, -0.5, 0.5, a);
        Assert.Equal(ours.Handle, returned.Handle);
        var theirs = zeros([4, 3], ScalarType.Float32).uniform_(-0.5, 0.5, b);
        Assert.Equal(T.Bits(theirs), T.Bits(ours));
        Assert.True(ours.ge(-0.5).all().item<bool>() && ours.lt(0.5).all().item<bool>());
    }
}
