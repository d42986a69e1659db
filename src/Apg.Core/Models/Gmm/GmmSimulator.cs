using Apg.Core.Distributions;
using Apg.Torch;

namespace Apg.Core.Models.Gmm;

using Torch = Apg.Torch.Torch;

/// <summary>Draws GMM instances from the generative model: x [B, N, D] with its true mu, tau [B, M, D] and c [B, N] (int64).</summary>
public static class GmmSimulator
{
    public sealed record Corpus(Tensor X, Tensor Mu, Tensor Tau, Tensor C);

    public static Corpus Simulate(GmmPrior prior, int instances, int points, Generator generator, DType dtype = DType.Float32)
    {
        if (instances < 1 || points < 1) throw new ArgumentException($"need at least one instance and one point, got {instances} x {points}");
        using var noGrad = Torch.NoGrad();
        var globals = PriorGlobalProposal.Prior(prior, [instances, prior.Clusters, prior.Dimensions], dtype, Device.Cpu);
        var (mu, tau) = globals.Sample(generator);
        var c = new Categorical(Torch.Zeros([instances, points, prior.Clusters], dtype)).Sample(generator);
        var index = c.Unsqueeze(-1).Expand(instances, points, prior.Dimensions);
        var means = mu.Gather(1, index);
        var precisions = tau.Gather(1, index);
        var x = new Normal(means, precisions.Rsqrt()).Sample(generator);
        return new Corpus(x, mu, tau, c);
    }
}
