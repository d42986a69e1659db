using Apg.Core.Runtime;
using Apg.Core.Inference;
using Apg.Core.NN;
using TorchSharp.Modules;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>
/// A global proposal with neural sufficient statistics: per point a soft assignment g = softmax(Linear(input))
/// and a transformed point t = Linear(input); (sum g, sum g t, sum g t^2) per cluster go through the conjugate
/// update from the prior. Input is x (the one-shot encoder q(mu, tau | x)) or concat(x, c) (q(mu, tau | x, c)).
/// </summary>
public sealed class NeuralGlobalProposal : nn.Module, IBlockProposal
{
    private readonly GmmPrior prior;
    private readonly Linear assignment;
    private readonly Linear transform;

    public NeuralGlobalProposal(GmmPrior prior, bool conditionsOnAssignments, Generator? generator = null,
        ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(NeuralGlobalProposal))
    {
        this.prior = prior;
        ConditionsOnAssignments = conditionsOnAssignments;
        var inputs = prior.Dimensions + (conditionsOnAssignments ? prior.Clusters : 0);
        assignment = SeededLinear.Create(inputs, prior.Clusters, generator, dtype, device);
        transform = SeededLinear.Create(inputs, prior.Dimensions, generator, dtype, device);
        register_module("assignment", assignment);
        register_module("transform", transform);
    }

    // Instances are third from the end in every input: x [B, N, D], concat(x, c) [L, B, N, D + M].
    private const int InstanceAxis = -3;

    public bool ConditionsOnAssignments { get; }
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        if (!ConditionsOnAssignments) throw new InvalidOperationException("the one-shot global encoder does not condition on c");
        var c = z[C];                                                   // [L, B, N, M]
        var input = cat([x.unsqueeze(0).expand(c.size(0), -1, -1, -1), c], -1);
        return Statistics(input);
    }

    /// <summary>q(mu, tau | x) with parameters [B, M, D] (one-shot encoder).</summary>
    public GlobalConditional Encode(Tensor x)
    {
        if (ConditionsOnAssignments) throw new InvalidOperationException("the conditional global proposal needs c");
        return Statistics(x);
    }

    private GlobalConditional Statistics(Tensor input)
    {
        var a = SeedStack.Linear(input, assignment.weight!, assignment.bias, InstanceAxis);
        var g = (a - a.logsumexp(-1, keepdim: true)).exp();
        var t = SeedStack.Linear(input, transform.weight!, transform.bias, InstanceAxis);
        var (n, s1, s2) = GmmConjugacy.Statistics(g, t);
        return new GlobalConditional(GmmConjugacy.Posterior(prior, n, s1, s2));
    }
}

/// <summary>
/// The local proposal q(c | x, mu, tau): a score per point and cluster from an MLP on concat(x_n, mu_m, tau_m)
/// (3D -> 32, tanh, -> 1), softmax over clusters. Also the one-shot local encoder once globals are drawn.
/// </summary>
public sealed class NeuralLocalProposal : nn.Module, IBlockProposal
{
    private readonly Linear first;
    private readonly Linear last;

    public NeuralLocalProposal(GmmPrior prior, int hidden = 32, Generator? generator = null,
        ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(NeuralLocalProposal))
    {
        first = SeededLinear.Create(3 * prior.Dimensions, hidden, generator, dtype, device);
        last = SeededLinear.Create(hidden, 1, generator, dtype, device);
        register_module("score", nn.Sequential(("0", first), ("1", nn.Tanh()), ("2", last)));
    }

    public Block Block => Local;

    // Instances are third from the end in every input: x [B, N, D], (mu, tau) [L, B, M, 2D], hidden [l, M, B, N, H].
    private const int InstanceAxis = -3;

    // Hidden activations are built a few particles at a time (CacheChunks): the whole [L, M, B, N, H] block is
    // tens of MB at evaluation sizes, and the memory traffic would dominate.
    // Two identities keep the big hidden block [L, M, B, N, H] to three passes forward:
    // - the first layer on concat(x_n, mu_m, tau_m) splits into a per-point and a per-cluster part, so the
    //   [.., 3D] input is never built: the two parts broadcast-add into the hidden layer;
    // - tanh(a) = 2 sigmoid(2a) - 1, and the 2s and the -1 fold into the small weights of the layers around it
    //   (libtorch's CPU sigmoid is several times faster than its tanh).
    // Clusters go before instances so that the backward of the broadcast add reduces the per-point part over
    // leading dims: libtorch 2.10 sums [L, B, N, M, H] over dims (0, 3) some 60 times slower than over (0, 1).
    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var dims = x.size(-1);
        var w1 = first.weight! * 2;
        var pointPart = SeedStack.Linear(x, w1.narrow(-1, 0, dims), first.bias! * 2, InstanceAxis);       // [B, N, H]
        var globals = cat([z[Mu], z[Tau]], -1);                                                           // [L, B, M, 2D]
        var clusterPart = SeedStack.Linear(globals, w1.narrow(-1, dims, 2 * dims), null, InstanceAxis)
            .permute(0, 2, 1, 3).contiguous().unsqueeze(3);                                              // [L, M, B, 1, H]
        var w2 = last.weight! * 2;
        var b2 = last.bias! - last.weight!.sum(-1);
        var shape = clusterPart.shape;
        var perParticle = shape[1] * shape[2] * x.size(1) * shape[4];
        var logits = new List<Tensor>();
        foreach (var (start, length) in CacheChunks.Rows(shape[0], perParticle))
        {
            using var scope = NewDisposeScope();
            var part = clusterPart.narrow(0, start, length);
            var hidden = (pointPart + part).sigmoid();                                                    // [l, M, B, N, H]
            // A 2D matrix product differentiates several times faster in libtorch than a 5D one.
            var shapeOut = hidden.shape[..^1];
            var scores = w2.dim() == 2 ? nn.functional.linear(hidden.view(-1, hidden.size(-1)), w2, b2) : SeedStack.Linear(hidden, w2, b2, InstanceAxis);
            logits.Add(scores.view(shapeOut).MoveToOuterDisposeScope());
        }
        var all = logits.Count == 1 ? logits[0] : cat(logits, 0);                                         // [L, M, B, N]
        return new LocalConditional(all.permute(0, 2, 3, 1));                                             // [L, B, N, M]
    }
}

/// <summary>The one-shot proposal q(z | x) = q(mu, tau | x) q(c | x, mu, tau).</summary>
public sealed class NeuralOneShot(NeuralGlobalProposal encoder, IBlockProposal local) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var encoded = encoder.Encode(x).Distribution;
        var shape = encoded.Mu.shape;
        long[] expanded = [particles, .. shape];
        var global = new GlobalConditional(new Distributions.NormalGamma(
            encoded.Mu.expand(expanded), encoded.Nu.expand(expanded), encoded.Alpha.expand(expanded), encoded.Beta.expand(expanded)));
        var globals = global.Sample(generator);
        var logQGlobal = global.LogProb(globals);
        var localConditional = local.Condition(x, globals);
        var c = localConditional.Sample(generator);
        return (globals.With(c), logQGlobal + localConditional.LogProb(c).sum(-1));
    }
}
