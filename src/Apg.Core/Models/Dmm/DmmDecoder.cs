using Apg.Core.NN;
using TorchSharp.Modules;

namespace Apg.Core.Models.Dmm;

/// <summary>Where a point of a ring lies, relative to its centre, given its angle h in (0, 1): [.., 1] -> [.., 2].</summary>
public interface IRingDecoder
{
    Tensor Offset(Tensor h);
    IReadOnlyList<Tensor> Parameters { get; }
}

/// <summary>
/// The learned ring shape (Eq. 7's theta): u(h) = g(2 pi h) / |g(2 pi h)| with g an MLP 1 -> 32 (tanh) -> 2, scaled
/// by a learned radius r (initialized at 1).
/// </summary>
public sealed class NeuralRingDecoder : nn.Module, IRingDecoder
{
    private readonly Linear first;
    private readonly Linear last;

    public NeuralRingDecoder(int hidden = 32, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(NeuralRingDecoder))
    {
        first = SeededLinear.Create(1, hidden, generator, dtype, device);
        last = SeededLinear.Create(hidden, DmmPrior.Dimensions, generator, dtype, device);
        // Kept out of any caller's dispose scope: the module owns it.
        Radius = nn.Parameter(ones(1, dtype: dtype, device: device).DetachFromDisposeScope());
        register_module("first", first);
        register_module("last", last);
        register_parameter("radius", Radius);
    }

    public Parameter Radius { get; }

    public IReadOnlyList<Tensor> Parameters => parameters().ToList();

    public Tensor Offset(Tensor h)
    {
        var direction = last.forward(first.forward(h * (2 * Math.PI)).tanh());
        return direction / direction.norm(-1, keepdim: true).clamp_min(1e-6) * Radius;
    }
}

/// <summary>The true ring: r (cos 2 pi h, sin 2 pi h). Nothing learned; for exact checks and simulation.</summary>
public sealed class CircleDecoder(double radius = 2.0) : IRingDecoder
{
    public double Radius { get; } = radius;
    public IReadOnlyList<Tensor> Parameters { get; } = [];

    public Tensor Offset(Tensor h)
    {
        var angle = h * (2 * Math.PI);
        return cat([angle.cos(), angle.sin()], -1) * Radius;
    }
}
