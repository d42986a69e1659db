using TorchSharp.Modules;

namespace Apg.Core.Methods.Vae;

/// <summary>p(x | z): an MLP from the latent to one Bernoulli logit per pixel.</summary>
public sealed class BernoulliDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential net;

    public BernoulliDecoder(long latent, IReadOnlyList<long> hidden, long pixels, Generator? generator = null, Device? device = null)
        : base(nameof(BernoulliDecoder))
    {
        Latent = latent;
        Pixels = pixels;
        net = Mlp.Create(latent, hidden, pixels, generator, device);
        RegisterComponents();
    }

    public long Latent { get; }
    public long Pixels { get; }

    /// <summary>Logits [..., pixels] of z [..., latent].</summary>
    public override Tensor forward(Tensor z) => net.forward(z);

    /// <summary>log p(x | z) [...] for z [..., latent] and binary x broadcastable to [..., pixels].</summary>
    public Tensor LogLikelihood(Tensor z, Tensor x)
    {
        var logits = forward(z);
        // log Bernoulli(x; sigmoid(l)) = x l - softplus(l), stable for any logit.
        return (x * logits - nn.functional.softplus(logits)).sum(-1);
    }

    /// <summary>log p(x, z) with the standard Normal prior.</summary>
    public Tensor LogJoint(Tensor z, Tensor x) => LogLikelihood(z, x) + StandardNormal.LogProb(z);
}
