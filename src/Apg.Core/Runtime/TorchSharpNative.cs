using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Apg.Core.Runtime;

/// <summary>
/// Loads a libLibTorchSharp.so that this system can load before TorchSharp asks for one by name: the loader then
/// finds the loaded one by its soname. TorchSharp 0.107's copy needs GLIBCXX_3.4.32, which Debian 12's libstdc++
/// lacks; a build output was fixed by Apg.Core's build targets (native/compat/TorchSharpCompat.targets), and where
/// nothing was built (a dotnet fsi script with #r "nuget: Apg.Core") a copy is fixed the same way in the user's cache.
/// </summary>
internal static class TorchSharpNative
{
    public const string Library = "libLibTorchSharp.so", CompatLibrary = "libapg_stdcxx_compat.so", Version = "GLIBCXX_3.4.32";
    public static readonly string[] Tools = ["g++", "patchelf"];

    public static void Preload()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return;
        // A build output (runtimes/<rid>/native/, or flat with a RuntimeIdentifier): a host without its deps.json
        // (dotnet fsi loading our build output) would not look there and would fall back to the cache's original.
        foreach (var built in new[] { Path.Combine(dir, "runtimes", "linux-x64", "native", Library), Path.Combine(dir, Library) })
            if (File.Exists(built)) { NativeLibrary.Load(built); return; }
        // TorchSharp.dll straight from its NuGet package (lib/<tfm>/): nothing was built, so nothing was patched.
        var original = Path.GetFullPath(Path.Combine(dir, "..", "..", "runtimes", "linux-x64", "native", Library));
        if (!File.Exists(original)) return;
        var bytes = File.ReadAllBytes(original);
        if (!ElfVersionNeed.NeedsWeakening(bytes, Version) || SystemStdcxxHas(Version)) return;
        var patched = PatchedCopy(bytes);
        // Our copy's RUNPATH ($ORIGIN) does not hold libtorch: load it first, as TorchSharp would, so that the
        // copy's NEEDED libtorch.so is found by soname.
        if (!NativeLibrary.TryLoad("torch", typeof(torch).Assembly, null, out _))
            throw new DllNotFoundException($"libtorch.so was not found beside TorchSharp (the libtorch-cpu-linux-x64 package), so {patched} cannot load");
        NativeLibrary.Load(patched);
    }

    /// <summary>The tools the patch needs that are not on PATH.</summary>
    public static IReadOnlyList<string> MissingTools()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return Tools.Where(tool => !path.Any(d => File.Exists(Path.Combine(d, tool)))).ToList();
    }

    /// <summary>The patched copy's folder: $XDG_CACHE_HOME/apg/native, else ~/.cache/apg/native.</summary>
    public static string CacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "apg", "native");
    }

    // The patch of TorchSharpCompat.targets, on a copy in <cache>/<hash of the original and the recipe>/: the compat
    // library beside it (found through $ORIGIN), as a NEEDED entry, and the version requirement weak. Each file is
    // written under a temporary name and renamed into place, so a concurrent or interrupted run never leaves half a file.
    private static string PatchedCopy(byte[] original)
    {
        var source = CompatSource();
        var hash = Convert.ToHexString(SHA256.HashData([.. original, .. Encoding.UTF8.GetBytes(source)]))[..16].ToLowerInvariant();
        var folder = Path.Combine(CacheRoot(), hash);
        var patched = Path.Combine(folder, Library);
        if (File.Exists(patched)) return patched;
        var missing = MissingTools();
        if (missing.Count > 0)
            throw new DllNotFoundException($"{Library} requires {Version}, and patching a copy in {folder} needs {string.Join(" and ", missing)}");
        Directory.CreateDirectory(folder);
        var temp = $".{Environment.ProcessId}.tmp";
        var compat = Path.Combine(folder, CompatLibrary);
        if (!File.Exists(compat))
        {
            var cpp = Path.Combine(folder, "stdcxx_compat" + temp + ".cpp");
            File.WriteAllText(cpp, source);
            try { Run("g++", "-shared", "-fPIC", "-O2", "-o", compat + temp, cpp); }
            finally { File.Delete(cpp); }
            File.Move(compat + temp, compat, overwrite: true);
        }
        var bytes = (byte[])original.Clone();
        ElfVersionNeed.Weaken(bytes, Version);
        File.WriteAllBytes(patched + temp, bytes);
        Run("patchelf", "--add-needed", CompatLibrary, patched + temp);
        File.Move(patched + temp, patched, overwrite: true);
        return patched;
    }

    private static string CompatSource()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Apg.Core.stdcxx_compat.cpp")
            ?? throw new InvalidOperationException("Apg.Core lacks its embedded stdcxx_compat.cpp");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new DllNotFoundException($"{tool} could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new DllNotFoundException($"{Library} requires {Version}; patching a copy failed: {tool} {string.Join(' ', arguments)}: {stderr.Result.Trim()}");
    }

    // The libstdc++ this process already uses (the .NET runtime links it), else the usual locations.
    private static bool SystemStdcxxHas(string version)
    {
        var loaded = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[^1].Contains("/libstdc++.so.6", StringComparison.Ordinal)).Select(f => f[^1]);
        string[] usual = ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6"];
        var library = loaded.Concat(usual).FirstOrDefault(File.Exists);
        return library is not null && File.ReadAllBytes(library).AsSpan().IndexOf(Encoding.ASCII.GetBytes(version)) >= 0;
    }
}
