using Apg.Core.Inference;
using Apg.Core.Runtime;
using TorchSharp.Modules;
namespace Apg.Core.Methods.AdaptiveMcmc;

/// <summary>
/// Hamiltonian Monte Carlo with a learnable step size h and preconditioner C (mass matrix (C C^T)^-1): momentum
/// p ~ N(0, I) in C's coordinates, leapfrog p += (h / 2) C^T grad log pi, x += h C p, and an exact Metropolis accept on
/// the Hamiltonian -log pi(x) + |p|^2 / 2. Its entropy term is that of the first leapfrog step's position proposal,
/// N(x + (h^2 / 2) C C^T grad, h^2 C C^T), the same closed form as MALA's (the full trajectory's density is
/// intractable); with one leapfrog step the kernel is MALA.
/// </summary>
public sealed class PreconditionedHmcKernel : nn.Module, IAdaptiveKernel
{
    private readonly Parameter logStepSize;
    private readonly Preconditioner preconditioner;

    public PreconditionedHmcKernel(int dimensions, PreconditionerKind kind, double stepSize, int leapfrogSteps,
        ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(PreconditionedHmcKernel))
    {
        if (!(stepSize > 0)) throw new ArgumentException($"the step size must be positive, got {stepSize}");
        if (leapfrogSteps < 1) throw new ArgumentException($"at least one leapfrog step, got {leapfrogSteps}");
        LeapfrogSteps = leapfrogSteps;
        logStepSize = nn.Parameter(tensor(Math.Log(stepSize), dtype: dtype, device: device));
        preconditioner = new Preconditioner(dimensions, kind, dtype, device);
        RegisterComponents();
    }

    public int LeapfrogSteps { get; }
    public Parameter LogStepSize => logStepSize;
    public Preconditioner Preconditioner => preconditioner;

    public McmcStep Step(Func<Tensor, Tensor> logDensity, Tensor x, Generator? generator, bool differentiable = false)
    {
        using var grad = enable_grad();
        var h = logStepSize.exp();
        var current = x.detach();
        var (logPi0, gradient) = MalaKernel.ValueAndGradient(logDensity, current, false);
        var p0 = SeededDraws.Randn(current.shape, current.dtype, current.device, generator);
        // Without gradients through the trajectory, each step's position and momentum leave the graph.
        Tensor Cut(Tensor t) => differentiable ? t : t.detach();
        var (end, momentum, logPi) = Leapfrog.Integrate(
            state => { var (value, g) = MalaKernel.ValueAndGradient(logDensity, state[0], differentiable); return (value, [g]); },
            [current], [p0], logPi0, [gradient], LeapfrogSteps,
            (m, g, which) => which switch
            {
                LeapfrogKick.OpeningHalf => m + 0.5 * h * preconditioner.ApplyTranspose(g),
                LeapfrogKick.Full => Cut(m + h * preconditioner.ApplyTranspose(g)),
                _ => Cut(m + 0.5 * h * preconditioner.ApplyTranspose(g)),
            },
            (s, m) => Cut(s + h * preconditioner.Apply(m)));
        var (q, p) = (end[0], momentum[0]);
        var logAlpha = (logPi - 0.5 * p.square().sum(-1) - logPi0 + 0.5 * p0.square().sum(-1)).clamp_max(0);
        // A diverged trajectory's NaN energy is rejected by the decision.
        return McmcStep.Decide(current, q, logAlpha, preconditioner.GaussianEntropy(logStepSize), generator, differentiable);
    }
}
