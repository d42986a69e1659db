/// `./apg gmm ...`: simulate corpora, train APG proposals, evaluate every sampler of Table 1.
module Apg.Scripts.GmmCli

open System
open System.Text.Json
open System.Text.Json.Nodes
open System.Threading
open Argu
open TorchSharp
open Apg.Core.Runtime
open Apg.Core.Data
open Apg.Core.Inference
open Apg.Core.Models.Gmm

type SimulateArgs =
    | [<Mandatory>] Instances of int
    | [<Mandatory>] Points of int
    | Seed of uint64
    | [<Mandatory>] Out of path: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Instances _ -> "number of GMM instances (the paper: 20,000 train, 20,000 test)."
            | Points _ -> "points per instance (the paper: 60 for training, 100 for testing)."
            | Seed _ -> "seed of the simulator (default 0)."
            | Out _ -> "output .npy file [instances, points, 2] (float32); true assignments go to NAME.assignments.npy."

type TrainArgs =
    | [<Mandatory>] Corpus of path: string
    | [<Mandatory>] Out of dir: string
    | Sweeps of int
    | Particles of int
    | Batch_Size of int
    | Lr of float
    | Steps of int
    | Seed of uint64
    | Blocks of string
    | Resampling of string
    | Checkpoint_Every of int
    | Log_Every of int
    | Device of string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "training corpus (.npy, [instances, points, 2])."
            | Out _ -> TaskCli.Usage.out
            | Sweeps _ -> "sweeps K per gradient step (paper: 5)."
            | Particles _ -> "particles L (paper: 10)."
            | Batch_Size _ -> "instances per batch (paper: 20)."
            | Lr _ -> "Adam learning rate (paper: 2.5e-4; betas 0.9, 0.99)."
            | Steps _ -> "gradient steps (paper: 200,000)."
            | Seed _ -> TaskCli.Usage.trainSeed
            | Blocks _ -> "block strategy: decomposed ({mu,tau} then {c}, default) or joint ({mu,tau,c})."
            | Resampling _ -> "systematic (default) or multinomial."
            | Checkpoint_Every _ -> TaskCli.Usage.checkpointEvery 1000
            | Log_Every _ -> TaskCli.Usage.logEvery 100
            | Device _ -> TaskCli.Usage.device

type EvalArgs =
    | [<Mandatory>] Corpus of path: string
    | [<Mandatory>] Method of string
    | Sweeps of int
    | Particles of int
    | Leapfrog of int
    | Step_Size of float
    | Checkpoint of dir: string
    | Seed of uint64
    | Batch_Size of int
    | Blocks of string
    | Device of string
    | Json
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "test corpus (.npy, [instances, points, 2])."
            | Method _ -> "apg, rws (one sweep of K*L particles), bpg, hmc-rws or gibbs."
            | Sweeps _ -> "sweeps K (default 20); for hmc-rws, K - 1 HMC transitions follow the one-shot proposal."
            | Particles _ -> "particles L (default 10)."
            | Leapfrog _ -> "hmc-rws: leapfrog steps per transition (1, 5 or 10 in the paper; default 1)."
            | Step_Size _ -> "hmc-rws: leapfrog step size (default 0.1)."
            | Checkpoint _ -> "trained run directory (needed by all but gibbs; gibbs then starts from the learned encoder, else from the prior)."
            | Seed _ -> TaskCli.Usage.samplerSeed
            | Batch_Size _ -> "instances evaluated at once (default 20)."
            | Blocks _ -> "apg: decomposed (default) or joint."
            | Device _ -> TaskCli.Usage.device
            | Json -> TaskCli.Usage.json

type GmmArgs =
    | [<CliPrefix(CliPrefix.None)>] Simulate of ParseResults<SimulateArgs>
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Simulate _ -> "draw a corpus of GMM instances from the generative model."
            | Train _ -> "train the APG proposals (paper settings by default; resumable)."
            | Eval _ -> "run a sampler on a corpus and print mean log p(x, z) and ESS per sweep."

let private blockStrategy (text: string) =
    match text.ToLowerInvariant() with
    | "decomposed" -> BlockStrategy.Decomposed
    | "joint" -> BlockStrategy.Joint
    | _ -> raise (ArgumentException(sprintf "unknown block strategy '%s': use decomposed or joint" text))

let private resampling (text: string) =
    match text.ToLowerInvariant() with
    | "systematic" -> ResamplingScheme.Systematic
    | "multinomial" -> ResamplingScheme.Multinomial
    | _ -> raise (ArgumentException(sprintf "unknown resampling '%s': use systematic or multinomial" text))

let simulate (args: ParseResults<SimulateArgs>) =
    use scope = torch.NewDisposeScope()
    use generator = new torch.Generator(args.GetResult(SimulateArgs.Seed, defaultValue = 0UL))
    let out = args.GetResult SimulateArgs.Out
    let corpus = GmmSimulator.Simulate(GmmPrior.Paper, args.GetResult Instances, args.GetResult Points, generator)
    Npy.Save(out, corpus.X)
    Npy.Save(GmmCorpus.AssignmentsPath out, corpus.C)
    printfn "wrote %s %s and its assignments" out (Shapes.Format corpus.X)
    0

let train (args: ParseResults<TrainArgs>) =
    let d = GmmTrainingConfig()
    let config =
        GmmTrainingConfig(
            Blocks = (args.TryGetResult TrainArgs.Blocks |> Option.map blockStrategy |> Option.defaultValue d.Blocks),
            Resampling = (args.TryGetResult Resampling |> Option.map resampling |> Option.defaultValue d.Resampling))
        |> TaskCli.apgTraining args
    let out = args.GetResult TrainArgs.Out
    let device = TaskCli.device (args.TryGetResult TrainArgs.Device)
    let struct (x, c) = GmmCorpus.Load(args.GetResult TrainArgs.Corpus)
    let x, c = x.``to``(device), (match c with null -> null | c -> c.``to``(device))
    let trainer = GmmTrainer(config, x, c)
    TaskCli.train out config.Steps (fun () -> trainer.ResumedFrom) (fun (m: GmmTrainingMetrics) -> m.Step)
        (fun m -> sprintf "loss %.4g | ESS/L %.3f | log p %.2f | KL(p||q) %.4f | KL(q||p) %.4f" m.Loss m.EssFraction m.LogJoint m.InclusiveKl m.ExclusiveKl)
        (fun report token -> trainer.Train(out, report, token))

let eval (args: ParseResults<EvalArgs>) =
    let settings =
        GmmEvalSettings(
            SamplerMethods.Parse(args.GetResult Method),
            args.GetResult(EvalArgs.Sweeps, defaultValue = 20),
            args.GetResult(EvalArgs.Particles, defaultValue = 10),
            LeapfrogSteps = args.GetResult(Leapfrog, defaultValue = 1),
            Seed = args.GetResult(EvalArgs.Seed, defaultValue = 0UL),
            BatchSize = args.GetResult(EvalArgs.Batch_Size, defaultValue = 20),
            Blocks = (args.TryGetResult EvalArgs.Blocks |> Option.map blockStrategy |> Option.defaultValue BlockStrategy.Decomposed),
            StepSize = args.GetResult(Step_Size, defaultValue = 0.1))
    let device = TaskCli.device (args.TryGetResult EvalArgs.Device)
    let struct (x, _) = GmmCorpus.Load(args.GetResult EvalArgs.Corpus)
    let x = x.``to``(device)
    use networks = args.TryGetResult Checkpoint |> Option.map (fun dir -> GmmTrainer.LoadNetworks(dir, device = device)) |> Option.toObj
    let json = args.Contains Json
    let r = GmmEvaluator.Evaluate(x, settings, networks, null, TaskCli.batchProgress json "instances")
    if not json then eprintfn ""
    let v = TaskCli.value
    TaskCli.printSweeps json
        [ "method", v (SamplerMethods.Name settings.Method); "sweeps", v settings.Sweeps; "particles", v settings.Particles
          "leapfrog", v settings.LeapfrogSteps; "seed", v settings.Seed; "blocks", v (settings.Blocks.ToString().ToLowerInvariant())
          "instances", v r.Instances; "checkpoint", v (args.TryGetResult Checkpoint |> Option.toObj); "device", v (string device)
          "seconds", v r.Seconds ]
        (sprintf "%s on %d instances (%.2f s)" (SamplerMethods.Name settings.Method) r.Instances r.Seconds) 3 r.MeanLogJoint r.Ess

let run (args: ParseResults<GmmArgs>) =
    match args.GetSubCommand() with
    | Simulate a -> simulate a
    | Train a -> train a
    | Eval a -> eval a
