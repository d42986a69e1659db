using Apg.Core.Runtime;

namespace Apg.Core.Data;

/// <summary>
/// A GMM corpus on disk: points [instances, points, 2] in a .npy file (float32 or float64, the paper's format),
/// and, when it was simulated here, the true assignments beside it in NAME.assignments.npy ([instances, points], int64).
/// </summary>
public static class GmmCorpus
{
    public static string AssignmentsPath(string path) => Path.ChangeExtension(path, null) + ".assignments.npy";

    /// <summary>Reads and checks a corpus; returns float32 points and the assignments when present.</summary>
    public static (Tensor X, Tensor? Assignments) Load(string path, int dimensions = 2)
    {
        var x = Npy.Load(path);
        var shape = x.shape;
        if (shape.Length != 3 || shape[2] != dimensions || shape[0] < 1 || shape[1] < 1)
            throw new InvalidDataException($"{path}: a GMM corpus must have shape [instances, points, {dimensions}], this one is {Shapes.Format(shape)}");
        if (!x.is_floating_point())
            throw new InvalidDataException($"{path}: a GMM corpus must hold float32 or float64 values, this one holds {x.dtype}");
        using (no_grad())
        {
            using var bad = x.isfinite().logical_not();
            if (bad.any().item<bool>())
            {
                var flat = bad.flatten().data<bool>().ToArray();
                var first = Array.IndexOf(flat, true);
                var perInstance = shape[1] * shape[2];
                throw new InvalidDataException(
                    $"{path}: holds NaN or infinite values (first at instance {first / perInstance}, point {first % perInstance / shape[2]})");
            }
        }
        x = x.to(ScalarType.Float32);
        Tensor? assignments = null;
        var side = AssignmentsPath(path);
        if (File.Exists(side))
        {
            assignments = Npy.Load(side);
            if (!assignments.shape.SequenceEqual(shape[..2]) || assignments.dtype != ScalarType.Int64)
                throw new InvalidDataException($"{side}: assignments must be int64 of shape {Shapes.Format(shape[..2])}, found {assignments.dtype} {Shapes.Format(assignments)}");
        }
        return (x, assignments);
    }
}
