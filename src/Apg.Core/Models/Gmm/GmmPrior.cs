namespace Apg.Core.Models.Gmm;

/// <summary>The GMM's fixed hyperparameters: a Normal-Gamma per cluster and dimension, uniform mixture weights.</summary>
public sealed record GmmPrior(int Clusters = 3, int Dimensions = 2, double Mu0 = 0, double Nu0 = 0.1, double Alpha0 = 2, double Beta0 = 2)
{
    /// <summary>The hyperparameters of the paper's GMM experiments: the defaults.</summary>
    public static GmmPrior Paper { get; } = new();
}
