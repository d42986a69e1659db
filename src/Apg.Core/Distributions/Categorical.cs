using Apg.Core.Runtime;

namespace Apg.Core.Distributions;

/// <summary>Categorical over the last dim, from (unnormalized) logits; values are int64 indices.</summary>
public sealed class Categorical : IDistribution
{
    public Categorical(Tensor logits) => Logits = logits - logits.logsumexp(-1, keepdim: true);

    public static Categorical FromProbs(Tensor probs) => new(probs.log());

    /// <summary>Normalized log probabilities, [..., M].</summary>
    public Tensor Logits { get; }
    public Tensor Probs => Logits.exp();
    public long NumCategories => Logits.size(-1);

    /// <summary>Inverse-CDF draws: one uniform per row, index = number of cumulative probabilities below it.</summary>
    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        var shape = Logits.shape;
        long[] rows = [.. shape[..^1], 1];
        var u = SeededDraws.Rand(rows, Logits.dtype, Logits.device, generator);
        var below = Logits.detach().exp().cumsum(-1).lt(u).sum(-1);
        // Rounding can leave the last cumulative probability a hair under u.
        return below.clamp_max(shape[^1] - 1).to(ScalarType.Int64);
    }

    public Tensor LogProb(Tensor value) => Logits.gather(-1, value.unsqueeze(-1)).squeeze(-1);

    public Tensor Entropy() => -(Logits.exp() * Logits).sum(-1);

    public static Tensor Kl(Categorical p, Categorical q) => (p.Logits.exp() * (p.Logits - q.Logits)).sum(-1);
}

/// <summary>Categorical whose values are one-hot vectors (float, same dtype as the logits).</summary>
public sealed class OneHotCategorical(Tensor logits) : IDistribution
{
    public Categorical Categorical { get; } = new(logits);

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        var index = Categorical.Sample(generator);
        return nn.functional.one_hot(index, Categorical.NumCategories).to(Categorical.Logits.dtype);
    }

    public Tensor LogProb(Tensor value) => (Categorical.Logits * value).sum(-1);
}
