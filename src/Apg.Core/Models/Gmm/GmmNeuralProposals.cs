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
        var g = assignment.Forward(input).Softmax(-1);
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

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var mu = z[Mu];                                   // [L, B, M, D]
        var tau = z[Tau];
        var shape = mu.Shape;
        long particles = shape[0], instances = shape[1], clusters = shape[2], dims = shape[3], points = x.Size(1);
        var xs = x.Unsqueeze(0).Unsqueeze(-2).Expand(particles, instances, points, clusters, dims);
        var globals = Apg.Torch.Torch.Cat([mu, tau], -1).Unsqueeze(2).Expand(particles, instances, points, clusters, 2 * dims);
        var logits = score.Forward(Apg.Torch.Torch.Cat([xs, globals], -1)).Squeeze(-1);   // [L, B, N, M]
        return new LocalConditional(logits);
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
