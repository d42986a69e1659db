using System.Runtime.InteropServices;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>
/// The allocator settings TorchRuntime.Initialize makes under a jemalloc preload (./test.sh preloads it): arena 0
/// keeps its freed pages, and the initializing thread's arena is another. Read back through jemalloc's own mallctl.
/// </summary>
public class AllocatorSettingsTests
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallCtl([MarshalAs(UnmanagedType.LPStr)] string name, IntPtr oldValue, IntPtr oldLength, IntPtr newValue, nuint newLength);

    private static long Read(MallCtl control, string name, int size)
    {
        var buffer = Marshal.AllocHGlobal(8 + IntPtr.Size);
        try
        {
            Marshal.WriteInt64(buffer, 0);
            Marshal.WriteIntPtr(buffer + 8, size);
            Assert.Equal(0, control(name, buffer, buffer + 8, IntPtr.Zero, 0));
            return size == 4 ? Marshal.ReadInt32(buffer) : Marshal.ReadInt64(buffer);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [Fact]
    public void Under_jemalloc_arena_zero_keeps_its_pages_and_the_initializing_thread_gets_an_arena_of_its_own()
    {
        var preloaded = (Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("jemalloc", StringComparison.Ordinal);
        var found = NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallctl", out var address);
        Assert.Equal(preloaded, found);
        if (!found) return; // glibc: its settings (mallopt) cannot be read back
        var control = Marshal.GetDelegateForFunctionPointer<MallCtl>(address);
        Assert.Equal(-1, Read(control, "arena.0.dirty_decay_ms", 8));
        Assert.Equal(-1, Read(control, "arena.0.muzzy_decay_ms", 8));
        var narenas = Read(control, "opt.narenas", 4);
        Assert.True(Read(control, "arenas.narenas", 4) > narenas, "Initialize creates an arena beyond the automatic ones");
    }
}
