using Apg.Core.Runtime;
using TorchSharp.Modules;
using Apg.Core.Autograd;

namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// One transition of a kernel on states [..., D]: the next state, the proposal, log alpha (the log acceptance
/// probability, min(0, log ratio)), whether it was accepted, and the proposal's entropy (a scalar). With differentiable,
/// log alpha and the entropy carry gradients to the kernel's step size and preconditioner (for the speed measure).
/// </summary>
public sealed record McmcStep(Tensor Next, Tensor Proposed, Tensor LogAcceptance, Tensor Accepted, Tensor Entropy)
{
    /// <summary>
    /// The Metropolis-Hastings decision for states [..., D]: accept each proposal with probability exp(log alpha)
    /// (NaN compares false and is rejected); without differentiable, log alpha and the entropy are detached.
    /// </summary>
    internal static McmcStep Decide(Tensor current, Tensor proposed, Tensor logAlpha, Tensor entropy, Generator? generator, bool differentiable)
    {
        using var noGrad = no_grad();
        var accepted = SeededDraws.Rand(logAlpha.shape, logAlpha.dtype, logAlpha.device, generator).log().lt(logAlpha.detach());
        var next = where(accepted.unsqueeze(-1), proposed.detach(), current);
        return new McmcStep(next, proposed, differentiable ? logAlpha : logAlpha.detach(), accepted, differentiable ? entropy : entropy.detach());
    }
}

/// <summary>A kernel that leaves a density invariant and can be adapted.</summary>
public interface IAdaptiveKernel
{
    Parameter LogStepSize { get; }
    Preconditioner Preconditioner { get; }
    McmcStep Step(Func<Tensor, Tensor> logDensity, Tensor x, Generator? generator, bool differentiable = false);
}

/// <summary>
/// The Metropolis-adjusted Langevin algorithm with a learnable step size h and preconditioner C: proposal
/// y = x + (h^2 / 2) C C^T grad log pi(x) + h C xi, xi ~ N(0, I), so q(y | x) = N(x + (h^2 / 2) C C^T grad, h^2 C C^T),
/// then an exact Metropolis-Hastings accept. The proposal's entropy, D/2 log(2 pi e) + D log h + log |det C|, does not
/// depend on x. logDensity maps [..., D] to [...].
/// </summary>
public sealed class MalaKernel : nn.Module, IAdaptiveKernel
{
    private readonly Parameter logStepSize;
    private readonly Preconditioner preconditioner;

    public MalaKernel(int dimensions, PreconditionerKind kind, double stepSize, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(MalaKernel))
    {
        if (!(stepSize > 0)) throw new ArgumentException($"the step size must be positive, got {stepSize}");
        logStepSize = nn.Parameter(tensor(Math.Log(stepSize), dtype: dtype, device: device));
        preconditioner = new Preconditioner(dimensions, kind, dtype, device);
        RegisterComponents();
    }

    public Parameter LogStepSize => logStepSize;
    public Preconditioner Preconditioner => preconditioner;

    public McmcStep Step(Func<Tensor, Tensor> logDensity, Tensor x, Generator? generator, bool differentiable = false)
    {
        using var grad = enable_grad();
        var d = preconditioner.Dimensions;
        var h = logStepSize.exp();
        var current = x.detach();
        var (logPiX, gradX) = ValueAndGradient(logDensity, current, false);
        var xi = SeededDraws.Randn(current.shape, current.dtype, current.device, generator);
        var meanX = ProposalMean(current, gradX, h);
        var y = meanX + h * preconditioner.Apply(xi);
        if (!differentiable) y = y.detach();
        var (logPiY, gradY) = ValueAndGradient(logDensity, y, differentiable);
        var logForward = LogProposal(y, meanX, h, d);
        var logReverse = LogProposal(current, ProposalMean(y, gradY, h), h, d);
        var logAlpha = (logPiY - logPiX + logReverse - logForward).clamp_max(0);
        return McmcStep.Decide(current, y, logAlpha, preconditioner.GaussianEntropy(logStepSize), generator, differentiable);
    }

    private Tensor ProposalMean(Tensor x, Tensor gradient, Tensor h) =>
        x + 0.5 * h.square() * preconditioner.Apply(preconditioner.ApplyTranspose(gradient));

    /// <summary>log N(y; mean, h^2 C C^T) [...].</summary>
    public Tensor LogProposal(Tensor y, Tensor mean, Tensor h, int d)
    {
        var standardized = preconditioner.Solve(y - mean) / h;
        return -0.5 * standardized.square().sum(-1) - d * h.log() - preconditioner.LogDeterminant() - 0.5 * d * Math.Log(2 * Math.PI);
    }

    /// <summary>log pi and its gradient at x; with createGraph the gradient is differentiable in x (and so in the kernel's
    /// parameters when x depends on them).</summary>
    internal static (Tensor Value, Tensor Gradient) ValueAndGradient(Func<Tensor, Tensor> logDensity, Tensor x, bool createGraph)
    {
        var input = createGraph ? x : x.detach().requires_grad_(true);
        if (createGraph && !input.requires_grad) input = input.requires_grad_(true);
        var value = logDensity(input);
        var gradient = Gradients.Of(value.sum(), [input], createGraph: createGraph)[0];
        return createGraph ? (value, gradient) : (value.detach(), gradient.detach());
    }
}
