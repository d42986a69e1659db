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
                PreloadFromBuildOutput();
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or EntryPointNotFoundException)
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

    // An application finds libLibTorchSharp.so through its deps.json; a host without one (dotnet fsi loading our
    // build output) would not look in runtimes/<rid>/native and TorchSharp would fall back to an unpatched copy
    // from the NuGet cache. Loading the build output's patched copy first makes the later lookup by name find it.
    private static void PreloadFromBuildOutput()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return;
        var patched = Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(patched)) System.Runtime.InteropServices.NativeLibrary.Load(patched);
    }

    private static string Explain(Exception e)
    {
        var detail = (e.InnerException ?? e).Message;
        var glibcxx = detail.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal)
            ? " This build output's libLibTorchSharp.so was not patched for this system's older libstdc++: rebuild with " +
              "`dotnet build` (the build patches its own copy; it needs `sudo apt-get install -y patchelf g++`), or run ./test.sh."
            : " Restore and build first (`dotnet build`, or ./test.sh / ./reproduce.sh, which also install what is missing).";
        return $"TorchSharp's native library (libtorch 2.10) could not be loaded.{glibcxx} Loader said: {detail}";
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

    public static string LibTorchVersion
    {
        get { Initialize(); return torch.__version__; }
    }
}
