using System.IO.Compression;
using Apg.Core.Data;

namespace Apg.Core.Tests;

/// <summary>Fashion-MNIST from Debian's dataset-fashion-mnist: the installed copy, and the errors bad copies get.</summary>
public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    [Fact]
    public void The_installed_copy_has_sixty_thousand_training_and_ten_thousand_test_images()
    {
        using var scope = NewDisposeScope();
        var (train, trainLabels) = FashionMnist.Load(FashionMnist.Directory(), train: true);
        var (test, _) = FashionMnist.Load(FashionMnist.Directory(), train: false);
        Assert.Equal(new long[] { 60_000, 784 }, train.shape);
        Assert.Equal(new long[] { 10_000, 784 }, test.shape);
        Assert.All(trainLabels.bincount(null, 0).data<long>().ToArray(), n => Assert.Equal(6000, n));
        Assert.InRange(train.min().item<float>(), 0f, 0f);
        Assert.InRange(train.max().item<float>(), 1f, 1f);
    }

    private static void WriteGz(string path, byte[] bytes)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(bytes);
    }

    [Fact]
    public void Missing_truncated_or_corrupt_files_are_errors_that_name_them_and_the_fix()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.File("none"), train: false));
        Assert.Contains("t10k-images-idx3-ubyte.gz is missing", missing.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", missing.Message);

        var images = dir.File("t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, [1, 2, 3, 4, 5]);
        Assert.Contains("not a readable gzip file", Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path, train: false)).Message);
        WriteGz(images, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 7, 7]);
        Assert.Contains("truncated, 2 of 1568 values", Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path, train: false)).Message);
        WriteGz(images, [0, 0, 8, 1, 0, 0, 0, 2]);
        Assert.Contains("magic number 0x801, expected 0x803", Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path, train: false)).Message);
    }
}
