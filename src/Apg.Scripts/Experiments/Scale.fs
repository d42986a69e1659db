/// A scale is a named config in paper/scales/NAME.json, not code. Each section is read straight into its record
/// (JSON names are the fields' in snake_case; every field is required, unknown ones are errors), then checked.
module Apg.Scripts.Experiments.Scale

open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open System.Text.Json.Serialization
open Apg.Core.Models.Gmm

/// The schedule every trained task shares: steps, sweeps and particles of the objective, batch size, learning rate,
/// and how often it checkpoints and logs.
type TrainScale = { Steps: int; Sweeps: int; Particles: int; BatchSize: int; LearningRate: float; CheckpointEvery: int; LogEvery: int }

/// How a table's samplers are run: L particles per method, BPG with bpg_factor times as many, the HMC step size.
type EvalScale = { Particles: int; BpgFactor: int; HmcStepSize: float; Note: string }

/// Figure 2's samplers: as a table's, over a number of sweeps.
type Figure2Scale = { Particles: int; BpgFactor: int; HmcStepSize: float; Sweeps: int; Note: string }

type GmmScale =
    { TrainInstances: int
      TrainPoints: int
      TestInstances: int
      TestPoints: int
      Train: TrainScale
      TrainSeeds: uint64 list
      [<JsonPropertyName "figure3_joint_train_seeds">] Figure3JointSeeds: uint64 list
      EvalSeeds: uint64 list
      Particles: int
      Table1: EvalScale
      Figure2: Figure2Scale
      GibbsStationarySweeps: int
      Figure3Budget: int
      Figure3Sweeps: int list
      /// Why the scale's GMM settings are what they are (the report's header gives it beside the settings).
      Note: string }

type DmmScale =
    { TrainInstances: int
      TrainPoints: int
      TestInstances: int
      TestPoints: int
      /// The model's sigma_eps for every DMM number of the scale (the paper states 0.1, the authors trained with 0.5).
      NoiseScale: float
      Train: TrainScale
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Table1: EvalScale
      Figure1bSweeps: int }

type IaiTrainScale = { Steps: int; BatchSize: int; LearningRate: float; CheckpointEvery: int; LogEvery: int }

/// Our addition: the iterative update as APG's {mu} proposal for the DMM, trained on each trained DMM held fixed.
type IaiApgBlockScale = { Steps: int; LearningRate: float; Iterations: int; Samples: int; Hidden: int; CheckpointEvery: int; LogEvery: int }

/// Iterative amortized inference on MNIST: a VAE (standard encoder and decoder) per training seed and latent size,
/// then the iterative inference model trained on its frozen decoder; the table at table_latent, the figure at 2.
type IaiScale =
    { TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Hidden: int64 list
      TableLatent: int
      FigureLatent: int
      Vae: IaiTrainScale
      Iterative: IaiTrainScale
      Iterations: int
      Samples: int
      TestDigits: int
      ElboSamples: int
      [<JsonPropertyName "loglik_samples">] LogLikelihoodSamples: int
      OptimizationIterations: int
      OptimizationSamples: int
      OptimizationLearningRate: float
      FigureGrid: int
      FigureSamples: int
      ApgBlock: IaiApgBlockScale
      Note: string }

/// VAEs refined by adapted MCMC (Hirt et al. 2023): per dataset and training seed a pre-trained VAE, then the plain VAE
/// trained on for as many steps, and MALA / HMC refinements adapted by the speed measure or by dual averaging.
type McmcVaeTrainScale =
    { Steps: int; BatchSize: int; McmcSteps: int; LeapfrogSteps: int; InitialStepSize: float; VaeLearningRate: float
      KernelLearningRate: float; CheckpointEvery: int; LogEvery: int }

/// Our addition: the kernel adapted for HMC-RWS on the GMM (the RWS-trained encoder's samples, the training corpus),
/// against Table 1's fixed step size at the same leapfrog steps.
type GmmAdaptedHmcScale =
    { LeapfrogSteps: int list; Steps: int; Moves: int; BatchSize: int; Particles: int; LearningRate: float
      Preconditioner: string; Note: string }

type McmcVaeScale =
    { Datasets: string list
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Latent: int
      Hidden: int64 list
      Pretrain: IaiTrainScale
      Train: McmcVaeTrainScale
      TestImages: int
      [<JsonPropertyName "loglik_samples">] LogLikelihoodSamples: int
      GmmHmc: GmmAdaptedHmcScale
      Note: string }

/// Bouncing MNIST: training videos (T, D), the APG and RWS training runs, and the videos and budgets of Table 1's row,
/// Table 2 and Figure 4.
type BmnistTable1Scale = { Videos: int; Timesteps: int; Digits: int; Particles: int; HmcStepSize: float; Note: string }
type BmnistTable2Scale = { Videos: int; Budget: int; Timesteps: int list; Digits: int list; Note: string }
type BmnistFigure4Scale = { Timesteps: int; Digits: int; Sweeps: int; Particles: int; Shown: int }

type BmnistScale =
    { FrameSize: int
      /// The distance a simulated digit moves per frame (the authors': 0.3).
      SimulationStep: float
      /// The model's position random-walk scale (the authors' code: 0.2; the paper's text: 0.1).
      StepScale: float
      TrainVideos: int
      TrainTimesteps: int
      TrainDigits: int
      Train: TrainScale
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Table1: BmnistTable1Scale
      Table2: BmnistTable2Scale
      Figure4: BmnistFigure4Scale
      Note: string }

/// What one job asks of the scheduler: CPUs, memory and time limit as sbatch writes them, GPUs (--gres=gpu:N), and how
/// many seconds before the time limit the job is signalled to save a checkpoint and requeue itself.
type JobResources = { Cpus: int; Memory: string; Time: string; Gpus: int; SignalSeconds: int }

/// How the Slurm executor runs the scale: resources by run kind (e.g. bmnist-train), else by job kind (train, target,
/// report), and the seconds per training step measured per run kind, behind the plan's estimates.
type SchedulerScale =
    { Resources: Map<string, JobResources>
      SecondsPerStep: Map<string, float>
      SecondsPerStepNote: string
      Note: string }

type Scale =
    { Name: string; Description: string; Gmm: GmmScale; Dmm: DmmScale option; Bmnist: BmnistScale option; Iai: IaiScale option
      McmcVae: McmcVaeScale option; Scheduler: SchedulerScale option; Source: string }

let names = [ "smoke"; "cpu"; "paper" ]

let private options =
    JsonSerializerOptions(PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, RespectRequiredConstructorParameters = true,
                          RespectNullableAnnotations = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)

/// One section of a scale file as its record; any missing, unknown or mistyped field is an error naming the file,
/// the section and the field's path.
let private read<'T> (path: string) (section: string) (o: JsonObject) : 'T =
    match o[section] with
    | null -> raise (InvalidDataException(sprintf "%s: missing section '%s'" path section))
    | node ->
        try
            match node.Deserialize<'T> options with
            | v when isNull (box v) -> raise (InvalidDataException(sprintf "%s (%s): the section is null" path section))
            | v -> v
        with :? JsonException as e -> raise (InvalidDataException(sprintf "%s (%s): %s" path section e.Message))

let private fail (src: string) (message: string) = raise (InvalidDataException(sprintf "%s: %s" src message))

let private checkTrain (src: string) (t: TrainScale) =
    if [ t.Steps; t.Sweeps; t.Particles; t.BatchSize; t.CheckpointEvery; t.LogEvery ] |> List.exists (fun v -> v < 1) || not (t.LearningRate > 0.0) then
        fail src "steps, sweeps, particles, batch_size, checkpoint_every and log_every must be at least 1, learning_rate positive"

let private checkEval (src: string) particles bpgFactor hmcStepSize sweeps =
    if particles < 1 || bpgFactor < 1 || sweeps < 1 || not (hmcStepSize > 0.0) then
        fail src "particles, bpg_factor and sweeps must be at least 1 and hmc_step_size positive"

let private checkSeeds (src: string) (lists: (string * uint64 list) list) =
    match lists |> List.filter (fun (_, seeds) -> seeds.IsEmpty) with
    | [] -> ()
    | empty -> fail src (sprintf "%s need at least one seed each" (String.concat ", " (List.map fst empty)))

/// The GMM trainer's config of a scale's schedule (Adam's betas and the resampling scheme at the trainer's defaults).
let gmmTrainingConfig (t: TrainScale) =
    GmmTrainingConfig(Steps = t.Steps, Sweeps = t.Sweeps, Particles = t.Particles, BatchSize = t.BatchSize, LearningRate = t.LearningRate,
                      CheckpointEvery = t.CheckpointEvery, LogEvery = t.LogEvery)

let private gmm path (o: JsonObject) : GmmScale =
    let s : GmmScale = read path "gmm" o
    let src = path + " (gmm)"
    checkTrain (src + " train") s.Train
    (gmmTrainingConfig s.Train).Validate()
    checkEval (src + " table1") s.Table1.Particles s.Table1.BpgFactor s.Table1.HmcStepSize 1
    checkEval (src + " figure2") s.Figure2.Particles s.Figure2.BpgFactor s.Figure2.HmcStepSize s.Figure2.Sweeps
    checkSeeds src [ "train_seeds", s.TrainSeeds; "figure3_joint_train_seeds", s.Figure3JointSeeds; "eval_seeds", s.EvalSeeds ]
    if s.Figure3Sweeps |> List.exists (fun k -> k < 1 || s.Figure3Budget % k <> 0) then
        fail src (sprintf "every figure3_sweeps entry must divide figure3_budget (%d)" s.Figure3Budget)
    s

let private dmm path (o: JsonObject) : DmmScale =
    let s : DmmScale = read path "dmm" o
    let src = path + " (dmm)"
    checkTrain (src + " train") s.Train
    checkEval (src + " table1") s.Table1.Particles s.Table1.BpgFactor s.Table1.HmcStepSize 1
    checkSeeds src [ "train_seeds", s.TrainSeeds; "eval_seeds", s.EvalSeeds ]
    if not (s.NoiseScale > 0.0) then fail src "noise_scale must be positive"
    s

let private bmnist path (o: JsonObject) : BmnistScale =
    let s : BmnistScale = read path "bmnist" o
    let src = path + " (bmnist)"
    checkTrain (src + " train") s.Train
    checkSeeds src [ "train_seeds", s.TrainSeeds; "eval_seeds", s.EvalSeeds ]
    if [ s.TrainVideos; s.TrainTimesteps; s.TrainDigits; s.Table1.Videos; s.Table1.Timesteps; s.Table1.Digits; s.Table1.Particles; s.Table2.Videos
         s.Figure4.Timesteps; s.Figure4.Digits; s.Figure4.Sweeps; s.Figure4.Particles; s.Figure4.Shown ] |> List.exists (fun v -> v < 1)
       || s.Table2.Timesteps.IsEmpty || s.Table2.Digits.IsEmpty || s.Table2.Timesteps @ s.Table2.Digits |> List.exists (fun v -> v < 1)
       || not (s.StepScale > 0.0 && s.SimulationStep >= 0.0 && s.Table1.HmcStepSize > 0.0)
       || s.FrameSize <= 28 then
        fail src "sizes, steps and videos must be at least 1, rates and scales positive, frame_size above 28"
    // Table 2's budget K x L is split as K = 10 and K = 20 sweeps (APG) and HMC-RWS's K = 10.
    if s.Table2.Budget % 20 <> 0 then fail (src + " table2") "budget must be a multiple of 20 (APG K = 10 and K = 20 split it into particles)"
    s

let private checkIaiTrain (src: string) (t: IaiTrainScale) =
    if t.Steps < 1 || t.BatchSize < 1 || t.CheckpointEvery < 1 || t.LogEvery < 1 || not (t.LearningRate > 0.0) then
        fail src "steps, batch_size, checkpoint_every and log_every must be at least 1, learning_rate positive"

let private iai path (o: JsonObject) : IaiScale =
    let s : IaiScale = read path "iai" o
    let src = path + " (iai)"
    checkIaiTrain (src + " vae") s.Vae
    checkIaiTrain (src + " iterative") s.Iterative
    checkSeeds src [ "train_seeds", s.TrainSeeds; "eval_seeds", s.EvalSeeds ]
    if s.FigureLatent <> 2 then fail src "figure_latent must be 2 (the figure is the ELBO over a 2-D mean)"
    let b = s.ApgBlock
    if [ s.TableLatent; s.Iterations; s.Samples; s.TestDigits; s.ElboSamples; s.LogLikelihoodSamples; s.OptimizationSamples; s.FigureSamples ] |> List.exists (fun v -> v < 1)
       || [ b.Steps; b.Iterations; b.Samples; b.Hidden; b.CheckpointEvery; b.LogEvery ] |> List.exists (fun v -> v < 1)
       || not (b.LearningRate > 0.0)
       || s.FigureGrid < 3 || s.OptimizationIterations < 0 || not (s.OptimizationLearningRate > 0.0) || s.Hidden |> List.exists (fun h -> h < 1L) then
        fail src "sizes, samples and iterations must be positive (figure_grid at least 3)"
    s

let private mcmcVae path (o: JsonObject) : McmcVaeScale =
    let s : McmcVaeScale = read path "mcmc_vae" o
    let src = path + " (mcmc_vae)"
    checkIaiTrain (src + " pretrain") s.Pretrain
    let h = s.GmmHmc
    if h.LeapfrogSteps.IsEmpty || (h.LeapfrogSteps @ [ h.Steps; h.Moves; h.BatchSize; h.Particles ] |> List.exists (fun v -> v < 1)) || not (h.LearningRate > 0.0) then
        fail (src + " gmm_hmc") "leapfrog_steps needs at least one entry; every count must be at least 1, the learning rate positive"
    if h.Preconditioner <> "diagonal" && h.Preconditioner <> "full" then
        fail (src + " gmm_hmc") (sprintf "unknown preconditioner '%s' (diagonal, full)" h.Preconditioner)
    checkSeeds src [ "train_seeds", s.TrainSeeds; "eval_seeds", s.EvalSeeds ]
    if s.Datasets.IsEmpty then fail src "datasets needs at least one entry"
    for d in s.Datasets do
        if d <> "mnist" && d <> "fashion-mnist" then fail src (sprintf "unknown dataset '%s' (mnist, fashion-mnist)" d)
    let t = s.Train
    if [ s.Latent; s.TestImages; s.LogLikelihoodSamples; t.Steps; t.BatchSize; t.McmcSteps; t.LeapfrogSteps; t.CheckpointEvery; t.LogEvery ] |> List.exists (fun v -> v < 1)
       || not (t.InitialStepSize > 0.0 && t.VaeLearningRate > 0.0 && t.KernelLearningRate > 0.0) then
        fail src "sizes, steps and samples must be at least 1, step size and learning rates positive"
    s

let private scheduler path (o: JsonObject) : SchedulerScale =
    let s = read<SchedulerScale> path "scheduler" o
    for KeyValue(kind, r) in s.Resources do
        if r.Cpus < 1 || r.Gpus < 0 || r.SignalSeconds < 1 then
            fail (sprintf "%s (scheduler.resources.%s)" path kind) "cpus and signal_seconds must be at least 1, gpus at least 0"
    for KeyValue(kind, rate) in s.SecondsPerStep do
        if not (rate > 0.0) then fail (sprintf "%s (scheduler.seconds_per_step.%s)" path kind) "a rate must be positive"
    s

/// A task's section of the scale, or an error naming the file and the section when the scale has none.
let section (scale: Scale) (key: string) (value: 'T option) : 'T =
    match value with
    | Some v -> v
    | None -> raise (InvalidDataException(sprintf "%s: this scale has no '%s' section" scale.Source key))

let load (paperDir: string) (name: string) : Scale =
    let path = Path.Combine(paperDir, "scales", name + ".json")
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "%s: no scale named '%s' (known: %s)" path name (String.concat ", " names), path))
    let o = Json.parseFile path
    let section reader (key: string) = match o[key] with null -> None | _ -> Some (reader path o)
    { Name = Json.getString path o "name"
      Description = Json.getString path o "description"
      Gmm = gmm path o
      Dmm = section dmm "dmm"
      Bmnist = section bmnist "bmnist"
      Iai = section iai "iai"
      McmcVae = section mcmcVae "mcmc_vae"
      Scheduler = section scheduler "scheduler"
      Source = path }
