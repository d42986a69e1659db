/// `./apg reproduce`, `./apg bundle`, `./apg verify`: the reproduction harness on the command line.
module Apg.Scripts.ReproduceCli

open System
open System.IO
open Argu
open Apg.Scripts.Experiments

type ReproduceArgs =
    | Scale of name: string
    | Results of dir: string
    | Paper of dir: string
    | [<CustomCommandLine "--plan">] Plan_Only
    | [<CustomCommandLine "--json">] Json_Output
    | Status
    | Executor of local_or_slurm: string
    | Partition of name: string
    | Account of name: string
    | Sbatch_Arg of option: string
    | Wait
    | [<MainCommand; Last>] Targets of target: string list
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Scale _ -> "smoke (default; minutes on 2 cores), cpu (hours, the paper's sizes, fewer steps) or paper (the paper's settings)."
            | Results _ -> "results root (default: results); output goes to RESULTS/SCALE/."
            | Paper _ -> "folder of the paper's numbers, claims and scales (default: paper/ of this repository)."
            | Plan_Only -> "list every job the targets need (training runs, targets, the report) with dependencies and estimated cost; run nothing. Also written to RESULTS/SCALE/plan.json."
            | Json_Output -> "with --plan: print the plan as JSON."
            | Status -> "per job: done, running or queued (Slurm job id), failed (with its log), or to do."
            | Executor _ -> "local (default: here, trainings side by side) or slurm (each job one sbatch job, in dependency order)."
            | Partition _ -> "Slurm partition for every job."
            | Account _ -> "Slurm account for every job."
            | Sbatch_Arg _ -> "one more sbatch option for every job, e.g. --sbatch-arg=--qos=long (repeatable)."
            | Wait -> "with --executor slurm: wait for the report job, showing progress; exit non-zero unless it completed."
            | Targets _ -> sprintf "%s (default: all of the scale's)." (String.Join(", ", Tasks.targetNames))

type RunArgs =
    | Scale of name: string
    | Results of dir: string
    | Paper of dir: string
    | [<MainCommand; Mandatory; Last>] Job of id_and_targets: string list
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Scale _ -> "the scale of the plan the job belongs to (default smoke)."
            | Results _ -> "results root (default: results)."
            | Paper _ -> "folder of the paper's numbers, claims and scales (default: paper/ of this repository)."
            | Job _ -> "a job id of `apg reproduce --plan` (a training run's folder name, target-NAME, or report followed by the report's targets), or a run folder RESULTS/SCALE/runs/ID."

type BundleArgs =
    | Scale of name: string
    | Results of dir: string
    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Scale _ -> "which scale's results to bundle (default smoke)."
            | Results _ -> "results root (default: results)."

type VerifyArgs =
    | [<MainCommand; Mandatory>] Bundle of path: string
    interface IArgParserTemplate with
        member _.Usage = "the bundle (.tar.gz) to re-check."

/// The repository root: the nearest folder above the working directory that holds paper/scales.
let repoRoot () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then raise (DirectoryNotFoundException "no paper/scales folder here or above: run from the Apg repository or pass --paper")
        elif Directory.Exists(Path.Combine(dir.FullName, "paper", "scales")) then dir.FullName
        else up dir.Parent
    up (DirectoryInfo(Environment.CurrentDirectory))

let private localRun (paper: string) (results: string) (scale: string) (targets: string list) =
    let outcome = Reproduce.run paper results scale targets
    let failed = outcome.Verdicts |> List.filter (fun v -> v.Asserted && not v.Pass)
    for v in failed do eprintfn "FAIL %s / %s: %s (band %s)" v.Target v.Id v.Ours v.Band
    if failed.IsEmpty then 0 else 3

let private printStatus (plan: Plan.Plan) =
    printfn "status: scale %s, results in %s" plan.Context.Scale.Name plan.Folder
    for job, line in Slurm.status plan do printfn "  %-8s %-40s %s" (Plan.kindName job.Kind) job.Id line

let private slurmRun (args: ParseResults<ReproduceArgs>) (plan: Plan.Plan) (paper: string) (results: string) =
    let options : Slurm.Options =
        { Partition = args.TryGetResult Partition; Account = args.TryGetResult Account; Extra = args.GetResults Sbatch_Arg
          Apg = [ "dotnet"; Reflection.Assembly.GetEntryAssembly().Location ]; Repo = repoRoot (); Paper = paper; ResultsRoot = results }
    let jobs = Slurm.submit plan options
    for job, id, fresh in jobs do eprintfn "  %s %-40s job %s" (if fresh then "submitted" else "queued   ") job.Id id
    let reportId = jobs |> List.pick (fun (j, id, _) -> if j.Kind = Plan.Report then Some id else None)
    eprintfn "%d jobs submitted, %d already queued; the report job is %s (see `apg reproduce --scale %s --results %s --status`)"
        (jobs |> List.filter (fun (_, _, f) -> f) |> List.length) (jobs |> List.filter (fun (_, _, f) -> not f) |> List.length) reportId plan.Context.Scale.Name results
    if args.Contains Wait then
        if Slurm.wait plan reportId (TimeSpan.FromSeconds 5.0) then
            let path = Slurm.reportOutcomePath plan.Folder
            let o = Json.parseFile path
            let asserted, passed = Json.getInt path o "asserted", Json.getInt path o "passed"
            eprintfn "report job %s completed: %d of %d asserted claims pass; %s" reportId passed asserted (Path.Combine(plan.Folder, "REPORT.md"))
            if passed = asserted then 0 else 3
        else
            eprintfn "report job %s did not complete" reportId
            printStatus (Plan.make plan.Tasks plan.CodeOf paper results plan.Context.Scale.Name plan.Targets)
            5
    else 0

let reproduce (args: ParseResults<ReproduceArgs>) =
    Cancel.install ()
    let paper = args.TryGetResult ReproduceArgs.Paper |> Option.defaultWith (fun () -> Path.Combine(repoRoot (), "paper")) |> Path.GetFullPath
    let results = args.GetResult(ReproduceArgs.Results, defaultValue = "results") |> Path.GetFullPath
    let scale = args.GetResult(ReproduceArgs.Scale, defaultValue = "smoke")
    let targets = args.GetResult(Targets, defaultValue = [])
    let plan () = Plan.make Tasks.all CodeVersion.current paper results scale targets
    if args.Contains Plan_Only then
        let p = plan ()
        let json = Json.pretty (Plan.toJson p)
        Directory.CreateDirectory p.Folder |> ignore
        Apg.Core.Data.AtomicFile.WriteAllText(Path.Combine(p.Folder, "plan.json"), json + "\n")
        if args.Contains Json_Output then printfn "%s" json else printf "%s" (Plan.toText p)
        0
    elif args.Contains Status then
        printStatus (plan ())
        0
    else
        match args.GetResult(Executor, defaultValue = "local") with
        | "local" -> localRun paper results scale targets
        | "slurm" -> slurmRun args (plan ()) paper results
        | other -> raise (ArgumentException(sprintf "--executor: '%s' is not an executor (local or slurm)" other))

/// `apg run JOB`: one job of a plan, as a Slurm job runs it. A training job computes its run (resuming from its
/// checkpoint); a target job its evaluations and tables; the report job is `apg reproduce` itself.
let runJob (args: ParseResults<RunArgs>) =
    Cancel.install ()
    let paper = args.TryGetResult RunArgs.Paper |> Option.defaultWith (fun () -> Path.Combine(repoRoot (), "paper")) |> Path.GetFullPath
    let job, reportTargets = match args.GetResult RunArgs.Job with j :: rest -> j, rest | [] -> raise (ArgumentException "apg run: name a job")
    // A run folder names its scale and results root: RESULTS/SCALE/runs/ID.
    let results, scale, id =
        if Directory.Exists job && Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath job)) = "runs" then
            let folder = Path.GetFullPath job
            let scaleFolder = Path.GetDirectoryName(Path.GetDirectoryName folder)
            Path.GetDirectoryName scaleFolder, Path.GetFileName scaleFolder, Path.GetFileName folder
        else
            args.GetResult(RunArgs.Results, defaultValue = "results") |> Path.GetFullPath, args.GetResult(RunArgs.Scale, defaultValue = "smoke"), job
    let plan = Plan.make Tasks.all CodeVersion.current paper results scale []
    match plan.Jobs |> List.tryFind (fun j -> j.Id = id) with
    | None -> raise (ArgumentException(sprintf "no job '%s' in the plan of scale %s under %s: `apg reproduce --scale %s --results %s --plan` lists them" id scale results scale results))
    | Some j when j.Kind = Plan.Report ->
        // The report job has done its work once REPORT.md is written: the claims' verdict is in it and in
        // jobs/report.json, which `--wait` reads, so a failing claim is not a failed job.
        let outcome = Reproduce.run paper results scale reportTargets
        let asserted = outcome.Verdicts |> List.filter (fun v -> v.Asserted)
        let passed = asserted |> List.filter (fun v -> v.Pass) |> List.length
        let o = Json.object [ "asserted", Json.value asserted.Length; "passed", Json.value passed; "report", Json.value (Path.Combine(plan.Folder, "REPORT.md")) ]
        Apg.Core.Data.AtomicFile.WriteAllText(Slurm.reportOutcomePath plan.Folder, Json.pretty o + "\n")
        0
    | Some j when j.Done ->
        eprintfn "%s is done already" id
        0
    | Some j ->
        eprintfn "job %s (%s), scale %s" id (Plan.kindName j.Kind) scale
        j.Work ()
        if Cancel.token.IsCancellationRequested then 130 else 0

let bundle (args: ParseResults<BundleArgs>) =
    let root = repoRoot ()
    let scaleName = args.GetResult(BundleArgs.Scale, defaultValue = "smoke")
    let scale = Scale.load (Path.Combine(root, "paper")) scaleName
    let path = Bundle.create root (args.GetResult(BundleArgs.Results, defaultValue = "results")) scaleName (Reproduce.environment scale 0.0)
    printfn "%s" path
    0

let verify (args: ParseResults<VerifyArgs>) =
    let path = args.GetResult Bundle
    match Bundle.verify path with
    | [] ->
        printfn "%s: every file matches its SHA-256" path
        0
    | problems ->
        for p in problems do eprintfn "%s: %s" path p
        4
