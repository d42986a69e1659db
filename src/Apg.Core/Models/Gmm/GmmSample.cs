using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

/// <summary>One particle of one instance, copied to the CPU: cluster means and precisions [M, D], each point's cluster, log p(x, z).</summary>
public sealed record GmmSample(double[][] Mu, double[][] Tau, long[] Assignments, double LogJoint)
{
    /// <summary>The particle with the largest final weight for one instance of a run on x [B, N, D].</summary>
    public static GmmSample Heaviest(SamplerRun run, GmmModel model, Tensor x, int instance)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var l = run.LogWeights.select(1, instance).argmax().item<long>();
        var mu = run.Z[GmmVariables.Mu].select(0, l).select(0, instance).to(ScalarType.Float64).cpu();
        var tau = run.Z[GmmVariables.Tau].select(0, l).select(0, instance).to(ScalarType.Float64).cpu();
        var c = run.Z[GmmVariables.C].select(0, l).select(0, instance).argmax(-1).cpu();
        var logJoint = model.LogJoint(x, run.Z).select(0, l).select(0, instance).to(ScalarType.Float64).item<double>();
        return new GmmSample(Rows(mu), Rows(tau), c.data<long>().ToArray(), logJoint);
    }

    private static double[][] Rows(Tensor matrix) =>
        Enumerable.Range(0, (int)matrix.size(0)).Select(i => matrix[i].data<double>().ToArray()).ToArray();
}
