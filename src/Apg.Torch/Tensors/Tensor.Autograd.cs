using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

public sealed partial class Tensor
{
    public bool RequiresGrad
    {
        get => apg_requires_grad(Handle) != 0;
        set => Check(apg_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    public Tensor Detach() => New(apg_detach(Handle));

    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        Check(apg_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0));

    /// <summary>The gradient accumulated on this leaf, or null before any backward reached it.</summary>
    public unsafe Tensor? Grad
    {
        get
        {
            IntPtr g;
            Check(apg_grad(Handle, &g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(apg_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }
}
