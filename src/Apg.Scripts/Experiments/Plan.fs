/// The plan of a reproduction: every job its targets need, found without computing anything. A training job is one
/// keyed training run (with the corpus or pre-trained runs it reads, computed by the first job that needs them); a
/// target job evaluates one target on the trained runs and writes its tables; the report job checks the claims and
/// writes REPORT.md. Each job runs from its id alone (`apg run`), so an executor only orders and places them.
module Apg.Scripts.Experiments.Plan

open System
open System.IO
open System.Text.Json.Nodes
open Apg.Core.Data
open Apg.Scripts.Experiments.RunStore
open Apg.Scripts.Experiments.Harness

type JobKind =
    | Train
    | Target
    | Report

type Job =
    { /// The run folder's name for a training job, target-NAME for a target, "report".
      Id: string
      Kind: JobKind
      /// The runs a training job asks for, its own last; empty for the others.
      Runs: Touch list
      /// The jobs it needs finished first (done ones included).
      DependsOn: string list
      Steps: int option
      /// Estimated from the scale's measured seconds per step (scheduler.seconds_per_step) where it has one.
      Seconds: float option
      Done: bool
      Work: unit -> unit }

type Plan =
    { Context: Context
      /// What made it, so that it can be made again (a fresh look at the run store).
      Tasks: Tasks.Task list
      CodeOf: string -> string
      ResultsRoot: string
      Folder: string
      Targets: string list
      Jobs: Job list }

let kindName = function Train -> "train" | Target -> "target" | Report -> "report"

let private steps (key: JsonObject) =
    let find (o: JsonObject) = match o["steps"] with :? JsonValue as v -> Some (v.GetValue<int>()) | _ -> None
    match key["config"] with
    | :? JsonObject as c -> find c |> Option.orElse (find key)
    | _ -> find key

/// Seconds per training step, per run kind, measured for this scale (the scale file's scheduler.seconds_per_step).
let secondsPerStep (scale: Scale.Scale) : Map<string, float> =
    scale.Scheduler |> Option.map (fun s -> s.SecondsPerStep) |> Option.defaultValue Map.empty

/// The plan of the named targets (all when empty) of the given tasks at a scale; its jobs' work runs in the plan's
/// context, which executes again once planning is done.
let make (tasks: Tasks.Task list) (codeOf: string -> string) (paperDir: string) (resultsRoot: string) (scaleName: string) (targets: string list) : Plan =
    let scale = Scale.load paperDir scaleName
    let tasks, chosen = Tasks.select tasks scale targets
    let folder = Path.Combine(resultsRoot, scale.Name)
    let store = Store(folder, codeOf)
    let ctx = { Store = store; Scale = scale; Paper = paperDir }
    let rates = secondsPerStep scale
    store.Planning <- true
    let trainJobs = Collections.Generic.Dictionary<string, Job>()
    let order = Collections.Generic.List<string>()
    let perTarget =
        [ for target in chosen do
            let task = Tasks.owner tasks target
            let before = store.PlannedJobs.Length
            task.Pretrain ctx [ target ]
            let found = store.PlannedJobs |> List.skip before
            let ids =
                [ for job in found do
                    match List.tryLast job.Runs with
                    | None -> ()
                    | Some main ->
                        let id = Path.GetFileName main.Folder
                        if not (trainJobs.ContainsKey id) then
                            let s = steps main.Key
                            trainJobs[id] <-
                                { Id = id; Kind = Train; Runs = job.Runs; DependsOn = []; Steps = s
                                  Seconds = (match s, rates.TryFind main.Kind with Some n, Some r -> Some (float n * r) | _ -> None)
                                  Done = main.Finished; Work = job.Work }
                            order.Add id
                        yield id ]
            yield target, task, List.distinct ids ]
    store.Planning <- false
    // A training job needs the jobs whose own run it reads (a pre-trained VAE, a trained DMM); corpora have no job.
    let owners = trainJobs.Values |> Seq.map (fun j -> (List.last j.Runs).Folder, j.Id) |> dict
    let train =
        [ for id in order do
            let j = trainJobs[id]
            let deps = j.Runs |> List.take (j.Runs.Length - 1) |> List.choose (fun r -> match owners.TryGetValue r.Folder with | true, o when o <> id -> Some o | _ -> None)
            yield { j with DependsOn = List.distinct deps } ]
    let targetJobs =
        [ for target, task, deps in perTarget do
            let run = task.Targets |> List.find (fun (n, _) -> n = target) |> snd
            yield { Id = "target-" + target; Kind = Target; Runs = []; DependsOn = deps; Steps = None; Seconds = None
                    Done = targetDone ctx folder target
                    Work = fun () ->
                        task.Pretrain ctx [ target ]
                        run ctx folder |> ignore
                        markTargetDone ctx folder target } ]
    let report =
        { Id = "report"; Kind = Report; Runs = []; DependsOn = targetJobs |> List.map (fun j -> j.Id); Steps = None; Seconds = None; Done = false
          Work = fun () -> invalidOp "the report job is `apg reproduce` itself" }
    { Context = ctx; Tasks = tasks; CodeOf = codeOf; ResultsRoot = resultsRoot; Folder = folder; Targets = chosen; Jobs = train @ targetJobs @ [ report ] }

let private hours (s: float option) = match s with Some s -> sprintf "%.2f" (s / 3600.0) | None -> "?"

/// The plan as JSON: per job its id, kind, folder (training jobs), dependencies, steps, estimated seconds and state.
let toJson (plan: Plan) =
    let strings (xs: string seq) = JsonArray(xs |> Seq.map (fun x -> JsonValue.Create x :> JsonNode) |> Array.ofSeq)
    Json.object
        [ "scale", Json.value plan.Context.Scale.Name
          "results", Json.value plan.Folder
          "targets", strings plan.Targets
          "jobs",
          JsonArray(
              plan.Jobs
              |> List.map (fun j ->
                  Json.object
                      [ "id", Json.value j.Id
                        "kind", Json.value (kindName j.Kind)
                        "run_kind", (match List.tryLast j.Runs with Some r -> Json.value r.Kind | None -> null)
                        "folder", (match List.tryLast j.Runs with Some r -> Json.value r.Folder | None -> null)
                        "reads", strings (j.Runs |> List.map (fun r -> Path.GetFileName r.Folder) |> List.truncate (max 0 (j.Runs.Length - 1)))
                        "depends_on", strings j.DependsOn
                        "steps", (match j.Steps with Some s -> Json.value s | None -> null)
                        "estimated_seconds", (match j.Seconds with Some s -> Json.value (Math.Round(s, 1)) | None -> null)
                        "done", Json.value j.Done ]
                  :> JsonNode)
              |> Array.ofList) ]

/// The plan as a table, then per run kind the jobs to do and their estimated hours.
let toText (plan: Plan) =
    let lines = Collections.Generic.List<string>()
    let add (s: string) = lines.Add s
    add (sprintf "plan: scale %s, %d jobs (%d done), results in %s" plan.Context.Scale.Name plan.Jobs.Length (plan.Jobs |> List.filter (fun j -> j.Done) |> List.length) plan.Folder)
    add (sprintf "%-6s %-8s %-40s %8s %8s  %s" "state" "kind" "job" "steps" "hours" "depends on")
    for j in plan.Jobs do
        let deps = if j.DependsOn.Length > 3 then sprintf "%d jobs" j.DependsOn.Length else String.Join(", ", j.DependsOn)
        add (sprintf "%-6s %-8s %-40s %8s %8s  %s" (if j.Done then "done" else "to do") (kindName j.Kind) j.Id
                 (match j.Steps with Some s -> string s | None -> "") (hours j.Seconds) deps)
    add ""
    add "to do, per run kind: jobs, training steps, estimated core-hours (one core per training run; ? where this scale has no measured rate)"
    let todo = plan.Jobs |> List.filter (fun j -> not j.Done && j.Kind = Train)
    for kind, jobs in todo |> List.groupBy (fun j -> (List.last j.Runs).Kind) do
        let known = jobs |> List.choose (fun j -> j.Seconds)
        let total = if known.Length = jobs.Length then hours (Some (List.sum known)) else "?"
        add (sprintf "  %-24s %4d jobs %12d steps %10s h" kind jobs.Length (jobs |> List.sumBy (fun j -> defaultArg j.Steps 0)) total)
    let targets = plan.Jobs |> List.filter (fun j -> not j.Done && j.Kind = Target) |> List.length
    add (sprintf "  %-24s %4d jobs (evaluations; their cost is not estimated)" "targets" targets)
    String.Join("\n", lines) + "\n"
