namespace Apg.Core.Runtime;

/// <summary>libtorch could not be loaded: says why and what to install or run.</summary>
public sealed class TorchNotAvailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Start-up of the tensor layer: loads TorchSharp's native library (with a clear error when it cannot), applies
/// the thread settings, and names the default device.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static bool initialized;

    /// <summary>
    /// Loads libtorch, tunes glibc's allocator for it (see NativeAllocator), and sets intra-op threads from
    /// APG_NUM_THREADS (default: libtorch's own choice, the cores).
    /// Idempotent; every entry point calls it before touching a tensor.
    /// </summary>
    public static void Initialize()
    {
        lock (Gate)
        {
            if (initialized) return;
            try
            {
                NativeAllocator.Tune();
                TorchSharpNative.Preload();
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException
                                           or IOException or UnauthorizedAccessException)
            {
                throw new TorchNotAvailableException(Explain(e), e);
            }
            var threads = Environment.GetEnvironmentVariable("APG_NUM_THREADS");
            if (!string.IsNullOrWhiteSpace(threads))
            {
                if (!int.TryParse(threads, out var n) || n < 1)
                    throw new ArgumentException($"APG_NUM_THREADS must be a positive integer, got '{threads}'");
                torch.set_num_threads(n);
            }
            initialized = true;
        }
    }

    /// <summary>
    /// Gives the calling thread an allocator arena of its own when jemalloc serves the process (once per thread; a
    /// no-op under glibc or with APG_MALLOC_TUNING=0). Call it on each thread that runs tensor work beside others, so
    /// no two of them share an arena, nor arena 0 with the .NET runtime (see NativeAllocator).
    /// </summary>
    public static void UseOwnArena()
    {
        Initialize();
        NativeAllocator.OwnArenaForThisThread();
    }

    private static string Explain(Exception e)
    {
        var detail = (e.InnerException ?? e).Message;
        return $"TorchSharp's native library (libtorch 2.10) could not be loaded.{Advice(detail)} Loader said: {detail}";
    }

    private static string Advice(string detail)
    {
        if (!detail.Contains(TorchSharpNative.Version, StringComparison.Ordinal))
            return " Restore and build first (`dotnet build`, or ./test.sh / ./reproduce.sh, which also install what is missing).";
        const string why = " TorchSharp's libLibTorchSharp.so asks for GLIBCXX_3.4.32, which this system's libstdc++ lacks. Apg.Core's " +
            "build targets patch the copy in each build output, and a dotnet fsi script gets a patched copy in ";
        var where = why + TorchSharpNative.CacheRoot() + "; both need g++ and patchelf.";
        var missing = TorchSharpNative.MissingTools();
        if (missing.Count > 0)
            return $"{where} Install them: sudo apt-get install -y {string.Join(' ', missing)}; then build again (`dotnet build`), or run the script again.";
        return where + " They are installed, so this copy was not built with those targets: build again (`dotnet build`). A project " +
            "outside this repository gets them by referencing the Apg.Core package (dotnet add package Apg.Core), not the project.";
    }

    /// <summary>The device named by APG_DEVICE (cpu, cuda, cuda:N), else cuda when available, else cpu.</summary>
    public static Device DefaultDevice()
    {
        Initialize();
        var text = Environment.GetEnvironmentVariable("APG_DEVICE");
        if (!string.IsNullOrWhiteSpace(text)) return ParseDevice(text);
        return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
    }

    /// <summary>cpu, cuda or cuda:N; a CUDA device on a CPU-only build is an error that says how to get one.</summary>
    public static Device ParseDevice(string text)
    {
        Initialize();
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return torch.CPU;
        if (t == "cuda" || t.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{text}': CUDA is not available in this build (TorchSharp-cpu). Use a CUDA libtorch 2.10: see README, 'Choosing device'.");
            var index = t == "cuda" ? 0 : int.TryParse(t[5..], out var i) && i >= 0 ? i
                : throw new ArgumentException($"device '{text}': expected cuda:N with N a device index");
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"unknown device '{text}': use cpu, cuda or cuda:N");
    }

    /// <summary>The version of the loaded libtorch (loads it first).</summary>
    public static string LibTorchVersion
    {
        get { Initialize(); return torch.__version__; }
    }
}
