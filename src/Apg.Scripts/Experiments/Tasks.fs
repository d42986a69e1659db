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
      Pretrain: Context -> string list -> unit }

let private any (names: string list) (chosen: string list) = chosen |> List.exists (fun t -> List.contains t names)

let all : Task list =
    [ { Name = "gmm"; InScale = (fun _ -> true); Targets = GmmTargets.all
        Pretrain = fun ctx chosen -> GmmExperiments.pretrainAll ctx (List.contains "figure3" chosen) }
      { Name = "dmm"; InScale = (fun s -> s.Dmm.IsSome); Targets = DmmTargets.all
        Pretrain = fun ctx _ -> DmmExperiments.pretrainAll ctx }
      { Name = "bmnist"; InScale = (fun s -> s.Bmnist.IsSome); Targets = BmnistTargets.all
        Pretrain = fun ctx _ -> BmnistExperiments.pretrainAll ctx }
      { Name = "iai"; InScale = (fun s -> s.Iai.IsSome); Targets = IaiTargets.all
        Pretrain =
          fun ctx chosen ->
              if any [ "iai-table"; "iai-figure" ] chosen then IaiExperiments.pretrainAll ctx
              if List.contains "iai-apg" chosen then IaiTargets.pretrainApgBlock ctx }
      { Name = "mcmc-vae"; InScale = (fun s -> s.McmcVae.IsSome); Targets = McmcVaeTargets.all
        Pretrain =
          fun ctx chosen ->
              if any [ "mcmc-vae-table"; "mcmc-vae-figure" ] chosen then McmcVaeExperiments.pretrainAll ctx
              if List.contains "gmm-adapted-hmc" chosen then GmmAdaptedHmc.pretrainAll ctx } ]

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
