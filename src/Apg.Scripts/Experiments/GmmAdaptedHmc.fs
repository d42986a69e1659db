/// Our addition for issue 12: the kernel of Hirt et al. (step size and preconditioner adapted by the speed measure, or the
/// step size by dual averaging) as the HMC of HMC-RWS on the GMM, against the fixed step size of the APG paper's Table 1.
/// Each kernel is adapted on the training corpus from the RWS-trained encoder's samples, then held fixed on the test corpus.
module Apg.Scripts.Experiments.GmmAdaptedHmc

open System
open System.IO
open System.Text.Json.Nodes
open TorchSharp
open Apg.Core.Data
open Apg.Core.Methods.AdaptiveMcmc
open Apg.Core.Inference
open Apg.Core.Models.Gmm
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Runs
open Apg.Scripts.Experiments.GmmExperiments

let private obj = Json.object
let private v (x: 'T) = Json.value x

// The GMM's adapted-HMC settings sit in the scale's mcmc_vae section, with the method they test.
let private scaleOf (ctx: Context) = (Scale.section ctx.Scale "mcmc_vae" ctx.Scale.McmcVae).GmmHmc

let private preconditioner (s: GmmAdaptedHmcScale) =
    if s.Preconditioner = "full" then PreconditionerKind.Full else PreconditionerKind.Diagonal

let private adaptationName (a: McmcAdaptation) = if a = McmcAdaptation.SpeedMeasure then "speed-measure" else "dual-averaging"

/// A kernel adapted on the training corpus for one training seed's RWS encoder and a number of leapfrog steps; its
/// parameters and per-step trace are the run's result (adaptation.csv beside it).
let adapt (ctx: Context) (trainSeed: uint64) (leapfrog: int) (adaptation: McmcAdaptation) : JsonObject * JsonObject =
    let s = scaleOf ctx
    let encoder = trainRws ctx trainSeed
    let corpusPath, corpusKey = corpus ctx "train"
    let initial = ctx.Scale.Gmm.Table1.HmcStepSize
    let config = KernelAdaptationConfig(adaptation, s.Steps, s.Moves, s.LearningRate, SpeedMeasure.HmcTarget)
    let key =
        obj [ "encoder", (snd encoder).DeepClone(); "corpus", corpusKey
              "adaptation", v (adaptationName adaptation); "leapfrog", v leapfrog; "initial_step_size", v initial
              "preconditioner", v s.Preconditioner; "steps", v s.Steps; "moves", v s.Moves; "batch_size", v s.BatchSize
              "particles", v s.Particles; "learning_rate", v s.LearningRate; "target_acceptance", v config.TargetAcceptance
              "seed", v trainSeed ]
    let label = sprintf "GMM HMC-RWS kernel, %s, LF=%d, seed %d" (adaptationName adaptation) leapfrog trainSeed
    let run =
        ctx.Store.GetOrRun("gmm-hmc-adapt", key, fun dir ->
            use scope = torch.NewDisposeScope()
            withOneIntraOpThread (fun () ->
                let struct (x, _) = GmmCorpus.Load corpusPath
                use networks = GmmTrainer.LoadNetworks(fst encoder)
                let kernel = GmmKernelAdaptation.Create(GmmPrior.Paper, preconditioner s, initial, leapfrog)
                let clock = Diagnostics.Stopwatch.StartNew()
                let report (m: KernelAdaptationMetrics) =
                    if m.Step % max 1 (s.Steps / 4) = 0 || m.Step = s.Steps then
                        let rate, eta = Apg.Scripts.Progress.rateAndEta m.Step 0 s.Steps clock.Elapsed
                        eprintfn "    [%s] [%d/%d] %.1f steps/s, ETA %s | acceptance %.3f | step %.4g | beta %.3g | diverged moves %d"
                            label m.Step s.Steps rate (eta.ToString @"hh\:mm\:ss") m.Acceptance m.StepSize m.Beta m.DivergedMoves
                let trace = GmmKernelAdaptation.Adapt(kernel, networks, x, s.BatchSize, s.Particles, config, trainSeed * 1009UL + uint64 leapfrog, Action<_>(report))
                let seconds = clock.Elapsed.TotalSeconds
                let lines =
                    "step,acceptance,step_size,beta,diverged_moves"
                    :: [ for m in trace -> sprintf "%d,%s,%s,%s,%d" m.Step (Outputs.num m.Acceptance) (Outputs.num m.StepSize) (Outputs.num m.Beta) m.DivergedMoves ]
                AtomicFile.WriteAllText(Path.Combine(dir, "adaptation.csv"), String.Join("\n", lines) + "\n")
                let module' = kernel.Kernel :?> torch.nn.Module
                let parameters =
                    obj [ for struct (name, p) in module'.named_parameters() ->
                            name, Json.ofFloats (p.detach().``to``(torch.ScalarType.Float64).contiguous().data<float>().ToArray()) :> JsonNode ]
                let last = trace[trace.Count - 1]
                // The kernel's step size now: dual averaging ends at its averaged value, not the trace's last one.
                let stepSize = (use _ = torch.no_grad () in kernel.Kernel.LogStepSize.exp().``to``(torch.ScalarType.Float64).item<float>())
                let tail = trace |> Seq.skip (trace.Count - max 1 (trace.Count / 10)) |> Seq.averageBy (fun m -> m.Acceptance)
                obj [ "parameters", parameters; "step_size", v stepSize; "beta", v last.Beta
                      "acceptance_last_tenth", v tail; "diverged_moves", v (trace |> Seq.sumBy (fun m -> m.DivergedMoves))
                      "moves", v (trace.Count * s.Moves); "seconds", v seconds ]))
    run.Result, key

/// The adapted kernel of a run's result, its parameters restored exactly.
let private restore (s: GmmAdaptedHmcScale) (leapfrog: int) (initial: float) (result: JsonObject) =
    let kernel = GmmKernelAdaptation.Create(GmmPrior.Paper, preconditioner s, initial, leapfrog)
    let parameters = Json.getObject "gmm-hmc-adapt result" result "parameters"
    use _ = torch.no_grad ()
    for struct (name, p) in (kernel.Kernel :?> torch.nn.Module).named_parameters() do
        let values = Json.floats (Json.getArray "gmm-hmc-adapt result (parameters)" parameters name)
        if int64 values.Length <> p.numel() then
            raise (InvalidDataException(sprintf "gmm-hmc-adapt result: parameter '%s' holds %d values, the kernel needs %d" name values.Length (p.numel())))
        p.copy_(torch.tensor(values).reshape(p.shape).``to``(p.dtype)) |> ignore
    kernel

/// Which kernel moves the particles: the plain one at Table 1's fixed step size (identity preconditioner), or an adapted one.
type KernelChoice =
    | Fixed
    | Adapted of McmcAdaptation

type AdaptedEval = { LogJoint: float[]; Acceptance: float }

/// Table 1's HMC-RWS cell (K = 20, its particles and seed) with the chosen kernel, all of one implementation so that only
/// the kernel's parameters differ: per-sweep mean log p(x, z) and the acceptance rate over every move.
let evalKernel (ctx: Context) (trainSeed: uint64) (leapfrog: int) (choice: KernelChoice) (seed: uint64) : AdaptedEval =
    let s = scaleOf ctx
    let t = ctx.Scale.Gmm.Table1
    let adapted = match choice with Adapted a -> Some (adapt ctx trainSeed leapfrog a) | Fixed -> None
    let encoder = trainRws ctx trainSeed
    let corpusPath, corpusKey = corpus ctx "test"
    let settings = GmmEvalSettings(SamplerMethod.HmcRws, 20, t.Particles, LeapfrogSteps = leapfrog, Seed = seed)
    let kernelKey =
        match adapted with
        | Some (_, k) -> k.DeepClone()
        | None -> obj [ "fixed_step_size", v t.HmcStepSize; "leapfrog", v leapfrog; "encoder", (snd encoder).DeepClone() ] :> JsonNode
    let key = obj [ "corpus", corpusKey; "kernel", kernelKey; "sweeps", v settings.Sweeps; "particles", v settings.Particles; "seed", v seed; "batch_size", v settings.BatchSize ]
    let result =
        (ctx.Store.GetOrRun("gmm-hmc-adapted-eval", key, fun _ ->
            use scope = torch.NewDisposeScope()
            let struct (x, _) = GmmCorpus.Load corpusPath
            use networks = GmmTrainer.LoadNetworks(fst encoder)
            let kernel =
                match adapted with
                | Some (r, _) -> restore s leapfrog t.HmcStepSize r
                | None -> GmmKernelAdaptation.Create(GmmPrior.Paper, PreconditionerKind.Diagonal, t.HmcStepSize, leapfrog)
            let r = GmmEvaluator.Evaluate(x, settings, networks, hmcKernel = kernel)
            obj [ "mean_log_joint", Json.ofFloats r.MeanLogJoint; "acceptance", v kernel.AcceptanceRate; "seconds", v r.Seconds; "instances", v r.Instances ])).Result
    let src = "gmm-hmc-adapted-eval result"
    { LogJoint = Json.floats (Json.getArray src result "mean_log_joint"); Acceptance = Json.getFloat src result "acceptance" }

/// The adaptation runs the target needs, side by side.
let pretrainAll (ctx: Context) =
    let s = scaleOf ctx
    pretrain ctx [ for trainSeed in ctx.Scale.Gmm.TrainSeeds -> fun () -> trainRws ctx trainSeed ]
    // Longest first: the speed measure differentiates through every leapfrog step.
    pretrain ctx
        [ for lf in List.rev (List.sort s.LeapfrogSteps) do
            for a in [ McmcAdaptation.SpeedMeasure; McmcAdaptation.DualAveraging ] do
                for trainSeed in ctx.Scale.Gmm.TrainSeeds -> fun () -> ("", snd (adapt ctx trainSeed lf a)) ]

/// Per leapfrog count: log p after K = 20 and acceptance for the fixed step, dual averaging and the speed measure.
let target (ctx: Context) (folder: string) : TargetResult =
    let s = scaleOf ctx
    let g = ctx.Scale.Gmm
    let t = g.Table1
    let last (a: float[]) = a[a.Length - 1]
    let num (o: JsonObject) name = Json.getFloat "gmm-hmc-adapt result" o name
    let entries =
        [ for trainSeed in g.TrainSeeds do
            let rwsTrained = Some (trainRws ctx trainSeed)
            for seed in g.EvalSeeds do
                for lf in s.LeapfrogSteps do
                    let table1Settings = GmmEvalSettings(SamplerMethod.HmcRws, 20, t.Particles, LeapfrogSteps = lf, Seed = seed, StepSize = t.HmcStepSize)
                    let fixedStep = evalKernel ctx trainSeed lf Fixed seed
                    let speed = evalKernel ctx trainSeed lf (Adapted McmcAdaptation.SpeedMeasure) seed
                    let dual = evalKernel ctx trainSeed lf (Adapted McmcAdaptation.DualAveraging) seed
                    let speedRun, _ = adapt ctx trainSeed lf McmcAdaptation.SpeedMeasure
                    let dualRun, _ = adapt ctx trainSeed lf McmcAdaptation.DualAveraging
                    yield sprintf "table1_lf%d" lf, trainSeed, last (fst (eval ctx rwsTrained table1Settings None))
                    yield sprintf "fixed_lf%d" lf, trainSeed, last fixedStep.LogJoint
                    yield sprintf "speed_lf%d" lf, trainSeed, last speed.LogJoint
                    yield sprintf "dual_lf%d" lf, trainSeed, last dual.LogJoint
                    yield sprintf "speed_minus_fixed_lf%d" lf, trainSeed, last speed.LogJoint - last fixedStep.LogJoint
                    yield sprintf "dual_minus_fixed_lf%d" lf, trainSeed, last dual.LogJoint - last fixedStep.LogJoint
                    yield sprintf "fixed_acceptance_lf%d" lf, trainSeed, fixedStep.Acceptance
                    yield sprintf "speed_acceptance_lf%d" lf, trainSeed, speed.Acceptance
                    yield sprintf "dual_acceptance_lf%d" lf, trainSeed, dual.Acceptance
                    yield sprintf "speed_step_lf%d" lf, trainSeed, num speedRun "step_size"
                    yield sprintf "dual_step_lf%d" lf, trainSeed, num dualRun "step_size"
                    yield sprintf "speed_diverged_lf%d" lf, trainSeed, num speedRun "diverged_moves" / num speedRun "moves" ]
    let cells = Claims.perTrainingSeed entries
    let cell key digits =
        let st = Claims.stat cells[key]
        let f (x: float) = x.ToString("F" + string digits, Globalization.CultureInfo.InvariantCulture)
        if st.N > 1 then sprintf "%s ± %s" (f st.Mean) (f st.Sd) else f st.Mean
    let rows =
        [ for lf in s.LeapfrogSteps ->
            [ sprintf "HMC-RWS K=20 LF=%d" lf
              cell (sprintf "fixed_lf%d" lf) 1; cell (sprintf "fixed_acceptance_lf%d" lf) 2
              cell (sprintf "dual_lf%d" lf) 1; cell (sprintf "dual_step_lf%d" lf) 4; cell (sprintf "dual_acceptance_lf%d" lf) 2
              cell (sprintf "speed_lf%d" lf) 1; cell (sprintf "speed_step_lf%d" lf) 4; cell (sprintf "speed_acceptance_lf%d" lf) 2
              cell (sprintf "speed_minus_fixed_lf%d" lf) 1 ] ]
    let md =
        Outputs.table folder "gmm-adapted-hmc"
            (sprintf "Our addition: HMC-RWS on the GMM with an adapted kernel against the fixed step size %g (scale %s; log p(x, z) after K = 20, L = %d, %d test instances; mean ± sd over %d training seed(s))"
                t.HmcStepSize ctx.Scale.Name t.Particles g.TestInstances g.TrainSeeds.Length)
            [ "sampler"; sprintf "fixed step %g: log p" t.HmcStepSize; "acceptance"; "dual averaging: log p"; "step"; "acceptance"
              sprintf "speed measure (%s C): log p" s.Preconditioner; "step h"; "acceptance"; "speed − fixed" ]
            rows
    let notes =
        [ sprintf "- At this scale: %s" s.Note
          sprintf "- Each kernel is adapted on the training corpus: %d steps, each a batch of %d instances with L = %d chains started at the RWS-trained encoder's samples and moved %d times (target acceptance %.2f, from the step size %g); the speed measure trains log h and a %s preconditioner C (mass matrix (C C^T)^-1 on (mu, log tau)) with Adam %g. It is then held fixed on the test corpus, with Table 1's particles and evaluation seed."
              s.Steps s.BatchSize s.Particles s.Moves SpeedMeasure.HmcTarget t.HmcStepSize s.Preconditioner s.LearningRate
          "- Every column uses the same kernel implementation (`AdaptiveTargetKernel` over `PreconditionedHmcKernel`), the fixed one with h = the fixed step and C = I, so that only the kernel's parameters differ; acceptance is the rate over every move of the evaluation, step the kernel's final h (dual averaging: its averaged step)."
          sprintf "- Table 1's HMC-RWS cell (the plain HMC kernel, same step, another random stream): %s; the fixed column should agree with it within noise."
              (String.Join(", ", [ for lf in s.LeapfrogSteps -> sprintf "LF=%d %s" lf (cell (sprintf "table1_lf%d" lf) 1) ]))
          sprintf "- Moves with a diverged chain during the speed measure's adaptation (a non-finite gradient: the whole move, all its chains, is left out of the gradient; as divergences come with too large a step, this removes some of the pull towards smaller steps, which beta still gives): %s."
              (String.Join(", ", [ for lf in s.LeapfrogSteps -> sprintf "LF=%d %.1f%%" lf (100.0 * (Claims.stat cells[sprintf "speed_diverged_lf%d" lf]).Mean) ]))
          "- The speed measure's step h is not comparable with a plain step size when C is not the identity: the moves are h C p."
        ]
        @ [ for n in Json.getArray "paper/gmm-adapted-hmc.json" (Json.parseFile (Path.Combine(ctx.Paper, "gmm-adapted-hmc.json"))) "notes" -> "- " + n.GetValue<string>() ]
    { Cells = cells; Markdown = md + "\n\n" + String.Join("\n", notes) + "\n"; Files = [ "gmm-adapted-hmc.md"; "gmm-adapted-hmc.csv" ] }
