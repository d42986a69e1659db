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
        ["gmm-stacked"] = () => { var b = new GmmSeedBatchBenchmarks { Seeds = Stack }; return (b.Setup, b.TrainingStep); },
        ["gmm-batch"] = () => { var b = new GmmSeedBatchBenchmarks { Seeds = Stack, Stacked = false }; return (b.Setup, b.TrainingStep); },
        ["gmm-eval"] = () => { var b = new GmmBenchmarks(); return (b.Setup, b.EvaluationBatch); },
        ["dmm"] = () => { var b = new DmmBenchmarks(); return (b.Setup, b.TrainingStep); },
        ["bmnist"] = () => { var b = new BmnistBenchmarks(); return (b.Setup, b.TrainingStep); },
    };

    // gmm-stacked's number of seeds batched in one step, and gmm-batch's batch in units of 20 instances (--stack, default 5).
    private static int Stack = 5;

    public static int Run(string[] args)
    {
        string Option(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var name = Option("--plain", "");
        Stack = int.Parse(Option("--stack", "5"));
        if (name == "matmul") return MatmulRate();
        if (!Workloads.TryGetValue(name, out var make))
        {
            Console.Error.WriteLine($"--plain: unknown workload '{name}'; one of {string.Join(", ", Workloads.Keys)}");
            return 2;
        }
        var steps = int.Parse(Option("--steps", "20"));
        var warmup = int.Parse(Option("--warmup", "3"));
        var thread = Option("--thread", "first");
        var seeds = int.Parse(Option("--seeds", "0"));
        if (seeds > 0) return Seeds(name, make, seeds, int.Parse(Option("--workers", $"{Environment.ProcessorCount}")), steps, warmup);
        var code = 0;
        void Body() => code = Measure(name, make(), steps, warmup, thread);
        if (thread is "own" or "arena0" or "ownarena")
        {
            var t = new Thread(() => { if (thread == "arena0") BindToArenaZero(); if (thread == "ownarena") Apg.Core.Runtime.TorchRuntime.UseOwnArena(); Body(); }, 16 * 1024 * 1024);
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
            if ((i + 1) % 500 == 0) Console.WriteLine($"  step {i + 1}: {times[i] * 1000:F1} ms, RSS {ResidentGb():F2} GB");
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

    /// <summary>
    /// Throughput over training seeds the way the harness trains them (Harness.pretrain): one copy of the workload per
    /// seed, each on one intra-op thread, at most one per worker thread. Prints the wall time of all seeds' steps
    /// against one seed's step alone on one intra-op thread.
    /// </summary>
    private static int Seeds(string name, Func<(Action Setup, Action Step)> make, int seeds, int workers, int steps, int warmup)
    {
        set_num_threads(1);
        var alone = make();
        alone.Setup();
        for (var i = 0; i < warmup; i++) alone.Step();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) alone.Step();
        var one = clock.Elapsed.TotalSeconds / steps;
        var copies = Enumerable.Range(0, seeds).Select(_ => make()).ToArray();
        foreach (var copy in copies) copy.Setup();
        var queue = new System.Collections.Concurrent.ConcurrentQueue<(Action Setup, Action Step)>(copies);
        clock.Restart();
        var arenaZero = Environment.GetEnvironmentVariable("APG_BENCH_ARENA0") == "1";
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            if (arenaZero) BindToArenaZero();
            else Apg.Core.Runtime.TorchRuntime.UseOwnArena();
            while (queue.TryDequeue(out var copy))
                for (var i = 0; i < warmup + steps; i++) copy.Step();
        }, 16 * 1024 * 1024)).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        var all = clock.Elapsed.TotalSeconds / (warmup + steps);
        Console.WriteLine($"{name}: {seeds} seeds on {workers} workers, one intra-op thread each: {all * 1000:F1} ms per step of all seeds, " +
                          $"against {one * 1000:F1} ms for one seed alone: {all / one:F2}x the wall time of one ({seeds * one / all:F2} seed-steps per step time)");
        return 0;
    }

    /// <summary>
    /// This machine's float32 matmul rate, the arithmetic limit the workloads are measured against: square products
    /// and the shapes of the tasks' largest layers (a batch of rows through a hidden layer).
    /// </summary>
    private static int MatmulRate()
    {
        var generator = new Generator(0);
        (long M, long K, long N)[] shapes = [(512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (12000, 6, 32), (12000, 32, 32), (4000, 4761, 400), (4000, 400, 200)];
        foreach (var (m, k, n) in shapes)
        {
            using var scope = NewDisposeScope();
            var a = randn([m, k], generator: generator);
            var b = randn([k, n], generator: generator);
            for (var i = 0; i < 3; i++) matmul(a, b).Dispose();
            var repeats = Math.Max(3, (int)(2e10 / (2.0 * m * k * n)));
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < repeats; i++) matmul(a, b).Dispose();
            var seconds = clock.Elapsed.TotalSeconds / repeats;
            Console.WriteLine($"matmul [{m} x {k}] x [{k} x {n}]: {seconds * 1000:F3} ms, {2.0 * m * k * n / seconds / 1e9:F1} GFLOP/s ({get_num_threads()} intra-op threads)");
        }
        var x = randn([40, 20, 200, 32], generator: generator);
        foreach (var (label, op) in new (string, Func<Tensor, Tensor>)[]
                 { ("tanh", t => t.tanh()), ("sigmoid", t => t.sigmoid()), ("exp", t => t.exp()), ("2 sigmoid(2x) - 1", t => t.mul(2).sigmoid_().mul_(2).sub_(1)), ("relu", t => t.relu()), ("add", t => t + t) })
        {
            for (var i = 0; i < 3; i++) op(x).Dispose();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 20; i++) op(x).Dispose();
            var seconds = clock.Elapsed.TotalSeconds / 20;
            Console.WriteLine($"{label} of [40, 20, 200, 32] (5.1 M elements, the DMM ring scores' hidden block): {seconds * 1000:F2} ms, {x.numel() / seconds / 1e9:F2} G elements/s");
        }
        return 0;
    }

    /// <summary>Minor faults and system seconds of the whole process, from /proc/self/stat (fields 10 and 15).</summary>
    private static (long MinorFaults, double SystemSeconds) ProcessCounters()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[7]), long.Parse(fields[12]) / 100.0);
    }

    private static unsafe void BindToArenaZero()
    {
        var address = System.Runtime.InteropServices.NativeLibrary.GetExport(System.Runtime.InteropServices.NativeLibrary.GetMainProgramHandle(), "mallctl");
        var mallctl = (delegate* unmanaged<byte*, void*, void*, void*, nuint, int>)address;
        uint zero = 0;
        var name = "thread.arena\0"u8;
        fixed (byte* n = name) Console.WriteLine($"thread.arena = 0: error {mallctl(n, null, null, &zero, sizeof(uint))}");
    }

    private static double ResidentGb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1048576.0;
    }

    private static double PeakResidentGb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1048576.0;
    }
}
