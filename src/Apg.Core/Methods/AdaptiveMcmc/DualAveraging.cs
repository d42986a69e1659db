namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// Dual-averaging step-size adaptation (Nesterov; Hoffman and Gelman 2014, Algorithm 5), the baseline of Hirt et al.:
/// drives the acceptance rate to a target by the step size alone. mu = log(10 h0), gamma = 0.05, t0 = 10, kappa = 0.75.
/// </summary>
public sealed class DualAveraging(double targetAcceptance, double initialStepSize, double gamma = 0.05, double t0 = 10, double kappa = 0.75)
{
    private readonly double mu = Math.Log(10 * initialStepSize);
    private double hBar;
    private double logAveraged;

    public int Iteration { get; private set; }
    public double TargetAcceptance { get; } = targetAcceptance;

    /// <summary>The step size to use next.</summary>
    public double StepSize { get; private set; } = initialStepSize;

    /// <summary>The averaged step size, to use once adaptation ends.</summary>
    public double AveragedStepSize => Iteration == 0 ? StepSize : Math.Exp(logAveraged);

    /// <summary>The state to checkpoint: iteration, h-bar, log averaged step size, current step size.</summary>
    public double[] State => [Iteration, hBar, logAveraged, StepSize];

    public void Restore(double[] state)
    {
        if (state.Length != 4 || !(state[3] > 0)) throw new InvalidDataException("a saved dual-averaging state must hold 4 values with a positive step size");
        (Iteration, hBar, logAveraged, StepSize) = ((int)state[0], state[1], state[2], state[3]);
    }

    public double Update(double acceptanceRate)
    {
        Iteration++;
        var t = Iteration;
        hBar = (1 - 1.0 / (t + t0)) * hBar + (TargetAcceptance - acceptanceRate) / (t + t0);
        var logStep = mu - Math.Sqrt(t) / gamma * hBar;
        var weight = Math.Pow(t, -kappa);
        logAveraged = weight * logStep + (1 - weight) * logAveraged;
        StepSize = Math.Exp(logStep);
        return StepSize;
    }
}
