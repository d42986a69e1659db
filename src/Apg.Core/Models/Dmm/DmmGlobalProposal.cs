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

/// <summary>A Normal over the ring centres mu [.., M, 2]; log q sums over rings and dimensions.</summary>
public sealed class CentreConditional(Normal distribution) : IBlockConditional
{
    public Normal Distribution { get; } = distribution;
    public Latents Sample(Generator? generator) => new((Mu, Distribution.Sample(generator)));
    public Tensor LogProb(Latents values) => Distribution.LogProb(values[Mu]).sum(-2, -1);
}

/// <summary>
/// q(mu | x) (the one-shot encoder) or q(mu | x, c) with neural sufficient statistics: per point a feature vector
/// (MLP, 32 tanh, 8 features) and a soft assignment (softmax over rings from a second MLP); per ring the
/// assignment-weighted mean of the features, with the prior's mean and scale appended, goes through two MLPs to the
/// mean and log-scale of a Normal over mu[m].
/// </summary>
public sealed class NeuralCentreProposal : nn.Module, IBlockProposal
{
    private readonly DmmPrior prior;
    private readonly Sequential features;
    private readonly Sequential assignment;
    private readonly Sequential mean;
    private readonly Sequential logScale;

    public NeuralCentreProposal(DmmPrior prior, bool conditionsOnAssignments, int hidden = 32, int statistics = 8,
        Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(NeuralCentreProposal))
    {
        this.prior = prior;
        ConditionsOnAssignments = conditionsOnAssignments;
        var inputs = DmmPrior.Dimensions + (conditionsOnAssignments ? prior.Clusters : 0);
        Sequential Mlp(int from, int to) =>
            nn.Sequential(("0", SeededLinear.Create(from, hidden, generator, dtype, device)), ("1", nn.Tanh()), ("2", SeededLinear.Create(hidden, to, generator, dtype, device)));
        features = Mlp(inputs, statistics);
        assignment = Mlp(inputs, prior.Clusters);
        mean = Mlp(statistics + 2 * DmmPrior.Dimensions, DmmPrior.Dimensions);
        logScale = Mlp(statistics + 2 * DmmPrior.Dimensions, DmmPrior.Dimensions);
        register_module("features", features);
        register_module("assignment", assignment);
        register_module("mean", mean);
        register_module("log_scale", logScale);
    }

    public bool ConditionsOnAssignments { get; }
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        if (!ConditionsOnAssignments) throw new InvalidOperationException("the one-shot centre encoder does not condition on c");
        var c = z[C];                                                              // [L, B, N, M]
        return Statistics(cat([x.unsqueeze(0).expand(c.size(0), -1, -1, -1), c], -1));
    }

    /// <summary>q(mu | x) with parameters [B, M, 2] (one-shot encoder).</summary>
    public CentreConditional Encode(Tensor x)
    {
        if (ConditionsOnAssignments) throw new InvalidOperationException("the conditional centre proposal needs c");
        if (x.dim() != 3 || x.size(-1) != DmmPrior.Dimensions)
            throw new ArgumentException($"DMM data x must be [instances, points, {DmmPrior.Dimensions}], got {Shapes.Format(x)}");
        return Statistics(x);
    }

    private CentreConditional Statistics(Tensor input)
    {
        var f = features.forward(input);                                           // [.., N, S]
        var g = assignment.forward(input).softmax(-1);                             // [.., N, M]
        var pooled = g.transpose(-1, -2).matmul(f) / g.sum(-2).unsqueeze(-1).clamp_min(1e-6);   // [.., M, S]
        var priorStats = tensor(new double[] { 0, 0, prior.MuScale, prior.MuScale }, pooled.dtype, pooled.device)
            .expand([.. pooled.shape[..^1], 2 * DmmPrior.Dimensions]);
        var input2 = cat([pooled, priorStats], -1);
        return new CentreConditional(new Normal(mean.forward(input2), logScale.forward(input2).exp()));
    }
}

/// <summary>BPG's centre proposal: the prior, whatever the rest of the state.</summary>
public sealed class PriorCentreProposal(DmmPrior prior) : IBlockProposal
{
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var c = z[C];
        var shape = new long[] { c.size(0), c.size(1), prior.Clusters, DmmPrior.Dimensions };
        return new CentreConditional(new Normal(zeros(shape, c.dtype, c.device), full(shape, prior.MuScale, c.dtype, c.device)));
    }
}

/// <summary>
/// The exact conditional p(mu | x, c, h) under a given decoder: with y_n = x_n - decoder(h_n), each mu[m] is Normal
/// with precision 1/s^2 + n_m/sigma^2 and mean (sum_{n in m} y_n / sigma^2) / precision.
/// </summary>
public sealed class ExactCentreProposal(DmmPrior prior, IRingDecoder decoder) : IBlockProposal
{
    public Block Block => Global;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var c = z[C];                                                              // [L, B, N, M]
        var y = x - decoder.Offset(z[H]);                                          // [L, B, N, 2]
        var variance = prior.NoiseScale * prior.NoiseScale;
        var precision = c.sum(-2).unsqueeze(-1) / variance + 1.0 / (prior.MuScale * prior.MuScale);   // [L, B, M, 1]
        var mean = c.transpose(-1, -2).matmul(y) / variance / precision;          // [L, B, M, 2]
        return new CentreConditional(new Normal(mean, precision.rsqrt().expand_as(mean)));
    }
}
