namespace Apg.Core.Methods.Vae;

/// <summary>Per-instance values of an evaluation, for the reports' evidence files.</summary>
internal static class PerInstance
{
    /// <summary>A [N] tensor's values as float64, in order.</summary>
    public static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
}
