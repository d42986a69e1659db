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
            | Out _ -> "run directory: checkpoint.safetensors, manifest.json, metrics.csv. An existing checkpoint there is resumed."
            | Sweeps _ -> "sweeps K per gradient step (paper: 8)."
            | Particles _ -> "particles L (paper: 10)."
            | Batch_Size _ -> "instances per batch (paper: 20)."
            | Lr _ -> "Adam learning rate (paper: 1e-4; betas 0.9, 0.99)."
            | Steps _ -> "gradient steps (paper: 300,000)."
            | Seed _ -> "seed of initialization, sampling and shuffling (default 0)."
            | Noise_Scale _ -> "the model's observation noise sigma_eps (paper: 0.1, the default; the authors' training code: 0.5)."
            | Checkpoint_Every _ -> "steps between checkpoints (default 1000)."
            | Log_Every _ -> "steps between progress lines and metrics.csv rows (default 100)."
            | Device _ -> "cpu, cuda or cuda:N (default: APG_DEVICE, else cuda when available, else cpu)."

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
            | Leapfrog _ -> "hmc-rws: leapfrog steps per transition (default 1)."
            | Step_Size _ -> "hmc-rws: leapfrog step size (default 0.01)."
            | Seed _ -> "seed of the sampler (default 0)."
            | Batch_Size _ -> "instances evaluated at once (default 10; fewer when L is large)."
            | Device _ -> "cpu, cuda or cuda:N."
            | Json -> "print one JSON object: mean_log_joint and ess per sweep, and the settings."

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
    let config =
        DmmTrainingConfig(
            Sweeps = args.GetResult(TrainArgs.Sweeps, defaultValue = d.Sweeps),
            Particles = args.GetResult(TrainArgs.Particles, defaultValue = d.Particles),
            BatchSize = args.GetResult(TrainArgs.Batch_Size, defaultValue = d.BatchSize),
            LearningRate = args.GetResult(Lr, defaultValue = d.LearningRate),
            Steps = args.GetResult(Steps, defaultValue = d.Steps),
            Seed = args.GetResult(TrainArgs.Seed, defaultValue = d.Seed),
            NoiseScale = args.GetResult(Noise_Scale, defaultValue = d.NoiseScale),
            CheckpointEvery = args.GetResult(Checkpoint_Every, defaultValue = d.CheckpointEvery),
            LogEvery = args.GetResult(Log_Every, defaultValue = d.LogEvery))
    let out = args.GetResult TrainArgs.Out
    let device = args.TryGetResult TrainArgs.Device |> Option.map TorchRuntime.ParseDevice |> Option.defaultWith TorchRuntime.DefaultDevice
    let corpus = DmmCorpusFiles.LoadPoints(args.GetResult TrainArgs.Corpus)
    use cancel = Progress.cancelOnStopSignal ()
    let trainer = DmmTrainer(config, corpus.``to``(device))
    let report (m: DmmTrainingMetrics) (elapsed: TimeSpan) =
        let rate, eta = Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
        eprintfn "[%d/%d] %.2f steps/s, ETA %s | loss %.4g | ESS/L %.3f | log p %.1f | radius %.3f"
            m.Step config.Steps rate (eta.ToString @"d\.hh\:mm\:ss") m.Loss m.EssFraction m.LogJoint m.Radius
    use networks = trainer.Train(out, Action<_, _>(report), cancel.Token)
    printfn "checkpoint in %s (metrics in %s)" out (IO.Path.Combine(out, DmmTrainer.MetricsFile))
    0

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
    let device = args.TryGetResult EvalArgs.Device |> Option.map TorchRuntime.ParseDevice |> Option.defaultWith TorchRuntime.DefaultDevice
    let corpus = DmmCorpusFiles.Load(args.GetResult EvalArgs.Corpus)
    use networks = DmmTrainer.LoadNetworks(args.GetResult Checkpoint, device)
    let quiet = args.Contains Json
    let progress = Action<int, int>(fun done' total -> if not quiet then eprintf "\r%d/%d instances" done' total)
    let r = DmmEvaluator.Evaluate(corpus.X.``to``(device), settings, networks, progress)
    if not quiet then eprintfn ""
    if quiet then
        let o = JsonObject()
        o["method"] <- JsonValue.Create(SamplerMethods.Name settings.Method)
        o["sweeps"] <- JsonValue.Create(settings.Sweeps)
        o["particles"] <- JsonValue.Create(settings.Particles)
        o["leapfrog"] <- JsonValue.Create(settings.LeapfrogSteps)
        o["step_size"] <- JsonValue.Create(settings.StepSize)
        o["seed"] <- JsonValue.Create(settings.Seed)
        o["noise_scale"] <- JsonValue.Create(networks.Prior.NoiseScale)
        o["instances"] <- JsonValue.Create(r.Instances)
        o["seconds"] <- JsonValue.Create(r.Seconds)
        o["mean_log_joint"] <- JsonArray(r.MeanLogJoint |> Array.map (fun v -> JsonValue.Create v :> JsonNode))
        o["ess"] <- JsonArray(r.Ess |> Array.map (fun v -> JsonValue.Create v :> JsonNode))
        printfn "%s" (o.ToJsonString())
    else
        printfn "%s on %d instances (noise scale %g, %.2f s)" (SamplerMethods.Name settings.Method) r.Instances networks.Prior.NoiseScale r.Seconds
        printfn "%6s %16s %8s" "sweep" "mean log p(x,z)" "ESS/L"
        for k in 0 .. r.MeanLogJoint.Length - 1 do
            printfn "%6d %16.3f %8.4f" (k + 1) r.MeanLogJoint[k] r.Ess[k]
    0

let run (args: ParseResults<DmmArgs>) =
    match args.GetSubCommand() with
    | Simulate a -> simulate a
    | Train a -> train a
    | Eval a -> eval a
