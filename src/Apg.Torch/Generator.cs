using static Apg.Torch.Native.NativeMethods;

namespace Apg.Torch;

/// <summary>A seeded random generator (libtorch's Philox/MT engine for its device). Every sampling op takes one.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr handle;

    public Generator(ulong seed, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        handle = Tensor.Check(apg_generator_new(seed, (int)d.Type, d.Index));
        Device = d;
    }

    ~Generator() => Free();

    public Device Device { get; }

    internal IntPtr Handle =>
        handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Generator));

    internal static IntPtr HandleOf(Generator? generator) => generator?.Handle ?? IntPtr.Zero;

    public ulong InitialSeed => apg_generator_seed(Handle);

    public Generator ManualSeed(ulong seed)
    {
        Tensor.Check(apg_generator_set_seed(Handle, seed));
        return this;
    }

    /// <summary>The full engine state as a uint8 tensor, for checkpoints: restoring it continues the same stream.</summary>
    public Tensor GetState() => Tensor.New(apg_generator_get_state(Handle));

    public void SetState(Tensor state) => Tensor.Check(apg_generator_set_state(Handle, state.Handle));

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) apg_generator_free(h);
    }
}
