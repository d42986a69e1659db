using Apg.Core.Data;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Bmnist;

/// <summary>
/// Bouncing-MNIST corpora on disk: NAME.npy holds the frames as bytes (grey level x 255, uint8 [I, T, F, F]), with
/// NAME.positions.npy (float32 [I, T, D, 2]) and NAME.digits.npy (int64 [I, D]) beside it.
/// </summary>
public static class BmnistCorpusFiles
{
    public static string PositionsPath(string path) => Path.ChangeExtension(path, null) + ".positions.npy";
    public static string DigitsPath(string path) => Path.ChangeExtension(path, null) + ".digits.npy";

    public static void Save(string path, BmnistCorpus corpus)
    {
        using var scope = NewDisposeScope();
        Npy.Save(path, (corpus.Frames * 255).round().clamp(0, 255).to(ScalarType.Byte));
        Npy.Save(PositionsPath(path), corpus.Positions.to(ScalarType.Float32));
        Npy.Save(DigitsPath(path), corpus.Digits);
    }

    /// <summary>Loads and checks a corpus; errors name the file and what is wrong. Frames come back float32 in [0, 1].</summary>
    public static BmnistCorpus Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such bouncing-MNIST corpus (write one with: ./apg bmnist simulate --out {path})", path);
        var raw = Npy.Load(path);
        if (raw.dim() != 4 || raw.size(2) != raw.size(3))
            throw new InvalidDataException($"{path}: a bouncing-MNIST corpus must have shape [videos, frames, F, F], this one is {Shapes.Format(raw)}");
        var frames = raw.dtype switch
        {
            ScalarType.Byte => raw.to(ScalarType.Float32) / 255,
            ScalarType.Float32 or ScalarType.Float64 => raw.to(ScalarType.Float32),
            _ => throw new InvalidDataException($"{path}: frames must be uint8 (grey x 255) or float, found {raw.dtype}"),
        };
        if (!frames.isfinite().all().item<bool>() || frames.min().item<float>() < 0 || frames.max().item<float>() > 1)
            throw new InvalidDataException($"{path}: frames must hold values in [0, 1]");
        var positionsPath = PositionsPath(path);
        var positions = File.Exists(positionsPath) ? Npy.Load(positionsPath).to(ScalarType.Float32)
            : throw new FileNotFoundException($"{positionsPath}: the corpus's positions are missing (simulate it again)", positionsPath);
        if (positions.dim() != 4 || positions.size(0) != raw.size(0) || positions.size(1) != raw.size(1) || positions.size(3) != 2)
            throw new InvalidDataException($"{positionsPath}: positions must be [{raw.size(0)}, {raw.size(1)}, D, 2], found {Shapes.Format(positions)}");
        var digitsPath = DigitsPath(path);
        var digits = File.Exists(digitsPath) ? Npy.Load(digitsPath) : zeros([raw.size(0), positions.size(2)], ScalarType.Int64);
        if (digits.dtype != ScalarType.Int64 || digits.dim() != 2 || digits.size(0) != raw.size(0) || digits.size(1) != positions.size(2))
            throw new InvalidDataException($"{digitsPath}: digit indices must be int64 [{raw.size(0)}, {positions.size(2)}], found {digits.dtype} {Shapes.Format(digits)}");
        return new BmnistCorpus(frames, positions, digits);
    }
}
