namespace Apg.Core.Models.Dmm;

/// <summary>Names and blocks of the DMM's latents: ring centres mu [L, B, M, 2], c one-hot [L, B, N, M], angles h [L, B, N, 1].</summary>
public static class DmmVariables
{
    public const string Mu = "mu";
    public const string C = "c";
    public const string H = "h";
    public static readonly Inference.Block Global = new("global {mu}", [Mu]);
    public static readonly Inference.Block Local = new("local {c, h}", [C, H], PerPoint: true);
}
