using Apg.Core.Inference;
using Apg.Core.NN;
using TorchSharp.Modules;
using Normal = Apg.Core.Distributions.Normal;

namespace Apg.Core.Models.Bmnist;

using static BmnistVariables;

/// <summary>
/// The code network: each digit's crop from every frame [.., T, P * P] -> 400 -> 200 (ReLU), averaged over frames
/// (a neural sufficient statistic), then linear heads for the mean and log-std of its code.
/// </summary>
public sealed class WhatEncoder : nn.Module
{
    private readonly Sequential hidden;
    private readonly Linear mean, logStd;

    public WhatEncoder(int digitSize, int codeSize, Generator? generator = null, Device? device = null) : base(nameof(WhatEncoder))
    {
        hidden = nn.Sequential(("linear0", SeededLinear.Create(digitSize * digitSize, 400, generator, device: device)), ("relu0", nn.ReLU()),
            ("linear1", SeededLinear.Create(400, 200, generator, device: device)), ("relu1", nn.ReLU()));
        mean = SeededLinear.Create(200, codeSize, generator, device: device);
        logStd = SeededLinear.Create(200, codeSize, generator, device: device);
        register_module("hidden", hidden);
        register_module("mean", mean);
        register_module("log_std", logStd);
    }

    /// <summary>crops [L, B, T, D, P * P] -> Normal over codes [L, B, D, Z].</summary>
    public Normal Forward(Tensor crops)
    {
        var h = hidden.forward(crops).mean([2]);
        return new Normal(mean.forward(h), logStd.forward(h).exp());
    }
}

/// <summary>A Normal over the codes [L, B, D, Z]; log q sums over digits and dimensions.</summary>
public sealed class CodeConditional(Normal q) : IBlockConditional
{
    public Normal Distribution { get; } = q;
    public Latents Sample(Generator? generator) => new((What, Distribution.Sample(generator)));
    public Tensor LogProb(Latents values) => Distribution.LogProb(values[What]).sum(-2, -1);
}

/// <summary>q(what | x, where): the code network on the inverse-transformed crops of every frame at the current positions.</summary>
public sealed class WhatProposal(WhatEncoder encoder, SpatialTransformer transformer) : IBlockProposal
{
    public Block Block => WhatBlock;

    public IBlockConditional Condition(Tensor x, Latents z) => new CodeConditional(encoder.Forward(Crops(transformer, x, z)));

    /// <summary>Each particle's digits cropped from every frame: [L, B, T, D, P * P] from x [B, T, F, F].</summary>
    public static Tensor Crops(SpatialTransformer transformer, Tensor x, Latents z)
    {
        var where = StackWhere(z, (int)x.size(1)).detach();                                    // [L, B, T, D, 2]
        var (l, b, t, d) = (where.size(0), where.size(1), where.size(2), where.size(3));
        var p = transformer.DigitSize;
        var perFrame = where.permute(1, 2, 0, 3, 4).reshape(b * t, l * d, 2);
        var crops = transformer.Crop(x.reshape(b * t, x.size(2), x.size(3)), perFrame);         // [B*T, L*D, P, P]
        return crops.reshape(b, t, l, d, p * p).permute(2, 0, 1, 3, 4);
    }
}

/// <summary>BPG's {what} proposal: the prior Normal(0, I), blind to the data.</summary>
public sealed class PriorWhatProposal : IBlockProposal
{
    public Block Block => WhatBlock;

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var shape = z[What].shape;
        return new CodeConditional(new Normal(zeros(shape, z[What].dtype, z[What].device), ones(shape, z[What].dtype, z[What].device)));
    }
}
