namespace Apg.Core.Models.Dmm;

/// <summary>
/// The local proposal's ring scores s[r, b, n] = w . relu(p[b, n] + q[r, b]) + c, with p [B, N, H] the per-point and
/// q [R, B, H] the per-ring part of the score MLP's first layer (R = particles x rings), as one autograd node.
/// Autograd through the plain ops keeps the hidden block [R, B, N, H] (tens of MB at training sizes) and its
/// gradients, and every pass over them goes to main memory; this node computes the block a few rows at a time,
/// in cache, and recomputes it in backward instead of saving it, so a sweep holds only p, q and the scores.
/// </summary>
public sealed class RingScores : autograd.SingleTensorFunction<RingScores>
{
    /// <summary>Hidden elements per chunk (CacheChunks').</summary>
    public const long DefaultChunkElements = Runtime.CacheChunks.DefaultElements;

    public override string Name => nameof(RingScores);

    /// <summary>Scores [R, B, N] from point [B, N, H], ring [R, B, H], weight [1, H], bias [1].</summary>
    public static Tensor Apply(Tensor point, Tensor ring, Tensor weight, Tensor bias, long chunkElements = DefaultChunkElements)
    {
        if (point.dim() != 3 || ring.dim() != 3 || ring.size(1) != point.size(0) || ring.size(2) != point.size(2)
            || weight.dim() != 2 || weight.size(0) != 1 || weight.size(1) != point.size(2) || bias.numel() != 1)
            throw new ArgumentException($"ring scores need point [B, N, H], ring [R, B, H], weight [1, H], bias [1]; got " +
                $"{Runtime.Shapes.Format(point)}, {Runtime.Shapes.Format(ring)}, {Runtime.Shapes.Format(weight)}, {Runtime.Shapes.Format(bias)}");
        if (chunkElements < 1) throw new ArgumentOutOfRangeException(nameof(chunkElements), chunkElements, "at least one element a chunk");
        return apply(point, ring.contiguous(), weight, bias.reshape(1), chunkElements);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (point, ring, weight, bias, chunkElements) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (long)vars[4]);
        ctx.save_for_backward([point, ring, weight]);
        ctx.save_data("chunk", chunkElements);
        var parts = new List<Tensor>();
        foreach (var (start, length) in Runtime.CacheChunks.Rows(ring.size(0), point.numel(), chunkElements))
        {
            using var scope = NewDisposeScope();
            var hidden = Hidden(point, ring.narrow(0, start, length));                          // [r, B, N, H]
            parts.Add(nn.functional.linear(hidden.view(-1, hidden.size(-1)), weight, bias).view(hidden.shape[..^1]).MoveToOuterDisposeScope());
        }
        return parts.Count == 1 ? parts[0] : cat(parts, 0);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (point, ring, weight) = (saved[0], saved[1], saved[2]);
        var chunkElements = (long)ctx.get_data("chunk");
        var hiddenSize = point.size(2);
        var grad = gradOutput.reshape(ring.size(0), point.size(0), point.size(1));           // [R, B, N]
        var gradPoint = zeros_like(point);
        var gradRing = empty_like(ring);
        var gradWeight = zeros_like(weight);
        foreach (var (start, length) in Runtime.CacheChunks.Rows(ring.size(0), point.numel(), chunkElements))
        {
            using var scope = NewDisposeScope();
            var hidden = Hidden(point, ring.narrow(0, start, length));                          // [r, B, N, H]
            var g = grad.narrow(0, start, length);                                               // [r, B, N]
            gradWeight.add_(g.reshape(1, -1).mm(hidden.view(-1, hiddenSize)));
            // relu's derivative is the sign of its output (0 or 1); times the upstream gradient, in place.
            var masked = hidden.sign_().mul_(g.unsqueeze(-1));                                   // [r, B, N, H]
            gradPoint.add_(masked.sum(dim: 0));   // a literal 0 would bind to sum(ScalarType)
            gradRing.narrow(0, start, length).copy_(masked.sum(2));
        }
        var w = weight.view(hiddenSize);
        return [gradPoint.mul_(w), gradRing.mul_(w), gradWeight, grad.sum().reshape(1), null!];
    }

    private static Tensor Hidden(Tensor point, Tensor rings) => (point + rings.unsqueeze(2)).relu_();
}
