namespace Apg.Core.Distributions;

/// <summary>
/// Normal-Gamma(mu, nu, alpha, beta), elementwise: tau ~ Gamma(alpha, beta) (rate form),
/// mean | tau ~ Normal(mu, 1 / sqrt(nu * tau)).
/// </summary>
public sealed class NormalGamma(Tensor mu, Tensor nu, Tensor alpha, Tensor beta)
{
    public Tensor Mu { get; } = mu;
    public Tensor Nu { get; } = nu;
    public Tensor Alpha { get; } = alpha;
    public Tensor Beta { get; } = beta;

    public Gamma Precision => new(Alpha, Beta);
    public Normal MeanGivenPrecision(Tensor tau) => new(Mu, (Nu * tau).rsqrt());

    public (Tensor Mean, Tensor Precision) Sample(Generator? generator)
    {
        using var noGrad = no_grad();
        var tau = Precision.Sample(generator);
        var mean = MeanGivenPrecision(tau).Sample(generator);
        return (mean, tau);
    }

    public Tensor LogProb(Tensor mean, Tensor tau) => Precision.LogProb(tau) + MeanGivenPrecision(tau).LogProb(mean);

    /// <summary>Elementwise KL(p || q) = KL of the Gammas + E_p(tau)[KL of the Normals given tau].</summary>
    public static Tensor Kl(NormalGamma p, NormalGamma q)
    {
        var ratio = q.Nu / p.Nu;
        var expectedTau = p.Alpha / p.Beta;
        var normal = (ratio - 1 - ratio.log() + q.Nu * expectedTau * (p.Mu - q.Mu).square()) * 0.5;
        return Gamma.Kl(p.Precision, q.Precision) + normal;
    }
}
