using Apg.Core.Runtime;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// Places P x P digits on an F x F frame and crops them back, with the arithmetic of affine_grid + grid_sample
/// (bilinear, zero padding, align_corners = true). A position (x, y) in [-1, 1]^2 puts the digit's top-left
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
        digitGrid = BaseGrid(digitSize, (digitSize - 1.0) / (frameSize - 1.0), Device).DetachFromDisposeScope();
    }

    public int FrameSize { get; }
    public int DigitSize { get; }
    public Device Device { get; }

    /// <summary>Positions per side of the template-matching map: F - P + 1.</summary>
    public int MapSize => FrameSize - DigitSize + 1;

    private readonly Tensor digitGrid; // [P, P, 2]: frame coordinates of each digit pixel for a digit at (0, 0)

    /// <summary>Top-left pixel (column, row) of a digit at a position: (p + 1) / 2 * (F - P).</summary>
    public double PixelOf(double position) => (position + 1) / 2 * (FrameSize - DigitSize);

    /// <summary>The position whose digit starts at a pixel: the inverse of PixelOf.</summary>
    public double PositionOf(double pixel) => pixel / (FrameSize - DigitSize) * 2 - 1;

    /// <summary>Digits [..., P, P] placed at positions [..., 2]: frames [..., F, F], zero outside the digit.</summary>
    public Tensor Place(Tensor digits, Tensor where) => PlaceSum(digits.unsqueeze(-3), where.unsqueeze(-2));

    /// <summary>
    /// The sum of D digits [..., D, P, P] placed at positions [..., D, 2]: frames [..., F, F]. Each digit touches only a
    /// (P + 1) x (P + 1) window, so it is shifted by its fractional offset (bilinear: four weighted copies, as grid_sample
    /// interpolates) and scatter-added at its whole-pixel offset, instead of sampling all F x F pixels per digit; pixels
    /// that fall outside the frame are dropped (grid_sample's zero padding). Differentiable in digits and positions.
    /// </summary>
    public Tensor PlaceSum(Tensor digits, Tensor positions)
    {
        if (digits.dim() < 3 || digits.size(-1) != DigitSize || digits.size(-2) != DigitSize)
            throw new ArgumentException($"Place: digits must be [..., {DigitSize}, {DigitSize}], got {Shapes.Format(digits)}");
        CheckPositions(positions, digits.shape[..^2], "Place");
        using var scope = NewDisposeScope();
        var batch = digits.shape[..^3];
        var (n, d, p, f) = (batch.Aggregate(1L, (a, b) => a * b), digits.size(-3), (long)DigitSize, (long)FrameSize);
        var images = digits.reshape(n * d, p, p);
        var corner = ((positions.reshape(n * d, 2) + 1) * ((FrameSize - DigitSize) / 2.0)).to(images.dtype); // (column, row)
        var whole = corner.detach().floor();
        var fraction = corner - whole;
        var fx = fraction.select(1, 0).view(-1, 1, 1);
        var fy = fraction.select(1, 1).view(-1, 1, 1);
        var patch = (1 - fy) * (1 - fx) * nn.functional.pad(images, [0, 1, 0, 1]) + (1 - fy) * fx * nn.functional.pad(images, [1, 0, 0, 1])
                  + fy * (1 - fx) * nn.functional.pad(images, [0, 1, 1, 0]) + fy * fx * nn.functional.pad(images, [1, 0, 1, 0]);
        var offsets = arange(p + 1, ScalarType.Int64, images.device);
        var columns = whole.select(1, 0).to(ScalarType.Int64).view(-1, 1, 1) + offsets.view(1, 1, -1);     // [N*D, 1, P+1]
        var rows = whole.select(1, 1).to(ScalarType.Int64).view(-1, 1, 1) + offsets.view(1, -1, 1);        // [N*D, P+1, 1]
        var inside = columns.ge(0).logical_and(columns.lt(f)).logical_and(rows.ge(0)).logical_and(rows.lt(f));
        var index = where(inside, rows * f + columns, zeros_like(inside, ScalarType.Int64));
        var values = where(inside, patch, zeros_like(patch));
        var frames = zeros([n, f * f], images.dtype, images.device)
            .scatter_add(1, index.reshape(n, -1), values.reshape(n, -1));
        return frames.reshape([.. batch, f, f]).MoveToOuterDisposeScope();
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
        using var scope = NewDisposeScope();
        var (n, m) = (where.size(0), where.size(1));
        var shift = (where * ((FrameSize - DigitSize) / (FrameSize - 1.0))).to(digitGrid.dtype).reshape(n, m, 1, 1, 2);
        var grid = (digitGrid.view(1, 1, DigitSize, DigitSize, 2) + shift).reshape(n, m * DigitSize, DigitSize, 2);
        var crops = nn.functional.grid_sample(frames.unsqueeze(1).to(grid.dtype), grid, GridSampleMode.Bilinear,
            GridSamplePaddingMode.Zeros, align_corners: true);
        return crops.reshape(n, m, DigitSize, DigitSize).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The cross-correlation of frames [N, F, F] with one template each [N, P, P] (conv2d's arithmetic, one group per
    /// frame): [N, F - P + 1, F - P + 1]; entry (row, column) scores a digit whose top-left pixel is there.
    /// </summary>
    public Tensor Correlate(Tensor frames, Tensor templates) => CorrelateSpectra(frames, Spectrum(templates));

    /// <summary>
    /// The same from the templates' spectra (Spectrum): computed by FFT, about a hundred times fewer operations than
    /// the grouped conv2d at 96 x 96 (and no im2col buffer). A circular correlation of size F equals the valid one on
    /// the F - P + 1 positions kept, since no template pixel wraps there.
    /// </summary>
    public Tensor CorrelateSpectra(Tensor frames, Tensor templateSpectra)
    {
        if (frames.dim() != 3 || frames.size(1) != FrameSize || frames.size(2) != FrameSize || templateSpectra.size(0) != frames.size(0))
            throw new ArgumentException($"Correlate: frames must be [N, {FrameSize}, {FrameSize}] with N template spectra, got {Shapes.Format(frames)} and {Shapes.Format(templateSpectra)}");
        using var scope = NewDisposeScope();
        var product = fft.rfft2(frames) * templateSpectra.conj();
        var circular = fft.irfft2(product, s: [FrameSize, FrameSize]);
        return circular.narrow(1, 0, MapSize).narrow(2, 0, MapSize).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The 2-D spectra of templates [N, P, P] zero-padded to F x F: [N, F, F / 2 + 1] complex.</summary>
    public Tensor Spectrum(Tensor templates)
    {
        if (templates.dim() != 3 || templates.size(1) != DigitSize || templates.size(2) != DigitSize)
            throw new ArgumentException($"Correlate: templates must be [N, {DigitSize}, {DigitSize}], got {Shapes.Format(templates)}");
        var pad = FrameSize - DigitSize;
        return fft.rfft2(nn.functional.pad(templates, [0, pad, 0, pad]));
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
