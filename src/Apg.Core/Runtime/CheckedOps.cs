namespace Apg.Core.Runtime;

/// <summary>
/// Tensor ops whose TorchSharp entry point aborts the process (SIGABRT) on bad shapes instead of throwing:
/// the shapes are checked here first, and a mismatch is an ArgumentException that names both.
/// </summary>
public static class CheckedOps
{
    /// <summary>torch.matmul for operands of at least two dims, batch dims broadcasting.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, string what)
    {
        var (sa, sb) = (a.shape, b.shape);
        if (sa.Length < 2 || sb.Length < 2 || sa[^1] != sb[^2])
            throw new ArgumentException($"{what}: cannot multiply {Shapes.Format(sa)} by {Shapes.Format(sb)}");
        try
        {
            Shapes.Broadcast(sa[..^2], sb[..^2]);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{what}: the batch dims of {Shapes.Format(sa)} and {Shapes.Format(sb)} do not broadcast");
        }
        return a.matmul(b);
    }
}
