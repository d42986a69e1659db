using Apg.Torch;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: the benchmarks need the native shim that sits beside this assembly.
Console.WriteLine($"libtorch {Torch.Version}; intra-op threads {Torch.NumThreads}; BLAS: {Torch.BlasInfo}");
Console.WriteLine($"(APG_NUM_THREADS and APG_BLAS_THREADS change the thread counts)");
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Apg.Bench.TensorOverhead).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
