namespace Apg.Core.Methods.Vae;

/// <summary>The prior N(0, I) of a VAE's latent.</summary>
public static class StandardNormal
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>log N(z; 0, I), summed over the last dimension.</summary>
    public static Tensor LogProb(Tensor z) => -(0.5 * z.square() + HalfLog2Pi).sum(-1);
}
