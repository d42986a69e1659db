using Apg.Core.Runtime;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// Places P x P digits on an F x F frame and crops them back (affine_grid's arithmetic written out, grid_sample
/// bilinear with zero padding, align_corners = true). A position (x, y) in [-1, 1]^2 puts the digit's top-left
/// pixel at column (x + 1) / 2 * (F - P) and row (y + 1) / 2 * (F - P): -1 is the left (top) border, 1 the right
/// (bottom) one, and the positions of the template-matching map (F - P + 1 per side) are the same coordinates.
/// Bilinear sampling keeps placement differentiable in the position (HMC needs it) and exact at whole pixels.
/// </summary>
public sealed class SpatialTransformer
{
    public SpatialTransformer(int frameSize, int digitSize, Device? device = null)
    {
        if (digitSize < 2 || frameSize <= digitSize)
            throw new ArgumentException($"the frame ({frameSize} px) must be larger than the digit ({digitSize} px, at least 2)");
        FrameSize = frameSize;
        DigitSize = digitSize;
        Device = device ?? CPU;
        using var scope = NewDisposeScope();
        frameGrid = BaseGrid(frameSize, (frameSize - 1.0) / (digitSize - 1.0), Device).DetachFromDisposeScope();
        digitGrid = BaseGrid(digitSize, (digitSize - 1.0) / (frameSize - 1.0), Device).DetachFromDisposeScope();
    }

    public int FrameSize { get; }
    public int DigitSize { get; }
    public Device Device { get; }

    /// <summary>Positions per side of the template-matching map: F - P + 1.</summary>
    public int MapSize => FrameSize - DigitSize + 1;

    private readonly Tensor frameGrid; // [F, F, 2]: digit coordinates of each frame pixel for a digit at (0, 0)
    private readonly Tensor digitGrid; // [P, P, 2]: frame coordinates of each digit pixel for a digit at (0, 0)

    /// <summary>Top-left pixel (column, row) of a digit at a position: (p + 1) / 2 * (F - P).</summary>
    public double PixelOf(double position) => (position + 1) / 2 * (FrameSize - DigitSize);

    /// <summary>The position whose digit starts at a pixel: the inverse of PixelOf.</summary>
    public double PositionOf(double pixel) => pixel / (FrameSize - DigitSize) * 2 - 1;

    /// <summary>Digits [..., P, P] placed at positions [..., 2]: frames [..., F, F], zero outside the digit.</summary>
    public Tensor Place(Tensor digits, Tensor where)
    {
        CheckPositions(where, digits.shape[..^2], "Place");
        var batch = where.shape[..^1];
        var n = batch.Aggregate(1L, (a, b) => a * b);
        var shift = (where.reshape(n, 1, 1, 2) * ((FrameSize - DigitSize) / (DigitSize - 1.0))).to(frameGrid.dtype);
        var grid = frameGrid.unsqueeze(0) - shift;
        var placed = nn.functional.grid_sample(digits.reshape(n, 1, DigitSize, DigitSize).to(grid.dtype), grid,
            GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true);
        return placed.reshape([.. batch, FrameSize, FrameSize]);
    }

    /// <summary>
    /// Crops P x P digits out of frames [N, F, F] at positions [N, M, 2] (M crops a frame): [N, M, P, P]. The crops
    /// of one frame are one tall output image, so the frame is never copied M times.
    /// </summary>
    public Tensor Crop(Tensor frames, Tensor where)
    {
        if (frames.dim() != 3 || frames.size(1) != FrameSize || frames.size(2) != FrameSize)
            throw new ArgumentException($"Crop: frames must be [N, {FrameSize}, {FrameSize}], got {Shapes.Format(frames)}");
        if (where.dim() != 3 || where.size(0) != frames.size(0) || where.size(2) != 2)
            throw new ArgumentException($"Crop: positions must be [{frames.size(0)}, M, 2], got {Shapes.Format(where)}");
        var (n, m) = (where.size(0), where.size(1));
        var shift = (where * ((FrameSize - DigitSize) / (FrameSize - 1.0))).to(digitGrid.dtype).reshape(n, m, 1, 1, 2);
        var grid = (digitGrid.view(1, 1, DigitSize, DigitSize, 2) + shift).reshape(n, m * DigitSize, DigitSize, 2);
        var crops = nn.functional.grid_sample(frames.unsqueeze(1).to(grid.dtype), grid, GridSampleMode.Bilinear,
            GridSamplePaddingMode.Zeros, align_corners: true);
        return crops.reshape(n, m, DigitSize, DigitSize);
    }

    /// <summary>
    /// The cross-correlation of frames [N, F, F] with one template each [N, P, P] (conv2d, one group per frame):
    /// [N, F - P + 1, F - P + 1]; entry (row, column) scores a digit whose top-left pixel is there.
    /// </summary>
    public Tensor Correlate(Tensor frames, Tensor templates)
    {
        if (frames.dim() != 3 || templates.dim() != 3 || frames.size(0) != templates.size(0))
            throw new ArgumentException($"Correlate: frames [N, F, F] and templates [N, P, P], got {Shapes.Format(frames)} and {Shapes.Format(templates)}");
        var n = frames.size(0);
        return nn.functional.conv2d(frames.unsqueeze(0), templates.unsqueeze(1), groups: n).squeeze(0);
    }

    private static void CheckPositions(Tensor where, ReadOnlySpan<long> batch, string what)
    {
        if (where.dim() < 1 || where.size(-1) != 2 || !where.shape[..^1].AsSpan().SequenceEqual(batch))
            throw new ArgumentException($"{what}: positions must be [{string.Join(", ", batch.ToArray())}, 2], got {Shapes.Format(where)}");
    }

    // A sampling grid for a digit at (0, 0): output pixel i (of `size`) reads input coordinate (2i - (size - 1)) / (size - 1) * ratio.
    private static Tensor BaseGrid(int size, double ratio, Device device)
    {
        var axis = (arange(size, ScalarType.Float32, device) * 2 - (size - 1)) / (size - 1) * ratio;
        var rows = axis.view(size, 1).expand(size, size);
        var columns = axis.view(1, size).expand(size, size);
        return stack([columns, rows], -1).contiguous(); // grid_sample reads (x = column, y = row)
    }
}
