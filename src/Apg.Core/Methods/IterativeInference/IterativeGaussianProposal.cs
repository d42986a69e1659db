using Apg.Core.Runtime;
using Apg.Core.Autograd;
using Apg.Core.Distributions;
using Apg.Core.Inference;
using Apg.Core.NN;
using TorchSharp.Modules;
using Normal = Apg.Core.Distributions.Normal;

namespace Apg.Core.Methods.IterativeInference;

/// <summary>A diagonal Normal over one variable of a block [L, B, ...]; log q sums over everything after [L, B].</summary>
public sealed class DiagonalNormalConditional(string variable, Normal distribution) : IBlockConditional
{
    public Normal Distribution { get; } = distribution;
    public Latents Sample(Generator? generator) => new((variable, Distribution.Sample(generator)));

    public Tensor LogProb(Latents values)
    {
        var terms = Distribution.LogProb(values[variable]);
        return terms.dim() > 2 ? terms.flatten(2).sum(-1) : terms;
    }
}

/// <summary>
/// Our addition, which neither paper made: Marino et al.'s iterative update used as an APG block proposal for a
/// continuous block with one variable. q(z_b | x, z_-b) = N(mean, exp(logvar)) starts at the prior's parameters and is
/// refined T times by a gated update from the gradient of the block's ELBO, E_q[log p(x, z_b, z_-b)] + H[q], taken with
/// respect to (mean, logvar) and fed as log(|g| + 1e-5) and sign(g). The update network acts on each coordinate alone
/// (the gradients carry the data), so it serves any such block, whatever its shape. Like any APG proposal it conditions
/// on z_-b only, so the same q scores the forward and the reverse kernel, and it is trained by the inclusive KL.
/// The ELBO's noise is a fixed draw per call (a seeded generator), so q is a deterministic function of (x, z_-b).
/// </summary>
public sealed class IterativeGaussianProposal : nn.Module, IBlockProposal
{
    private readonly IModel model;
    private readonly string variable;
    private readonly Sequential net;

    public IterativeGaussianProposal(IModel model, Block block, string variable, double priorMean, double priorLogVar,
        int iterations, int samples, int hidden = 32, ulong noiseSeed = 1, Generator? generator = null, Device? device = null)
        : base(nameof(IterativeGaussianProposal))
    {
        if (block.PerPoint) throw new ArgumentException($"block '{block.Name}' is per point: the iterative proposal serves a global block");
        if (!block.Variables.Contains(variable) || block.Variables.Count != 1)
            throw new ArgumentException($"block '{block.Name}' must hold exactly the variable '{variable}'");
        if (iterations < 1 || samples < 1) throw new ArgumentException($"iterations and samples must be at least 1, got {iterations} and {samples}");
        this.model = model;
        this.variable = variable;
        Block = block;
        PriorMean = priorMean;
        PriorLogVar = priorLogVar;
        Iterations = iterations;
        Samples = samples;
        NoiseSeed = noiseSeed;
        net = nn.Sequential(
            ("0", SeededLinear.Create(6, hidden, generator, device: device)), ("1", nn.ELU()),
            ("2", SeededLinear.Create(hidden, hidden, generator, device: device)), ("3", nn.ELU()),
            ("4", SeededLinear.Create(hidden, 4, generator, device: device)));
        RegisterComponents();
    }

    public Block Block { get; }
    public double PriorMean { get; }
    public double PriorLogVar { get; }
    public int Iterations { get; }
    public int Samples { get; }
    public ulong NoiseSeed { get; }

    public IBlockConditional Condition(Tensor x, Latents z)
    {
        var (mean, logVar) = Refine(x, z);
        return new DiagonalNormalConditional(variable, new Normal(mean, (0.5 * logVar).exp()));
    }

    /// <summary>The T refinements from the prior's parameters: the final (mean, logvar), shaped as the variable.</summary>
    public (Tensor Mean, Tensor LogVar) Refine(Tensor x, Latents z)
    {
        var current = z[variable];
        var mean = full_like(current, PriorMean);
        var logVar = full_like(current, PriorLogVar);
        using var noise = new Generator(NoiseSeed, current.device);
        for (var t = 0; t < Iterations; t++)
        {
            var (gradMean, gradLogVar) = ElboGradients(x, z, mean.detach(), logVar.detach(), noise);
            var inputs = stack([(gradMean.abs() + 1e-5).log(), gradMean.sign(), (gradLogVar.abs() + 1e-5).log(), gradLogVar.sign(), mean, logVar], -1);
            var outputs = net.forward(inputs).unbind(-1);
            var gateMean = outputs[2].sigmoid();
            var gateLogVar = outputs[3].sigmoid();
            mean = gateMean * mean + (1 - gateMean) * outputs[0];
            logVar = gateLogVar * logVar + (1 - gateLogVar) * outputs[1];
        }
        return (mean, logVar);
    }

    /// <summary>
    /// The gradient of the block's ELBO (its log-joint terms averaged over S reparameterized draws, plus q's entropy)
    /// with respect to mean and logvar, per particle and instance (each one's ELBO depends on its own parameters only).
    /// </summary>
    public (Tensor GradMean, Tensor GradLogVar) ElboGradients(Tensor x, Latents z, Tensor mean, Tensor logVar, Generator noise)
    {
        using var grad = enable_grad();
        var m = mean.detach().requires_grad_(true);
        var lv = logVar.detach().requires_grad_(true);
        Tensor? elbo = null;
        for (var s = 0; s < Samples; s++)
        {
            var eps = SeededDraws.Randn(m.shape, m.dtype, m.device, noise);
            var terms = model.LogJointTerms(x, z.With(new Latents((variable, m + (0.5 * lv).exp() * eps))), Block);
            elbo = elbo is null ? terms : elbo + terms;
        }
        var entropy = 0.5 * lv;
        var total = elbo!.sum() / Samples + entropy.sum();
        var grads = Gradients.Of(total, [m, lv]);
        return (grads[0].detach(), grads[1].detach());
    }
}
