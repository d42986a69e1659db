namespace Apg.Core.Inference;

/// <summary>Whether a sampler run trains, and how its loss reaches the parameters.</summary>
public enum SamplerGradients
{
    /// <summary>No loss and no gradients recorded; each sweep frees its temporaries (evaluation).</summary>
    None,

    /// <summary>The loss with its whole graph, for the caller's backward (run it inside the caller's dispose scope).</summary>
    Graph,

    /// <summary>
    /// The loss's gradients accumulated into the parameters sweep by sweep, the loss returned detached: the caller
    /// does not call backward. Each sweep's terms depend on the parameters only through that sweep's proposals and
    /// model terms (particles and weights are detached), so one sweep's graph is alive at a time instead of K, and
    /// the gradient is the same sum.
    /// </summary>
    EachSweep,
}

/// <summary>Which sweeps a run measures (SweepStats: a full log joint and host copies each).</summary>
public enum SweepStatistics
{
    /// <summary>Every sweep, as evaluation reports them.</summary>
    EverySweep,

    /// <summary>The last sweep only: what training logs.</summary>
    LastSweep,

    /// <summary>No sweep: a training step that is not logged skips the statistics' extra log joint and host copies.</summary>
    None,
}
