using System.Runtime.InteropServices;

namespace Apg.Core.Runtime;

/// <summary>jemalloc's control interface (mallctl), when jemalloc serves this process (LD_PRELOAD).</summary>
internal static class Jemalloc
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallCtl([MarshalAs(UnmanagedType.LPStr)] string name, IntPtr oldValue, IntPtr oldLength, IntPtr newValue, nuint newLength);

    private static readonly MallCtl? Control = Find();

    private static MallCtl? Find() =>
        NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "mallctl", out var address)
            ? Marshal.GetDelegateForFunctionPointer<MallCtl>(address)
            : null;

    public static bool IsLoaded => Control is not null;

    /// <summary>Creates an arena and binds the calling thread to it (arenas.create, thread.arena).</summary>
    public static void OwnArenaForThisThread()
    {
        if (Control is null) return;
        var buffer = Marshal.AllocHGlobal(sizeof(uint) + IntPtr.Size);
        try
        {
            var index = buffer;
            var length = buffer + sizeof(uint);
            Marshal.WriteIntPtr(length, sizeof(uint));
            Check(Control("arenas.create", index, length, IntPtr.Zero, 0), "arenas.create");
            Check(Control("thread.arena", IntPtr.Zero, IntPtr.Zero, index, sizeof(uint)), "thread.arena");
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    private static void Check(int error, string name)
    {
        if (error != 0) throw new InvalidOperationException($"jemalloc mallctl(\"{name}\") failed with error {error}");
    }
}
