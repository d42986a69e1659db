using Apg.Core.Models.Bmnist;

namespace Apg.Core.Tests;

/// <summary>TrackingError: distances in pixels under the best matching of inferred to true digits, by hand.</summary>
public class TrackingErrorTests
{
    // 96 x 96 frames: one unit of [-1, 1] is (96 - 28) / 2 = 34 pixels.
    private const int Frame = 96;

    private static Tensor Positions(double[,,] v) => tensor(v, ScalarType.Float32);

    [Fact]
    public void Exact_positions_in_another_digit_order_have_no_error()
    {
        using var scope = NewDisposeScope();
        var truth = Positions(new double[,,] { { { -0.5, 0.5 }, { 0.2, -0.1 }, { 0.9, 0.9 } }, { { -0.4, 0.4 }, { 0.1, 0.0 }, { 0.8, 1.0 } } });
        var swapped = truth.index_select(1, tensor(new long[] { 2, 0, 1 }));
        Assert.Equal(0.0, TrackingError.Pixels(swapped, truth, Frame), 6);
    }

    [Fact]
    public void A_shift_is_measured_in_pixels_and_the_matching_is_one_for_the_video()
    {
        using var scope = NewDisposeScope();
        var truth = Positions(new double[,,] { { { 0.0, 0.0 }, { 0.5, 0.5 } }, { { 0.1, 0.0 }, { 0.5, 0.4 } } });
        // Digit 0 is 3/34 units right of its truth in both frames (3 pixels), digit 1 exact: mean 1.5 pixels.
        var shift = tensor(new double[] { 3.0 / 34, 0.0 }, ScalarType.Float32);
        var inferred = truth.clone();
        inferred[TensorIndex.Colon, TensorIndex.Single(0)].add_(shift);
        Assert.Equal(1.5, TrackingError.Pixels(inferred, truth, Frame), 4);
        // Digits that trade places between frames cannot be matched frame by frame: frame 2's swap costs its distances.
        var traded = truth.clone();
        traded[1] = truth[1].flip(0);
        var perFrame = Math.Sqrt(0.4 * 0.4 + 0.4 * 0.4) * 34;      // |(0.1, 0) - (0.5, 0.4)| in pixels, both digits in frame 2
        Assert.Equal(perFrame / 2, TrackingError.Pixels(traded, truth, Frame), 4);
    }

    [Fact]
    public void Mismatched_shapes_are_an_error_naming_them()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => TrackingError.Pixels(zeros(2, 3, 2), zeros(2, 2, 2), Frame));
        Assert.Contains("[2, 3, 2]", e.Message);
    }
}
