using Apg.Core.Distributions;

namespace Apg.Core.Models.Gmm;


/// <summary>Draws GMM instances from the generative model: x [B, N, D] with its true mu, tau [B, M, D] and c [B, N] (int64).</summary>
public static class GmmSimulator
{
    /// <summary>Simulated instances: the data X and the latents that generated it.</summary>
    public sealed record Corpus(Tensor X, Tensor Mu, Tensor Tau, Tensor C);

    /// <summary>Draws instances instances of points points each, on the CPU, from generator.</summary>
    public static Corpus Simulate(GmmPrior prior, int instances, int points, Generator generator, ScalarType dtype = ScalarType.Float32)
    {
        if (instances < 1 || points < 1) throw new ArgumentException($"need at least one instance and one point, got {instances} x {points}");
        using var noGrad = no_grad();
        var globals = PriorGlobalProposal.Prior(prior, [instances, prior.Clusters, prior.Dimensions], dtype, CPU);
        var (mu, tau) = globals.Sample(generator);
        var c = new Categorical(zeros([instances, points, prior.Clusters], dtype)).Sample(generator);
        var index = c.unsqueeze(-1).expand(instances, points, prior.Dimensions);
        var means = mu.gather(1, index);
        var precisions = tau.gather(1, index);
        var x = new Normal(means, precisions.rsqrt()).Sample(generator);
        return new Corpus(x, mu, tau, c);
    }
}
