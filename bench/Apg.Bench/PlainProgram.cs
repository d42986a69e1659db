using System.Diagnostics;

namespace Apg.Bench;

/// <summary>
/// A workload of the benchmarks run the way a user's program runs the library: plain loop, on whichever thread calls
/// it (the process's first thread by default), no BenchmarkDotNet. It reuses the benchmark classes, so the two forms
/// cannot drift apart. Prints each step's time, the median, minor page faults and system time per step, and peak RSS.
/// <c>bench/run.sh --plain dmm --steps 20 [--thread own]</c>.
/// </summary>
public static class PlainProgram
{
    private static readonly Dictionary<string, Func<(Action Setup, Action Step)>> Workloads = new()
    {
        ["gmm"] = () => { var b = new GmmBenchmarks(); return (b.Setup, b.TrainingStep); },
        ["gmm-eval"] = () => { var b = new GmmBenchmarks(); return (b.Setup, b.EvaluationBatch); },
        ["dmm"] = () => { var b = new DmmBenchmarks(); return (b.Setup, b.TrainingStep); },
        ["bmnist"] = () => { var b = new BmnistBenchmarks(); return (b.Setup, b.TrainingStep); },
    };

    public static int Run(string[] args)
    {
        string Option(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var name = Option("--plain", "");
        if (!Workloads.TryGetValue(name, out var make))
        {
            Console.Error.WriteLine($"--plain: unknown workload '{name}'; one of {string.Join(", ", Workloads.Keys)}");
            return 2;
        }
        var steps = int.Parse(Option("--steps", "20"));
        var warmup = int.Parse(Option("--warmup", "3"));
        var thread = Option("--thread", "first");
        var code = 0;
        void Body() => code = Measure(name, make(), steps, warmup, thread);
        if (thread == "own")
        {
            var t = new Thread(Body, 16 * 1024 * 1024);
            t.Start();
            t.Join();
        }
        else Body();
        return code;
    }

    private static int Measure(string name, (Action Setup, Action Step) workload, int steps, int warmup, string thread)
    {
        workload.Setup();
        for (var i = 0; i < warmup; i++) workload.Step();
        var (faults0, system0) = ProcessCounters();
        var times = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            workload.Step();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        var (faults1, system1) = ProcessCounters();
        Array.Sort(times);
        var median = steps % 2 == 1 ? times[steps / 2] : (times[steps / 2 - 1] + times[steps / 2]) / 2;
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        var allocator = preload.Contains("jemalloc") ? $"jemalloc ({Environment.GetEnvironmentVariable("MALLOC_CONF") ?? "default"})" : "glibc";
        Console.WriteLine($"{name}: {thread} thread, {allocator}, {get_num_threads()} intra-op threads: median step {median * 1000:F1} ms " +
                          $"(min {times[0] * 1000:F1}, max {times[^1] * 1000:F1}, {steps} steps after {warmup}); " +
                          $"{(faults1 - faults0) / (double)steps:F0} minor faults and {(system1 - system0) / steps * 1000:F0} ms system time a step; " +
                          $"peak RSS {PeakResidentGb():F2} GB");
        return 0;
    }

    /// <summary>Minor faults and system seconds of the whole process, from /proc/self/stat (fields 10 and 15).</summary>
    private static (long MinorFaults, double SystemSeconds) ProcessCounters()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[7]), long.Parse(fields[12]) / 100.0);
    }

    private static double PeakResidentGb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1048576.0;
    }
}
