using Apg.Core.Autograd;
using Apg.Core.Methods.Vae;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>What a run of iterative inference gives: the final parameters, the ELBO at every step (t = 0 is the prior)
/// and, in training, the loss of the inference model.</summary>
public sealed record IterativeInferenceRun(Tensor Mean, Tensor LogVar, IReadOnlyList<Tensor> Elbos, IReadOnlyList<Tensor> Means, Tensor? Loss);

/// <summary>
/// Iterative amortized inference (Marino et al. 2018, Algorithm 1): start q(z | x) at the prior, then T times estimate
/// the ELBO with S reparameterized samples, take its gradient with respect to (mean, logvar) and let the inference
/// model update them. The gradient inputs are constants to the inference model (detached), as in the authors' code;
/// its training loss is minus the ELBO averaged over the T updated steps.
/// </summary>
public sealed class IterativeInference(IterativeInferenceModel model, BernoulliDecoder decoder, int iterations, int samples)
{
    public int Iterations { get; } = iterations >= 1 ? iterations : throw new ArgumentException($"iterations must be at least 1, got {iterations}");
    public int Samples { get; } = samples >= 1 ? samples : throw new ArgumentException($"samples must be at least 1, got {samples}");

    /// <summary>
    /// The ELBO [B] on the given noise and its gradients with respect to mean and logvar [B, D] (each instance's ELBO
    /// depends on its own parameters only, so the gradient of the sum is per instance): the inference model's inputs,
    /// detached. retainGraph keeps the ELBO's graph for a loss taken later.
    /// </summary>
    public static (Tensor Elbo, Tensor GradMean, Tensor GradLogVar) ElboAndGradients(BernoulliDecoder decoder, Tensor x, Tensor mean,
        Tensor logVar, Tensor noise, bool retainGraph = false)
    {
        using var grad = enable_grad();
        var elbo = Elbo.Estimate(decoder, x, mean, logVar, noise);
        var grads = Gradients.Of(elbo.sum(), [mean, logVar], retainGraph: retainGraph);
        return (elbo, grads[0].detach(), grads[1].detach());
    }

    /// <summary>
    /// Runs the T updates on x [B, P]. With training the graph runs through every update (for the loss); without,
    /// each step starts from detached parameters and nothing but the gradient inputs is differentiated.
    /// </summary>
    public IterativeInferenceRun Run(Tensor x, Generator generator, bool training)
    {
        var mean = zeros([x.size(0), model.Latent], dtype: x.dtype, device: x.device);
        var logVar = zeros_like(mean);
        var elbos = new List<Tensor>();
        var means = new List<Tensor> { mean.detach() };
        Tensor? total = null;
        for (var t = 0; t <= Iterations; t++)
        {
            if (!training || t == 0)
            {
                mean = mean.detach().requires_grad_(true);
                logVar = logVar.detach().requires_grad_(true);
            }
            var noise = DiagonalGaussian.Noise(Samples, mean, generator);
            if (t == Iterations)
            {
                Tensor final;
                using (var noGrad = training ? null : no_grad())
                    final = Elbo.Estimate(decoder, x, mean, logVar, noise);
                elbos.Add(final.detach());
                if (training) total = total is null ? final.mean() : total + final.mean();
                break;
            }
            var (elbo, gradMean, gradLogVar) = ElboAndGradients(decoder, x, mean, logVar, noise, retainGraph: training);
            elbos.Add(elbo.detach());
            if (training && t > 0) total = total is null ? elbo.mean() : total + elbo.mean();
            using (var noGrad = training ? null : no_grad())
                (mean, logVar) = model.Step(x, mean, logVar, gradMean, gradLogVar);
            means.Add(mean.detach());
        }
        return new IterativeInferenceRun(mean.detach(), logVar.detach(), elbos, means, training ? -total! / Iterations : null);
    }
}
