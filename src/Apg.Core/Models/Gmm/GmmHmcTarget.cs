using Apg.Core.Inference;

namespace Apg.Core.Models.Gmm;

using static GmmVariables;

/// <summary>
/// HMC on (mu, log tau) with the assignments summed out: log p(mu, tau) + sum_n logsumexp_m [log pi_m +
/// log N(x_n; mu_m, tau_m)] + sum log tau (the Jacobian of tau = exp(log tau)); c is then drawn from its exact conditional.
/// </summary>
public sealed class GmmHmcTarget(GmmModel model) : IHmcTarget
{
    private readonly ExactLocalProposal local = new(model.Prior);

    public Tensor[] ToUnconstrained(Latents z) => [z[Mu].detach(), z[Tau].detach().log()];

    public Tensor LogDensity(Tensor x, Latents z, Tensor[] q)
    {
        var mu = q[0];
        var logTau = q[1];
        var tau = logTau.exp();
        var globals = new Latents((Mu, mu), (Tau, tau));
        var perCluster = GmmModel.LogLikelihoodPerCluster(x, mu, tau) - Math.Log(model.Prior.Clusters);
        return model.LogPriorGlobal(globals) + perCluster.logsumexp(-1).sum(-1) + logTau.sum(-2, -1);
    }

    public Latents FromUnconstrained(Tensor x, Latents z, Tensor[] q, Generator? generator)
    {
        var globals = new Latents((Mu, q[0]), (Tau, q[1].exp()));
        return globals.With(local.Condition(x, globals).Sample(generator));
    }
}
