using Apg.Core.Autograd;
using Apg.Core.Methods.Vae;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>What per-instance optimization gives: the best parameters found, their objective and the starting one
/// (both [B], on the fixed noise), and the mean after every iteration.</summary>
public sealed record PerInstanceOptimizationRun(Tensor Mean, Tensor LogVar, Tensor StartObjective, Tensor BestObjective, IReadOnlyList<Tensor> Means);

/// <summary>
/// Variational EM's E-step by gradient ascent: each instance's (mean, logvar) optimized on its own ELBO, the optimum the
/// amortized models approximate. The ELBO is a sample-average approximation (S noise draws fixed for the whole run), so
/// the objective is deterministic; Adam (elementwise, so per instance) ascends it, and each instance keeps the best
/// parameters it reached, so no instance ends below its start. Report ELBOs on fresh noise, not on this objective.
/// </summary>
public static class PerInstanceOptimization
{
    public static PerInstanceOptimizationRun Run(BernoulliDecoder decoder, Tensor x, Tensor startMean, Tensor startLogVar,
        int iterations, int samples, double learningRate, Generator generator)
    {
        if (iterations < 0) throw new ArgumentException($"iterations must be non-negative, got {iterations}");
        if (!(learningRate > 0)) throw new ArgumentException($"the learning rate must be positive, got {learningRate}");
        var noise = DiagonalGaussian.Noise(samples, startMean, generator);
        var mean = startMean.detach().clone();
        var logVar = startLogVar.detach().clone();
        var bestMean = mean.clone();
        var bestLogVar = logVar.clone();
        Tensor? start = null, best = null;
        var m = new[] { zeros_like(mean), zeros_like(logVar) };
        var v = new[] { zeros_like(mean), zeros_like(logVar) };
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        var means = new List<Tensor> { mean.clone() };
        for (var i = 0; i <= iterations; i++)
        {
            // The decoder's activations of an iteration are freed with it; only the [B, D] state moves on.
            using var scope = NewDisposeScope();
            var leaves = new[] { mean.requires_grad_(true), logVar.requires_grad_(true) };
            Tensor objective;
            Tensor[] grads;
            using (enable_grad())
            {
                objective = Elbo.Estimate(decoder, x, leaves[0], leaves[1], noise);
                grads = Gradients.Of(objective.sum(), leaves);
            }
            using var noGrad = no_grad();
            objective = objective.detach();
            mean = mean.detach();
            logVar = logVar.detach();
            if (start is null)
            {
                start = objective.clone();
                best = objective.clone();
            }
            else
            {
                var better = objective > best!;
                best = where(better, objective, best!);
                bestMean = where(better.unsqueeze(-1), mean, bestMean);
                bestLogVar = where(better.unsqueeze(-1), logVar, bestLogVar);
            }
            if (i == iterations)
            {
                scope.MoveToOuter(bestMean, bestLogVar, start, best!);
                break;
            }
            var parameters = new[] { mean, logVar };
            for (var p = 0; p < 2; p++)
            {
                m[p] = beta1 * m[p] + (1 - beta1) * grads[p];
                v[p] = beta2 * v[p] + (1 - beta2) * grads[p].square();
                var mHat = m[p] / (1 - Math.Pow(beta1, i + 1));
                var vHat = v[p] / (1 - Math.Pow(beta2, i + 1));
                parameters[p] = parameters[p] + learningRate * mHat / (vHat.sqrt() + epsilon);
            }
            (mean, logVar) = (parameters[0], parameters[1]);
            means.Add(mean.clone());
            scope.MoveToOuter([mean, logVar, bestMean, bestLogVar, start, best!, m[0], m[1], v[0], v[1], means[^1]]);
        }
        return new PerInstanceOptimizationRun(bestMean, bestLogVar, start!, best!, means);
    }
}
