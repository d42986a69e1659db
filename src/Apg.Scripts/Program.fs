module Apg.Scripts.Program

open System
open Argu
open TorchSharp
open Apg.Core.Runtime
open Apg.Scripts.Cli

let info () =
    printfn "libtorch %s (TorchSharp %O)" TorchRuntime.LibTorchVersion (typeof<torch>.Assembly.GetName().Version)
    printfn "intra-op threads: %d" (torch.get_num_threads ())
    printfn "CUDA: %s" (if torch.cuda.is_available () then sprintf "%d device(s)" (torch.cuda.device_count ()) else "not available (TorchSharp-cpu)")
    printfn "default device: %O" (TorchRuntime.DefaultDevice())

let demo (args: ParseResults<DemoArgs>) =
    let steps = args.GetResult(Steps, defaultValue = 500)
    if steps < 1 then raise (ArgumentException "--steps must be at least 1")
    let r = Demo.run steps (args.GetResult(Seed, defaultValue = 0UL)) (args.TryGetResult Csv)
    printfn "MLP demo: loss %.5f -> %.5f in %d steps (%.2f s)" r.InitialLoss r.FinalLoss r.Steps r.Seconds
    if not (r.FinalLoss < r.InitialLoss) then
        eprintfn "the loss did not fall"
        1
    else 0

/// APG_DEBUG=1 adds the stack trace to an error message.
let private fail (prefix: string) (e: exn) =
    eprintfn "%s%s" prefix e.Message
    if not (String.IsNullOrEmpty(Environment.GetEnvironmentVariable "APG_DEBUG")) then eprintfn "%O" e

let mainOnThisThread (argv: string[]) =
    let parser = ArgumentParser.Create<ApgArgs>(programName = "apg", errorHandler = ProcessExiter())
    let args = parser.ParseCommandLine argv
    try
        TorchRuntime.Initialize()
        match args.GetSubCommand() with
        | Reproduce a -> ReproduceCli.reproduce a
        | Run a -> ReproduceCli.runJob a
        | Bundle a -> ReproduceCli.bundle a
        | Verify a -> ReproduceCli.verify a
        | Gmm a -> GmmCli.run a
        | Dmm a -> DmmCli.run a
        | Bmnist a -> BmnistCli.run a
        | Iai a -> IaiCli.run a
        | Mcmc_Vae a -> McmcVaeCli.run a
        | Demo a -> demo a
        | Info _ -> info (); 0
    with
    | :? TorchNotAvailableException as e -> fail "error: " e; 2
    | :? Runtime.InteropServices.ExternalException as e -> fail "libtorch error: " e; 2
    | :? ArgumentException as e -> fail "error: " e; 2
    | :? IO.IOException as e -> fail "error: " e; 2
    | :? IO.InvalidDataException as e -> fail "error: " e; 2
    | :? InvalidOperationException as e -> fail "error: " e; 2
    | :? OperationCanceledException as e -> fail "" e; 130
    | :? Apg.Core.Inference.DegenerateWeightsException as e -> fail "error: " e; 2

/// The command runs on a thread of its own, not the process's first thread: with jemalloc, a training step on the
/// first thread page-faulted its memory in again and again (measured: bouncing MNIST 9.6 million page faults in 10
/// steps and 3.7 s a step, against 0.3 million and 2.6 s on another thread; DMM 0.52 s against 0.43 s a step), and
/// `reproduce` runs one of its parallel trainings on the calling thread. APG_MAIN_THREAD=1 keeps the first thread.
[<EntryPoint>]
let main argv =
    if Environment.GetEnvironmentVariable "APG_MAIN_THREAD" = "1" then mainOnThisThread argv
    else
        let code = ref 0
        let worker = Threading.Thread((fun () -> code.Value <- mainOnThisThread argv), 16 * 1024 * 1024, Name = "apg")
        worker.Start()
        worker.Join()
        code.Value
