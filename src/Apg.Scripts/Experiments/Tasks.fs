/// The tasks the harness reproduces, each with its targets and the training runs they need: `Reproduce` is driven
/// by this list alone, so a new task is one entry here.
module Apg.Scripts.Experiments.Tasks

open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.Scale

type Task =
    { Name: string
      /// Whether a scale defines this task's section (every scale has the GMM's).
      InScale: Scale -> bool
      Targets: (string * (Context -> string -> TargetResult)) list
      /// Trains, side by side, the runs the chosen targets (of this task) need.
      Pretrain: Context -> string list -> unit
      /// What a scale trains and evaluates for this task, for the header of a report that holds its targets.
      Settings: Scale -> string }

let private any (names: string list) (chosen: string list) = chosen |> List.exists (fun t -> List.contains t names)

/// 20,000: counts as the paper writes them.
let private n (count: int) = count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
/// A scale's own note, as a sentence.
let private sentence (note: string) = if note = "" then "" else string (System.Char.ToUpperInvariant note[0]) + note.Substring 1 + (if note.EndsWith "." then "" else ".")
let private training (t: TrainScale) =
    sprintf "trained with K = %d sweeps of L = %d particles, %s steps of batch %d at a learning rate of %g" t.Sweeps t.Particles (n t.Steps) t.BatchSize t.LearningRate
let private seeds (trainSeeds: uint64 list) (evalSeeds: uint64 list) =
    sprintf "%d training seed(s) x %d evaluation seed(s)" trainSeeds.Length evalSeeds.Length

let private gmmSettings (s: Scale) =
    let g = s.Gmm
    sprintf "%s training instances of N = %d, %s; %s; %s test instances of N = %d. %s" (n g.TrainInstances) g.TrainPoints (training g.Train)
        (seeds g.TrainSeeds g.EvalSeeds) (n g.TestInstances) g.TestPoints (sentence g.Note)
let private dmmSettings (s: Scale) =
    let d = s.Dmm.Value
    sprintf "%s training instances of N = %d, %s; %s; %s test instances of N = %d; noise scale %g." (n d.TrainInstances) d.TrainPoints (training d.Train)
        (seeds d.TrainSeeds d.EvalSeeds) (n d.TestInstances) d.TestPoints d.NoiseScale
let private bmnistSettings (s: Scale) =
    let b = s.Bmnist.Value
    sprintf "%s training videos (T = %d, D = %d, %d x %d pixels), %s; %s. %s" (n b.TrainVideos) b.TrainTimesteps b.TrainDigits b.FrameSize b.FrameSize
        (training b.Train) (seeds b.TrainSeeds b.EvalSeeds) (sentence b.Note)
let private iaiSettings (s: Scale) = let i = s.Iai.Value in sprintf "%s. %s" (seeds i.TrainSeeds i.EvalSeeds) (sentence i.Note)
let private mcmcVaeSettings (s: Scale) =
    let m = s.McmcVae.Value
    sprintf "%s on %s. %s" (seeds m.TrainSeeds m.EvalSeeds) (System.String.Join(", ", m.Datasets)) (sentence m.Note)

let all : Task list =
    [ { Name = "gmm"; Settings = gmmSettings; InScale = (fun _ -> true); Targets = GmmTargets.all
        Pretrain = fun ctx chosen -> GmmExperiments.pretrainAll ctx (List.contains "figure3" chosen) }
      { Name = "dmm"; Settings = dmmSettings; InScale = (fun s -> s.Dmm.IsSome); Targets = DmmTargets.all
        Pretrain = fun ctx _ -> DmmExperiments.pretrainAll ctx }
      { Name = "bmnist"; Settings = bmnistSettings; InScale = (fun s -> s.Bmnist.IsSome); Targets = BmnistTargets.all
        Pretrain = fun ctx _ -> BmnistExperiments.pretrainAll ctx }
      { Name = "iai"; InScale = (fun s -> s.Iai.IsSome); Targets = IaiTargets.all
        Pretrain =
          fun ctx chosen ->
              if any [ "iai-table"; "iai-figure" ] chosen then IaiExperiments.pretrainAll ctx
              if List.contains "iai-apg" chosen then IaiTargets.pretrainApgBlock ctx
        Settings = iaiSettings }
      { Name = "mcmc-vae"; InScale = (fun s -> s.McmcVae.IsSome); Targets = McmcVaeTargets.all
        Pretrain =
          fun ctx chosen ->
              if any [ "mcmc-vae-table"; "mcmc-vae-figure" ] chosen then McmcVaeExperiments.pretrainAll ctx
              if List.contains "gmm-adapted-hmc" chosen then GmmAdaptedHmc.pretrainAll ctx
        Settings = mcmcVaeSettings } ]

/// Every target's name, in the order `reproduce` runs them by default.
let targetNames = all |> List.collect (fun t -> t.Targets |> List.map fst)

/// The tasks a scale defines and the chosen targets among theirs (all when none are named); an unknown target is an
/// error naming the known ones.
let select (tasks: Task list) (scale: Scale) (targets: string list) : Task list * string list =
    let tasks = tasks |> List.filter (fun t -> t.InScale scale)
    let known = tasks |> List.collect (fun t -> t.Targets |> List.map fst)
    let chosen = if targets.IsEmpty then known else targets
    for t in chosen do
        if not (List.contains t known) then
            let why = if List.contains t targetNames then sprintf " at scale %s (its task has no section in paper/scales/%s.json)" scale.Name scale.Name else ""
            raise (System.ArgumentException(sprintf "unknown target '%s'%s: choose from %s" t why (System.String.Join(", ", known))))
    tasks, chosen

/// The task that holds a target.
let owner (tasks: Task list) (target: string) = tasks |> List.find (fun t -> t.Targets |> List.exists (fun (n, _) -> n = target))
