namespace Apg.Core.Models.Dmm;

/// <summary>Simulated ring corpora: points x [I, N, 2], assignments c [I, N] (int64), angles h [I, N] in [0, 1).</summary>
public sealed record DmmCorpus(Tensor X, Tensor C, Tensor H);

/// <summary>
/// The rings of section 6.3: M centres ~ Normal(0, 3^2 I); each ring gets N / M points at radius 2 around its centre
/// with Normal(0, noise^2) noise; the angles cover the circle twice, each pass evenly spaced with a random phase.
/// </summary>
public static class DmmSimulator
{
    public const double CentreScale = 3.0;
    public const double Radius = 2.0;

    public static DmmCorpus Simulate(int instances, int points, Generator generator, int rings = 4, double noise = 0.1,
        ScalarType dtype = ScalarType.Float32)
    {
        if (instances < 1 || rings < 1 || points < 2 * rings || points % (2 * rings) != 0)
            throw new ArgumentException($"DMM corpus: {points} points must be a positive multiple of 2 x {rings} rings (two passes round each ring), instances at least 1 (got {instances})");
        using var scope = NewDisposeScope();
        var perRing = points / rings;
        var perPass = perRing / 2;
        var centres = randn([instances, rings, 2], ScalarType.Float64, generator: generator) * CentreScale;
        var phase = rand([instances, rings, 2, 1], ScalarType.Float64, generator: generator);
        var steps = arange(perPass, ScalarType.Float64).div(perPass).view(1, 1, 1, perPass);
        var h = (phase + steps).remainder(1.0).view(instances, rings * perRing);                 // [I, N]
        var c = arange(rings, ScalarType.Int64).repeat_interleave(perRing).unsqueeze(0).expand(instances, -1).contiguous();
        var angle = h * (2 * Math.PI);
        var offset = stack([angle.cos(), angle.sin()], -1) * Radius;
        var centre = centres.gather(1, c.unsqueeze(-1).expand(-1, -1, 2));
        var x = centre + offset + randn([instances, rings * perRing, 2], ScalarType.Float64, generator: generator) * noise;
        return new DmmCorpus(x.to(dtype).MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope(), h.to(dtype).MoveToOuterDisposeScope());
    }
}
