using Apg.Torch.NN;
using F = Apg.Torch.NN.Functional;

namespace Apg.Torch.Tests;

/// <summary>
/// affine_grid and grid_sample on tiny images. Normalized coordinates map to pixel coordinates as
/// px = (x + 1) / 2 * (W - 1) with align_corners, and px = ((x + 1) * W - 1) / 2 without.
/// </summary>
public class GridSampleTests
{
    private static Tensor Image3x3() => T.F64([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
    private static Tensor Image2x2() => T.F64([1, 2, 3, 4], 1, 1, 2, 2);
    private static Tensor Theta(double a, double b, double c, double d, double e, double f) => T.F64([a, b, c, d, e, f], 1, 2, 3);
    private static Tensor Point(double x, double y) => T.F64([x, y], 1, 1, 1, 2);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Affine_grid_is_base_grid_times_theta_transposed(bool alignCorners)
    {
        using var scope = Torch.NewDisposeScope();
        const int h = 2, w = 3;
        double[] th = [0.5, 0.2, 0.1, -0.3, 1.5, -0.4];
        var grid = F.AffineGrid(Theta(th[0], th[1], th[2], th[3], th[4], th[5]), [1, 1, h, w], alignCorners);
        Assert.Equal(new long[] { 1, h, w, 2 }, grid.Shape);
        double Base(int i, int n) => alignCorners ? -1 + 2.0 * i / (n - 1) : (2.0 * i + 1) / n - 1;
        var expected = new List<double>();
        for (var i = 0; i < h; i++)
        for (var j = 0; j < w; j++)
        {
            double x = Base(j, w), y = Base(i, h);
            expected.Add(th[0] * x + th[1] * y + th[2]);
            expected.Add(th[3] * x + th[4] * y + th[5]);
        }
        Approx.Equal(expected.ToArray(), grid.ToArray<double>(), 1e-15);
    }

    [Fact]
    public void Identity_affine_grid_holds_pixel_centres()
    {
        using var scope = Torch.NewDisposeScope();
        var identity = Theta(1, 0, 0, 0, 1, 0);
        // (x, y) pairs, row by row
        Assert.Equal(new[] { -0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5 }, F.AffineGrid(identity, [1, 1, 2, 2]).ToArray<double>());
        Assert.Equal(new[] { -1.0, -1, 1, -1, -1, 1, 1, 1 }, F.AffineGrid(identity, [1, 1, 2, 2], alignCorners: true).ToArray<double>());
    }

    [Theory]
    [InlineData(GridSampleMode.Bilinear, false)]
    [InlineData(GridSampleMode.Bilinear, true)]
    [InlineData(GridSampleMode.Nearest, false)]
    [InlineData(GridSampleMode.Nearest, true)]
    public void Identity_theta_reproduces_the_image(GridSampleMode mode, bool alignCorners)
    {
        using var scope = Torch.NewDisposeScope();
        foreach (var image in new[] { Image2x2(), Image3x3() })
        {
            var grid = F.AffineGrid(Theta(1, 0, 0, 0, 1, 0), image.Shape, alignCorners);
            Approx.Equal(image.ToArray<double>(), F.GridSample(image, grid, mode, alignCorners: alignCorners).ToArray<double>(), 1e-12);
        }
    }

    [Theory]
    [InlineData(GridSampleMode.Bilinear, false)]
    [InlineData(GridSampleMode.Bilinear, true)]
    [InlineData(GridSampleMode.Nearest, false)]
    [InlineData(GridSampleMode.Nearest, true)]
    public void Shift_by_one_pixel_moves_the_image_left_with_zero_fill(GridSampleMode mode, bool alignCorners)
    {
        using var scope = Torch.NewDisposeScope();
        // one pixel is 2 / (W - 1) normalized units with align_corners, 2 / W without
        var shift = alignCorners ? 1.0 : 2.0 / 3;
        var grid = F.AffineGrid(Theta(1, 0, shift, 0, 1, 0), [1, 1, 3, 3], alignCorners);
        var y = F.GridSample(Image3x3(), grid, mode, alignCorners: alignCorners);
        Approx.Equal(new double[] { 2, 3, 0, 5, 6, 0, 8, 9, 0 }, y.ToArray<double>(), 1e-12);
        // a downward shift along y reads the row below
        var gridY = F.AffineGrid(Theta(1, 0, 0, 0, 1, shift), [1, 1, 3, 3], alignCorners);
        Approx.Equal(new double[] { 4, 5, 6, 7, 8, 9, 0, 0, 0 }, F.GridSample(Image3x3(), gridY, mode, alignCorners: alignCorners).ToArray<double>(), 1e-12);
    }

    [Fact]
    public void Half_pixel_bilinear_shift_averages_neighbours()
    {
        using var scope = Torch.NewDisposeScope();
        var grid = F.AffineGrid(Theta(1, 0, 0.5, 0, 1, 0), [1, 1, 3, 3], alignCorners: true);
        var y = F.GridSample(Image3x3(), grid, GridSampleMode.Bilinear, alignCorners: true);
        // px = j + 0.5: mean of pixel j and j + 1; the last column mixes pixel 2 with zero padding
        Approx.Equal(new[] { 1.5, 2.5, 1.5, 4.5, 5.5, 3, 7.5, 8.5, 4.5 }, y.ToArray<double>(), 1e-12);
    }

    [Theory]
    // x = 0.4, y = 0 on the 3x3 image: px = 1.4 (align) or 1.6 (no align), py = 1
    [InlineData(GridSampleMode.Bilinear, true, 0.6 * 5 + 0.4 * 6)]
    [InlineData(GridSampleMode.Bilinear, false, 0.4 * 5 + 0.6 * 6)]
    [InlineData(GridSampleMode.Nearest, true, 5.0)]
    [InlineData(GridSampleMode.Nearest, false, 6.0)]
    public void Single_point_on_3x3(GridSampleMode mode, bool alignCorners, double expected)
    {
        using var scope = Torch.NewDisposeScope();
        var y = F.GridSample(Image3x3(), Point(0.4, 0), mode, alignCorners: alignCorners);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, y.Shape);
        Approx.Equal(expected, y.Item(), 1e-12);
    }

    [Fact]
    public void Corner_point_on_2x2_depends_on_align_corners_and_padding()
    {
        using var scope = Torch.NewDisposeScope();
        var image = Image2x2();
        // centre: mean of all four either way
        Approx.Equal(2.5, F.GridSample(image, Point(0, 0), alignCorners: true).Item(), 1e-12);
        Approx.Equal(2.5, F.GridSample(image, Point(0, 0), alignCorners: false).Item(), 1e-12);
        // (1, -1) is the centre of the top-right pixel with align_corners ...
        Approx.Equal(2, F.GridSample(image, Point(1, -1), alignCorners: true).Item(), 1e-12);
        // ... and its outer corner without: px = 1.5, py = -0.5, a quarter of pixel (0, 1) and zeros
        Approx.Equal(0.5, F.GridSample(image, Point(1, -1), alignCorners: false).Item(), 1e-12);
        // border padding clamps the coordinate into the image instead
        Approx.Equal(2, F.GridSample(image, Point(1, -1), GridSampleMode.Bilinear, GridSamplePadding.Border, alignCorners: false).Item(), 1e-12);
        // reflection padding mirrors about the image edges (-0.5 and 1.5 without align_corners), then clips into
        // [0, W - 1]: px 1.5 -> 1, py -0.5 -> 0, all weight on pixel (0, 1)
        Approx.Equal(2, F.GridSample(image, Point(1, -1), GridSampleMode.Bilinear, GridSamplePadding.Reflection, alignCorners: false).Item(), 1e-12);
        // far outside: zeros padding gives 0 in both modes
        Assert.Equal(0.0, F.GridSample(image, Point(-3, 0), GridSampleMode.Nearest).Item());
        Assert.Equal(0.0, F.GridSample(image, Point(-3, 0), GridSampleMode.Bilinear).Item());
    }

    [Fact]
    public void Float32_grid_sample_matches()
    {
        using var scope = Torch.NewDisposeScope();
        var image = Image3x3().To(DType.Float32);
        var grid = F.AffineGrid(T.F32([1, 0, 0.5f, 0, 1, 0], 1, 2, 3), [1, 1, 3, 3], alignCorners: true);
        Assert.Equal(DType.Float32, grid.DType);
        Approx.Equal(new[] { 1.5f, 2.5f, 1.5f, 4.5f, 5.5f, 3, 7.5f, 8.5f, 4.5f },
            F.GridSample(image, grid, alignCorners: true).ToArray<float>(), 1e-5);
    }
}
