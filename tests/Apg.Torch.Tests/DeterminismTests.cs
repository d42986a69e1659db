using Apg.Torch.NN;
using Apg.Torch.Optim;

namespace Apg.Torch.Tests;

public class DeterminismTests
{
    private static byte[] Samples(ulong seed)
    {
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(seed);
        return Torch.Randn([1000], g).ToBytes()
            .Concat(Torch.Rand([1000], g, DType.Float64).ToBytes())
            .Concat(Torch.StandardGamma(Torch.Full([1000], 1.7, DType.Float64), g).ToBytes())
            .Concat(Torch.Multinomial(Torch.Ones([7]), 100, true, g).ToBytes())
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
        using var scope = Torch.NewDisposeScope();
        using var g = new Generator(seed);
        using var model = new Sequential(new Linear(6, 32, generator: g), new Tanh(), new Linear(32, 1, generator: g));
        var x = Torch.Randn([64, 6], g);
        var y = (x.Narrow(1, 0, 3).Sum(1, keepdim: true) - x.Narrow(1, 3, 3).Square().Sum(1, keepdim: true)).Tanh();
        using var adam = new Adam(model.Parameters(), lr: 1e-2);
        double first = 0, last = 0;
        for (var step = 0; step < 50; step++)
        {
            using var inner = Torch.NewDisposeScope();
            adam.ZeroGrad();
            var loss = (model.Forward(x) - y).Square().Mean();
            loss.Backward();
            adam.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        return (model.Parameters().Select(p => p.ToArray<float>()).ToArray(), first, last);
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
