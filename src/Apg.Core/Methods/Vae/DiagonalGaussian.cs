using Apg.Core.Runtime;

namespace Apg.Core.Methods.Vae;

/// <summary>A diagonal Gaussian q(z) = N(mean, exp(logvar)) given by its parameters [B, D]: the variational family.</summary>
public static class DiagonalGaussian
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Standard Normal noise [samples, B, D] for <see cref="Reparameterize"/>.</summary>
    public static Tensor Noise(long samples, Tensor mean, Generator generator) =>
        SeededDraws.Randn([samples, .. mean.shape], mean.dtype, mean.device, generator);

    /// <summary>z = mean + exp(logvar / 2) * noise, [samples, B, D], differentiable in both parameters.</summary>
    public static Tensor Reparameterize(Tensor mean, Tensor logVar, Tensor noise) => mean + (0.5 * logVar).exp() * noise;

    /// <summary>log q(z) [S, B] for z [S, B, D].</summary>
    public static Tensor LogProb(Tensor z, Tensor mean, Tensor logVar) =>
        -(0.5 * (z - mean).square() * (-logVar).exp() + 0.5 * logVar + HalfLog2Pi).sum(-1);

    /// <summary>KL(q || N(0, I)) [B] in closed form.</summary>
    public static Tensor KlToStandardNormal(Tensor mean, Tensor logVar) =>
        0.5 * (mean.square() + logVar.exp() - 1 - logVar).sum(-1);
}
