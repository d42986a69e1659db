namespace Apg.Core.Distributions;

/// <summary>A distribution over tensors: draws through an explicit generator, scores values by log density.</summary>
public interface IDistribution
{
    Tensor Sample(Generator? generator);
    Tensor LogProb(Tensor value);
}
