using Apg.Core.Inference;
using Apg.Core.Runtime;
using Normal = Apg.Core.Distributions.Normal;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>
/// The bouncing-MNIST model (section 6.4): digit codes and random-walk positions (see BmnistPrior); each frame's mean
/// is clamp(sum over digits of the decoded digit placed at its position, 0, 1) and its pixels are Bernoulli
/// (log-likelihood of grey levels as the authors': x log(m + eps) + (1 - x) log(1 - m + eps)). Data x: [B, T, F, F].
/// </summary>
public sealed class BmnistModel(BmnistPrior prior, DigitDecoder decoder, SpatialTransformer transformer) : IModel
{
    public BmnistPrior Prior { get; } = prior;
    public DigitDecoder Decoder { get; } = decoder;
    public SpatialTransformer Transformer { get; } = transformer;
    public IReadOnlyList<Tensor> Parameters => [.. Decoder.parameters()];

    public Tensor LogJoint(Tensor x, Latents z)
    {
        CheckData(x);
        var digits = Decoder.Decode(z[What]);
        var total = LogPriorWhat(z);
        for (var t = 1; t <= x.size(1); t++)
            total = total + LogTransition(z, t) + FrameLogLikelihood(x, digits, z[Where(t)], t);
        return total;
    }

    public Tensor LogJointTerms(Tensor x, Latents z, Block block)
    {
        var variable = block.Variables.Count == 1 ? block.Variables[0] : "";
        if (variable == What)
        {
            var digits = Decoder.Decode(z[What]);
            var total = LogPriorWhat(z);
            for (var t = 1; t <= x.size(1); t++) total = total + FrameLogLikelihood(x, digits, z[Where(t)], t);
            return total;
        }
        var frame = FrameOf(variable);
        if (frame == 0 || frame > x.size(1)) return LogJoint(x, z);
        var terms = LogTransition(z, frame) + FrameLogLikelihood(x, Decoder.Decode(z[What]), z[Where(frame)], frame);
        return frame < x.size(1) ? terms + LogTransition(z, frame + 1) : terms;
    }

    /// <summary>log p(what): [L, B].</summary>
    public Tensor LogPriorWhat(Latents z)
    {
        var what = z[What];
        return new Normal(zeros_like(what), ones_like(what)).LogProb(what).sum(-2, -1);
    }

    /// <summary>log p(where_t | where_{t-1}) (t = 1: the initial prior): [L, B].</summary>
    public Tensor LogTransition(Latents z, int t)
    {
        var current = z[Where(t)];
        var (loc, scale) = t == 1 ? (zeros_like(current), Prior.InitialScale) : (z[Where(t - 1)], Prior.StepScale);
        return new Normal(loc, full_like(current, scale)).LogProb(current).sum(-2, -1);
    }

    /// <summary>The mean of frame t: [L, B, F, F] from digits [L, B, D, P, P] and positions [L, B, D, 2].</summary>
    public Tensor FrameMean(Tensor digits, Tensor where) => Transformer.PlaceSum(digits, where).clamp(0, 1);

    /// <summary>log p(x_t | what, where_t): [L, B].</summary>
    public Tensor FrameLogLikelihood(Tensor x, Tensor digits, Tensor where, int t)
    {
        // Its frame-sized temporaries go with the scope (autograd keeps what backward needs): a sweep evaluates T frames.
        using var scope = NewDisposeScope();
        var mean = FrameMean(digits, where);
        var frame = x.select(1, t - 1);
        return (frame * (mean + BmnistPrior.Epsilon).log() + (1 - frame) * (1 - mean + BmnistPrior.Epsilon).log()).sum(-2, -1)
            .MoveToOuterDisposeScope();
    }

    /// <summary>The reconstruction of every frame: [L, B, T, F, F].</summary>
    public Tensor Reconstruct(Latents z)
    {
        var digits = Decoder.Decode(z[What]);
        return stack(Enumerable.Range(1, Frames(z)).Select(t => FrameMean(digits, z[Where(t)])), 2);
    }

    private void CheckData(Tensor x)
    {
        if (x.dim() != 4 || x.size(2) != Prior.FrameSize || x.size(3) != Prior.FrameSize)
            throw new ArgumentException($"bouncing-MNIST data must be [B, T, {Prior.FrameSize}, {Prior.FrameSize}], got {Shapes.Format(x)}");
    }
}
