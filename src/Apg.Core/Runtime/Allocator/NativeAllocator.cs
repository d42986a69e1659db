using System.Runtime.InteropServices;

namespace Apg.Core.Runtime;

/// <summary>
/// Allocator settings for libtorch's CPU tensors, made once at start-up for whichever allocator serves them.
/// <para>glibc: by default it serves blocks above 128 KB with a fresh mmap and returns freed heap tops to the kernel at
/// once, so every multi-MB activation of a training step is page-faulted in again (expensive in a VM): the GMM training
/// step's median time halves with the heap kept (measured: 77 ms -> 42 ms on 2 cores). Blocks up to 32 MB come from
/// the heap, and up to 256 MB of free heap top is kept. Resident memory then stays at its high-water mark instead of
/// breathing.</para>
/// <para>jemalloc (preloaded, as ./apg does): a training step whose thread allocates from arena 0, the arena the
/// .NET runtime's own allocations share, page-faulted its activations in again and again as the arena purged its
/// freed pages (measured, bench/run.sh --plain dmm: 1.4 s and 115,000 minor faults a step on the process's first
/// thread, against 0.59 s and 2,500 on a thread of its own). So the thread that initializes the library, and every
/// thread that calls <see cref="TorchRuntime.UseOwnArena"/>, gets an arena of its own, which keeps its lazily freed pages (muzzy decay -1, see
/// <see cref="Jemalloc.OwnArenaForThisThread"/>). The dirty decay stays jemalloc's: an arena told to keep its dirty
/// pages (dirty decay -1) never coalesces them, and two tensor threads sharing it grew without bound (bench/run.sh
/// --plain gmm --seeds 2 with both workers on arena 0: 0.3 GB to 3.7 GB in 100 s; with muzzy decay -1 alone, flat
/// at 0.28 GB).</para>
/// APG_MALLOC_TUNING=0 turns both off.
/// </summary>
internal static class NativeAllocator
{
    private const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    public static void Tune()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("APG_MALLOC_TUNING") == "0") return;
        if (Jemalloc.IsLoaded) OwnArenaForThisThread();
        else TuneGlibc();
    }

    [ThreadStatic] private static bool hasOwnArena;

    /// <summary>Binds the calling thread to an arena of its own, once per thread (no-op unless jemalloc serves the process).</summary>
    public static void OwnArenaForThisThread()
    {
        if (hasOwnArena || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("APG_MALLOC_TUNING") == "0") return;
        Jemalloc.OwnArenaForThisThread();
        hasOwnArena = true;
    }

    private static void TuneGlibc()
    {
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
