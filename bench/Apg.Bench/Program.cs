using Apg.Core.Runtime;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: the benchmarks need the patched native TorchSharp library that sits beside this assembly.
TorchRuntime.Initialize();
if (args.Contains("--plain")) return Apg.Bench.PlainProgram.Run(args);
Console.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} (TorchSharp {typeof(torch).Assembly.GetName().Version}); intra-op threads {get_num_threads()}");
Console.WriteLine("(APG_NUM_THREADS changes the thread count)");
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Apg.Bench.TensorOverhead).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
return 0;
