namespace Apg.Torch.Autograd;

/// <summary>
/// torch.autograd.gradcheck: compares autograd's gradient of a function with central finite differences,
/// in float64. The function's output is reduced with fixed random weights so every output element counts.
/// </summary>
public static class GradCheck
{
    public sealed record Result(bool Passed, double MaxAbsError, string Detail);

    public static Result Check(Func<Tensor[], Tensor> function, Tensor[] inputs,
        double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3, ulong seed = 0)
    {
        using var scope = Torch.NewDisposeScope();
        foreach (var x in inputs)
            if (x.DType != DType.Float64)
                throw new ArgumentException($"gradcheck needs float64 inputs, got {x.DType} of shape {Tensor.FormatShape(x.Shape)}");

        var leaves = inputs.Select(x => x.Detach().Clone().RequiresGrad_()).ToArray();
        using var generator = new Generator(seed);
        Tensor weights;
        {
            var probe = function(leaves);
            weights = Torch.Randn(probe.Shape, generator, DType.Float64);
        }
        Tensor Objective(Tensor[] xs) => (function(xs) * weights).Sum();

        var analytic = AutogradFunctions.Grad([Objective(leaves)], leaves);
        var worst = 0.0;
        var detail = "";
        using var noGrad = Torch.NoGrad();
        for (var i = 0; i < leaves.Length; i++)
        {
            var values = leaves[i].ToArray<double>();
            var shape = leaves[i].Shape;
            var grad = analytic[i]?.ToArray<double>() ?? new double[values.Length];
            for (var j = 0; j < values.Length; j++)
            {
                using var inner = Torch.NewDisposeScope();
                var plus = (double[])values.Clone();
                var minus = (double[])values.Clone();
                plus[j] += eps;
                minus[j] -= eps;
                var xsPlus = (Tensor[])leaves.Clone();
                var xsMinus = (Tensor[])leaves.Clone();
                xsPlus[i] = Torch.Tensor(plus, shape);
                xsMinus[i] = Torch.Tensor(minus, shape);
                var numeric = (Objective(xsPlus).Item() - Objective(xsMinus).Item()) / (2 * eps);
                var error = Math.Abs(numeric - grad[j]);
                if (error > atol + rtol * Math.Abs(numeric) && detail == "")
                    detail = $"input {i} element {j}: autograd {grad[j]:G10}, finite difference {numeric:G10}";
                worst = Math.Max(worst, error);
            }
        }
        return new Result(detail == "", worst, detail);
    }
}
