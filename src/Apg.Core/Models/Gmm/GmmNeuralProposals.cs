using Apg.Core.Inference;
using Apg.Torch;
using Apg.Torch.NN;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>
/// A global proposal with neural sufficient statistics: per point a soft assignment g = softmax(Linear(input))
/// and a transformed point t = Linear(input); (sum g, sum g t, sum g t^2) per cluster go through the conjugate
/// update from the prior. Input is x (the one-shot encoder q(mu, tau | x)) or concat(x, c) (q(mu, tau | x, c)).
/// </summary>
public sealed class NeuralGlobalProposal : Module, IBlockProposal
{
    private readonly GmmPrior prior;
    private readonly Linear assignment;
    private readonly Linear transform;

    public NeuralGlobalProposal(GmmPrior prior, bool conditionsOnAssignments, Generator? generator = null, DType dtype = DType.Float32)
    {
        this.prior = prior;
        ConditionsOnAssignments = conditionsOnAssignments;
        var inputs = prior.Dimensions + (conditionsOnAssignments ? prior.Clusters : 0);
        assignment = RegisterModule("assignment", new Linear(inputs, prior.Clusters, generator: generator, dtype: dtype));
        transform = RegisterModule("transform", new Linear(inputs, prior.Dimensions, generator: generator, dtype: dtype));
    }

    public bool ConditionsOnAssignments { get; }
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        if (!ConditionsOnAssignments) throw new InvalidOperationException("the one-shot global encoder does not condition on c");
        var c = z[C];                                                   // [L, B, N, M]
        var input = Apg.Torch.Torch.Cat([x.Unsqueeze(0).Expand(c.Size(0), -1, -1, -1), c], -1);
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
        var g = Activations.Softmax(assignment.Forward(input));
        var t = transform.Forward(input);
        var (n, s1, s2) = GmmConjugacy.Statistics(g, t);
        return new GlobalConditional(GmmConjugacy.Posterior(prior, n, s1, s2));
    }
}

/// <summary>
/// The local proposal q(c | x, mu, tau): a score per point and cluster from an MLP on concat(x_n, mu_m, tau_m)
/// (3D -> 32, tanh, -> 1), softmax over clusters. Also the one-shot local encoder once globals are drawn.
/// </summary>
public sealed class NeuralLocalProposal : Module, IBlockProposal
{
    private readonly Sequential score;

    public NeuralLocalProposal(GmmPrior prior, int hidden = 32, Generator? generator = null, DType dtype = DType.Float32)
    {
        score = RegisterModule("score", new Sequential(
            new Linear(3 * prior.Dimensions, hidden, generator: generator, dtype: dtype),
            new Tanh(),
            new Linear(hidden, 1, generator: generator, dtype: dtype)));
    }

    public Block Block => Local;

    // Hidden activations are built a few particles at a time so that each chunk stays in cache: the whole
    // [L, B, N, M, H] block is tens of MB at evaluation sizes, and the memory traffic then dominates.
    private const long ChunkElements = 1 << 18;

    // Two identities keep the big [L, B, N, M, H] hidden block to three passes forward:
    // - the first layer on concat(x_n, mu_m, tau_m) splits into a per-point and a per-cluster part, so the
    //   [L, B, N, M, 3D] input is never built: the two parts broadcast-add into the hidden layer;
    // - tanh(a) = 2 sigmoid(2a) - 1, and the 2s and the -1 fold into the small weights of the layers around it
    //   (libtorch 1.13's CPU tanh is also a scalar loop, several times slower than its sigmoid).
    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var first = (Linear)score[0];
        var last = (Linear)score[2];
        var dims = x.Size(-1);
        var w1 = first.Weight * 2;
        var pointPart = Functional.Linear(x, w1.Narrow(1, 0, dims), first.Bias! * 2).Unsqueeze(-2);      // [B, N, 1, H]
        var globals = Apg.Torch.Torch.Cat([z[Mu], z[Tau]], -1);                                        // [L, B, M, 2D]
        var clusterPart = Functional.Linear(globals, w1.Narrow(1, dims, 2 * dims)).Unsqueeze(2);        // [L, B, 1, M, H]
        var w2 = last.Weight * 2;
        var b2 = last.Bias! - last.Weight.Sum(1);
        var shape = clusterPart.Shape;
        var particles = shape[0];
        var perParticle = shape[1] * x.Size(1) * shape[3] * shape[4];
        var chunk = Math.Max(1, ChunkElements / perParticle);
        var logits = new List<Tensor>();
        for (long start = 0; start < particles; start += chunk)
        {
            using var scope = Apg.Torch.Torch.NewDisposeScope();
            var part = clusterPart.Narrow(0, start, Math.Min(chunk, particles - start));
            var hidden = (pointPart + part).Sigmoid();                                                   // [l, B, N, M, H]
            // A 2D matrix product differentiates several times faster in libtorch than a 5D one.
            var shapeOut = hidden.Shape[..^1];
            logits.Add(Functional.Linear(hidden.View(-1, hidden.Size(-1)), w2, b2).View(shapeOut).MoveToOuterScope());
        }
        return new LocalConditional(logits.Count == 1 ? logits[0] : Apg.Torch.Torch.Cat(logits, 0));  // [L, B, N, M]
    }
}

/// <summary>The one-shot proposal q(z | x) = q(mu, tau | x) q(c | x, mu, tau).</summary>
public sealed class NeuralOneShot(NeuralGlobalProposal encoder, IBlockProposal local) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var encoded = encoder.Encode(x).Distribution;
        var shape = encoded.Mu.Shape;
        long[] expanded = [particles, .. shape];
        var global = new GlobalConditional(new Distributions.NormalGamma(
            encoded.Mu.Expand(expanded), encoded.Nu.Expand(expanded), encoded.Alpha.Expand(expanded), encoded.Beta.Expand(expanded)));
        var globals = global.Sample(generator);
        var logQGlobal = global.LogProb(globals);
        var localConditional = local.Condition(x, globals);
        var c = localConditional.Sample(generator);
        return (globals.With(c), logQGlobal + localConditional.LogProb(c).Sum(-1));
    }
}
