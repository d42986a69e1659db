/// The Slurm executor on a real Slurm: a single-node cluster started on this machine (scripts/slurm/local-cluster.sh,
/// as root), one smoke target with short trainings sent through `--executor slurm`, then checked against the local
/// executor. Skipped, with the reason, where Slurm cannot be installed or started.
module Apg.Reproduction.Tests.SlurmExecutorTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes
open Expecto
open Support

let private target = "figure1a"
let private steps = 400

/// Runs a program to its end; its exit code and its output and errors together.
let private exec (name: string) (args: string list) =
    let info = ProcessStartInfo(name, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = repoRoot)
    for a in args do info.ArgumentList.Add a
    use p = Process.Start info
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    p.WaitForExit()
    p.ExitCode, out.Result + err.Result

let private apg (args: string list) =
    exec "dotnet" (Path.Combine(repoRoot, "src", "Apg.Scripts", "bin", "Release", "net10.0", "apg.dll") :: args)

let private ok (what: string) (code: int, output: string) =
    if code <> 0 then failtestf "%s: exit %d\n%s" what code output
    output

/// A copy of paper/ whose smoke GMM trainings are short, with the scheduler's resources for this one-node cluster.
let private paperCopy (dir: string) (trainSteps: int) =
    let copy = Path.Combine(dir, "paper")
    for f in Directory.EnumerateFiles(paperDir, "*", SearchOption.AllDirectories) do
        let target = Path.Combine(copy, Path.GetRelativePath(paperDir, f))
        Directory.CreateDirectory(Path.GetDirectoryName target) |> ignore
        File.Copy(f, target, true)
    let path = Path.Combine(copy, "scales", "smoke.json")
    let scale = JsonNode.Parse(File.ReadAllText path).AsObject()
    let train = (scale["gmm"]["train"]).AsObject()
    train["steps"] <- JsonValue.Create trainSteps
    train["log_every"] <- JsonValue.Create 20
    train["checkpoint_every"] <- JsonValue.Create 100
    scale["scheduler"] <-
        JsonNode.Parse(""" { "note": "this one-node cluster",
                             "resources": { "train": { "cpus": 1, "memory": "2G", "time": "00:20:00", "gpus": 0, "signal_seconds": 30 },
                                            "target": { "cpus": 2, "memory": "4G", "time": "00:20:00", "gpus": 0, "signal_seconds": 300 },
                                            "report": { "cpus": 1, "memory": "2G", "time": "00:20:00", "gpus": 0, "signal_seconds": 60 } },
                             "seconds_per_step": { }, "seconds_per_step_note": "none measured" }""")
    File.WriteAllText(path, scale.ToJsonString())
    copy

let private waitUntil (what: string) (timeout: TimeSpan) (condition: unit -> bool) =
    let clock = Stopwatch.StartNew()
    while not (condition ()) do
        if clock.Elapsed > timeout then failtestf "timed out after %.0f s waiting for %s" timeout.TotalSeconds what
        Threading.Thread.Sleep 500

let private inQueue (jobId: string) =
    let _, out = exec "squeue" [ "-h"; "-j"; jobId; "-o"; "%T" ]
    out.Trim() <> "" && not (out.Contains "Invalid job id")

let private plan (paper: string) (results: string) =
    let text = ok "apg reproduce --plan --json" (apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper; "--results"; results; "--plan"; "--json"; target ])
    let json = JsonNode.Parse(text.Substring(text.IndexOf '{')).AsObject()
    [ for j in json["jobs"].AsArray() -> j.AsObject() ]

let private jobRecord (results: string) (id: string) =
    let path = Path.Combine(results, "smoke", "jobs", id + ".slurm.json")
    if File.Exists path then
        let o = JsonNode.Parse(File.ReadAllText path)
        Some (o["slurm_job_id"].GetValue<string>())
    else None

let private tables (results: string) =
    Directory.GetFiles(Path.Combine(results, "smoke"), "*.csv") |> Array.map Path.GetFileName |> Array.sort

let private checkpointTensors (folder: string) =
    let struct (tensors, _) = Apg.Core.Training.Checkpoint.Load folder
    tensors |> Seq.map (fun kv -> kv.Key, kv.Value.contiguous().``to``(TorchSharp.torch.CPU).bytes.ToArray()) |> Map.ofSeq

let private run (dir: string) =
    let paper = paperCopy dir steps
    let slurmResults = Path.Combine(dir, "slurm-results")
    let jobs = plan paper slurmResults
    let trainIds = jobs |> List.filter (fun j -> j["kind"].GetValue<string>() = "train") |> List.map (fun j -> j["id"].GetValue<string>())
    Expect.isGreaterThan trainIds.Length 1 "the target needs several training jobs"
    let submitted = ok "apg reproduce --executor slurm" (apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper; "--results"; slurmResults; "--executor"; "slurm"; target ])
    let reportId = jobRecord slurmResults "report" |> Option.defaultWith (fun () -> failtestf "no report job recorded:\n%s" submitted)

    // (c) Stop the first training mid-run, after its first checkpoint, as the scheduler does near a time limit.
    let victim = trainIds.Head
    let victimJob = (jobRecord slurmResults victim).Value
    let victimLog = Path.Combine(slurmResults, "smoke", "jobs", "logs", victim + ".out")
    let progressed () =
        File.Exists victimLog
        && (let t = File.ReadAllText victimLog
            [ 120 .. 20 .. steps - 100 ] |> List.exists (fun s -> t.Contains(sprintf "[%d/%d]" s steps)))
    waitUntil (sprintf "training job %s to pass step 120 (%s)" victimJob victimLog) (TimeSpan.FromMinutes 5.0) progressed
    ok "scancel --batch --signal=TERM" (exec "scancel" [ "--batch"; "--signal=TERM"; victimJob ]) |> ignore
    waitUntil (sprintf "the report job %s to finish" reportId) (TimeSpan.FromMinutes 15.0) (fun () -> not (inQueue reportId))
    let status = ok "apg reproduce --status" (apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper; "--results"; slurmResults; "--status"; target ])
    Expect.isTrue (File.Exists(Path.Combine(slurmResults, "smoke", "REPORT.md"))) (sprintf "the report job wrote REPORT.md; status:\n%s" status)
    let log = File.ReadAllText victimLog
    Expect.stringContains log "requeueing" (sprintf "the stopped job requeued itself:\n%s" log)
    Expect.stringContains log "restart 1" (sprintf "the job ran again after its requeue:\n%s" log)
    Expect.stringContains log "resuming" (sprintf "the requeued job resumed its run:\n%s" log)

    // (a) Every run was computed by a Slurm job, each training by its own, and Slurm saw them all.
    let completions = File.ReadAllText(Path.Combine(dir, "cluster", "jobcomp.log"))
    for folder in Directory.GetDirectories(Path.Combine(slurmResults, "smoke", "runs")) do
        let result = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "result.json")))
        let job = match result["slurm_job_id"] with null -> failtestf "%s: computed outside Slurm (no slurm_job_id)" folder | j -> j.GetValue<string>()
        Expect.stringContains completions (sprintf "JobId=%s " job) (sprintf "%s: job %s is in Slurm's completion log" folder job)
    for id in trainIds do
        let result = JsonNode.Parse(File.ReadAllText(Path.Combine(slurmResults, "smoke", "runs", id, "result.json")))
        Expect.equal (result["slurm_job_id"].GetValue<string>()) (jobRecord slurmResults id).Value (sprintf "%s was computed by its own job" id)
    Expect.stringContains status "done" "status lists done jobs"

    // (b) The local executor, same target, same scale: byte-identical tables.
    let localResults = Path.Combine(dir, "local-results")
    // Exit 3 says a claim fails: expected after trainings this short, and the same under both executors.
    let code, output = apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper; "--results"; localResults; target ]
    if code <> 0 && code <> 3 then failtestf "apg reproduce (local): exit %d\n%s" code output
    let slurmTables, localTables = tables slurmResults, tables localResults
    Expect.isNonEmpty slurmTables "the target wrote tables"
    Expect.equal slurmTables localTables "the same tables"
    for t in slurmTables do
        let a = File.ReadAllBytes(Path.Combine(slurmResults, "smoke", t))
        let b = File.ReadAllBytes(Path.Combine(localResults, "smoke", t))
        Expect.isTrue (a = b) (sprintf "%s is byte-identical under both executors" t)
    // (c) The stopped and resumed training ends bit-identical to the uninterrupted local one.
    let resumed = checkpointTensors (Path.Combine(slurmResults, "smoke", "runs", victim))
    let straight = checkpointTensors (Path.Combine(localResults, "smoke", "runs", victim))
    Expect.equal (resumed |> Map.keys |> List.ofSeq) (straight |> Map.keys |> List.ofSeq) "the same tensors"
    for KeyValue (name, bytes) in resumed do
        Expect.isTrue (bytes = straight[name]) (sprintf "%s: tensor %s is bit-identical after the stop and requeue" victim name)

    // (d) A job that fails: its dependants never start, and the status names it with its log.
    let paper2 = paperCopy (Path.Combine(dir, "second")) 60
    let failing = Path.Combine(dir, "failing-results")
    let firstTrain = plan paper2 failing |> List.find (fun j -> j["kind"].GetValue<string>() = "train")
    let doomed = firstTrain["id"].GetValue<string>()
    let doomedFolder = Path.Combine(failing, "smoke", "runs", doomed)
    Directory.CreateDirectory doomedFolder |> ignore
    File.WriteAllText(Path.Combine(doomedFolder, "checkpoint.safetensors"), "not a checkpoint")
    ok "apg reproduce --executor slurm (with a failing job)" (apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper2; "--results"; failing; "--executor"; "slurm"; target ]) |> ignore
    let report2 = (jobRecord failing "report").Value
    waitUntil (sprintf "the report job %s to leave the queue" report2) (TimeSpan.FromMinutes 10.0) (fun () -> not (inQueue report2))
    let targetLog = Path.Combine(failing, "smoke", "jobs", "logs", "target-" + target + ".out")
    Expect.isFalse (File.Exists targetLog && (File.ReadAllText targetLog).Contains "== job") "the target job, which needs the failed training, never started"
    Expect.isFalse (File.Exists(Path.Combine(failing, "smoke", "REPORT.md"))) "no report after a failed training"
    let status2 = ok "apg reproduce --status" (apg [ "reproduce"; "--scale"; "smoke"; "--paper"; paper2; "--results"; failing; "--status"; target ])
    let doomedJob = (jobRecord failing doomed).Value
    let line = status2.Split('\n') |> Array.tryFind (fun l -> l.Contains doomed) |> Option.defaultValue ""
    Expect.stringContains line (sprintf "failed (job %s" doomedJob) (sprintf "the status names the failed job:\n%s" status2)
    Expect.stringContains line (Path.Combine(failing, "smoke", "jobs", "logs", doomed + ".out")) "and its log"
    let targetLine = status2.Split('\n') |> Array.tryFind (fun l -> l.Contains("target-" + target)) |> Option.defaultValue ""
    Expect.stringContains targetLine "cancelled (job" (sprintf "the target job that could not start is shown cancelled:\n%s" status2)
    printfn "slurm executor: %d training jobs and a target through Slurm; status after a failure:\n%s" trainIds.Length status2

/// Two `apg run` processes started together on one training job of one results folder: the run's lock lets one
/// compute it while the other waits, then reads the first's result rather than training again.
let private twoProcesses (dir: string) =
    let paper = paperCopy dir steps
    let results = Path.Combine(dir, "results")
    let job = plan paper results |> List.find (fun j -> j["kind"].GetValue<string>() = "train")
    let id = job["id"].GetValue<string>()
    let start () = Threading.Tasks.Task.Run(fun () -> apg [ "run"; "--scale"; "smoke"; "--paper"; paper; "--results"; results; id ])
    // The paper copy is outside the repository: the children read this checkout's MNIST digits, as a Slurm job does.
    let previous = Environment.GetEnvironmentVariable "APG_MNIST_DIR"
    if isNull previous then Environment.SetEnvironmentVariable("APG_MNIST_DIR", Path.Combine(repoRoot, "data", "mnist"))
    let outcomes =
        try
            let first, second = start (), start ()
            [ first.Result; second.Result ]
        finally
            Environment.SetEnvironmentVariable("APG_MNIST_DIR", previous)
    for code, output in outcomes do
        Expect.equal code 0 (sprintf "apg run %s exits 0:\n%s" id output)
    let trained (output: string) = [ 20 .. 20 .. steps ] |> List.exists (fun s -> output.Contains(sprintf "[%d/%d]" s steps))
    let waited (output: string) = output.Contains "waiting:" && output.Contains "is being computed by another process"
    let computing = outcomes |> List.filter (snd >> trained)
    Expect.equal computing.Length 1 (sprintf "exactly one process trained:\n%s" (outcomes |> List.map snd |> String.concat "\n----\n"))
    let other = outcomes |> List.find (snd >> trained >> not) |> snd
    Expect.isTrue (waited other) (sprintf "the other waited for the first, named it, and did not train:\n%s" other)
    Expect.isTrue (File.Exists(Path.Combine(results, "smoke", "runs", id, "result.json"))) "the run's result is stored"
    printfn "two processes on %s: the second said: %s" id ((other.Split('\n') |> Array.find (fun l -> l.Contains "waiting:")).Trim())

let tests =
    testList "slurm executor" [
        testCase "two processes on one training job: one computes it, the other waits and reads its result" <| fun () ->
            twoProcesses (tempDir "two-processes")
        testCase (sprintf "%s through a one-node Slurm: jobs in Slurm, tables as the local executor's, a stopped job resumes bit-identical, a failure stops its dependants" target) <| fun () ->
            let dir = tempDir "slurm"
            let cluster = Path.Combine(dir, "cluster")
            let script = Path.Combine(repoRoot, "scripts", "slurm", "local-cluster.sh")
            let code, output = exec "bash" [ script; "start"; cluster ]
            if code = 77 then skiptestf "no Slurm here: %s" (output.Trim())
            if code <> 0 then failtestf "local-cluster.sh start: exit %d\n%s" code output
            let conf = Path.Combine(cluster, "slurm.conf")
            let previous = Environment.GetEnvironmentVariable "SLURM_CONF"
            Environment.SetEnvironmentVariable("SLURM_CONF", conf)
            try
                run dir
            finally
                exec "bash" [ script; "stop"; cluster ] |> ignore
                Environment.SetEnvironmentVariable("SLURM_CONF", previous)
    ]
