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

[<EntryPoint>]
let main argv =
    let parser = ArgumentParser.Create<ApgArgs>(programName = "apg", errorHandler = ProcessExiter())
    let args = parser.ParseCommandLine argv
    try
        TorchRuntime.Initialize()
        match args.GetSubCommand() with
        | Reproduce a -> ReproduceCli.reproduce a
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
