using Apg.Core.Runtime;

namespace Apg.Core.Distributions;

/// <summary>Bernoulli from logits, elementwise; values are 0/1 in the logits' dtype.</summary>
public sealed class Bernoulli(Tensor logits) : IDistribution
{
    public Tensor Logits { get; } = logits;
    public Tensor Probs => Logits.sigmoid();

    public static Bernoulli FromProbs(Tensor probs) => new(probs.log() - (1 - probs).log());

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        return SeededDraws.Bernoulli(Logits.sigmoid(), generator);
    }

    // x * logits - softplus(logits): log sigmoid and log (1 - sigmoid) without cancellation.
    public Tensor LogProb(Tensor value) => value * Logits - Logits.softplus();
}
