using Apg.Core.Inference;
using TorchSharp.Modules;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>
/// The learned proposals (phi) and the digit decoder (theta), one module so they save and load together; the mean
/// training digit (the one-shot template) is a buffer of it, so a checkpoint carries it.
/// </summary>
public sealed class BmnistNetworks : nn.Module
{
    public BmnistNetworks(BmnistPrior prior, Tensor meanDigit, Generator? generator = null, Device? device = null) : base(nameof(BmnistNetworks))
    {
        prior.Validate();
        if (meanDigit.dim() != 2 || meanDigit.size(0) != prior.DigitSize || meanDigit.size(1) != prior.DigitSize)
            throw new ArgumentException($"the mean digit must be [{prior.DigitSize}, {prior.DigitSize}], got {Runtime.Shapes.Format(meanDigit)}");
        Prior = prior;
        Transformer = new SpatialTransformer(prior.FrameSize, prior.DigitSize, device);
        WhereEncoder = new WhereEncoder(Transformer.MapSize, generator, device);
        WhatEncoder = new WhatEncoder(prior.DigitSize, prior.CodeSize, generator, device);
        Decoder = new DigitDecoder(prior.CodeSize, prior.DigitSize, generator, device);
        MeanDigit = meanDigit.to(ScalarType.Float32, device ?? CPU).clone().DetachFromDisposeScope();
        register_module("where_encoder", WhereEncoder);
        register_module("what_encoder", WhatEncoder);
        register_module("decoder", Decoder);
        register_buffer("mean_digit", MeanDigit);
    }

    public BmnistPrior Prior { get; }
    public SpatialTransformer Transformer { get; }
    public WhereEncoder WhereEncoder { get; }
    public WhatEncoder WhatEncoder { get; }
    public DigitDecoder Decoder { get; }
    public Tensor MeanDigit { get; }

    public BmnistModel Model => new(Prior, Decoder, Transformer);

    public BmnistOneShot OneShot => new(this);

    public WhatProposal What => new(WhatEncoder, Transformer);

    /// <summary>The position proposal of each frame, 1..T.</summary>
    public IEnumerable<WhereProposal> Where(int frames) => Enumerable.Range(1, frames).Select(t => new WhereProposal(WhereEncoder, Model, t));
}

/// <summary>
/// The one-shot proposal q(z | x): frame by frame, positions by template matching with the mean digit; then codes from
/// the crops at those positions.
/// </summary>
public sealed class BmnistOneShot(BmnistNetworks networks) : IOneShotProposal
{
    public (Latents Z, Tensor LogQ) Sample(Tensor x, int particles, Generator? generator)
    {
        var prior = networks.Prior;
        var batch = x.size(0);
        var templates = networks.MeanDigit.expand(particles, batch, prior.DigitCount, prior.DigitSize, prior.DigitSize);
        var z = new Latents();
        Tensor? logQ = null;
        for (var t = 1; t <= x.size(1); t++)
        {
            var conditional = WhereProposal.Conditional(networks.WhereEncoder, networks.Transformer, x, templates, t);
            var where = conditional.Sample(generator);
            var term = conditional.LogProb(where);
            logQ = logQ is null ? term : logQ + term;
            z = z.With(where);
        }
        var codes = networks.What.Condition(x, z);
        var what = codes.Sample(generator);
        return (z.With(what), logQ! + codes.LogProb(what));
    }
}
