using Apg.Torch;

namespace Apg.Core.Distributions;

using Torch = Apg.Torch.Torch;

/// <summary>Bernoulli from logits, elementwise; values are 0/1 in the logits' dtype.</summary>
public sealed class Bernoulli(Tensor logits) : IDistribution
{
    public Tensor Logits { get; } = logits;
    public Tensor Probs => Logits.Sigmoid();

    public static Bernoulli FromProbs(Tensor probs) => new(probs.Log() - (1 - probs).Log());

    public Tensor Sample(Generator? generator)
    {
        using var noGrad = Torch.NoGrad();
        return Torch.Bernoulli(Logits.Sigmoid(), generator);
    }

    // x * logits - softplus(logits): log sigmoid and log (1 - sigmoid) without cancellation.
    public Tensor LogProb(Tensor value) => value * Logits - Logits.Softplus();
}
