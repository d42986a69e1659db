using Apg.Core.Inference;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>
/// Table 2's metric (the authors' code has none): per frame, the sum over pixels of the squared difference between the
/// video and its reconstruction, averaged over frames; a corpus's figure averages it over videos. The reconstruction
/// is the posterior mean of the frame means: sum over particles of normalized weight x clamp(sum of placed digits, 0, 1).
/// </summary>
public static class ReconstructionError
{
    /// <summary>Per video [B]: mean over frames of the per-frame sum of squared pixel errors, for x and reconstruction [B, T, F, F].</summary>
    public static Tensor MeanSquared(Tensor x, Tensor reconstruction)
    {
        if (x.dim() != 4 || !x.shape.SequenceEqual(reconstruction.shape))
            throw new ArgumentException($"video and reconstruction must both be [B, T, F, F], got {Shapes.Format(x)} and {Shapes.Format(reconstruction)}");
        return (x - reconstruction).square().sum(-2, -1).mean([1]);
    }

    /// <summary>The weighted reconstruction [B, T, F, F] of particles z with log weights [L, B], built frame by frame.</summary>
    public static Tensor Reconstruct(BmnistModel model, Latents z, Tensor logWeights)
    {
        using var noGrad = no_grad();
        var weights = Weights.Normalized(logWeights).unsqueeze(-1).unsqueeze(-1);            // [L, B, 1, 1]
        var digits = model.Decoder.Decode(z[What]);
        return stack(Enumerable.Range(1, Frames(z)).Select(t =>
        {
            using var scope = NewDisposeScope();
            return (weights * model.FrameMean(digits, z[Where(t)])).sum(0L).MoveToOuterDisposeScope();
        }), 1);
    }
}
