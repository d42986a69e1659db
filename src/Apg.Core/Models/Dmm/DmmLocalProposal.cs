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

    public Latents Sample(Generator? generator)
    {
        var c = Assignment.Sample(generator);
        var (a, b) = AngleParameters(c);
        return new Latents((C, c), (H, new Beta(a, b).Sample(generator)));
    }

    public Tensor LogProb(Latents values)
    {
        var c = values[C];
        var (a, b) = AngleParameters(c);
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
    private readonly Sequential score;
    private readonly Sequential logA;
    private readonly Sequential logB;

    public NeuralRingPointProposal(int hidden = 32, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(NeuralRingPointProposal))
    {
        const int d = DmmPrior.Dimensions;
        score = nn.Sequential(("0", SeededLinear.Create(d, hidden, generator, dtype, device)), ("1", nn.ReLU()), ("2", SeededLinear.Create(hidden, 1, generator, dtype, device)));
        logA = nn.Sequential(("0", SeededLinear.Create(d, hidden, generator, dtype, device)), ("1", nn.Tanh()), ("2", SeededLinear.Create(hidden, 1, generator, dtype, device)));
        logB = nn.Sequential(("0", SeededLinear.Create(d, hidden, generator, dtype, device)), ("1", nn.Tanh()), ("2", SeededLinear.Create(hidden, 1, generator, dtype, device)));
        register_module("score", score);
        register_module("log_a", logA);
        register_module("log_b", logB);
    }

    public Block Block => Local;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var mu = z[Mu];                                                            // [L, B, M, 2]
        var offsets = x.unsqueeze(-2) - mu.unsqueeze(-3);                          // [L, B, N, M, 2]
        var scores = score.forward(offsets).squeeze(-1);                           // [L, B, N, M]
        return new RingPointConditional(x, mu, scores, d => (logA.forward(d).exp(), logB.forward(d).exp()));
    }
}
