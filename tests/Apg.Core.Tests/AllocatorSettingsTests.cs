using System.Runtime.InteropServices;
using Apg.Core.Runtime;

namespace Apg.Core.Tests;

/// <summary>
/// The allocator settings TorchRuntime.Initialize and UseOwnArena make under a jemalloc preload (./test.sh preloads
/// it): the initializing thread's arena is one beyond the automatic ones, each thread that asks gets one of its own,
/// its own arenas keep their lazily freed pages (muzzy decay -1), and no other decay is changed from jemalloc's option. Read back through jemalloc's own mallctl.
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

    private static MallCtl? Control()
    {
        var preloaded = (Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("jemalloc", StringComparison.Ordinal);
        var found = NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallctl", out var address);
        Assert.Equal(preloaded, found);
        return found ? Marshal.GetDelegateForFunctionPointer<MallCtl>(address) : null; // glibc: mallopt cannot be read back
    }

    [Fact]
    public void Under_jemalloc_the_initializing_thread_gets_an_arena_of_its_own_and_arena_zero_keeps_the_default_decay()
    {
        TorchRuntime.Initialize();
        if (Control() is not { } control) return;
        // An arena told never to purge (decay -1) never coalesced its freed pages either: two threads on it grew without bound.
        Assert.Equal(Read(control, "opt.dirty_decay_ms", 8), Read(control, "arena.0.dirty_decay_ms", 8));
        Assert.Equal(Read(control, "opt.muzzy_decay_ms", 8), Read(control, "arena.0.muzzy_decay_ms", 8));
        var narenas = Read(control, "opt.narenas", 4);
        Assert.True(Read(control, "arenas.narenas", 4) > narenas, "Initialize creates an arena beyond the automatic ones");
    }

    [Fact]
    public void Under_jemalloc_each_thread_that_asks_gets_an_arena_of_its_own_once()
    {
        TorchRuntime.Initialize();
        if (Control() is not { } control) return;
        var automatic = Read(control, "opt.narenas", 4);
        var arenas = new long[2];
        var again = new long[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            TorchRuntime.UseOwnArena();
            arenas[i] = Read(control, "thread.arena", 4);
            TorchRuntime.UseOwnArena();
            again[i] = Read(control, "thread.arena", 4);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.NotEqual(arenas[0], arenas[1]);
        Assert.All(arenas, a => Assert.True(a >= automatic, $"arena {a} is one of the {automatic} automatic arenas"));
        Assert.Equal(arenas, again);
    }

    [Fact]
    public void Under_jemalloc_an_arena_of_its_own_keeps_its_lazily_freed_pages_and_the_default_dirty_decay()
    {
        TorchRuntime.Initialize();
        if (Control() is not { } control) return;
        long muzzy = 0, dirty = 0;
        var thread = new Thread(() =>
        {
            TorchRuntime.UseOwnArena();
            var arena = Read(control, "thread.arena", 4);
            muzzy = Read(control, $"arena.{arena}.muzzy_decay_ms", 8);
            dirty = Read(control, $"arena.{arena}.dirty_decay_ms", 8);
        });
        thread.Start();
        thread.Join();
        Assert.Equal(-1, muzzy);
        Assert.Equal(Read(control, "opt.dirty_decay_ms", 8), dirty);
    }
}
