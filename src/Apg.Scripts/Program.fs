module Apg.Scripts.Program

open System
open Argu
open Apg.Torch
open Apg.Scripts.Cli

let info () =
    printfn "libtorch %s" Torch.Version
    printfn "BLAS: %s" Torch.BlasInfo
    printfn "intra-op threads: %d" Torch.NumThreads
    printfn "CUDA: %s" (if Torch.CudaIsAvailable then sprintf "%d device(s)" Torch.CudaDeviceCount else "not available")
    printfn "default device: %O" (Torch.DefaultDevice())

let demo (args: ParseResults<DemoArgs>) =
    let steps = args.GetResult(Steps, defaultValue = 500)
    if steps < 1 then raise (ArgumentException "--steps must be at least 1")
    let r = Demo.run steps (args.GetResult(Seed, defaultValue = 0UL)) (args.TryGetResult Csv)
    printfn "MLP demo: loss %.5f -> %.5f in %d steps (%.2f s)" r.InitialLoss r.FinalLoss r.Steps r.Seconds
    if not (r.FinalLoss < r.InitialLoss) then
        eprintfn "the loss did not fall"
        1
    else 0

[<EntryPoint>]
let main argv =
    let parser = ArgumentParser.Create<ApgArgs>(programName = "apg", errorHandler = ProcessExiter())
    let args = parser.ParseCommandLine argv
    try
        match args.GetSubCommand() with
        | Reproduce a -> ReproduceCli.reproduce a
        | Bundle a -> ReproduceCli.bundle a
        | Verify a -> ReproduceCli.verify a
        | Gmm a -> GmmCli.run a
        | Demo a -> demo a
        | Info _ -> info (); 0
    with
    | :? TorchException as e -> eprintfn "libtorch error: %s" e.Message; 2
    | :? ArgumentException as e -> eprintfn "error: %s" e.Message; 2
    | :? IO.IOException as e -> eprintfn "error: %s" e.Message; 2
    | :? InvalidOperationException as e -> eprintfn "error: %s" e.Message; 2
    | :? OperationCanceledException as e -> eprintfn "%s" e.Message; 130
    | :? Apg.Core.Inference.DegenerateWeightsException as e -> eprintfn "error: %s" e.Message; 2
