using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>
/// The 2D Gaussian mixture of section 6.2: (mu, tau) ~ Normal-Gamma per cluster and dimension,
/// c ~ Cat(uniform), x | c ~ Normal(mu_c, 1 / sqrt(tau_c)). Nothing is learned.
/// </summary>
public sealed class GmmModel(GmmPrior prior) : IModel
{
    public GmmPrior Prior { get; } = prior;
    public IReadOnlyList<Tensor> Parameters { get; } = [];

    public Tensor LogJoint(Tensor x, Latents z) => LogPriorGlobal(z) + LogPointTerms(x, z).sum(-1);

    public Tensor LogJointTerms(Tensor x, Latents z, Block block) =>
        block.Name == Local.Name ? LogPointTerms(x, z)
        : block.Name == Global.Name ? LogPriorGlobal(z) + LogLikelihood(x, z).sum(-1)
        : LogJoint(x, z);

    /// <summary>log p(mu, tau): [L, B].</summary>
    public Tensor LogPriorGlobal(Latents z)
    {
        var mu = z[Mu];
        var tau = z[Tau];
        var precision = new Gamma(Scalar(tau, Prior.Alpha0), Scalar(tau, Prior.Beta0));
        var mean = new Normal(Scalar(mu, Prior.Mu0), (tau * Prior.Nu0).rsqrt());
        return (precision.LogProb(tau) + mean.LogProb(mu)).sum(-2, -1);
    }

    /// <summary>log p(c_n) + log p(x_n | c_n, mu, tau) per point: [L, B, N].</summary>
    public Tensor LogPointTerms(Tensor x, Latents z) => LogLikelihood(x, z) - Math.Log(Prior.Clusters);

    /// <summary>log p(x_n | c_n, mu, tau): [L, B, N].</summary>
    public Tensor LogLikelihood(Tensor x, Latents z)
    {
        var c = z[C];
        var mean = CheckedOps.MatMul(c, z[Mu], "GMM likelihood: assignments c times means mu");   // [L, B, N, D]
        var precision = CheckedOps.MatMul(c, z[Tau], "GMM likelihood: assignments c times precisions tau");
        return new Normal(mean, precision.rsqrt()).LogProb(x).sum(-1);
    }

    /// <summary>log N(x_n; mu_m, tau_m^-1/2) summed over dimensions, for every point and cluster: [L, B, N, M].</summary>
    public static Tensor LogLikelihoodPerCluster(Tensor x, Tensor mu, Tensor tau)
    {
        var points = x.unsqueeze(-2);          // [B, N, 1, D]
        var means = mu.unsqueeze(-3);          // [L, B, 1, M, D]
        var precisions = tau.unsqueeze(-3);
        return new Normal(means, precisions.rsqrt()).LogProb(points).sum(-1);
    }

    private static Tensor Scalar(Tensor like, double value) => tensor(value, like.dtype, like.device);
}
