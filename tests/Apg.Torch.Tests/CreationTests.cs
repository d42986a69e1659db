namespace Apg.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void Tensor_from_array_keeps_values_shape_and_dtype()
    {
        using var scope = Torch.NewDisposeScope();
        var t = Torch.Tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(new long[] { 2, 3 }, t.Shape);
        Assert.Equal(2, t.Dim);
        Assert.Equal(6, t.NumEl);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.ToArray<float>());
        Assert.Equal(3, t.Size(-1));
        Assert.Equal(4.0, t[1][0].Item());
    }

    [Fact]
    public void Tensor_from_two_and_three_dimensional_arrays_is_row_major()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Torch.Tensor(new long[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new long[] { 2, 3 }, m.Shape);
        Assert.Equal(DType.Int64, m.DType);
        Assert.Equal(6L, m[1][2].ItemLong());
        var c = Torch.Tensor(new double[,,] { { { 1, 2 } }, { { 3, 4 } } });
        Assert.Equal(new long[] { 2, 1, 2 }, c.Shape);
        Assert.Equal(3.0, c[1][0][0].Item());
    }

    [Fact]
    public void Every_element_type_round_trips()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new[] { 1.5, -2.25 }, Torch.Tensor(new[] { 1.5, -2.25 }).ToArray<double>());
        Assert.Equal(new[] { long.MaxValue, long.MinValue }, Torch.Tensor(new[] { long.MaxValue, long.MinValue }).ToArray<long>());
        Assert.Equal(new[] { int.MaxValue, -7 }, Torch.Tensor(new[] { int.MaxValue, -7 }).ToArray<int>());
        Assert.Equal(new byte[] { 0, 255 }, Torch.Tensor(new byte[] { 0, 255 }).ToArray<byte>());
        var b = Torch.Tensor(new[] { true, false, true });
        Assert.Equal(DType.Bool, b.DType);
        Assert.Equal(new[] { true, false, true }, b.ToArray<bool>());
    }

    [Fact]
    public void Wrong_number_of_values_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Torch.Tensor(new float[] { 1, 2, 3 }, 2, 2));
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void Constant_factories()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new float[6], Torch.Zeros([2, 3]).ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1.0, 4), Torch.Ones([4], DType.Float64).ToArray<double>());
        Assert.Equal(Enumerable.Repeat(2.5f, 3), Torch.Full([3], 2.5).ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 0, 0, 1, 0 }, Torch.Eye(2, 3).ToArray<float>());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, Torch.Arange(5).ToArray<long>());
        Assert.Equal(new[] { 1.0, 1.5, 2.0, 2.5 }, Torch.Arange(1, 3, 0.5, DType.Float64).ToArray<double>());
        Assert.Empty(Torch.Scalar(3.25, DType.Float64).Shape);
        Assert.Equal(3.25, Torch.Scalar(3.25, DType.Float64).Item());
        Assert.Equal(new long[] { 2, 2 }, Torch.Empty([2, 2], DType.Int32).Shape);
        var like = Torch.FullLike(Torch.Zeros([2], DType.Int64), 7);
        Assert.Equal(DType.Int64, like.DType);
        Assert.Equal(new long[] { 7, 7 }, like.ToArray<long>());
        Assert.Equal(new float[] { 1, 1 }, Torch.OnesLike(Torch.Zeros([2])).ToArray<float>());
        Assert.Equal(new double[] { 0, 0 }, Torch.ZerosLike(Torch.Ones([2], DType.Float64)).ToArray<double>());
    }

    [Fact]
    public void Bytes_round_trip_little_endian()
    {
        using var scope = Torch.NewDisposeScope();
        var values = new[] { 1.0f, -0.5f, float.PositiveInfinity, float.Epsilon };
        var bytes = values.SelectMany(BitConverter.GetBytes).ToArray(); // this machine is little-endian
        Assert.True(BitConverter.IsLittleEndian);
        var t = Torch.FromBytes(bytes, DType.Float32, 2, 2);
        Assert.Equal(new long[] { 2, 2 }, t.Shape);
        Assert.Equal(values, t.ToArray<float>());
        Assert.Equal(bytes, t.ToBytes());
        Assert.Throws<ArgumentException>(() => Torch.FromBytes(bytes, DType.Float64, 4));
        Assert.Equal(new long[] { 0, 3 }, Torch.FromBytes([], DType.Int64, 0, 3).Shape);
    }

    [Fact]
    public void Dtype_conversion_truncates_toward_zero_and_clone_is_independent()
    {
        using var scope = Torch.NewDisposeScope();
        var x = T.F64(2.7, -2.7, 0.5);
        Assert.Equal(new long[] { 2, -2, 0 }, x.To(DType.Int64).ToArray<long>());
        Assert.Equal(new[] { true, true, true }, x.To(DType.Bool).ToArray<bool>());
        Assert.Equal(new[] { 2.7f, -2.7f, 0.5f }, x.To(DType.Float32).ToArray<float>());
        var c = x.Clone();
        c.Fill_(1);
        Assert.Equal(new[] { 2.7, -2.7, 0.5 }, x.ToArray<double>());
        Assert.Equal(new[] { 1.0, 1, 1 }, c.ToArray<double>());
        c.Zero_();
        Assert.Equal(new[] { 0.0, 0, 0 }, c.ToArray<double>());
        c.CopyFrom(x);
        Assert.Equal(x.ToArray<double>(), c.ToArray<double>());
        var alias = x.Alias();
        alias.Fill_(4);
        Assert.Equal(new[] { 4.0, 4, 4 }, x.ToArray<double>()); // an alias shares storage
    }

    [Fact]
    public void Metadata_and_to_string()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Zeros([3, 4]);
        Assert.True(x.IsContiguous);
        Assert.False(x.T().IsContiguous);
        Assert.True(x.T().Contiguous().IsContiguous);
        Assert.Contains("[3, 4]", x.ToString());
        Assert.Equal("[3, 4]", Tensor.FormatShape(x.Shape));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(2));
        Assert.Equal(DType.Float32, x.To(Device.Cpu).DType);
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(new Device(DeviceType.Cuda, 1), Device.Parse("cuda:1"));
        Assert.Equal("cuda:1", Device.Parse("CUDA:1").ToString());
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Equal(4, DType.Float32.ElementSize());
        Assert.Equal(1, DType.Bool.ElementSize());
        Assert.Equal(8, DType.Int64.ElementSize());
        Assert.StartsWith("1.13", Torch.Version);
    }
}
