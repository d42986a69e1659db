namespace Apg.Core.Inference;

/// <summary>
/// Per sweep, averaged over the instances of a corpus: log p(x, z), ESS / L after the sweep's last block and after its
/// first; and per sweep and instance, the mean over particles of log p(x, z) (the evidence under each average).
/// </summary>
public sealed record SweepAverages(int Instances, double[] MeanLogJoint, double[] Ess, double[] FirstBlockEss, double Seconds, double[][] InstanceLogJoint);

/// <summary>The one evaluation loop of every task: a sampler over a corpus with no gradients, batch by batch.</summary>
public static class SweepEvaluation
{
    /// <summary>
    /// Runs run(x) on consecutive batches of at most batchSize instances of corpus [I, ...] (one generator across
    /// batches, inside run), and averages each sweep's statistics over the instances. perBatch sees each batch's run
    /// (for a task's own statistics) inside the batch's dispose scope.
    /// </summary>
    public static SweepAverages Evaluate(Tensor corpus, int sweeps, int batchSize, Func<Tensor, SamplerRun> run,
        Action<int, int>? onBatch = null, Action<Tensor, SamplerRun>? perBatch = null)
    {
        if (sweeps < 1 || batchSize < 1) throw new ArgumentException($"sweeps and batch size must be at least 1 (got {sweeps}, {batchSize})");
        var instances = (int)corpus.size(0);
        var logJoint = new double[sweeps];
        var ess = new double[sweeps];
        var firstBlockEss = new double[sweeps];
        var instanceLogJoint = Enumerable.Range(0, sweeps).Select(_ => new double[instances]).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var noGrad = no_grad();
        for (var start = 0; start < instances; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var size = Math.Min(batchSize, instances - start);
            var x = corpus.narrow(0, start, size);
            var result = run(x);
            foreach (var s in result.Sweeps)
            {
                logJoint[s.Sweep - 1] += s.MeanLogJoint.Sum();
                ess[s.Sweep - 1] += s.EssFraction.Sum();
                firstBlockEss[s.Sweep - 1] += s.FirstBlockEssFraction.Sum();
                s.MeanLogJoint.CopyTo(instanceLogJoint[s.Sweep - 1], start);
            }
            perBatch?.Invoke(x, result);
            onBatch?.Invoke(start + size, instances);
        }
        double[] Mean(double[] sums) => sums.Select(v => v / instances).ToArray();
        return new SweepAverages(instances, Mean(logJoint), Mean(ess), Mean(firstBlockEss), clock.Elapsed.TotalSeconds, instanceLogJoint);
    }
}
