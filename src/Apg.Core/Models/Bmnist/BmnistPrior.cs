namespace Apg.Core.Models.Bmnist;

/// <summary>
/// The model's fixed parts: D digits with 10-dimensional codes what[d] ~ Normal(0, I); where[d, 1] ~ Normal(0, I_2);
/// where[d, t] ~ Normal(where[d, t - 1], StepScale^2 I_2). StepScale is 0.2 in the authors' code (the paper's text says
/// 0.1); F x F frames of P x P digits.
/// </summary>
public sealed record BmnistPrior(int DigitCount = 3, int CodeSize = 10, double InitialScale = 1.0, double StepScale = 0.2,
    int FrameSize = 96, int DigitSize = 28)
{
    /// <summary>The pixel likelihood's floor, as the authors': log(mean + 1e-9), since clamped frames hit 0 and 1 exactly.</summary>
    public const double Epsilon = 1e-9;

    public void Validate()
    {
        if (DigitCount < 1 || CodeSize < 1) throw new ArgumentException($"digits and code size must be at least 1 (got {DigitCount}, {CodeSize})");
        if (!(InitialScale > 0) || !(StepScale > 0)) throw new ArgumentException($"prior scales must be positive (got {InitialScale}, {StepScale})");
        if (DigitSize < 2 || FrameSize <= DigitSize) throw new ArgumentException($"frame size {FrameSize} must exceed digit size {DigitSize}");
    }
}
