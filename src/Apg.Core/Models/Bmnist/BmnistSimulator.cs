namespace Apg.Core.Models.Bmnist;

/// <summary>
/// Simulated videos: frames [I, T, F, F] in [0, 1], the true positions [I, T, D, 2] and the index of each video's
/// digits in the pool they were drawn from [I, D] (int64).
/// </summary>
public sealed record BmnistCorpus(Tensor Frames, Tensor Positions, Tensor Digits)
{
    public int Timesteps => (int)Frames.size(1);
    public int FrameSize => (int)Frames.size(2);
    public int DigitCount => (int)Positions.size(2);
}

/// <summary>The simulator's settings: T frames, D digits, F x F frames and the distance a digit moves a frame.</summary>
public sealed record BmnistSimulation(int Timesteps = 10, int DigitCount = 3, int FrameSize = 96, double StepSize = 0.3)
{
    public void Validate()
    {
        if (Timesteps < 1 || DigitCount < 1)
            throw new ArgumentException($"videos need at least one frame and one digit (got T = {Timesteps}, D = {DigitCount})");
        if (FrameSize <= Data.MnistDigits.Side)
            throw new ArgumentException($"the frame size must exceed the digit size {Data.MnistDigits.Side}, got {FrameSize}");
        if (!(StepSize >= 0) || double.IsInfinity(StepSize)) throw new ArgumentException($"the step size must be finite and non-negative, got {StepSize}");
    }
}

/// <summary>
/// Bouncing MNIST as the authors simulate it: each digit starts uniformly in [-1, 1]^2, moves StepSize a frame in a
/// uniform random direction and bounces off the borders (the overshoot is reflected, the velocity's component
/// flipped). Digits are placed at whole pixels (the authors' nearest-pixel rendering), so the stored positions are
/// exactly where each digit is; a frame is clamp(sum of its digits, 0, 1).
/// </summary>
public static class BmnistSimulator
{
    /// <summary>Videos from a pool of digit images [N, 784] (or [N, 28, 28]), drawn with replacement.</summary>
    public static BmnistCorpus Simulate(Tensor digitPool, int videos, BmnistSimulation settings, Generator generator)
    {
        settings.Validate();
        if (videos < 1) throw new ArgumentException($"at least one video, got {videos}");
        var side = Data.MnistDigits.Side;
        if (digitPool.size(0) < 1 || digitPool[0].numel() != side * side)
            throw new ArgumentException($"the digit pool must be [N, {side * side}] or [N, {side}, {side}], got {Runtime.Shapes.Format(digitPool)}");
        using var scope = NewDisposeScope();
        var (T, D, F) = (settings.Timesteps, settings.DigitCount, settings.FrameSize);
        var pool = digitPool.reshape(-1, side, side).to(ScalarType.Float32);
        var digits = randint(0, pool.size(0), [videos, D], ScalarType.Int64, generator: generator);
        var start = rand([videos, D, 2], ScalarType.Float64, generator: generator) * 2 - 1;
        var angle = rand([videos, D], ScalarType.Float64, generator: generator) * (2 * Math.PI);
        var velocity = stack([angle.cos(), angle.sin()], -1);
        var positions = new List<Tensor> { start };
        for (var t = 1; t < T; t++)
        {
            var next = positions[^1] + velocity * settings.StepSize;
            var high = next.gt(1.0);
            var low = next.lt(-1.0);
            next = where(high, 2.0 - next, where(low, -2.0 - next, next));
            velocity = where(high.logical_or(low), -velocity, velocity);
            positions.Add(next);
        }
        var transformer = new SpatialTransformer(F, side);
        // Whole pixels: the top-left corner rounded, the position recomputed from it.
        var pixels = (stack(positions, 1) + 1) / 2 * (F - side);
        var where_ = (pixels.round() / (F - side) * 2 - 1).clamp(-1, 1).to(ScalarType.Float32);       // [I, T, D, 2]
        var frames = empty([videos, T, F, F], ScalarType.Float32);
        const int Chunk = 64;
        for (var i = 0; i < videos; i += Chunk)
        {
            using var chunkScope = NewDisposeScope();
            var n = Math.Min(Chunk, videos - i);
            var images = pool.index_select(0, digits.narrow(0, i, n).reshape(-1)).view(n, 1, D, side, side).expand(n, T, D, side, side);
            var placed = transformer.PlaceSum(images, where_.narrow(0, i, n));                           // [n, T, F, F]
            // Quantized to 1/255 as the stored grey levels are, so a corpus saved as bytes loads back unchanged.
            frames.narrow(0, i, n).copy_((placed.clamp(0, 1) * 255).round() / 255);
        }
        return new BmnistCorpus(frames.MoveToOuterDisposeScope(), where_.MoveToOuterDisposeScope(), digits.MoveToOuterDisposeScope());
    }

    /// <summary>The mean digit image [28, 28] of a pool: the one-shot proposal's template.</summary>
    public static Tensor MeanDigit(Tensor digitPool) =>
        digitPool.reshape(-1, Data.MnistDigits.Side, Data.MnistDigits.Side).to(ScalarType.Float32).mean([0]);
}
