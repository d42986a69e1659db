/// The bouncing-MNIST experiments, defined once: video corpora, training runs (APG: proposals and decoder; RWS: the
/// one-shot proposal and decoder) and evaluations, each a keyed run of the store.
module Apg.Scripts.Experiments.BmnistExperiments

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Inference
open Apg.Core.Models.Bmnist
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs

let private obj = Json.object
let private v (x: 'T) = Json.value x

let scaleOf (ctx: Context) = section ctx.Scale "bmnist" ctx.Scale.Bmnist

/// Simulated videos from the train or the test MNIST digits (test videos hold digits no model was trained on);
/// returns the .npy path and the corpus's key.
let corpus (ctx: Context) (split: string) (videos: int) (timesteps: int) (digits: int) : string * JsonObject =
    let b = scaleOf ctx
    let seed =
        match split with
        | "train" -> 5005UL
        | "test" -> 6006UL + uint64 (1000 * digits + timesteps)
        | _ -> invalidArg "split" split
    let key =
        obj [ "split", v split; "videos", v videos; "timesteps", v timesteps; "digits", v digits; "frame_size", v b.FrameSize
              "step", v b.SimulationStep; "seed", v seed ]
    let run =
        ctx.Store.GetOrRun("bmnist-corpus", key, fun dir ->
            use scope = torch.NewDisposeScope()
            let mnist = IaiExperiments.digits ctx
            let pool = if split = "train" then mnist.Train else mnist.Test
            use generator = new torch.Generator(seed)
            let simulation = BmnistSimulation(timesteps, digits, b.FrameSize, b.SimulationStep)
            BmnistCorpusFiles.Save(Path.Combine(dir, "videos.npy"), BmnistSimulator.Simulate(pool, videos, simulation, generator))
            obj [ "file", v "videos.npy" ])
    Path.Combine(run.Folder, Json.getString "corpus result" run.Result "file"), key

let private trainCorpus (ctx: Context) =
    let b = scaleOf ctx
    corpus ctx "train" b.TrainVideos b.TrainTimesteps b.TrainDigits

/// APG training (sweeps > 1) or RWS training (one sweep of K * L particles) of proposals and digit decoder together.
let trainWith (ctx: Context) (config: BmnistTrainingConfig) : string * JsonObject =
    let corpusPath, corpusKey = trainCorpus ctx
    let key = obj [ "corpus", corpusKey; "config", config.ToJson() ]
    let label = sprintf "bmnist seed %d, %d sweep(s)" config.Seed config.Sweeps
    let run =
        ctx.Store.GetOrRun("bmnist-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let data = BmnistCorpusFiles.Load corpusPath
                let meanDigit = BmnistSimulator.MeanDigit((IaiExperiments.digits ctx).Train)
                let trainer = BmnistTrainer(config, data.Frames, meanDigit)
                let report (m: BmnistTrainingMetrics) (elapsed: TimeSpan) =
                    let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
                    eprintfn "    [%s] [%d/%d] %.2f steps/s, ETA %s | ESS/L %.3f | log p %.0f" label m.Step config.Steps rate (eta.ToString @"hh\:mm\:ss") m.EssFraction m.LogJoint
                use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v config.Steps ])
    run.Folder, key

let private config (ctx: Context) (seed: uint64) (rws: bool) =
    let b = scaleOf ctx
    let t = b.Train
    BmnistTrainingConfig(
        Sweeps = (if rws then 1 else t.Sweeps), Particles = (if rws then t.Sweeps * t.Particles else t.Particles), BatchSize = t.BatchSize,
        LearningRate = t.LearningRate, Steps = t.Steps, Seed = seed, DigitCount = b.TrainDigits, FrameSize = b.FrameSize,
        StepScale = b.StepScale, CheckpointEvery = t.CheckpointEvery, LogEvery = t.LogEvery)

let train (ctx: Context) (seed: uint64) = trainWith ctx (config ctx seed false)
let trainRws (ctx: Context) (seed: uint64) = trainWith ctx (config ctx seed true)

/// Every bouncing-MNIST training run of the scale, side by side.
let pretrainAll (ctx: Context) =
    match ctx.Scale.Bmnist with
    | None -> ()
    | Some b ->
        trainCorpus ctx |> ignore
        pretrain ctx [ for s in b.TrainSeeds -> fun () -> train ctx s
                       for s in b.TrainSeeds -> fun () -> trainRws ctx s ]

/// Per sweep, over the test videos: mean log p(x, z) and ESS / L, and log p per video; the final reconstruction error
/// (Table 2's metric).
type Evaluation = { LogJoint: float[]; Ess: float[]; MeanSquaredError: float; Seconds: float; InstanceLogJoint: float[][] }

/// One evaluation on videos - digits D, timesteps T - of the test digits.
let eval (ctx: Context) (trained: string * JsonObject) (settings: BmnistEvalSettings) (videos: int) (timesteps: int) (digits: int) : Evaluation =
    let corpusPath, corpusKey = corpus ctx "test" videos timesteps digits
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "method", v (SamplerMethods.Name settings.Method)
              "sweeps", v settings.Sweeps; "particles", v settings.Particles; "leapfrog", v settings.LeapfrogSteps
              "step_size", v settings.StepSize; "seed", v settings.Seed; "batch_size", v settings.BatchSize ]
    let result =
        (ctx.Store.GetOrRun("bmnist-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let data = BmnistCorpusFiles.Load corpusPath
            use networks = BmnistTrainer.LoadNetworks(fst trained, null, Nullable digits)
            let r = BmnistEvaluator.Evaluate(data.Frames, settings, networks)
            obj [ "mean_log_joint", Json.ofFloats r.MeanLogJoint; "ess", Json.ofFloats r.Ess; "mean_squared_error", v r.MeanSquaredError
                  "seconds", v r.Seconds; "instance_log_joint", Json.ofRows r.InstanceLogJoint ])).Result
    { LogJoint = Json.floats (Json.getArray "eval result" result "mean_log_joint")
      Ess = Json.floats (Json.getArray "eval result" result "ess")
      MeanSquaredError = Json.getFloat "eval result" result "mean_squared_error"
      Seconds = Json.getFloat "eval result" result "seconds"
      InstanceLogJoint = Json.rows "eval result" result "instance_log_joint" }

/// One drawn sample on the first test video of (T, D): the heaviest particle's reconstruction of every frame, and how far
/// its digit positions are from the true ones (pixels, TrackingError).
type VideoSample = { Frames: torch.Tensor; Reconstruction: torch.Tensor; LogJoint: float; MeanSquaredError: float; PositionError: float }

let sample (ctx: Context) (trained: string * JsonObject) (settings: BmnistEvalSettings) (timesteps: int) (digits: int) : VideoSample =
    let corpusPath, corpusKey = corpus ctx "test" 1 timesteps digits
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "method", v (SamplerMethods.Name settings.Method)
              "sweeps", v settings.Sweeps; "particles", v settings.Particles; "seed", v settings.Seed ]
    let run =
        ctx.Store.GetOrRun("bmnist-sample", key, fun dir ->
            use scope = torch.NewDisposeScope()
            use noGrad = torch.no_grad ()
            let corpus = BmnistCorpusFiles.Load corpusPath
            let x = corpus.Frames
            use networks = BmnistTrainer.LoadNetworks(fst trained, null, Nullable digits)
            use generator = new torch.Generator(settings.Seed)
            let r = BmnistEvaluator.Run(networks, settings, x, generator)
            let weights = r.LogWeights[torch.TensorIndex.Colon, torch.TensorIndex.Single 0L]
            let best = weights.argmax().item<int64>()
            let model = networks.Model
            let joint = model.LogJoint(x, r.Z)
            let logJoint = joint[best, 0].item<float32>() |> float
            let all = model.Reconstruct(r.Z)
            let reconstruction = all[best]                                 // [1, T, F, F]
            let mse = ReconstructionError.MeanSquared(x, reconstruction).item<float32>() |> float
            let inferred = BmnistVariables.StackWhere(r.Z, timesteps)[best, 0L]  // [T, D, 2]
            let positionError = TrackingError.Pixels(inferred, corpus.Positions[0L], corpus.FrameSize)
            Apg.Core.Data.Npy.Save(Path.Combine(dir, "reconstruction.npy"), reconstruction[0].contiguous())
            obj [ "file", v "reconstruction.npy"; "log_joint", v logJoint; "mean_squared_error", v mse; "position_error", v positionError ])
    { Frames = (BmnistCorpusFiles.Load corpusPath).Frames[0]
      Reconstruction = Apg.Core.Data.Npy.Load(Path.Combine(run.Folder, Json.getString "sample result" run.Result "file"))
      LogJoint = Json.getFloat "sample result" run.Result "log_joint"
      MeanSquaredError = Json.getFloat "sample result" run.Result "mean_squared_error"
      PositionError = Json.getFloat "sample result" run.Result "position_error" }
