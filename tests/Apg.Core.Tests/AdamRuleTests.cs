namespace Apg.Core.Tests;

/// <summary>
/// torch.optim.Adam as the trainer uses it: PyTorch's update rule, computed here by hand in float64, and
/// zero_grad(set_to_none: true) leaving a parameter that got no gradient where it is (zeroing in place would let
/// Adam's momentum keep moving it).
/// </summary>
public sealed class AdamRuleTests
{
    [Fact]
    public void Two_steps_follow_PyTorchs_rule_with_bias_correction()
    {
        const double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8;
        var p = nn.Parameter(T.F64(1.0, -2.0));
        using var adam = optim.Adam([p], lr: lr, beta1: b1, beta2: b2, eps: eps);
        double[] value = [1.0, -2.0], m = [0, 0], v = [0, 0];
        for (var step = 1; step <= 2; step++)
        {
            using var scope = NewDisposeScope();
            p.grad = null;
            // loss = sum(p^3): gradient 3 p^2
            (p * p * p).sum().backward();
            adam.step();
            for (var i = 0; i < 2; i++)
            {
                var g = 3 * value[i] * value[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                var denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(b2, step)) + eps;
                value[i] -= lr / (1 - Math.Pow(b1, step)) * m[i] / denom;
            }
            Approx.Close(value, T.D(p), 1e-12);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_parameter_without_a_gradient_moves_only_when_its_gradient_is_zeroed_in_place(bool setToNone)
    {
        using var g = new Generator(3);
        var used = nn.Parameter(randn([4], ScalarType.Float64, generator: g));
        var unused = nn.Parameter(randn([4], ScalarType.Float64, generator: g));
        using var adam = optim.Adam([used, unused], lr: 0.1);
        // A first step where both get gradients gives both a momentum.
        (used.square().sum() + unused.square().sum()).backward();
        adam.step();
        var unusedBefore = T.Bits(unused);
        var usedBefore = T.Bits(used);
        if (setToNone)
        {
            used.grad = null;
            unused.grad = null;
        }
        else
        {
            used.grad!.zero_();
            unused.grad!.zero_();
        }
        used.square().sum().backward();
        adam.step();
        Assert.NotEqual(usedBefore, T.Bits(used));
        if (setToNone) Assert.Equal(unusedBefore, T.Bits(unused));
        else Assert.NotEqual(unusedBefore, T.Bits(unused));
    }
}
