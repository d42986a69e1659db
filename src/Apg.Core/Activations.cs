using Apg.Torch;

namespace Apg.Core;

/// <summary>
/// Normalizations on the hot paths of the samplers, computed the way Debian's libtorch 1.13 runs fastest on the
/// CPU: its softmax / log_softmax over a short last dim (M = 3 clusters) are several times slower than
/// x - logsumexp. Each equals the plain op up to float rounding; the tests check values and gradients against it.
/// </summary>
public static class Activations
{
    /// <summary>log_softmax over the last dim as x - logsumexp(x).</summary>
    public static Tensor LogSoftmax(Tensor x) => x - x.LogSumExp(-1, keepdim: true);

    /// <summary>softmax over the last dim as exp(x - logsumexp(x)).</summary>
    public static Tensor Softmax(Tensor x) => LogSoftmax(x).Exp();
}
