using System.IO.Compression;

namespace Apg.Core.Data;

/// <summary>
/// Fashion-MNIST (Zalando, MIT) from Debian's package dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/
/// {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz, 60,000 training and 10,000 test images of 28x28 grey levels.
/// The set-up installs the package; a missing or malformed file is an error that names it and the fix.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const string FetchHint = "install it with: sudo apt-get install -y dataset-fashion-mnist (./test.sh and ./reproduce.sh do this), or set APG_FASHION_MNIST_DIR";

    /// <summary>The folder: APG_FASHION_MNIST_DIR, else Debian's.</summary>
    public static string Directory() =>
        Environment.GetEnvironmentVariable("APG_FASHION_MNIST_DIR") is { Length: > 0 } dir ? dir : DefaultDirectory;

    /// <summary>Grey levels in [0, 1], float32 [N, 784], and labels int64 [N], of the train or test split.</summary>
    public static (Tensor Images, Tensor Labels) Load(string directory, bool train)
    {
        var prefix = train ? "train" : "t10k";
        var images = ReadIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), 0x803);
        var labels = ReadIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), 0x801);
        var count = labels.Dimensions[0];
        if (images.Dimensions.Length != 3 || images.Dimensions[0] != count || images.Dimensions[1] != 28 || images.Dimensions[2] != 28)
            throw new InvalidDataException($"{directory}: {prefix} images of shape [{string.Join(", ", images.Dimensions)}] do not match {count} labels of 28x28");
        var pixels = tensor(images.Bytes, [count, MnistDigits.Pixels]).to(ScalarType.Float32) / 255.0;
        return (pixels.DetachFromDisposeScope(), tensor(labels.Bytes).to(ScalarType.Int64).DetachFromDisposeScope());
    }

    private sealed record Idx(int[] Dimensions, byte[] Bytes);

    /// <summary>An IDX file of unsigned bytes (magic 0x0801 or 0x0803), gzip-compressed.</summary>
    private static Idx ReadIdx(string path, int magic)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Fashion-MNIST not found: {path} is missing; {FetchHint}", path);
        try
        {
            using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new BinaryReader(stream);
            int ReadBigEndian() { var b = reader.ReadBytes(4); if (b.Length < 4) throw new EndOfStreamException(); return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]; }
            var found = ReadBigEndian();
            if (found != magic) throw new InvalidDataException($"{path}: magic number 0x{found:x}, expected 0x{magic:x} (an IDX file of unsigned bytes)");
            var dims = Enumerable.Range(0, magic & 0xff).Select(_ => ReadBigEndian()).ToArray();
            var total = dims.Aggregate(1L, (a, d) => a * d);
            var bytes = reader.ReadBytes(checked((int)total));
            if (bytes.Length != total) throw new InvalidDataException($"{path}: truncated, {bytes.Length} of {total} values; reinstall: {FetchHint}");
            return new Idx(dims, bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated header; reinstall: {FetchHint}", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own error: the file is not gzip, or its compressed data are damaged.
            throw new InvalidDataException($"{path}: not a readable gzip file ({e.Message}); reinstall: {FetchHint}", e);
        }
    }
}
