using Apg.Core.Data;
using Apg.Core.Runtime;

namespace Apg.Core.Models.Dmm;

/// <summary>DMM corpora on disk: x as NAME.npy [instances, points, 2], with NAME.assignments.npy and NAME.angles.npy beside it.</summary>
public static class DmmCorpusFiles
{
    public static string AssignmentsPath(string path) => Path.ChangeExtension(path, null) + ".assignments.npy";
    public static string AnglesPath(string path) => Path.ChangeExtension(path, null) + ".angles.npy";

    public static void Save(string path, DmmCorpus corpus)
    {
        Npy.Save(path, corpus.X);
        Npy.Save(AssignmentsPath(path), corpus.C);
        Npy.Save(AnglesPath(path), corpus.H);
    }

    /// <summary>Loads and checks x alone, [instances, points, 2] float32: what training needs.</summary>
    public static Tensor LoadPoints(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such DMM corpus (write one with: ./apg dmm simulate --out {path})", path);
        var x = Npy.Load(path);
        if (x.dim() != 3 || x.size(2) != DmmPrior.Dimensions)
            throw new InvalidDataException($"{path}: a DMM corpus must have shape [instances, points, 2], this one is {Shapes.Format(x)}");
        if (x.dtype != ScalarType.Float32 && x.dtype != ScalarType.Float64)
            throw new InvalidDataException($"{path}: a DMM corpus must hold float32 or float64 values, this one holds {x.dtype}");
        if (!x.isfinite().all().item<bool>())
            throw new InvalidDataException($"{path}: the corpus holds NaN or infinite values");
        return x.to(ScalarType.Float32);
    }

    /// <summary>Loads and checks x (and the assignments and angles when present); errors name the file and what is wrong.</summary>
    public static DmmCorpus Load(string path)
    {
        var x = LoadPoints(path);
        Tensor c = zeros(0), h = zeros(0);
        var side = AssignmentsPath(path);
        if (File.Exists(side))
        {
            c = Npy.Load(side);
            if (c.dtype != ScalarType.Int64 || c.dim() != 2 || c.size(0) != x.size(0) || c.size(1) != x.size(1))
                throw new InvalidDataException($"{side}: assignments must be int64 of shape {Shapes.Format(x.shape[..2])}, found {c.dtype} {Shapes.Format(c)}");
        }
        var anglesPath = AnglesPath(path);
        if (File.Exists(anglesPath))
        {
            h = Npy.Load(anglesPath);
            if (h.dim() != 2 || h.size(0) != x.size(0) || h.size(1) != x.size(1))
                throw new InvalidDataException($"{anglesPath}: angles must have shape {Shapes.Format(x.shape[..2])}, found {Shapes.Format(h)}");
        }
        return new DmmCorpus(x, c, h.to(ScalarType.Float32));
    }
}
