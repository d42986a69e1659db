/// The Slurm executor: each job of the plan that is not done goes out as one `sbatch` job, after the jobs it needs
/// (`afterok`; a failed input cancels its dependants), then the report job after all of them. A job near its time
/// limit or preempted gets SIGTERM, saves a checkpoint and requeues itself; a rerun of the command submits only what
/// is neither done nor queued. Slurm is driven through its commands (no client library exists for .NET); the run
/// store on the shared filesystem is the truth about what is done.
module Apg.Scripts.Experiments.Slurm

open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes
open Apg.Core.Data
open Apg.Scripts.Experiments.Plan

type Resources = Scale.JobResources

/// Where and how jobs are submitted: from the command line, never from files of this repository.
type Options =
    { Partition: string option
      Account: string option
      /// More sbatch options, each as one argument (e.g. --qos=long).
      Extra: string list
      /// The command that runs apg on a cluster node: this build's apg.dll under dotnet (never the building ./apg
      /// script, which many jobs starting at once would race to rebuild).
      Apg: string list
      /// The repository the jobs run in (their working folder).
      Repo: string
      Paper: string
      ResultsRoot: string }

let private defaults =
    let job cpus memory time signalSeconds : Resources = { Cpus = cpus; Memory = memory; Time = time; Gpus = 0; SignalSeconds = signalSeconds }
    Map [ "train", job 1 "4G" "1-00:00:00" 300; "target", job 2 "8G" "1-00:00:00" 300; "report", job 1 "4G" "01:00:00" 60 ]

/// The resources of a job: the scale's scheduler.resources entry for its run kind (e.g. "bmnist-train"), else for its
/// job kind ("train", "target", "report"), else the job kind's default.
let resources (scale: Scale.Scale) (job: Job) : Resources =
    let given = scale.Scheduler |> Option.map (fun s -> s.Resources) |> Option.defaultValue Map.empty
    let kind = kindName job.Kind
    let runKind = match List.tryLast job.Runs with Some r -> r.Kind | None -> kind
    given.TryFind runKind |> Option.orElse (given.TryFind kind) |> Option.defaultValue defaults[kind]

/// Runs a Slurm command; its standard output, or an error naming the command and its message.
let command (name: string) (args: string list) : string =
    let info = ProcessStartInfo(name, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    for a in args do info.ArgumentList.Add a
    use p =
        try Process.Start info
        with :? ComponentModel.Win32Exception -> raise (InvalidOperationException(sprintf "%s is not installed here: the Slurm executor needs Slurm's commands (sbatch, squeue, scontrol) on PATH" name))
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEnd()
    p.WaitForExit()
    if p.ExitCode <> 0 then raise (InvalidOperationException(sprintf "%s %s failed (exit %d): %s" name (String.Join(" ", args)) p.ExitCode (err.Trim())))
    out.Result

/// A job's state as Slurm reports it (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ...), or None once Slurm has
/// forgotten it. squeue knows live jobs; scontrol keeps finished ones for MinJobAge; sacct where accounting exists.
let state (jobId: string) : string option =
    let tryRun name args = try Some (command name args) with _ -> None
    match tryRun "squeue" [ "-h"; "-j"; jobId; "-o"; "%T" ] |> Option.map (fun s -> s.Trim()) with
    | Some s when s <> "" -> Some s
    | _ ->
        match tryRun "scontrol" [ "show"; "job"; jobId; "-o" ] with
        | Some line when line.Contains "JobState=" ->
            let s = line.Substring(line.IndexOf "JobState=" + 9)
            Some (s.Substring(0, s.IndexOfAny [| ' '; '\n' |]))
        | _ ->
            match tryRun "sacct" [ "-n"; "-X"; "-P"; "-j"; jobId; "-o"; "State" ] |> Option.map (fun s -> s.Trim().Split('\n').[0].Split(' ').[0]) with
            | Some s when s <> "" -> Some s
            | _ -> None

let private live = set [ "PENDING"; "RUNNING"; "REQUEUED"; "REQUEUE_HOLD"; "REQUEUE_FED"; "CONFIGURING"; "COMPLETING"; "SUSPENDED"; "RESIZING"; "SIGNALING"; "STAGE_OUT" ]
let isLive (s: string) = live.Contains s

/// Where the executor keeps a job's submission record (its Slurm job id) and log.
let recordPath (folder: string) (id: string) = Path.Combine(folder, "jobs", id + ".slurm.json")
let logPath (folder: string) (id: string) = Path.Combine(folder, "jobs", "logs", id + ".out")
/// What the report job found: claims asserted and passed.
let reportOutcomePath (folder: string) = Path.Combine(folder, "jobs", "report.json")

/// The Slurm job id last submitted for a job of the plan, if any.
let submitted (folder: string) (id: string) : string option =
    let path = recordPath folder id
    if File.Exists path then Some (Json.getString path (Json.parseFile path) "slurm_job_id") else None

/// The batch script every job runs: apg as a child, so that the scheduler's TERM (time limit near, preemption, or
/// `scancel --batch --signal=TERM`) reaches it once; it stops at a safe point and exits non-zero, and the job
/// requeues itself to resume from the checkpoint. A job that ends unfinished never counts as done for afterok.
let private script =
    """#!/usr/bin/env bash
# One job of an Apg plan (written by `apg reproduce --executor slurm`): runs "$@" and requeues itself when stopped.
set -u
cd "$APG_REPO"
# jemalloc, as ./apg runs with it (speed only: results do not depend on the allocator).
if [ -f scripts/setup.sh ]; then source scripts/setup.sh; set +e; apg_use_jemalloc; fi
set +e
# The MNIST digits of this checkout, whatever folder the paper's numbers come from.
if [ -z "${APG_MNIST_DIR:-}" ] && [ -d data/mnist ]; then export APG_MNIST_DIR="$PWD/data/mnist"; fi
if [ -z "${APG_NUM_THREADS:-}" ] && [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then export APG_NUM_THREADS="$SLURM_CPUS_PER_TASK"; fi
echo "== job $SLURM_JOB_ID (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date -u +%FT%TZ): $*"
stopped=0
"$@" &
child=$!
trap 'stopped=1; kill -TERM "$child" 2>/dev/null' TERM USR1
while true; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$stopped" = 1 ] && [ "$rc" -ne 0 ]; then
  echo "== stopped at a safe point (exit $rc): requeueing job $SLURM_JOB_ID to resume"
  scontrol requeue "$SLURM_JOB_ID"
fi
exit "$rc"
"""

/// The apg command line of a job.
let private jobCommand (plan: Plan) (options: Options) (job: Job) =
    let scale = plan.Context.Scale.Name
    let common = [ "--scale"; scale; "--results"; options.ResultsRoot; "--paper"; options.Paper ]
    match job.Kind with
    | Report -> options.Apg @ [ "run" ] @ common @ [ job.Id ] @ plan.Targets
    | _ -> options.Apg @ [ "run" ] @ common @ [ job.Id ]

/// Submits every job of the plan that is neither done nor live in the queue, in order, each after the live or newly
/// submitted jobs it needs; returns (job, Slurm job id, newly submitted) for every job not done.
let submit (plan: Plan) (options: Options) : (Job * string * bool) list =
    let folder = plan.Folder
    Directory.CreateDirectory(Path.Combine(folder, "jobs", "logs")) |> ignore
    let scriptPath = Path.Combine(folder, "jobs", "job.sh")
    AtomicFile.WriteAllText(scriptPath, script)
    let ids = Collections.Generic.Dictionary<string, string>()
    let repo = options.Repo
    [ for job in plan.Jobs do
        if not job.Done then
            match submitted folder job.Id |> Option.filter (fun j -> state j |> Option.exists isLive) with
            | Some live when job.Kind <> Report ->
                ids[job.Id] <- live
                yield job, live, false
            | _ ->
                let r = resources plan.Context.Scale job
                let deps =
                    job.DependsOn
                    |> List.choose (fun d ->
                        match ids.TryGetValue d with
                        | true, j -> Some j
                        | _ ->
                            match plan.Jobs |> List.tryFind (fun x -> x.Id = d) with
                            | Some x when x.Done -> None
                            | _ -> raise (InvalidOperationException(sprintf "job %s needs %s, which is neither done nor submitted before it" job.Id d)))
                let args =
                    [ "--parsable"
                      sprintf "--job-name=apg-%s-%s" plan.Context.Scale.Name job.Id
                      sprintf "--output=%s" (logPath folder job.Id)
                      "--open-mode=append"
                      sprintf "--cpus-per-task=%d" r.Cpus
                      sprintf "--mem=%s" r.Memory
                      sprintf "--time=%s" r.Time
                      "--requeue"
                      sprintf "--signal=B:TERM@%d" r.SignalSeconds
                      sprintf "--export=ALL,APG_REPO=%s" repo ]
                    @ (if r.Gpus > 0 then [ sprintf "--gres=gpu:%d" r.Gpus ] else [])
                    @ (match options.Partition with Some p -> [ "--partition=" + p ] | None -> [])
                    @ (match options.Account with Some a -> [ "--account=" + a ] | None -> [])
                    @ (if deps.IsEmpty then [] else [ "--dependency=afterok:" + String.Join(":", deps); "--kill-on-invalid-dep=yes" ])
                    @ options.Extra
                    @ [ scriptPath ]
                    @ jobCommand plan options job
                let jobId = (command "sbatch" args).Trim().Split(';').[0]
                let record =
                    Json.object [ "slurm_job_id", Json.value jobId; "submitted", Json.value (DateTime.UtcNow.ToString "o")
                                  "log", Json.value (logPath folder job.Id); "depends_on", Json.value (String.Join(":", deps)) ]
                AtomicFile.WriteAllText(recordPath folder job.Id, Json.pretty record + "\n")
                ids[job.Id] <- jobId
                yield job, jobId, true ]

/// Per job of the plan: done, running / queued (job id), failed (job id and log), or to do (not submitted).
let status (plan: Plan) : (Job * string) list =
    [ for job in plan.Jobs do
        let main = List.tryLast job.Runs |> Option.map (fun r -> r.Folder)
        let line =
            if job.Done then "done"
            else
                match submitted plan.Folder job.Id with
                | Some jobId ->
                    match state jobId with
                    | Some ("RUNNING" | "COMPLETING" | "CONFIGURING") -> sprintf "running (job %s)" jobId
                    | Some s when isLive s -> sprintf "queued (job %s, %s)" jobId (s.ToLowerInvariant())
                    | Some "COMPLETED" when job.Kind = Report -> sprintf "done (job %s)" jobId
                    | Some "COMPLETED" -> sprintf "to do (job %s completed, but not with today's inputs or code)" jobId
                    | Some "CANCELLED" -> sprintf "cancelled (job %s: an input failed, or scancel; log %s)" jobId (logPath plan.Folder job.Id)
                    | Some s -> sprintf "failed (job %s, %s; log %s)" jobId (s.ToLowerInvariant()) (logPath plan.Folder job.Id)
                    | None -> sprintf "to do (job %s is unknown to Slurm now; log %s)" jobId (logPath plan.Folder job.Id)
                | None ->
                    match main with
                    | Some f when RunLock.isHeld f -> sprintf "running here (%s)" (RunLock.holder f)
                    | _ -> "to do"
        yield job, line ]

/// Waits until the report job has left the queue, showing how many jobs are done, running and queued; true when it
/// completed.
let wait (plan: Plan) (reportJobId: string) (poll: TimeSpan) : bool =
    let clock = Stopwatch.StartNew()
    let rec loop (last: string) =
        match state reportJobId with
        | Some s when isLive s ->
            let fresh = Plan.make plan.Tasks plan.CodeOf plan.Context.Paper plan.ResultsRoot plan.Context.Scale.Name plan.Targets
            let lines = status fresh |> List.map snd
            let count (prefix: string) = lines |> List.filter (fun l -> l.StartsWith prefix) |> List.length
            let line = sprintf "  %d done, %d running, %d queued, %d failed of %d jobs" (count "done") (count "running") (count "queued") (count "failed") lines.Length
            if line <> last then eprintfn "%s (%.0f s)" line clock.Elapsed.TotalSeconds
            Threading.Thread.Sleep poll
            loop line
        | Some "COMPLETED" -> true
        | _ -> false
    loop ""
