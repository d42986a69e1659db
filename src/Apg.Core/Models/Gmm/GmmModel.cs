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

    /// <summary>
    /// log p(x_n | c_n, mu, tau): [L, B, N], the assigned cluster's entry of <see cref="LogLikelihoodPerCluster"/>
    /// (picking it with the one-hot c is exact: 1 x value + 0s), so the model and the exact local conditional score a
    /// point with the same arithmetic.
    /// </summary>
    public Tensor LogLikelihood(Tensor x, Latents z)
    {
        var perCluster = LogLikelihoodPerCluster(x, z[Mu], z[Tau]);
        var c = z[C];
        if (c.size(-1) != perCluster.size(-1) || c.dim() > perCluster.dim())
            throw new ArgumentException($"GMM likelihood: assignments c {Shapes.Format(c.shape)} must be one-hot over the " +
                                        $"clusters of mu {Shapes.Format(z[Mu].shape)}: [L, B, N, M] = {Shapes.Format(perCluster.shape)}");
        Shapes.Broadcast(c.shape, perCluster.shape);
        return (perCluster * c).sum(-1);
    }

    /// <summary>
    /// log N(x_n; mu_m, tau_m^-1/2) summed over dimensions, for every point and cluster: [L, B, N, M] from x [B, N, D]
    /// and mu, tau [L, B, M, D]. As a quadratic form, sum_d [0.5 log tau - 0.5 log 2 pi - 0.5 tau mu^2] per cluster
    /// minus 0.5 [x^2, x] . [tau, -2 tau mu] per point and cluster, one batched matmul over the instances: the direct
    /// form builds five [L, B, N, M, D] temporaries, which at BPG's 100,000 particles are 240 MB each.
    /// </summary>
    public static Tensor LogLikelihoodPerCluster(Tensor x, Tensor mu, Tensor tau)
    {
        if (x.dim() != 3 || mu.dim() != 4 || !mu.shape.SequenceEqual(tau.shape) || mu.size(1) != x.size(0) || mu.size(3) != x.size(2))
            throw new ArgumentException($"GMM likelihood: points x {Shapes.Format(x.shape)} must be [B, N, D] and means mu " +
                                        $"{Shapes.Format(mu.shape)}, precisions tau {Shapes.Format(tau.shape)} [L, B, M, D] with the same B and D");
        var features = cat([x.square(), x], -1);                                       // [B, N, 2D]
        var weights = cat([tau, tau * mu * -2.0], -1);                                 // [L, B, M, 2D]
        var perCluster = ((tau.log() - tau * mu.square()) * 0.5).sum(-1) - Normal.HalfLog2Pi * mu.size(-1); // [L, B, M]
        var quadratic = einsum("bnk,lbmk->lbnm", features, weights);                   // [L, B, N, M]
        return perCluster.unsqueeze(-2) - quadratic * 0.5;
    }

    private static Tensor Scalar(Tensor like, double value) => tensor(value, like.dtype, like.device);
}
