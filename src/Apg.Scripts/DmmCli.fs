/// `./apg dmm ...`: simulate ring corpora, train the DMM's proposals and decoder, evaluate its samplers.
module Apg.Scripts.DmmCli

open System
open System.Text.Json.Nodes
open System.Threading
open Argu
open TorchSharp
open Apg.Core.Runtime
open Apg.Core.Inference
open Apg.Core.Models.Dmm

type SimulateArgs =
    | [<Mandatory>] Instances of int
    | Points of int
    | Noise of float
    | Seed of uint64
    | [<Mandatory>] Out of path: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Instances _ -> "number of instances (the paper: 20,000 train)."
            | Points _ -> "points per instance, a multiple of 8 (4 rings, two passes each; the paper: 200 train, 600 test; default 200)."
            | Noise _ -> "noise scale of the simulated points (default 0.1)."
            | Seed _ -> "seed of the simulator (default 0)."
            | Out _ -> "output .npy [instances, points, 2] (float32); assignments and angles go to NAME.assignments.npy and NAME.angles.npy."

type TrainArgs =
    | [<Mandatory>] Corpus of path: string
    | [<Mandatory>] Out of dir: string
    | Sweeps of int
    | Particles of int
    | Batch_Size of int
    | Lr of float
    | Steps of int
    | Seed of uint64
    | Noise_Scale of float
    | Checkpoint_Every of int
    | Log_Every of int
    | Device of string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "training corpus (.npy, [instances, points, 2])."
            | Out _ -> TaskCli.Usage.out
            | Sweeps _ -> "sweeps K per gradient step (paper: 8)."
            | Particles _ -> "particles L (paper: 10)."
            | Batch_Size _ -> "instances per batch (paper: 20)."
            | Lr _ -> "Adam learning rate (paper: 1e-4; betas 0.9, 0.99)."
            | Steps _ -> "gradient steps (paper: 300,000)."
            | Seed _ -> TaskCli.Usage.trainSeed
            | Noise_Scale _ -> "the model's observation noise sigma_eps (paper: 0.1, the default; the authors' training code: 0.5)."
            | Checkpoint_Every _ -> TaskCli.Usage.checkpointEvery 1000
            | Log_Every _ -> TaskCli.Usage.logEvery 100
            | Device _ -> TaskCli.Usage.device

type EvalArgs =
    | [<Mandatory>] Corpus of path: string
    | [<Mandatory>] Method of string
    | [<Mandatory>] Checkpoint of dir: string
    | Sweeps of int
    | Particles of int
    | Leapfrog of int
    | Step_Size of float
    | Seed of uint64
    | Batch_Size of int
    | Device of string
    | Json
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "test corpus (.npy, [instances, points, 2])."
            | Method _ -> "apg, rws (one sweep of K*L particles), bpg or hmc-rws (HMC on the centres given c and h)."
            | Checkpoint _ -> "trained run directory (proposals and decoder)."
            | Sweeps _ -> "sweeps K (default 20)."
            | Particles _ -> "particles L (default 10)."
            | Leapfrog _ -> TaskCli.Usage.leapfrog
            | Step_Size _ -> "hmc-rws: leapfrog step size (default 0.01)."
            | Seed _ -> TaskCli.Usage.samplerSeed
            | Batch_Size _ -> "instances evaluated at once (default 10; fewer when L is large)."
            | Device _ -> TaskCli.Usage.device
            | Json -> TaskCli.Usage.json

type DmmArgs =
    | [<CliPrefix(CliPrefix.None)>] Simulate of ParseResults<SimulateArgs>
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Simulate _ -> "draw a corpus of ring mixtures (4 rings of radius 2)."
            | Train _ -> "train the proposals and the ring decoder together (resumable)."
            | Eval _ -> "run a sampler on a corpus and print mean log p(x, z) and ESS per sweep."

let simulate (args: ParseResults<SimulateArgs>) =
    use scope = torch.NewDisposeScope()
    use generator = new torch.Generator(args.GetResult(SimulateArgs.Seed, defaultValue = 0UL))
    let out = args.GetResult SimulateArgs.Out
    let corpus = DmmSimulator.Simulate(args.GetResult Instances, args.GetResult(Points, defaultValue = 200), generator, noise = args.GetResult(Noise, defaultValue = 0.1))
    DmmCorpusFiles.Save(out, corpus)
    printfn "wrote %s %s, its assignments and angles" out (Shapes.Format corpus.X)
    0

let train (args: ParseResults<TrainArgs>) =
    let d = DmmTrainingConfig()
    let config = DmmTrainingConfig(NoiseScale = args.GetResult(Noise_Scale, defaultValue = d.NoiseScale)) |> TaskCli.apgTraining args
    let out = args.GetResult TrainArgs.Out
    let device = TaskCli.device (args.TryGetResult TrainArgs.Device)
    let corpus = DmmCorpusFiles.LoadPoints(args.GetResult TrainArgs.Corpus)
    let trainer = DmmTrainer(config, corpus.``to``(device))
    TaskCli.train out config.Steps (fun () -> trainer.ResumedFrom) (fun (m: DmmTrainingMetrics) -> m.Step)
        (fun m -> sprintf "loss %.4g | ESS/L %.3f | log p %.1f | radius %.3f" m.Loss m.EssFraction m.LogJoint m.Radius)
        (fun report token -> trainer.Train(out, report, token))

let eval (args: ParseResults<EvalArgs>) =
    let settings =
        DmmEvalSettings(
            SamplerMethods.Parse(args.GetResult Method),
            args.GetResult(EvalArgs.Sweeps, defaultValue = 20),
            args.GetResult(EvalArgs.Particles, defaultValue = 10),
            LeapfrogSteps = args.GetResult(Leapfrog, defaultValue = 1),
            Seed = args.GetResult(EvalArgs.Seed, defaultValue = 0UL),
            BatchSize = args.GetResult(EvalArgs.Batch_Size, defaultValue = 10),
            StepSize = args.GetResult(Step_Size, defaultValue = 0.01))
    let device = TaskCli.device (args.TryGetResult EvalArgs.Device)
    let corpus = DmmCorpusFiles.Load(args.GetResult EvalArgs.Corpus)
    use networks = DmmTrainer.LoadNetworks(args.GetResult Checkpoint, device)
    let json = args.Contains Json
    let r = DmmEvaluator.Evaluate(corpus.X.``to``(device), settings, networks, TaskCli.batchProgress json "instances")
    if not json then eprintfn ""
    let v = TaskCli.value
    TaskCli.printSweeps json
        [ "method", v (SamplerMethods.Name settings.Method); "sweeps", v settings.Sweeps; "particles", v settings.Particles
          "leapfrog", v settings.LeapfrogSteps; "step_size", v settings.StepSize; "seed", v settings.Seed
          "noise_scale", v networks.Prior.NoiseScale; "instances", v r.Instances; "seconds", v r.Seconds ]
        (sprintf "%s on %d instances (noise scale %g, %.2f s)" (SamplerMethods.Name settings.Method) r.Instances networks.Prior.NoiseScale r.Seconds)
        3 r.MeanLogJoint r.Ess

let run (args: ParseResults<DmmArgs>) =
    match args.GetSubCommand() with
    | Simulate a -> simulate a
    | Train a -> train a
    | Eval a -> eval a
