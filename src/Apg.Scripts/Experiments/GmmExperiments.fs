/// The GMM experiments of the paper, defined once: corpora, training runs and evaluations, each a keyed run.
module Apg.Scripts.Experiments.GmmExperiments

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Data
open Apg.Core.Inference
open Apg.Core.Models.Gmm
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs

let private obj = Json.object
let private v (x: 'T) = Json.value x

/// A simulated corpus; returns its .npy path.
let corpus (ctx: Context) (split: string) : string * JsonObject =
    let g = ctx.Scale.Gmm
    let instances, points, seed =
        match split with
        | "train" -> g.TrainInstances, g.TrainPoints, 1001UL
        | "test" -> g.TestInstances, g.TestPoints, 2002UL
        | _ -> invalidArg "split" split
    let key = obj [ "split", v split; "instances", v instances; "points", v points; "seed", v seed ]
    let run =
        ctx.Store.GetOrRun("gmm-corpus", key, fun dir ->
            use scope = torch.NewDisposeScope()
            use generator = new torch.Generator(seed)
            let c = GmmSimulator.Simulate(GmmPrior.Paper, instances, points, generator)
            let path = Path.Combine(dir, "corpus.npy")
            Npy.Save(path, c.X)
            Npy.Save(GmmCorpus.AssignmentsPath path, c.C)
            obj [ "file", v "corpus.npy" ])
    Path.Combine(run.Folder, Json.getString "corpus result" run.Result "file"), key

let private trainConfig (ctx: Context) (seed: uint64) (blocks: BlockStrategy) =
    let c = Scale.gmmTrainingConfig ctx.Scale.Gmm.Train
    GmmTrainingConfig(
        Sweeps = c.Sweeps, Particles = c.Particles, BatchSize = c.BatchSize, LearningRate = c.LearningRate,
        Beta1 = c.Beta1, Beta2 = c.Beta2, Steps = c.Steps, Seed = seed, Blocks = blocks, Resampling = c.Resampling,
        CheckpointEvery = c.CheckpointEvery, LogEvery = c.LogEvery)

/// A trained set of proposals; returns the run folder (its checkpoint) and the run's key.
let rec train (ctx: Context) (seed: uint64) (blocks: BlockStrategy) : string * JsonObject =
    trainWith ctx (trainConfig ctx seed blocks)

/// The RWS baseline's own training: the one-shot proposal alone (one sweep) with the APG budget K * L
/// of particles per step, so the RWS column evaluates an encoder trained by RWS, as in the paper.
and trainRws (ctx: Context) (seed: uint64) : string * JsonObject =
    let c = trainConfig ctx seed BlockStrategy.Decomposed
    trainWith ctx (GmmTrainingConfig(
        Sweeps = 1, Particles = c.Sweeps * c.Particles, BatchSize = c.BatchSize, LearningRate = c.LearningRate,
        Beta1 = c.Beta1, Beta2 = c.Beta2, Steps = c.Steps, Seed = seed, Blocks = c.Blocks, Resampling = c.Resampling,
        CheckpointEvery = c.CheckpointEvery, LogEvery = c.LogEvery))

and trainWith (ctx: Context) (config: GmmTrainingConfig) : string * JsonObject =
    let corpusPath, corpusKey = corpus ctx "train"
    let key = obj [ "corpus", corpusKey; "config", config.ToJson() ]
    let label = sprintf "seed %d, %s, %d sweep(s)" config.Seed (config.Blocks.ToString().ToLowerInvariant()) config.Sweeps
    let run =
      ctx.Store.GetOrRun("gmm-train", key, fun dir ->
        use scope = torch.NewDisposeScope()
        withOneIntraOpThread (fun () ->
            let struct (x, c) = GmmCorpus.Load corpusPath
            let trainer = GmmTrainer(config, x, c)
            let report (m: GmmTrainingMetrics) (elapsed: TimeSpan) =
                let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
                eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | ESS/L %.3f | log p %.2f | KL(p||q) %.3f" label m.Step config.Steps rate (eta.ToString @"hh\:mm\:ss") m.EssFraction m.LogJoint m.InclusiveKl
            use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
            if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
        obj [ "steps", v config.Steps ])
    run.Folder, key

/// Every training run of the GMM targets: per training seed the APG proposals and the RWS encoder, and the jointly
/// blocked proposals for Figure 3's training seeds.
let pretrainAll (ctx: Context) (withJoint: bool) =
    let g = ctx.Scale.Gmm
    corpus ctx "train" |> ignore
    pretrain ctx
        [ for seed in g.TrainSeeds -> fun () -> train ctx seed BlockStrategy.Decomposed
          if withJoint then
              for seed in g.Figure3JointSeeds -> fun () -> train ctx seed BlockStrategy.Joint
          for seed in g.TrainSeeds -> fun () -> trainRws ctx seed ]

/// Per sweep, over the test corpus (or one instance of it): mean log p(x, z), ESS / L after the last block, ESS / L after the first block.
type Evaluation = { LogJoint: float[]; Ess: float[]; FirstBlockEss: float[]; InstanceLogJoint: float[][] }

/// One evaluation, all its per-sweep statistics.
let evaluation (ctx: Context) (trained: (string * JsonObject) option) (settings: GmmEvalSettings) (instance: int option) : Evaluation =
    let corpusPath, corpusKey = corpus ctx "test"
    let key =
        obj [ "corpus", corpusKey
              "trained", (match trained with Some (_, k) -> k.DeepClone() | None -> null)
              "method", v (SamplerMethods.Name settings.Method)
              "sweeps", v settings.Sweeps
              "particles", v settings.Particles
              "leapfrog", v settings.LeapfrogSteps
              "step_size", v settings.StepSize
              "blocks", v (settings.Blocks.ToString().ToLowerInvariant())
              "seed", v settings.Seed
              "batch_size", v settings.BatchSize
              "instance", (match instance with Some i -> v i | None -> null) ]
    let result =
        (ctx.Store.GetOrRun("gmm-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let struct (x, _) = GmmCorpus.Load corpusPath
            let x = match instance with Some i -> x.narrow(0L, int64 i, 1L) | None -> x
            use networks = match trained with Some (dir, _) -> GmmTrainer.LoadNetworks dir | None -> null
            let r = GmmEvaluator.Evaluate(x, settings, networks)
            obj [ "mean_log_joint", Json.ofFloats r.MeanLogJoint; "ess", Json.ofFloats r.Ess; "ess_first_block", Json.ofFloats r.FirstBlockEss
                  "seconds", v r.Seconds; "instances", v r.Instances; "instance_log_joint", Json.ofRows r.InstanceLogJoint ])).Result
    let floats name = Json.floats (Json.getArray "eval result" result name)
    { LogJoint = floats "mean_log_joint"; Ess = floats "ess"; FirstBlockEss = floats "ess_first_block"
      InstanceLogJoint = Json.rows "eval result" result "instance_log_joint" }

/// One evaluation: per-sweep mean log p(x, z) and ESS / L (after the last block) over the test corpus (or one instance of it).
let eval (ctx: Context) (trained: (string * JsonObject) option) (settings: GmmEvalSettings) (instance: int option) : float[] * float[] =
    let e = evaluation ctx trained settings instance
    e.LogJoint, e.Ess

/// Training metrics (metrics.csv of a training run): step, inclusive KL, exclusive KL, log p.
let trainingCurve (folder: string) =
    let path = Path.Combine(folder, GmmTrainer.MetricsFile)
    File.ReadLines path
    |> Seq.skip 1
    |> Seq.map (fun line -> line.Split ',' |> Array.map (fun s -> Double.Parse(s, Globalization.CultureInfo.InvariantCulture)))
    |> Seq.map (fun c -> c[0], c[5], c[6], c[4])
    |> Array.ofSeq

/// One drawn sample for a figure: the heaviest particle of one test instance after a sampler's sweeps.
let sample (ctx: Context) (trained: string * JsonObject) (methodName: string) (sweeps: int) (particles: int) (seed: uint64) (instance: int) : GmmSample =
    let corpusPath, corpusKey = corpus ctx "test"
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "method", v methodName; "sweeps", v sweeps
              "particles", v particles; "seed", v seed; "instance", v instance ]
    let rows (a: float[][]) = JsonArray(a |> Array.map (fun r -> Json.ofFloats r :> JsonNode))
    let result =
        (ctx.Store.GetOrRun("gmm-sample", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let struct (x, _) = GmmCorpus.Load corpusPath
            let x = x.narrow(0L, int64 instance, 1L)
            use networks = GmmTrainer.LoadNetworks(fst trained)
            let model = GmmModel(GmmPrior.Paper)
            use generator = new torch.Generator(seed)
            let sampler = if methodName = "rws" then GmmMethods.Rws(model, networks) else GmmMethods.Apg(model, networks)
            let run = sampler.Run(x, sweeps, particles, generator)
            let s = GmmSample.Heaviest(run, model, x, 0)
            obj [ "mu", rows s.Mu; "tau", rows s.Tau
                  "assignments", JsonArray(s.Assignments |> Array.map (fun c -> JsonValue.Create c :> JsonNode))
                  "log_joint", v s.LogJoint ])).Result
    let matrix name = Json.getArray "sample result" result name |> Seq.map (fun r -> Json.floats (r.AsArray())) |> Array.ofSeq
    GmmSample(matrix "mu", matrix "tau", Json.getArray "sample result" result "assignments" |> Seq.map (fun n -> n.GetValue<int64>()) |> Array.ofSeq,
              Json.getFloat "sample result" result "log_joint")

/// The points of one test instance, [N][D], as stored in the test corpus.
let testPoints (ctx: Context) (instance: int) : float[][] =
    let corpusPath, _ = corpus ctx "test"
    use scope = torch.NewDisposeScope()
    let struct (x, _) = GmmCorpus.Load corpusPath
    let points = x[int64 instance].``to``(torch.ScalarType.Float64)
    [| for n in 0L .. points.size(0) - 1L -> points[n].data<float>().ToArray() |]
