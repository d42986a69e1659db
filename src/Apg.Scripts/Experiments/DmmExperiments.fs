/// The DMM experiments, defined once: ring corpora, training runs (APG: proposals and decoder; RWS: encoder and
/// decoder) and evaluations, each a keyed run of the store.
module Apg.Scripts.Experiments.DmmExperiments

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Inference
open Apg.Core.Models.Dmm
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs

let private obj = Json.object
let private v (x: 'T) = Json.value x

let private dmm (ctx: Context) = section ctx.Scale "dmm" ctx.Scale.Dmm

/// A simulated ring corpus (data noise 0.1, as the paper's data); returns its .npy path and key.
let corpus (ctx: Context) (split: string) : string * JsonObject =
    let d = dmm ctx
    let instances, points, seed =
        match split with
        | "train" -> d.TrainInstances, d.TrainPoints, 3003UL
        | "test" -> d.TestInstances, d.TestPoints, 4004UL
        | _ -> invalidArg "split" split
    let key = obj [ "split", v split; "instances", v instances; "points", v points; "seed", v seed; "noise", v 0.1 ]
    let run =
        ctx.Store.GetOrRun("dmm-corpus", key, fun dir ->
            use scope = torch.NewDisposeScope()
            use generator = new torch.Generator(seed)
            DmmCorpusFiles.Save(Path.Combine(dir, "corpus.npy"), DmmSimulator.Simulate(instances, points, generator, noise = 0.1))
            obj [ "file", v "corpus.npy" ])
    Path.Combine(run.Folder, Json.getString "corpus result" run.Result "file"), key

/// APG training (sweeps > 1) or RWS training (one sweep of K * L particles) of proposals and decoder together.
let trainWith (ctx: Context) (config: DmmTrainingConfig) : string * JsonObject =
    let corpusPath, corpusKey = corpus ctx "train"
    let key = obj [ "corpus", corpusKey; "config", config.ToJson() ]
    let label = sprintf "dmm seed %d, %d sweep(s)" config.Seed config.Sweeps
    let run =
        ctx.Store.GetOrRun("dmm-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let trainer = DmmTrainer(config, DmmCorpusFiles.LoadPoints corpusPath)
                let report (m: DmmTrainingMetrics) (elapsed: TimeSpan) =
                    let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
                    eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | ESS/L %.3f | log p %.1f | radius %.3f" label m.Step config.Steps rate (eta.ToString @"hh\:mm\:ss") m.EssFraction m.LogJoint m.Radius
                use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v config.Steps ])
    run.Folder, key

let private config (ctx: Context) (seed: uint64) (rws: bool) =
    let d = dmm ctx
    let t = d.Train
    DmmTrainingConfig(
        Sweeps = (if rws then 1 else t.Sweeps), Particles = (if rws then t.Sweeps * t.Particles else t.Particles), BatchSize = t.BatchSize,
        LearningRate = t.LearningRate, Steps = t.Steps, Seed = seed, NoiseScale = d.NoiseScale,
        CheckpointEvery = t.CheckpointEvery, LogEvery = t.LogEvery)

let train (ctx: Context) (seed: uint64) = trainWith ctx (config ctx seed false)
let trainRws (ctx: Context) (seed: uint64) = trainWith ctx (config ctx seed true)

/// Every DMM training run of the scale, side by side.
let pretrainAll (ctx: Context) =
    match ctx.Scale.Dmm with
    | None -> ()
    | Some d ->
        corpus ctx "train" |> ignore
        pretrain ctx [ for s in d.TrainSeeds -> fun () -> train ctx s
                       for s in d.TrainSeeds -> fun () -> trainRws ctx s ]

/// One evaluation over the test corpus: per sweep, mean log p(x, z) and ESS / L, and log p per instance.
type Evaluation = { LogJoint: float[]; Ess: float[]; InstanceLogJoint: float[][] }

let evaluation (ctx: Context) (trained: string * JsonObject) (settings: DmmEvalSettings) : Evaluation =
    let corpusPath, corpusKey = corpus ctx "test"
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "method", v (SamplerMethods.Name settings.Method)
              "sweeps", v settings.Sweeps; "particles", v settings.Particles; "leapfrog", v settings.LeapfrogSteps
              "step_size", v settings.StepSize; "seed", v settings.Seed; "batch_size", v settings.BatchSize ]
    let result =
        (ctx.Store.GetOrRun("dmm-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let data = DmmCorpusFiles.Load corpusPath
            use networks = DmmTrainer.LoadNetworks(fst trained)
            let r = DmmEvaluator.Evaluate(data.X, settings, networks)
            obj [ "mean_log_joint", Json.ofFloats r.MeanLogJoint; "ess", Json.ofFloats r.Ess; "seconds", v r.Seconds
                  "instance_log_joint", Json.ofRows r.InstanceLogJoint ])).Result
    { LogJoint = Json.floats (Json.getArray "eval result" result "mean_log_joint"); Ess = Json.floats (Json.getArray "eval result" result "ess")
      InstanceLogJoint = Json.rows "eval result" result "instance_log_joint" }

/// One evaluation over the test corpus: per-sweep mean log p(x, z) and ESS / L.
let eval (ctx: Context) (trained: string * JsonObject) (settings: DmmEvalSettings) : float[] * float[] =
    let e = evaluation ctx trained settings
    e.LogJoint, e.Ess

/// One drawn sample for Figure 1b: the heaviest particle on one test instance, its ring centres, assignments, the
/// model's reconstruction of every point (mu[c] + decoder(h)) and the decoder's radius.
type RingSample = { Centres: float[][]; Assignments: int64[]; Reconstruction: float[][]; Radius: float; LogJoint: float }

let sample (ctx: Context) (trained: string * JsonObject) (rws: bool) (sweeps: int) (particles: int) (seed: uint64) (instance: int) : RingSample =
    let corpusPath, corpusKey = corpus ctx "test"
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "rws", v rws; "sweeps", v sweeps
              "particles", v particles; "seed", v seed; "instance", v instance ]
    let rows (t: torch.Tensor) =
        let t = t.``to``(torch.ScalarType.Float64).contiguous()
        JsonArray([| for i in 0L .. t.size(0) - 1L -> Json.ofFloats (t[i].data<float>().ToArray()) :> JsonNode |])
    let result =
        (ctx.Store.GetOrRun("dmm-sample", key, fun _ ->
            use scope = torch.NewDisposeScope()
            use noGrad = torch.no_grad ()
            let data = DmmCorpusFiles.Load corpusPath
            let x = data.X.narrow(0L, int64 instance, 1L)
            use networks = DmmTrainer.LoadNetworks(fst trained)
            let model = networks.Model
            use generator = new torch.Generator(seed)
            let run = (if rws then DmmMethods.Rws(model, networks) else DmmMethods.Apg(model, networks)).Run(x, sweeps, particles, generator)
            let logJoint = model.LogJoint(x, run.Z)                                  // [L, 1]
            let best = logJoint[torch.TensorIndex.Colon, torch.TensorIndex.Single 0L].argmax().item<int64>()
            let pick (name: string) = run.Z[name][best, 0]
            let c = pick DmmVariables.C
            let reconstruction = c.matmul(pick DmmVariables.Mu) + networks.Decoder.Offset(pick DmmVariables.H)
            obj [ "centres", rows (pick DmmVariables.Mu)
                  "assignments", JsonArray(c.argmax(-1).data<int64>().ToArray() |> Array.map (fun a -> JsonValue.Create a :> JsonNode))
                  "reconstruction", rows reconstruction
                  "radius", v (networks.Decoder.Radius.item<float32>() |> float)
                  "log_joint", v (logJoint[best, 0].item<float32>() |> float) ])).Result
    let matrix name = Json.getArray "sample result" result name |> Seq.map (fun r -> Json.floats (r.AsArray())) |> Array.ofSeq
    { Centres = matrix "centres"; Reconstruction = matrix "reconstruction"
      Assignments = Json.getArray "sample result" result "assignments" |> Seq.map (fun n -> n.GetValue<int64>()) |> Array.ofSeq
      Radius = Json.getFloat "sample result" result "radius"; LogJoint = Json.getFloat "sample result" result "log_joint" }

/// The points of one test instance, [N][2].
let testPoints (ctx: Context) (instance: int) : float[][] =
    let corpusPath, _ = corpus ctx "test"
    use scope = torch.NewDisposeScope()
    let points = (DmmCorpusFiles.Load corpusPath).X[int64 instance].``to``(torch.ScalarType.Float64)
    [| for n in 0L .. points.size(0) - 1L -> points[n].data<float>().ToArray() |]

/// Our addition (iterative amortized inference): the iterative {mu} proposal trained inside APG sweeps on a trained
/// DMM held fixed, with the training run's sweeps, particles and batch size.
let trainIterativeProposal (ctx: Context) (config: DmmIterativeProposalConfig) (trainSeed: uint64) : string * JsonObject =
    let corpusPath, corpusKey = corpus ctx "train"
    let trained = train ctx trainSeed
    let key = obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "config", config.ToJson() ]
    let label = sprintf "dmm iterative {mu} proposal, seed %d" trainSeed
    let run =
        ctx.Store.GetOrRun("dmm-iterative-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let data = DmmCorpusFiles.Load corpusPath
                use networks = DmmTrainer.LoadNetworks(fst trained)
                let trainer = DmmIterativeProposalTrainer(config, data.X, networks)
                let report (m: DmmTrainingMetrics) (elapsed: TimeSpan) =
                    let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
                    eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | ESS/L %.3f | log p %.1f" label m.Step config.Steps rate (eta.ToString @"hh\:mm\:ss") m.EssFraction m.LogJoint
                use proposal = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v config.Steps ])
    run.Folder, key

/// APG over the test corpus with the iterative {mu} proposal in place of the NSS one: per-sweep mean log p and ESS / L.
let evalIterative (ctx: Context) (trainSeed: uint64) (proposalRun: string * JsonObject) (settings: DmmEvalSettings) : float[] * float[] * float =
    let corpusPath, corpusKey = corpus ctx "test"
    let trained = train ctx trainSeed
    let key =
        obj [ "corpus", corpusKey; "trained", (snd trained).DeepClone(); "proposal", (snd proposalRun).DeepClone()
              "sweeps", v settings.Sweeps; "particles", v settings.Particles; "seed", v settings.Seed; "batch_size", v settings.BatchSize ]
    let result =
        (ctx.Store.GetOrRun("dmm-iterative-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let data = DmmCorpusFiles.Load corpusPath
            use networks = DmmTrainer.LoadNetworks(fst trained)
            use proposal = DmmIterativeProposalTrainer.Load(fst proposalRun, networks)
            let r = DmmEvaluator.Evaluate(data.X, settings, networks, null, proposal)
            obj [ "mean_log_joint", Json.ofFloats r.MeanLogJoint; "ess", Json.ofFloats r.Ess; "seconds", v r.Seconds ])).Result
    Json.floats (Json.getArray "eval result" result "mean_log_joint"), Json.floats (Json.getArray "eval result" result "ess"),
    Json.getFloat "eval result" result "seconds"
