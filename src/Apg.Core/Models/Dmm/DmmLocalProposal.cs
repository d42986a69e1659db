using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.NN;
using Apg.Core.Runtime;
using TorchSharp.Modules;
using Normal = Apg.Core.Distributions.Normal;
using OneHotCategorical = Apg.Core.Distributions.OneHotCategorical;
using Beta = Apg.Core.Distributions.Beta;

namespace Apg.Core.Models.Dmm;

using static DmmVariables;

/// <summary>
/// q(c, h | x, mu) per point: c from the ring scores, then h ~ Beta(a, b) with a, b computed from the point's offset
/// to its chosen centre. log q [L, B, N] = log q(c) + log q(h | c).
/// </summary>
public sealed class RingPointConditional(Tensor x, Tensor mu, Tensor scores, Func<Tensor, (Tensor A, Tensor B)> angleParameters) : IBlockConditional
{
    public OneHotCategorical Assignment { get; } = new(scores);

    // The Beta parameters of the c just drawn, kept for the forward log q of the same draw (one MLP pass fewer).
    private (Tensor C, Tensor A, Tensor B)? drawn;

    public Latents Sample(Generator? generator)
    {
        var c = Assignment.Sample(generator);
        var (a, b) = AngleParameters(c);
        drawn = (c, a, b);
        return new Latents((C, c), (H, new Beta(a, b).Sample(generator)));
    }

    public Tensor LogProb(Latents values)
    {
        var c = values[C];
        var (a, b) = drawn is { } d && ReferenceEquals(d.C, c) ? (d.A, d.B) : AngleParameters(c);
        return Assignment.LogProb(c) + new Beta(a, b).LogProb(values[H]).sum(-1);
    }

    private (Tensor A, Tensor B) AngleParameters(Tensor c) =>
        angleParameters(x - CheckedOps.MatMul(c, mu, "DMM local proposal: assignments c times centres mu"));
}

/// <summary>
/// The local proposal q(c, h | x, mu): a score per point and ring from an MLP on x[n] - mu[m] (32 hidden, ReLU),
/// c ~ softmax of the scores; h ~ Beta(a, b) with log a and log b from two MLPs on x[n] - mu[c[n]] (32 hidden, tanh).
/// Also the one-shot local encoder once mu is drawn.
/// </summary>
public sealed class NeuralRingPointProposal : nn.Module, IBlockProposal
{
    private readonly Linear scoreFirst;
    private readonly Linear scoreLast;
    private readonly Sequential logA;
    private readonly Sequential logB;

    public NeuralRingPointProposal(int hidden = 32, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(NeuralRingPointProposal))
    {
        const int d = DmmPrior.Dimensions;
        scoreFirst = SeededLinear.Create(d, hidden, generator, dtype, device);
        scoreLast = SeededLinear.Create(hidden, 1, generator, dtype, device);
        logA = nn.Sequential(("0", SeededLinear.Create(d, hidden, generator, dtype, device)), ("1", nn.Tanh()), ("2", SeededLinear.Create(hidden, 1, generator, dtype, device)));
        logB = nn.Sequential(("0", SeededLinear.Create(d, hidden, generator, dtype, device)), ("1", nn.Tanh()), ("2", SeededLinear.Create(hidden, 1, generator, dtype, device)));
        register_module("score", nn.Sequential(("0", scoreFirst), ("1", nn.ReLU()), ("2", scoreLast)));
        register_module("log_a", logA);
        register_module("log_b", logB);
    }

    public Block Block => Local;

    // The score MLP's first layer is linear in x[n] - mu[m], so it splits into a per-point and a per-ring part that
    // broadcast-add into the hidden layer: the [.., N, M, 2] offsets are never built, and RingScores computes the
    // hidden block [L M, B, N, H] in cache-sized chunks without keeping it for backward.
    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var mu = z[Mu];                                                                                    // [L, B, M, 2]
        var (particles, instances, rings) = (mu.size(0), mu.size(1), mu.size(2));
        var pointPart = nn.functional.linear(x, scoreFirst.weight!, scoreFirst.bias!);                    // [B, N, H]
        var ringPart = nn.functional.linear(mu.neg(), scoreFirst.weight!).permute(0, 2, 1, 3)
            .reshape(particles * rings, instances, -1);                                                    // [L M, B, H]
        var scores = RingScores.Apply(pointPart, ringPart, scoreLast.weight!, scoreLast.bias!)
            .view(particles, rings, instances, -1).permute(0, 2, 3, 1);                                   // [L, B, N, M]
        return new RingPointConditional(x, mu, scores, d => (logA.forward(d).exp(), logB.forward(d).exp()));
    }

    /// <summary>The plain form of the scores, MLP(x[n] - mu[m]) on the built offsets: [L, B, N, M] (for tests).</summary>
    public Tensor PlainScores(Tensor x, Tensor mu) =>
        scoreLast.forward(scoreFirst.forward(x.unsqueeze(-2) - mu.unsqueeze(-3)).relu()).squeeze(-1);
}
