/// A scale is a named config in paper/scales/NAME.json, not code.
module Apg.Scripts.Experiments.Scale

open System.IO
open System.Text.Json.Nodes
open Apg.Core.Models.Gmm

/// How a target's samplers are run: L particles per method, BPG with bpg_factor times as many, the HMC step size,
/// and (Figure 2) the number of sweeps.
type GmmEvalScale = { Particles: int; BpgFactor: int; HmcStepSize: float; Sweeps: int; Note: string }

type GmmScale =
    { TrainInstances: int
      TrainPoints: int
      TestInstances: int
      TestPoints: int
      Train: GmmTrainingConfig
      TrainSeeds: uint64 list
      Figure3JointSeeds: uint64 list
      EvalSeeds: uint64 list
      Particles: int
      Table1: GmmEvalScale
      Figure2: GmmEvalScale
      GibbsStationarySweeps: int
      Figure3Budget: int
      Figure3Sweeps: int list }

type DmmTrainScale = { Steps: int; Sweeps: int; Particles: int; BatchSize: int; LearningRate: float; CheckpointEvery: int; LogEvery: int }

type DmmScale =
    { TrainInstances: int
      TrainPoints: int
      TestInstances: int
      TestPoints: int
      /// The model's sigma_eps for every DMM number of the scale (the paper states 0.1, the authors trained with 0.5).
      NoiseScale: float
      Train: DmmTrainScale
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Table1: GmmEvalScale
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
      LogLikelihoodSamples: int
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
      LogLikelihoodSamples: int
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
      Train: DmmTrainScale
      TrainSeeds: uint64 list
      EvalSeeds: uint64 list
      Table1: BmnistTable1Scale
      Table2: BmnistTable2Scale
      Figure4: BmnistFigure4Scale
      Note: string }

type Scale = { Name: string; Description: string; Gmm: GmmScale; Dmm: DmmScale option; Bmnist: BmnistScale option; Iai: IaiScale option; McmcVae: McmcVaeScale option; Source: string }

let names = [ "smoke"; "cpu"; "paper" ]

let private seeds source (o: JsonObject) name = Json.getArray source o name |> Seq.map (fun n -> n.GetValue<uint64>()) |> List.ofSeq

let private evalScale (source: string) (o: JsonObject) (name: string) withSweeps : GmmEvalScale =
    let e = Json.getObject source o name
    let src = sprintf "%s (gmm.%s)" source name
    let scale : GmmEvalScale =
        { Particles = Json.getInt src e "particles"
          BpgFactor = Json.getInt src e "bpg_factor"
          HmcStepSize = Json.getFloat src e "hmc_step_size"
          Sweeps = if withSweeps then Json.getInt src e "sweeps" else 0
          Note = Json.getString src e "note" }
    if scale.Particles < 1 || scale.BpgFactor < 1 || (withSweeps && scale.Sweeps < 1) || not (scale.HmcStepSize > 0.0) then
        raise (InvalidDataException(sprintf "%s: particles, bpg_factor and sweeps must be at least 1 and hmc_step_size positive" src))
    scale

let private gmm source (o: JsonObject) =
    let t = Json.getObject source o "train"
    let src = source + " (gmm.train)"
    let train =
        GmmTrainingConfig(
            Steps = Json.getInt src t "steps",
            Sweeps = Json.getInt src t "sweeps",
            Particles = Json.getInt src t "particles",
            BatchSize = Json.getInt src t "batch_size",
            LearningRate = Json.getFloat src t "learning_rate",
            CheckpointEvery = Json.getInt src t "checkpoint_every",
            LogEvery = Json.getInt src t "log_every")
    train.Validate()
    let scale : GmmScale =
        { TrainInstances = Json.getInt source o "train_instances"
          TrainPoints = Json.getInt source o "train_points"
          TestInstances = Json.getInt source o "test_instances"
          TestPoints = Json.getInt source o "test_points"
          Train = train
          TrainSeeds = seeds source o "train_seeds"
          Figure3JointSeeds = seeds source o "figure3_joint_train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Particles = Json.getInt source o "particles"
          Table1 = evalScale source o "table1" false
          Figure2 = evalScale source o "figure2" true
          GibbsStationarySweeps = Json.getInt source o "gibbs_stationary_sweeps"
          Figure3Budget = Json.getInt source o "figure3_budget"
          Figure3Sweeps = Json.getArray source o "figure3_sweeps" |> Seq.map (fun n -> n.GetValue<int>()) |> List.ofSeq }
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty || scale.Figure3JointSeeds.IsEmpty then
        raise (InvalidDataException(sprintf "%s: train_seeds, figure3_joint_train_seeds and eval_seeds need at least one seed each" source))
    if scale.Figure3Sweeps |> List.exists (fun k -> k < 1 || scale.Figure3Budget % k <> 0) then
        raise (InvalidDataException(sprintf "%s: every figure3_sweeps entry must divide figure3_budget (%d)" source scale.Figure3Budget))
    scale

let private dmm source (o: JsonObject) =
    let t = Json.getObject source o "train"
    let src = source + " (dmm.train)"
    let train : DmmTrainScale =
        { Steps = Json.getInt src t "steps"; Sweeps = Json.getInt src t "sweeps"; Particles = Json.getInt src t "particles"
          BatchSize = Json.getInt src t "batch_size"; LearningRate = Json.getFloat src t "learning_rate"
          CheckpointEvery = Json.getInt src t "checkpoint_every"; LogEvery = Json.getInt src t "log_every" }
    if train.Steps < 1 || train.Sweeps < 1 || train.Particles < 1 || train.BatchSize < 1 || not (train.LearningRate > 0.0) then
        raise (InvalidDataException(sprintf "%s: steps, sweeps, particles and batch_size must be at least 1, learning_rate positive" src))
    let scale : DmmScale =
        { TrainInstances = Json.getInt source o "train_instances"
          TrainPoints = Json.getInt source o "train_points"
          TestInstances = Json.getInt source o "test_instances"
          TestPoints = Json.getInt source o "test_points"
          NoiseScale = Json.getFloat source o "noise_scale"
          Train = train
          TrainSeeds = seeds source o "train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Table1 = evalScale source o "table1" false
          Figure1bSweeps = Json.getInt source o "figure1b_sweeps" }
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty then
        raise (InvalidDataException(sprintf "%s: train_seeds and eval_seeds need at least one seed each" source))
    if not (scale.NoiseScale > 0.0) then raise (InvalidDataException(sprintf "%s: noise_scale must be positive" source))
    scale

let private bmnist source (o: JsonObject) : BmnistScale =
    let t = Json.getObject source o "train"
    let src = source + " (bmnist.train)"
    let train : DmmTrainScale =
        { Steps = Json.getInt src t "steps"; Sweeps = Json.getInt src t "sweeps"; Particles = Json.getInt src t "particles"
          BatchSize = Json.getInt src t "batch_size"; LearningRate = Json.getFloat src t "learning_rate"
          CheckpointEvery = Json.getInt src t "checkpoint_every"; LogEvery = Json.getInt src t "log_every" }
    let ints (o: JsonObject) src name = Json.getArray src o name |> Seq.map (fun n -> n.GetValue<int>()) |> List.ofSeq
    let t1 = Json.getObject source o "table1"
    let t2 = Json.getObject source o "table2"
    let f4 = Json.getObject source o "figure4"
    let (s1, s2, s4) = (source + " (bmnist.table1)", source + " (bmnist.table2)", source + " (bmnist.figure4)")
    let scale =
        { FrameSize = Json.getInt source o "frame_size"
          SimulationStep = Json.getFloat source o "simulation_step"
          StepScale = Json.getFloat source o "step_scale"
          TrainVideos = Json.getInt source o "train_videos"
          TrainTimesteps = Json.getInt source o "train_timesteps"
          TrainDigits = Json.getInt source o "train_digits"
          Train = train
          TrainSeeds = seeds source o "train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Table1 =
            { Videos = Json.getInt s1 t1 "videos"; Timesteps = Json.getInt s1 t1 "timesteps"; Digits = Json.getInt s1 t1 "digits"
              Particles = Json.getInt s1 t1 "particles"; HmcStepSize = Json.getFloat s1 t1 "hmc_step_size"; Note = Json.getString s1 t1 "note" }
          Table2 =
            { Videos = Json.getInt s2 t2 "videos"; Budget = Json.getInt s2 t2 "budget"; Timesteps = ints t2 s2 "timesteps"
              Digits = ints t2 s2 "digits"; Note = Json.getString s2 t2 "note" }
          Figure4 =
            { Timesteps = Json.getInt s4 f4 "timesteps"; Digits = Json.getInt s4 f4 "digits"; Sweeps = Json.getInt s4 f4 "sweeps"
              Particles = Json.getInt s4 f4 "particles"; Shown = Json.getInt s4 f4 "shown" }
          Note = Json.getString source o "note" }
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty then
        raise (InvalidDataException(sprintf "%s: train_seeds and eval_seeds need at least one seed each" source))
    if [ train.Steps; train.Sweeps; train.Particles; train.BatchSize; train.CheckpointEvery; train.LogEvery; scale.TrainVideos; scale.TrainTimesteps
         scale.TrainDigits; scale.Table1.Videos; scale.Table1.Timesteps; scale.Table1.Digits; scale.Table1.Particles; scale.Table2.Videos
         scale.Figure4.Timesteps; scale.Figure4.Digits; scale.Figure4.Sweeps; scale.Figure4.Particles; scale.Figure4.Shown ] |> List.exists (fun v -> v < 1)
       || scale.Table2.Timesteps.IsEmpty || scale.Table2.Digits.IsEmpty || scale.Table2.Timesteps @ scale.Table2.Digits |> List.exists (fun v -> v < 1)
       || not (train.LearningRate > 0.0 && scale.StepScale > 0.0 && scale.SimulationStep >= 0.0 && scale.Table1.HmcStepSize > 0.0)
       || scale.FrameSize <= 28 then
        raise (InvalidDataException(sprintf "%s: sizes, steps, videos and seeds must be at least 1, rates and scales positive, frame_size above 28" source))
    // Table 2's budget K x L is split as K = 10 and K = 20 sweeps (APG) and HMC-RWS's K = 10.
    if scale.Table2.Budget % 20 <> 0 then
        raise (InvalidDataException(sprintf "%s: budget must be a multiple of 20 (APG K = 10 and K = 20 split it into particles)" s2))
    scale

let private iaiTrain source (o: JsonObject) name : IaiTrainScale =
    let t = Json.getObject source o name
    let src = sprintf "%s (iai.%s)" source name
    let train : IaiTrainScale =
        { Steps = Json.getInt src t "steps"; BatchSize = Json.getInt src t "batch_size"; LearningRate = Json.getFloat src t "learning_rate"
          CheckpointEvery = Json.getInt src t "checkpoint_every"; LogEvery = Json.getInt src t "log_every" }
    if train.Steps < 1 || train.BatchSize < 1 || train.CheckpointEvery < 1 || train.LogEvery < 1 || not (train.LearningRate > 0.0) then
        raise (InvalidDataException(sprintf "%s: steps, batch_size, checkpoint_every and log_every must be at least 1, learning_rate positive" src))
    train

let private iai source (o: JsonObject) : IaiScale =
    let scale =
        { TrainSeeds = seeds source o "train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Hidden = Json.getArray source o "hidden" |> Seq.map (fun n -> n.GetValue<int64>()) |> List.ofSeq
          TableLatent = Json.getInt source o "table_latent"
          FigureLatent = Json.getInt source o "figure_latent"
          Vae = iaiTrain source o "vae"
          Iterative = iaiTrain source o "iterative"
          Iterations = Json.getInt source o "iterations"
          Samples = Json.getInt source o "samples"
          TestDigits = Json.getInt source o "test_digits"
          ElboSamples = Json.getInt source o "elbo_samples"
          LogLikelihoodSamples = Json.getInt source o "loglik_samples"
          OptimizationIterations = Json.getInt source o "optimization_iterations"
          OptimizationSamples = Json.getInt source o "optimization_samples"
          OptimizationLearningRate = Json.getFloat source o "optimization_learning_rate"
          FigureGrid = Json.getInt source o "figure_grid"
          FigureSamples = Json.getInt source o "figure_samples"
          ApgBlock =
            let b = Json.getObject source o "apg_block"
            let src = source + " (iai.apg_block)"
            { Steps = Json.getInt src b "steps"; LearningRate = Json.getFloat src b "learning_rate"; Iterations = Json.getInt src b "iterations"
              Samples = Json.getInt src b "samples"; Hidden = Json.getInt src b "hidden"; CheckpointEvery = Json.getInt src b "checkpoint_every"
              LogEvery = Json.getInt src b "log_every" }
          Note = Json.getString source o "note" }
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty then
        raise (InvalidDataException(sprintf "%s: train_seeds and eval_seeds need at least one seed each" source))
    if scale.FigureLatent <> 2 then raise (InvalidDataException(sprintf "%s: figure_latent must be 2 (the figure is the ELBO over a 2-D mean)" source))
    if [ scale.TableLatent; scale.Iterations; scale.Samples; scale.TestDigits; scale.ElboSamples; scale.LogLikelihoodSamples; scale.OptimizationSamples; scale.FigureSamples ] |> List.exists (fun v -> v < 1)
       || [ scale.ApgBlock.Steps; scale.ApgBlock.Iterations; scale.ApgBlock.Samples; scale.ApgBlock.Hidden; scale.ApgBlock.CheckpointEvery; scale.ApgBlock.LogEvery ] |> List.exists (fun v -> v < 1)
       || not (scale.ApgBlock.LearningRate > 0.0)
       || scale.FigureGrid < 3 || scale.OptimizationIterations < 0 || not (scale.OptimizationLearningRate > 0.0) || scale.Hidden |> List.exists (fun h -> h < 1L) then
        raise (InvalidDataException(sprintf "%s: sizes, samples and iterations must be positive (figure_grid at least 3)" source))
    scale

let private mcmcVae source (o: JsonObject) : McmcVaeScale =
    let t = Json.getObject source o "train"
    let src = source + " (mcmc_vae.train)"
    let train =
        { Steps = Json.getInt src t "steps"; BatchSize = Json.getInt src t "batch_size"; McmcSteps = Json.getInt src t "mcmc_steps"
          LeapfrogSteps = Json.getInt src t "leapfrog_steps"; InitialStepSize = Json.getFloat src t "initial_step_size"
          VaeLearningRate = Json.getFloat src t "vae_learning_rate"; KernelLearningRate = Json.getFloat src t "kernel_learning_rate"
          CheckpointEvery = Json.getInt src t "checkpoint_every"; LogEvery = Json.getInt src t "log_every" }
    let scale =
        { Datasets = Json.getArray source o "datasets" |> Seq.map (fun n -> n.GetValue<string>()) |> List.ofSeq
          TrainSeeds = seeds source o "train_seeds"
          EvalSeeds = seeds source o "eval_seeds"
          Latent = Json.getInt source o "latent"
          Hidden = Json.getArray source o "hidden" |> Seq.map (fun n -> n.GetValue<int64>()) |> List.ofSeq
          Pretrain = iaiTrain source o "pretrain"
          Train = train
          TestImages = Json.getInt source o "test_images"
          LogLikelihoodSamples = Json.getInt source o "loglik_samples"
          GmmHmc =
            let h = Json.getObject source o "gmm_hmc"
            let src = source + " (mcmc_vae.gmm_hmc)"
            { LeapfrogSteps = Json.getArray src h "leapfrog_steps" |> Seq.map (fun n -> n.GetValue<int>()) |> List.ofSeq
              Steps = Json.getInt src h "steps"; Moves = Json.getInt src h "moves"; BatchSize = Json.getInt src h "batch_size"
              Particles = Json.getInt src h "particles"; LearningRate = Json.getFloat src h "learning_rate"
              Preconditioner = Json.getString src h "preconditioner"; Note = Json.getString src h "note" }
          Note = Json.getString source o "note" }
    let h = scale.GmmHmc
    if h.LeapfrogSteps.IsEmpty || (h.LeapfrogSteps @ [ h.Steps; h.Moves; h.BatchSize; h.Particles ] |> List.exists (fun v -> v < 1)) || not (h.LearningRate > 0.0) then
        raise (InvalidDataException(sprintf "%s (mcmc_vae.gmm_hmc): leapfrog_steps needs at least one entry; every count must be at least 1, the learning rate positive" source))
    if h.Preconditioner <> "diagonal" && h.Preconditioner <> "full" then
        raise (InvalidDataException(sprintf "%s (mcmc_vae.gmm_hmc): unknown preconditioner '%s' (diagonal, full)" source h.Preconditioner))
    if scale.TrainSeeds.IsEmpty || scale.EvalSeeds.IsEmpty || scale.Datasets.IsEmpty then
        raise (InvalidDataException(sprintf "%s: datasets, train_seeds and eval_seeds need at least one entry each" source))
    for d in scale.Datasets do
        if d <> "mnist" && d <> "fashion-mnist" then raise (InvalidDataException(sprintf "%s: unknown dataset '%s' (mnist, fashion-mnist)" source d))
    if [ scale.Latent; scale.TestImages; scale.LogLikelihoodSamples; train.Steps; train.BatchSize; train.McmcSteps; train.LeapfrogSteps; train.CheckpointEvery; train.LogEvery ] |> List.exists (fun v -> v < 1)
       || not (train.InitialStepSize > 0.0 && train.VaeLearningRate > 0.0 && train.KernelLearningRate > 0.0) then
        raise (InvalidDataException(sprintf "%s: sizes, steps and samples must be at least 1, step size and learning rates positive" source))
    scale

let load (paperDir: string) (name: string) : Scale =
    let path = Path.Combine(paperDir, "scales", name + ".json")
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "%s: no scale named '%s' (known: %s)" path name (String.concat ", " names), path))
    let o = Json.parseFile path
    { Name = Json.getString path o "name"
      Description = Json.getString path o "description"
      Gmm = gmm (path + " (gmm)") (Json.getObject path o "gmm")
      Dmm = (match o["dmm"] with null -> None | _ -> Some (dmm (path + " (dmm)") (Json.getObject path o "dmm")))
      Bmnist = (match o["bmnist"] with null -> None | _ -> Some (bmnist (path + " (bmnist)") (Json.getObject path o "bmnist")))
      Iai = (match o["iai"] with null -> None | _ -> Some (iai (path + " (iai)") (Json.getObject path o "iai")))
      McmcVae = (match o["mcmc_vae"] with null -> None | _ -> Some (mcmcVae (path + " (mcmc_vae)") (Json.getObject path o "mcmc_vae")))
      Source = path }
