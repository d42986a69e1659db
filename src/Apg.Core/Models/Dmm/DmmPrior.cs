namespace Apg.Core.Models.Dmm;

/// <summary>
/// The fixed parts of the DMM (section 6.3): M rings, mu[m] ~ Normal(0, MuScale^2 I), c ~ uniform, h ~ Beta(1, 1),
/// and the observation noise NoiseScale. The paper states a noise scale of 0.1; the authors' training default is
/// 0.5, so it is a setting and every reported number says which it used.
/// </summary>
public sealed record DmmPrior(int Clusters = 4, double MuScale = 10.0, double NoiseScale = 0.1)
{
    public const int Dimensions = 2;

    /// <summary>The paper's model: 4 rings, centres ~ Normal(0, 10^2), noise 0.1.</summary>
    public static DmmPrior Paper { get; } = new();

    public void Validate()
    {
        if (Clusters < 1) throw new ArgumentException($"DMM prior: clusters must be at least 1 (got {Clusters})");
        if (!(MuScale > 0) || !(NoiseScale > 0) || !double.IsFinite(MuScale) || !double.IsFinite(NoiseScale))
            throw new ArgumentException($"DMM prior: mu_scale and noise_scale must be positive and finite (got {MuScale}, {NoiseScale})");
    }
}
