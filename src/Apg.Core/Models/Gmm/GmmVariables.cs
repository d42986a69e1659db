namespace Apg.Core.Models.Gmm;

/// <summary>Names and blocks of the GMM's latents: mu and tau [L, B, M, D], c one-hot [L, B, N, M].</summary>
public static class GmmVariables
{
    public const string Mu = "mu";
    public const string Tau = "tau";
    public const string C = "c";

    public static readonly Inference.Block Global = new("global {mu, tau}", [Mu, Tau]);
    public static readonly Inference.Block Local = new("local {c}", [C], PerPoint: true);
    public static readonly Inference.Block Joint = new("joint {mu, tau, c}", [Mu, Tau, C]);
}
