using Apg.Core.Inference;
using TorchSharp.Modules;

namespace Apg.Core.Models.Dmm;

using static DmmVariables;

/// <summary>The learned DMM proposals and the ring decoder (theta), as one module so they save and load together.</summary>
public sealed class DmmNetworks : nn.Module
{
    public DmmNetworks(DmmPrior prior, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(DmmNetworks))
    {
        Prior = prior;
        Encoder = new NeuralCentreProposal(prior, conditionsOnAssignments: false, generator: generator, dtype: dtype, device: device);
        Global = new NeuralCentreProposal(prior, conditionsOnAssignments: true, generator: generator, dtype: dtype, device: device);
        Local = new NeuralRingPointProposal(generator: generator, dtype: dtype, device: device);
        Decoder = new NeuralRingDecoder(generator: generator, dtype: dtype, device: device);
        register_module("encoder", Encoder);
        register_module("global", Global);
        register_module("local", Local);
        register_module("decoder", Decoder);
    }

    public DmmPrior Prior { get; }
    /// <summary>q(mu | x), the one-shot centre encoder.</summary>
    public NeuralCentreProposal Encoder { get; }
    /// <summary>q(mu | x, c).</summary>
    public NeuralCentreProposal Global { get; }
    /// <summary>q(c, h | x, mu), also the one-shot local encoder.</summary>
    public NeuralRingPointProposal Local { get; }
    /// <summary>The generative model's learned ring shape and radius.</summary>
    public NeuralRingDecoder Decoder { get; }

    /// <summary>The generative model with this decoder.</summary>
    public DmmModel Model => new(Prior, Decoder);

    public DmmOneShot OneShot => new(Encoder, Local);

    /// <summary>The proposal parameters (phi), without the decoder's.</summary>
    public IEnumerable<Parameter> ProposalParameters() =>
        Encoder.parameters().Concat(Global.parameters()).Concat(Local.parameters());
}

/// <summary>The one-shot proposal q(z | x) = q(mu | x) q(c, h | x, mu).</summary>
public sealed class DmmOneShot(NeuralCentreProposal encoder, IBlockProposal local) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var encoded = encoder.Encode(x).Distribution;
        long[] expanded = [particles, .. encoded.Loc.shape];
        var global = new CentreConditional(new Distributions.Normal(encoded.Loc.expand(expanded), encoded.Scale.expand(expanded)));
        var centres = global.Sample(generator);
        var logQGlobal = global.LogProb(centres);
        var localConditional = local.Condition(x, centres);
        var point = localConditional.Sample(generator);
        return (centres.With(point), logQGlobal + localConditional.LogProb(point).sum(-1));
    }
}
