/// Runs keyed by a hash of their config, seed and the code that computes them (CodeVersion, per run kind): a finished
/// run is read back, not redone; an interrupted one is handed its folder again, where its own checkpoints let it
/// resume. One lock per run folder (RunLock): a second process asking for a run another is computing waits for it
/// and reads its result.
module Apg.Scripts.Experiments.RunStore

open System.IO
open System.Text.Json.Nodes
open Apg.Core.Data

type Run = { Kind: string; Folder: string; Result: JsonObject }

/// A run asked for while planning: its kind, full key and folder, and whether it was finished then.
type Touch = { Kind: string; Key: JsonObject; Folder: string; Finished: bool }

let keyFile = "key.json"
let resultFile = "result.json"

/// A job found while planning: the runs it asked for (the last one its own, the earlier ones its inputs) and the
/// work that computes them once the store executes again.
type PlannedJob = { Runs: Touch list; Work: unit -> unit }

/// Runs under root/runs; codeOf gives the code version of a run kind (by default, this build's per CodeVersion).
/// Once stop is cancelled (by default by the first Ctrl-C or SIGTERM, Cancel), no run that is not finished starts:
/// asking for one raises OperationCanceledException, so a target stops between its evaluations, not only inside a
/// training, and rerunning the same command resumes.
type Store(root: string, codeOf: string -> string, stop: System.Threading.CancellationToken) =
    let used = System.Collections.Generic.List<Run>()
    let touched = System.Collections.Generic.List<Touch>()
    let mutable planning = false
    let jobs = System.Collections.Generic.List<PlannedJob>()
    let remember run =
        lock used (fun () -> used.Add run)
        run
    new(root: string, codeOf: string -> string) = Store(root, codeOf, Cancel.token)
    new(root: string, code: string) = Store(root, fun (_: string) -> code)
    new(root: string) = Store(root, CodeVersion.current)
    member _.Root = root
    /// The code version of runs of this kind.
    member _.CodeOf(kind: string) = codeOf kind
    /// The runs this store handed out, finished before or now.
    member _.Used = lock used (fun () -> List.ofSeq used) :> seq<Run>

    /// While planning, a run that is not finished is recorded (Touched) and handed out unfinished, with a placeholder
    /// result, instead of computed: what asks for it must only pass its folder and key on (training and corpus runs).
    member _.Planning with get () = planning and set (value: bool) = planning <- value
    /// Every run asked for while planning, in order.
    member _.Touched = lock touched (fun () -> List.ofSeq touched)
    /// The jobs found while planning, in order (Harness.pretrain adds them).
    member _.PlannedJobs = lock jobs (fun () -> List.ofSeq jobs)
    member _.AddPlannedJob(job: PlannedJob) = lock jobs (fun () -> jobs.Add job)

    /// The full key of a run (its config, kind and code) and its folder.
    member _.Locate(kind: string, key: JsonObject) =
        let full = key.DeepClone().AsObject()
        full["kind"] <- JsonValue.Create kind
        full["code"] <- JsonValue.Create(codeOf kind)
        full, Path.Combine(root, "runs", sprintf "%s-%s" kind ((Json.hash full).Substring(0, 16)))

    /// The result of the run with this key: read from its folder when finished, else computed by work(folder).
    member this.GetOrRun(kind: string, key: JsonObject, work: string -> JsonObject) : Run =
        let full, folder = this.Locate(kind, key)
        let resultPath = Path.Combine(folder, resultFile)
        let finished () = if File.Exists resultPath then Some { Kind = kind; Folder = folder; Result = Json.parseFile resultPath } else None
        let touch isFinished = if planning then lock touched (fun () -> touched.Add { Kind = kind; Key = full; Folder = folder; Finished = isFinished })
        match finished () with
        | Some run -> touch true; remember run
        | None when planning ->
            touch false
            { Kind = kind; Folder = folder; Result = Json.object [ "planned", Json.value true; "file", Json.value "(planned)" ] }
        | None ->
            if stop.IsCancellationRequested then
                raise (System.OperationCanceledException(sprintf "stopped before starting %s: rerun the same command to resume" (Path.GetFileName folder)))
            use _lock = RunLock.take folder (fun holder -> stderr.WriteLine(sprintf "  waiting: %s is being computed by another process (%s)" (Path.GetFileName folder) holder))
            match finished () with
            | Some run -> remember run
            | None ->
                AtomicFile.WriteAllText(Path.Combine(folder, keyFile), Json.pretty full + "\n")
                let resumed = Directory.EnumerateFileSystemEntries folder |> Seq.exists (fun p -> let n = Path.GetFileName p in n <> keyFile && n <> RunLock.fileName && n <> RunLock.holderFile)
                // One write per line: F#'s printf writes a format piece by piece, and trainings start side by side.
                stderr.WriteLine(sprintf "  %s: %s" (if resumed then "resuming" else "running") (Path.GetFileName folder))
                let result = work folder
                result["produced_by_commit"] <- JsonValue.Create(Apg.Core.Training.Provenance.GitCommit())
                result["code"] <- JsonValue.Create(codeOf kind)
                // Which Slurm job computed it (the Slurm executor's record; absent when run locally).
                match System.Environment.GetEnvironmentVariable "SLURM_JOB_ID" with
                | null | "" -> ()
                | job -> result["slurm_job_id"] <- JsonValue.Create job
                AtomicFile.WriteAllText(resultPath, Json.pretty result + "\n")
                remember { Kind = kind; Folder = folder; Result = result }

    /// Runs handed out whose result records other code than this store's for their kind (none, unless a folder was
    /// copied or edited).
    member _.StaleRuns =
        lock used (fun () -> List.ofSeq used)
        |> Seq.filter (fun r -> match r.Result["code"] with null -> true | c -> c.GetValue<string>() <> codeOf r.Kind)
        |> Seq.distinctBy (fun r -> r.Folder)
        |> List.ofSeq
