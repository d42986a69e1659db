using Apg.Core.Training;
using Apg.Core.Inference;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// How a kernel is adapted outside a VAE: Steps batches of chains, each started afresh and moved Moves times; the speed
/// measure trains step size and preconditioner with Adam, one step after every move (SpeedMeasure.Adapt), dual
/// averaging sets the step size after every move and ends at its averaged value. A move with a diverged chain (a
/// trajectory that overflowed, so that its gradient is not finite) still counts for the acceptance rate and beta, but
/// its gradient is left out.
/// </summary>
public sealed record KernelAdaptationConfig(McmcAdaptation Adaptation, int Steps, int Moves, double LearningRate, double TargetAcceptance)
{
    public void Validate()
    {
        ConfigChecks.AtLeastOne(Steps, "adaptation steps");
        ConfigChecks.AtLeastOne(Moves, "moves per adaptation step");
        if (!(LearningRate > 0)) throw new ArgumentException($"the adaptation's learning rate must be positive, got {LearningRate}");
        if (TargetAcceptance is not (> 0 and < 1)) throw new ArgumentException($"the target acceptance must lie in (0, 1), got {TargetAcceptance}");
    }
}

/// <summary>
/// After an adaptation step: the mean acceptance rate of its moves, the step size and beta (speed measure) then, and
/// how many of its moves diverged (speed measure: a non-finite gradient, left out; dual averaging: a non-finite log alpha).
/// </summary>
public sealed record KernelAdaptationMetrics(int Step, double Acceptance, double StepSize, double Beta, int DivergedMoves);

public static class KernelAdaptation
{
    /// <summary>Adapts the kernel in place on chains started by start(step) (observations and latents); returns the trace.</summary>
    public static IReadOnlyList<KernelAdaptationMetrics> Run(AdaptiveTargetKernel kernel, Func<int, (Tensor X, Latents Z)> start,
        KernelAdaptationConfig config, Generator? generator, Action<KernelAdaptationMetrics>? onStep = null)
    {
        config.Validate();
        var parameters = ((nn.Module)kernel.Kernel).parameters().ToArray();
        using var adam = optim.Adam(parameters, config.LearningRate);
        var speed = new SpeedMeasure(config.TargetAcceptance);
        var dual = new DualAveraging(config.TargetAcceptance, StepSizeOf(kernel));
        var bySpeed = config.Adaptation == McmcAdaptation.SpeedMeasure;
        var trace = new List<KernelAdaptationMetrics>(config.Steps);
        for (var step = 1; step <= config.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, z) = start(step);
            var acceptance = 0.0;
            var diverged = 0;
            for (var k = 0; k < config.Moves; k++)
            {
                var (next, move) = kernel.Step(x, z, generator, differentiable: bySpeed);
                var rate = move.Accepted.to(ScalarType.Float64).mean().item<double>();
                acceptance += rate / config.Moves;
                if (bySpeed)
                {
                    if (!speed.Adapt(move, rate, parameters, adam)) diverged++;
                }
                else
                {
                    if (!move.LogAcceptance.isfinite().all().item<bool>()) diverged++;
                    using var noGrad = no_grad();
                    kernel.Kernel.LogStepSize.fill_(Math.Log(dual.Update(rate)));
                }
                z = next;
            }
            var stepSize = StepSizeOf(kernel);
            if (!double.IsFinite(stepSize))
                throw new InvalidOperationException($"kernel adaptation diverged at step {step}: the step size is {stepSize}");
            var metrics = new KernelAdaptationMetrics(step, acceptance, stepSize, speed.Beta, diverged);
            trace.Add(metrics);
            onStep?.Invoke(metrics);
        }
        if (!bySpeed)
        {
            using var noGrad = no_grad();
            kernel.Kernel.LogStepSize.fill_(Math.Log(dual.AveragedStepSize));
        }
        return trace;
    }

    private static double StepSizeOf(AdaptiveTargetKernel kernel)
    {
        using var noGrad = no_grad();
        return kernel.Kernel.LogStepSize.exp().to(ScalarType.Float64).item<double>();
    }
}
