using Apg.Core.Inference;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// Names and blocks of the bouncing-MNIST latents: digit codes "what" [L, B, D, 10] and one position variable per frame,
/// "where_t" [L, B, D, 2] for t = 1..T (frame coordinates in [-1, 1]). The blocks are {what}, {where_1}, ..., {where_T}.
/// </summary>
public static class BmnistVariables
{
    public const string What = "what";
    public static readonly Block WhatBlock = new("{what}", [What]);

    /// <summary>The position variable of frame t (1-based).</summary>
    public static string Where(int t) => $"where_{t}";

    public static Block WhereBlock(int t) => new($"{{where_{t}}}", [Where(t)]);

    /// <summary>The frame (1-based) of a position variable, or 0 when the name is not one.</summary>
    public static int FrameOf(string variable) =>
        variable.StartsWith("where_", StringComparison.Ordinal) && int.TryParse(variable.AsSpan(6), out var t) && t >= 1 ? t : 0;

    /// <summary>The positions of every frame stacked: [L, B, T, D, 2].</summary>
    public static Tensor StackWhere(Latents z, int frames) => stack(Enumerable.Range(1, frames).Select(t => z[Where(t)]), 2);

    /// <summary>Latents from codes [L, B, D, Z] and stacked positions [L, B, T, D, 2].</summary>
    public static Latents FromStacked(Tensor what, Tensor where) =>
        new(Enumerable.Range(1, (int)where.size(2)).Select(t => KeyValuePair.Create(Where(t), where.select(2, t - 1)))
            .Append(KeyValuePair.Create(What, what)));

    /// <summary>The number of frames the latents cover.</summary>
    public static int Frames(Latents z) => z.Keys.Count(k => FrameOf(k) > 0);
}
