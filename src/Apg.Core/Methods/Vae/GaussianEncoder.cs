using TorchSharp.Modules;

namespace Apg.Core.Methods.Vae;

/// <summary>The standard inference model: q(z | x) = Normal(mean(x), exp(logvar(x))), one pass of an MLP.</summary>
public sealed class GaussianEncoder : nn.Module<Tensor, (Tensor Mean, Tensor LogVar)>
{
    private readonly Sequential net;

    public GaussianEncoder(long pixels, IReadOnlyList<long> hidden, long latent, Generator? generator = null, Device? device = null)
        : base(nameof(GaussianEncoder))
    {
        Latent = latent;
        net = Mlp.Create(pixels, hidden, 2 * latent, generator, device);
        RegisterComponents();
    }

    public long Latent { get; }

    public override (Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        var both = net.forward(x).chunk(2, -1);
        return (both[0], both[1]);
    }
}
