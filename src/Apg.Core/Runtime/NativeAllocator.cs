using System.Runtime.InteropServices;

namespace Apg.Core.Runtime;

/// <summary>
/// glibc malloc settings for libtorch's CPU tensors. By default glibc serves blocks above 128 KB with a fresh
/// mmap and returns freed heap tops to the kernel at once, so every multi-MB activation of a training step is
/// page-faulted in again (expensive in a VM): the GMM training step's median time halves with the heap kept
/// (measured: 77 ms -> 42 ms on 2 cores). Blocks up to 32 MB come from the heap, and up to 256 MB of free heap top
/// is kept. Resident memory then stays at its high-water mark instead of breathing; APG_MALLOC_TUNING=0 turns it off.
/// </summary>
internal static class NativeAllocator
{
    private const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    public static void Tune()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("APG_MALLOC_TUNING") == "0") return;
        try
        {
            MallOpt(MmapThreshold, 32 << 20);
            MallOpt(TrimThreshold, 256 << 20);
            MallOpt(TopPad, 64 << 20);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // not glibc: its allocator keeps its own policy
        }
    }
}
