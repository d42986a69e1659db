using Apg.Core.Inference;
using Apg.Core.NN;
using TorchSharp.Modules;
using Normal = Apg.Core.Distributions.Normal;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>
/// The position network: a softmax template-matching map [.., M * M] -> hidden 400 (ReLU) -> a mean head
/// (200, ReLU, 2, tanh) and a log-std head (200, ReLU, 2).
/// </summary>
public sealed class WhereEncoder : nn.Module
{
    private readonly Sequential hidden, mean, logStd;

    public WhereEncoder(int mapSize, Generator? generator = null, Device? device = null) : base(nameof(WhereEncoder))
    {
        hidden = nn.Sequential(("linear", SeededLinear.Create(mapSize * mapSize, 400, generator, device: device)), ("relu", nn.ReLU()));
        mean = nn.Sequential(("linear0", SeededLinear.Create(400, 200, generator, device: device)), ("relu", nn.ReLU()),
            ("linear1", SeededLinear.Create(200, 2, generator, device: device)), ("tanh", nn.Tanh()));
        logStd = nn.Sequential(("linear0", SeededLinear.Create(400, 200, generator, device: device)), ("relu", nn.ReLU()),
            ("linear1", SeededLinear.Create(200, 2, generator, device: device)));
        register_module("hidden", hidden);
        register_module("mean", mean);
        register_module("log_std", logStd);
    }

    public Normal Forward(Tensor map)
    {
        var h = hidden.forward(map);
        return new Normal(mean.forward(h), logStd.forward(h).exp());
    }
}

/// <summary>
/// q(where_t | x_t, templates): the digits of frame t in turn; digit d's position is drawn from the network applied to
/// the softmax of the cross-correlation of the residual frame (the frame minus digits 1..d-1 placed where this draw
/// put them) with digit d's template. The density of given positions recomputes the residuals from those positions,
/// so it is the exact density of the same kernel (the authors scored old positions on the new residuals). The first
/// digit's residual is the frame itself whatever the positions, so its distribution is computed once and serves the
/// draw and, without gradients, every later density (the engine's reverse kernel): one of the 2D passes of the
/// position network in a block update, with the same numbers.
/// </summary>
public sealed class WherePositionsConditional(WhereEncoder encoder, SpatialTransformer transformer, Tensor frame, Tensor templates, int t)
    : IBlockConditional
{
    private (Tensor Where, Tensor LogQ)? drawn;
    private Tensor[]? spectra; // each digit's template spectrum, shared by the draw and the reverse density
    private Normal? firstDigit; // the first digit's distribution, detached

    public Latents Sample(Generator? generator)
    {
        var (where, logQ) = Run(null, generator);
        drawn = (where, logQ);
        return new Latents((Where(t), where));
    }

    public Tensor LogProb(Latents values)
    {
        var where = values[Where(t)];
        return drawn is { } d && ReferenceEquals(d.Where, where) ? d.LogQ : Run(where, null).LogQ;
    }

    /// <summary>frame [L, B, F, F], templates [L, B, D, P, P] (no gradients), given [L, B, D, 2] or null to draw.</summary>
    private (Tensor Where, Tensor LogQ) Run(Tensor? given, Generator? generator)
    {
        var (l, b, digits) = (templates.size(0), templates.size(1), templates.size(2));
        var p = transformer.DigitSize;
        var residual = frame;
        Tensor? logQ = null;
        var positions = new List<Tensor>((int)digits);
        spectra ??= Enumerable.Range(0, (int)digits).Select(d => transformer.Spectrum(templates.select(2, d).reshape(l * b, p, p))).ToArray();
        for (var d = 0; d < digits; d++)
        {
            // A scope per digit: its maps and frames go as soon as it is done (autograd keeps what backward needs).
            using var scope = NewDisposeScope();
            var template = templates.select(2, d);
            var q = d == 0 && firstDigit is not null && !is_grad_enabled() ? firstDigit : Propose(residual, spectra[d]);
            if (d == 0 && firstDigit is null)
                firstDigit = new Normal(q.Loc.detach().MoveToOuterDisposeScope(), q.Scale.detach().MoveToOuterDisposeScope());
            var position = given is null ? q.Sample(generator) : given.select(2, d);
            var term = q.LogProb(position).sum(-1);
            logQ = (logQ is null ? term : logQ + term).MoveToOuterDisposeScope();
            positions.Add(position.MoveToOuterDisposeScope());
            if (d + 1 < digits)
                using (no_grad())
                {
                    var next = (residual - transformer.Place(template, position)).MoveToOuterDisposeScope();
                    if (!ReferenceEquals(residual, frame)) residual.Dispose();
                    residual = next;
                }
        }
        if (!ReferenceEquals(residual, frame)) residual.Dispose();
        return (given ?? stack(positions, 2), logQ!);
    }

    private Normal Propose(Tensor residual, Tensor spectrum)
    {
        var (l, b, f) = (residual.size(0), residual.size(1), transformer.FrameSize);
        var map = transformer.CorrelateSpectra(residual.reshape(l * b, f, f), spectrum);
        return encoder.Forward(FlushSubnormal(nn.functional.softmax(map.reshape(l, b, -1), -1)));
    }

    // Most of a softmax over thousands of positions underflows to float32 subnormals, and x86 multiplies those a
    // hundred times slower: the position network's matmuls (forward and weight gradient) took 10 times longer. Zeroing
    // them is what flush-to-zero hardware does; the network's input changes by less than 1.2e-38 per entry.
    private static Tensor FlushSubnormal(Tensor p) => p.masked_fill(p.lt(1.1754944e-38f), 0);
}

/// <summary>The block proposal of {where_t}: templates are the current codes' decoded digits (held fixed: no gradient to theta).</summary>
public sealed class WhereProposal(WhereEncoder encoder, BmnistModel model, int t) : IBlockProposal
{
    public Block Block { get; } = WhereBlock(t);

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        Tensor templates;
        using (no_grad()) templates = model.Decoder.Decode(z[What]);
        return Conditional(encoder, model.Transformer, x, templates, t);
    }

    /// <summary>The conditional of frame t of x [B, T, F, F] with templates [L, B, D, P, P].</summary>
    public static WherePositionsConditional Conditional(WhereEncoder encoder, SpatialTransformer transformer, Tensor x, Tensor templates, int t)
    {
        var frame = x.select(1, t - 1).unsqueeze(0).expand(templates.size(0), -1, -1, -1);
        return new WherePositionsConditional(encoder, transformer, frame, templates, t);
    }
}
