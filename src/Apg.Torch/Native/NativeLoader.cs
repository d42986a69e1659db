using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Apg.Torch.Native;

// Finds libapgtorch.so beside the assembly and turns a failed load into an error that says what to install.
internal static class NativeLoader
{
    private static IntPtr handle;

#pragma warning disable CA2255 // the resolver must be in place before any P/Invoke, from library code too
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "apgtorch") return IntPtr.Zero;
        if (handle != IntPtr.Zero) return handle;
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "libapgtorch.so"),
            Path.Combine(Path.GetDirectoryName(assembly.Location) ?? ".", "libapgtorch.so"),
        };
        var errors = new List<string>();
        foreach (var candidate in candidates.Distinct())
        {
            if (!File.Exists(candidate)) { errors.Add($"{candidate}: not found"); continue; }
            try
            {
                handle = NativeLibrary.Load(candidate);
                ConfigureThreads(handle);
                return handle;
            }
            catch (DllNotFoundException e) { errors.Add($"{candidate}: {e.Message}"); }
        }
        throw new TorchNotAvailableException(
            "The libtorch shim libapgtorch.so could not be loaded (" + string.Join("; ", errors) + "). " +
            "Install libtorch with `sudo apt-get install libtorch-dev libopenblas0-pthread` (or set LIBTORCH_DIR " +
            "to a libtorch folder) and rebuild with `dotnet build`; ./test.sh does both.");
    }

    // BLAS threads fight libtorch's intra-op pool, so OpenBLAS is pinned to APG_BLAS_THREADS (default 1);
    // libtorch gets APG_NUM_THREADS (default: the machine's cores).
    private static unsafe void ConfigureThreads(IntPtr lib)
    {
        var blas = ReadThreads("APG_BLAS_THREADS", 1);
        var intra = ReadThreads("APG_NUM_THREADS", Environment.ProcessorCount);
        ((delegate* unmanaged<int, int>)NativeLibrary.GetExport(lib, "apg_set_blas_threads"))(blas);
        ((delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "apg_set_num_threads"))(intra);
    }

    private static int ReadThreads(string variable, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (int.TryParse(text, out var n) && n > 0) return n;
        throw new ArgumentException($"{variable}='{text}' is not a positive thread count.");
    }
}
