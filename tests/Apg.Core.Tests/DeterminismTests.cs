using Apg.Core.NN;

namespace Apg.Core.Tests;

/// <summary>An explicit generator makes draws and a whole training run repeat bit for bit.</summary>
public class DeterminismTests
{
    private static byte[] Samples(ulong seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(seed);
        return T.Bits(randn([1000], ScalarType.Float32, generator: g))
            .Concat(T.Bits(rand([1000], ScalarType.Float64, generator: g)))
            .Concat(T.Bits(_standard_gamma(full([1000], 1.7, ScalarType.Float64), g)))
            .Concat(T.Bits(multinomial(ones([7], ScalarType.Float32), 100, true, g)))
            .ToArray();
    }

    [Fact]
    public void Same_seed_gives_bit_identical_tensors()
    {
        Assert.Equal(Samples(2024), Samples(2024));
        Assert.NotEqual(Samples(2024), Samples(2025));
    }

    /// <summary>Linear(6, 32) - Tanh - Linear(32, 1) trained with Adam for 50 steps; returns the final parameters.</summary>
    private static (float[][] Parameters, double FirstLoss, double LastLoss) Train(ulong seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(seed);
        using var model = nn.Sequential(("0", SeededLinear.Create(6, 32, g)), ("1", nn.Tanh()), ("2", SeededLinear.Create(32, 1, g)));
        var x = randn([64, 6], ScalarType.Float32, generator: g);
        var y = (x.narrow(1, 0, 3).sum(1, keepdim: true) - x.narrow(1, 3, 3).square().sum(1, keepdim: true)).tanh();
        using var adam = optim.Adam(model.parameters(), lr: 1e-2);
        double first = 0, last = 0;
        for (var step = 0; step < 50; step++)
        {
            using var inner = NewDisposeScope();
            model.zero_grad(set_to_none: true);
            var loss = (model.forward(x) - y).square().mean();
            loss.backward();
            adam.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        return (model.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray(), first, last);
    }

    [Fact]
    public void Same_seed_gives_a_bit_identical_training_run()
    {
        var a = Train(7);
        var b = Train(7);
        Assert.True(a.LastLoss < a.FirstLoss * 0.8, $"training did not progress: {a.FirstLoss} -> {a.LastLoss}");
        Assert.Equal(a.Parameters.Length, b.Parameters.Length);
        for (var i = 0; i < a.Parameters.Length; i++)
        for (var j = 0; j < a.Parameters[i].Length; j++)
            // exact equality of the float bits, element by element
            Assert.True(BitConverter.SingleToInt32Bits(a.Parameters[i][j]) == BitConverter.SingleToInt32Bits(b.Parameters[i][j]),
                $"parameter {i} element {j}: {a.Parameters[i][j]:R} vs {b.Parameters[i][j]:R}");
        Assert.Equal(a.LastLoss, b.LastLoss);

        var c = Train(8);
        Assert.NotEqual(a.Parameters[0], c.Parameters[0]);
    }
}
