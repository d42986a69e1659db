using Apg.Torch.Autograd;
using Apg.Torch.NN;
using F = Apg.Torch.NN.Functional;

namespace Apg.Torch.Tests;

/// <summary>
/// float64 central finite differences against autograd for every differentiable op the models use.
/// Inputs stay away from kinks (relu and abs at 0, clamp at its bounds, grid_sample at pixel boundaries).
/// </summary>
public class GradCheckTests
{
    private sealed record Case(Func<Tensor[], Tensor> Function, Func<Tensor[]> Inputs);

    private static Tensor U(double lo, double hi, params long[] shape) => T.Uniform(shape, lo, hi, seed: (ulong)shape.Sum() * 7 + 11);
    private static Tensor S(ulong seed, double lo, double hi, params long[] shape) => T.Uniform(shape, lo, hi, seed);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["exp"] = new(x => x[0].Exp(), () => [U(-1, 1, 2, 3)]),
        ["log"] = new(x => x[0].Log(), () => [U(0.5, 2, 2, 3)]),
        ["log1p"] = new(x => x[0].Log1p(), () => [U(-0.5, 1, 2, 3)]),
        ["sqrt"] = new(x => x[0].Sqrt(), () => [U(0.3, 2, 2, 3)]),
        ["pow_scalar"] = new(x => x[0].Pow(2.5), () => [U(0.3, 2, 2, 3)]),
        ["pow_tensor"] = new(x => x[0].Pow(x[1]), () => [S(1, 0.3, 2, 2, 3), S(2, -1.5, 2, 2, 3)]),
        ["tanh"] = new(x => x[0].Tanh(), () => [U(-2, 2, 2, 3)]),
        ["sigmoid"] = new(x => x[0].Sigmoid(), () => [U(-3, 3, 2, 3)]),
        ["relu"] = new(x => x[0].Relu(), () => [T.F64([-1.3, -0.2, 0.4, 1.1, -0.7, 2.0], 2, 3)]),
        ["softplus"] = new(x => x[0].Softplus(), () => [U(-3, 3, 2, 3)]),
        ["softplus_beta"] = new(x => x[0].Softplus(beta: 2, threshold: 20), () => [U(-3, 3, 2, 3)]),
        ["lgamma"] = new(x => x[0].Lgamma(), () => [U(0.5, 4, 2, 3)]),
        ["digamma"] = new(x => x[0].Digamma(), () => [U(0.5, 4, 2, 3)]),
        ["abs"] = new(x => x[0].Abs(), () => [T.F64([-1.5, -0.3, 0.2, 0.9, -2.2, 0.6], 2, 3)]),
        ["div"] = new(x => x[0] / x[1], () => [S(1, -2, 2, 2, 3), S(2, 0.5, 2, 2, 3)]),
        ["mul_broadcast"] = new(x => x[0] * x[1], () => [S(1, -2, 2, 2, 3), S(2, -2, 2, 3)]),
        ["matmul"] = new(x => x[0].MatMul(x[1]), () => [S(1, -1, 1, 2, 3), S(2, -1, 1, 3, 4)]),
        ["bmm"] = new(x => x[0].Bmm(x[1]), () => [S(1, -1, 1, 2, 2, 3), S(2, -1, 1, 2, 3, 2)]),
        ["sum_dims"] = new(x => x[0].Sum([0, 2]), () => [U(-1, 1, 2, 3, 4)]),
        ["sum_keepdim"] = new(x => x[0].Sum(1, keepdim: true) * x[0], () => [U(-1, 1, 2, 3)]),
        ["mean_dims"] = new(x => x[0].Mean([1]) * x[0].Mean(), () => [U(-1, 1, 2, 3, 4)]),
        ["logsumexp"] = new(x => x[0].LogSumExp(1), () => [U(-2, 2, 3, 4)]),
        ["cumsum"] = new(x => x[0].CumSum(1).Square(), () => [U(-1, 1, 2, 4)]),
        ["softmax"] = new(x => x[0].Softmax(1), () => [U(-2, 2, 2, 4)]),
        ["log_softmax"] = new(x => x[0].LogSoftmax(0), () => [U(-2, 2, 3, 2)]),
        ["gather"] = new(x => x[0].Gather(1, T.I64([2, 0, 2, 1, 1, 3], 2, 3)), () => [U(-1, 1, 2, 4)]),
        ["index_select"] = new(x => x[0].IndexSelect(0, T.I64(2, 0, 2)), () => [U(-1, 1, 3, 2)]),
        ["cat"] = new(x => Torch.Cat([x[0], x[1].Square()], 1), () => [S(1, -1, 1, 2, 3), S(2, -1, 1, 2, 2)]),
        ["stack"] = new(x => Torch.Stack([x[0], x[1] * x[0]], 1), () => [S(1, -1, 1, 2, 3), S(2, -1, 1, 2, 3)]),
        ["expand"] = new(x => x[0].Expand(2, 3, 4) * x[1], () => [S(1, -1, 1, 3, 1), S(2, -1, 1, 2, 3, 4)]),
        ["where"] = new(x => Torch.Where(Torch.Tensor(new[] { true, false, false, true, true, false }, 2, 3), x[0].Exp(), x[1] * 3),
            () => [S(1, -1, 1, 2, 3), S(2, -1, 1, 2, 3)]),
        ["clamp"] = new(x => x[0].Clamp(-0.5, 0.5) * x[0], () => [T.F64([-1.2, -0.3, 0.1, 0.45, 0.9, -0.55], 2, 3)]),
        ["linear"] = new(x => F.Linear(x[0], x[1], x[2]), () => [S(1, -1, 1, 4, 3), S(2, -1, 1, 2, 3), S(3, -1, 1, 2)]),
        ["linear_no_bias"] = new(x => F.Linear(x[0], x[1]), () => [S(1, -1, 1, 2, 3), S(2, -1, 1, 2, 3)]),
        ["conv2d"] = new(x => F.Conv2d(x[0], x[1], x[2], padding: 1, groups: 2),
            () => [S(1, -1, 1, 1, 4, 4, 4), S(2, -1, 1, 4, 2, 3, 3), S(3, -1, 1, 4)]),
        ["conv2d_stride"] = new(x => F.Conv2d(x[0], x[1], null, stride: 2, dilation: 2),
            () => [S(1, -1, 1, 1, 2, 6, 6), S(2, -1, 1, 3, 2, 2, 2)]),
        ["grid_sample_bilinear"] = new(x => F.GridSample(x[0], x[1], GridSampleMode.Bilinear),
            () => [S(1, -1, 1, 1, 2, 3, 3), S(2, -0.9, 0.9, 1, 2, 3, 2)]),
        ["grid_sample_bilinear_align_border"] = new(x => F.GridSample(x[0], x[1], GridSampleMode.Bilinear, GridSamplePadding.Border, alignCorners: true),
            () => [S(1, -1, 1, 2, 1, 3, 3), S(2, -1.2, 1.2, 2, 2, 2, 2)]),
        ["affine_grid"] = new(x => F.AffineGrid(x[0], [1, 1, 3, 4]), () => [U(-1, 1, 1, 2, 3)]),
        ["affine_grid_align"] = new(x => F.AffineGrid(x[0], [2, 1, 2, 3], alignCorners: true), () => [U(-1, 1, 2, 2, 3)]),
        ["spatial_transformer"] = new(x => F.GridSample(x[1], F.AffineGrid(x[0], [1, 1, 3, 3])),
            () => [T.F64([0.9, 0.1, 0.05, -0.12, 0.8, 0.07], 1, 2, 3), S(2, -1, 1, 1, 1, 3, 3)]),
        ["mlp"] = new(x => F.Linear(F.Linear(x[0], x[1], x[2]).Tanh(), x[3]).Softplus().Sum(1).Log(),
            () => [S(1, -1, 1, 5, 3), S(2, -1, 1, 4, 3), S(3, -1, 1, 4), S(4, -1, 1, 2, 4)]),
    };

    public static TheoryData<string> Names() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Autograd_matches_finite_differences(string name)
    {
        using var scope = Torch.NewDisposeScope();
        var c = Cases[name];
        var result = GradCheck.Check(c.Function, c.Inputs());
        Assert.True(result.Passed, $"{name}: {result.Detail} (max abs error {result.MaxAbsError:G3})");
        Assert.True(result.MaxAbsError < 1e-5, $"{name}: max abs error {result.MaxAbsError:G3}");
    }

    [Fact]
    public void GradCheck_fails_for_a_function_whose_gradient_is_wrong()
    {
        using var scope = Torch.NewDisposeScope();
        // x * detach(x) equals x^2, but autograd sees only one factor: gradient x instead of 2x
        var result = GradCheck.Check(x => x[0] * x[0].Detach(), [U(0.5, 2, 2, 3)]);
        Assert.False(result.Passed);
        Assert.Contains("input 0", result.Detail);
        Assert.True(result.MaxAbsError > 0.1, $"max abs error {result.MaxAbsError}");
        // a gradient cut off entirely is also caught
        var cut = GradCheck.Check(x => x[0].Detach().Exp() + x[1], [S(1, -1, 1, 3), S(2, -1, 1, 3)]);
        Assert.False(cut.Passed);
        Assert.StartsWith("input 0", cut.Detail);
    }

    [Fact]
    public void GradCheck_passes_for_an_unused_input_and_rejects_float32()
    {
        using var scope = Torch.NewDisposeScope();
        var unused = GradCheck.Check(x => x[0].Square(), [S(1, -1, 1, 3), S(2, -1, 1, 2)]);
        Assert.True(unused.Passed, unused.Detail);
        Assert.Throws<ArgumentException>(() => GradCheck.Check(x => x[0], [Torch.Ones([2])]));
    }
}
