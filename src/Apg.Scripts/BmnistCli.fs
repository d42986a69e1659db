/// `./apg bmnist ...`: simulate bouncing-MNIST videos, train proposals and digit decoder, evaluate the samplers.
module Apg.Scripts.BmnistCli

open System
open System.Text.Json.Nodes
open Argu
open TorchSharp
open Apg.Core.Data
open Apg.Core.Runtime
open Apg.Core.Inference
open Apg.Core.Models.Bmnist

type SimulateArgs =
    | [<Mandatory>] Videos of int
    | Timesteps of int
    | Digits of int
    | Frame_Size of int
    | Step_Size of float
    | Split of string
    | Data of dir: string
    | Seed of uint64
    | [<Mandatory>] Out of path: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Videos _ -> "number of videos (the paper: 60,000 training videos)."
            | Timesteps _ -> "frames T per video (default 10; the paper tests up to 100)."
            | Digits _ -> "digits D per video (default 3; the paper tests up to 5)."
            | Frame_Size _ -> "frame side F in pixels (default 96)."
            | Step_Size _ -> "distance a digit moves per frame, in frame coordinates [-1, 1] (default 0.3, the authors')."
            | Split _ -> "train or test: which MNIST digits the videos use (test digits are never trained on; default train)."
            | Data _ -> "MNIST folder (default: APG_MNIST_DIR, else data/mnist)."
            | Seed _ -> "seed of the simulator (default 0)."
            | Out _ -> "output .npy, uint8 [videos, T, F, F] (grey x 255); positions and digit indices go to NAME.positions.npy and NAME.digits.npy."

type TrainArgs =
    | [<Mandatory>] Corpus of path: string
    | [<Mandatory>] Out of dir: string
    | Sweeps of int
    | Particles of int
    | Batch_Size of int
    | Lr of float
    | Steps of int
    | Seed of uint64
    | Digits of int
    | Step_Scale of float
    | Data of dir: string
    | Checkpoint_Every of int
    | Log_Every of int
    | Device of string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "training videos (.npy from ./apg bmnist simulate)."
            | Out _ -> TaskCli.Usage.out
            | Sweeps _ -> "sweeps K per gradient step (paper: 5; 1 trains RWS)."
            | Particles _ -> "particles L (paper: 10)."
            | Batch_Size _ -> "videos per batch (paper: 5)."
            | Lr _ -> "Adam learning rate (paper: 1e-4; betas 0.9, 0.99)."
            | Steps _ -> "gradient steps (default 10,000)."
            | Seed _ -> TaskCli.Usage.trainSeed
            | Digits _ -> "digits D the model places in each frame (default: the corpus's)."
            | Step_Scale _ -> "the position random walk's scale (default 0.2, the authors' code; the paper's text says 0.1)."
            | Data _ -> "MNIST folder for the mean training digit, the one-shot template (default: APG_MNIST_DIR, else data/mnist)."
            | Checkpoint_Every _ -> TaskCli.Usage.checkpointEvery 500
            | Log_Every _ -> TaskCli.Usage.logEvery 10
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
    | Videos of int
    | Device of string
    | Json
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Corpus _ -> "test videos (.npy from ./apg bmnist simulate --split test)."
            | Method _ -> "apg, rws (one sweep of K*L particles), bpg or hmc-rws (HMC on codes and positions)."
            | Checkpoint _ -> "trained run directory (proposals and decoder)."
            | Sweeps _ -> "sweeps K (default 10)."
            | Particles _ -> "particles L (default 100: K x L = 1000, Table 2's budget)."
            | Leapfrog _ -> TaskCli.Usage.leapfrog
            | Step_Size _ -> "hmc-rws: leapfrog step size (default 1e-4: larger steps are rejected, see the README)."
            | Seed _ -> TaskCli.Usage.samplerSeed
            | Batch_Size _ -> "videos evaluated at once (default 10; fewer when L is large)."
            | Videos _ -> "evaluate only the first N videos."
            | Device _ -> TaskCli.Usage.device
            | Json -> "print one JSON object: mean_log_joint and ess per sweep, the reconstruction error, the settings."

type BmnistArgs =
    | [<CliPrefix(CliPrefix.None)>] Simulate of ParseResults<SimulateArgs>
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Eval of ParseResults<EvalArgs>
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Simulate _ -> "draw bouncing-MNIST videos from the train or test MNIST digits."
            | Train _ -> "train the position and code proposals and the digit decoder together (resumable)."
            | Eval _ -> "run a sampler on videos: log p(x, z) and ESS per sweep, reconstruction error (Table 2's metric)."

let simulate (args: ParseResults<SimulateArgs>) =
    use scope = torch.NewDisposeScope()
    let settings =
        BmnistSimulation(args.GetResult(Timesteps, defaultValue = 10), args.GetResult(SimulateArgs.Digits, defaultValue = 3),
                         args.GetResult(Frame_Size, defaultValue = 96), args.GetResult(SimulateArgs.Step_Size, defaultValue = 0.3))
    let digits = IaiCli.load (args.TryGetResult SimulateArgs.Data)
    let pool =
        match args.GetResult(Split, defaultValue = "train").Trim().ToLowerInvariant() with
        | "train" -> digits.Train
        | "test" -> digits.Test
        | other -> raise (ArgumentException(sprintf "--split must be train or test, got '%s'" other))
    use generator = new torch.Generator(args.GetResult(SimulateArgs.Seed, defaultValue = 0UL))
    let out = args.GetResult SimulateArgs.Out
    let corpus = BmnistSimulator.Simulate(pool, args.GetResult SimulateArgs.Videos, settings, generator)
    BmnistCorpusFiles.Save(out, corpus)
    printfn "wrote %s %s (T = %d, D = %d, step %g), its positions and digit indices" out (Shapes.Format corpus.Frames) settings.Timesteps settings.DigitCount settings.StepSize
    0

let train (args: ParseResults<TrainArgs>) =
    let corpus = BmnistCorpusFiles.Load(args.GetResult TrainArgs.Corpus)
    let d = BmnistTrainingConfig()
    let config =
        BmnistTrainingConfig(
            DigitCount = args.GetResult(TrainArgs.Digits, defaultValue = corpus.DigitCount),
            FrameSize = corpus.FrameSize,
            StepScale = args.GetResult(Step_Scale, defaultValue = d.StepScale))
        |> TaskCli.apgTraining args
    let out = args.GetResult TrainArgs.Out
    let device = TaskCli.device (args.TryGetResult TrainArgs.Device)
    let meanDigit = BmnistSimulator.MeanDigit((IaiCli.load (args.TryGetResult TrainArgs.Data)).Train)
    let trainer = BmnistTrainer(config, corpus.Frames.``to``(device), meanDigit.``to``(device))
    TaskCli.train out config.Steps (fun () -> trainer.ResumedFrom) (fun (m: BmnistTrainingMetrics) -> m.Step)
        (fun m -> sprintf "loss %.4g | ESS/L %.3f | log p %.1f" m.Loss m.EssFraction m.LogJoint)
        (fun report token -> trainer.Train(out, report, token))

let eval (args: ParseResults<EvalArgs>) =
    let settings =
        BmnistEvalSettings(
            SamplerMethods.Parse(args.GetResult Method),
            args.GetResult(EvalArgs.Sweeps, defaultValue = 10),
            args.GetResult(EvalArgs.Particles, defaultValue = 100),
            LeapfrogSteps = args.GetResult(Leapfrog, defaultValue = 1),
            Seed = args.GetResult(EvalArgs.Seed, defaultValue = 0UL),
            BatchSize = args.GetResult(EvalArgs.Batch_Size, defaultValue = 10),
            StepSize = args.GetResult(EvalArgs.Step_Size, defaultValue = 1e-4))
    let device = TaskCli.device (args.TryGetResult EvalArgs.Device)
    let corpus = BmnistCorpusFiles.Load(args.GetResult EvalArgs.Corpus)
    let frames =
        match args.TryGetResult EvalArgs.Videos with
        | Some n when n < 1 -> raise (ArgumentException "--videos must be at least 1")
        | Some n -> corpus.Frames.narrow(0L, 0L, min (int64 n) (corpus.Frames.size 0))
        | None -> corpus.Frames
    use networks = BmnistTrainer.LoadNetworks(args.GetResult Checkpoint, device, corpus.DigitCount)
    let json = args.Contains Json
    let r = BmnistEvaluator.Evaluate(frames.``to``(device), settings, networks, TaskCli.batchProgress json "videos")
    if not json then eprintfn ""
    let v = TaskCli.value
    TaskCli.printSweeps json
        [ "method", v (SamplerMethods.Name settings.Method); "sweeps", v settings.Sweeps; "particles", v settings.Particles
          "leapfrog", v settings.LeapfrogSteps; "step_size", v settings.StepSize; "seed", v settings.Seed
          "videos", v r.Videos; "seconds", v r.Seconds; "mean_squared_error", v r.MeanSquaredError ]
        (sprintf "%s on %d videos (%.2f s); reconstruction error %.2f (per frame, summed over pixels)" (SamplerMethods.Name settings.Method) r.Videos r.Seconds r.MeanSquaredError)
        1 r.MeanLogJoint r.Ess

let run (args: ParseResults<BmnistArgs>) =
    match args.GetSubCommand() with
    | Simulate a -> simulate a
    | Train a -> train a
    | Eval a -> eval a
