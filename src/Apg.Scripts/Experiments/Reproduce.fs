/// `apg reproduce`: runs the targets of a scale, checks every claim of paper/*.json, writes results/<scale>/.
module Apg.Scripts.Experiments.Reproduce

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open Apg.Core.Data
open Apg.Core.Runtime
open Apg.Core.Training
open Apg.Scripts.Experiments.RunStore
open Apg.Scripts.Experiments.Harness

type Outcome = { Verdicts: Claims.Verdict list; Report: string; Seconds: float; StaleRuns: string list }

let private cpuModel () =
    try
        File.ReadLines "/proc/cpuinfo" |> Seq.tryFind (fun l -> l.StartsWith "model name") |> Option.map (fun l -> l.Split(':', 2).[1].Trim()) |> Option.defaultValue "unknown"
    with _ -> "unknown"

/// The machine, build and code behind a report. Seeds are the tasks' own (each task's settings line in the header).
let environment (scale: Scale.Scale) (seconds: float) =
    [ "commit", Provenance.GitCommit()
      "code (per task, a SHA-256 of the engine and that task's model and experiment code; part of its run keys)",
      String.Join("; ", CodeVersion.summary () |> List.map (fun (parts, code) -> sprintf "%s %s" parts (code.Substring(0, 16))))
      "libtorch", TorchRuntime.LibTorchVersion + " (TorchSharp " + typeof<TorchSharp.torch>.Assembly.GetName().Version.ToString() + ")"
      "intra-op threads", string (TorchSharp.torch.get_num_threads ())
      "CPU", sprintf "%s (%d logical cores)" (cpuModel ()) Environment.ProcessorCount
      "OS", RuntimeInformation.OSDescription
      ".NET", RuntimeInformation.FrameworkDescription
      "wall time of this invocation (finished runs are read back, not redone)", sprintf "%.0f s" seconds
      "finished", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'") ]

/// Runs the named targets (all when empty) of the given tasks at a scale, keying runs by codeOf (run kind -> code
/// version).
let runTasks (tasks: Tasks.Task list) (codeOf: string -> string) (paperDir: string) (resultsRoot: string) (scaleName: string) (targets: string list) : Outcome =
    let scale = Scale.load paperDir scaleName
    let tasks, chosen = Tasks.select tasks scale targets
    let targets' = tasks |> List.collect (fun t -> t.Targets)
    let folder = Path.Combine(resultsRoot, scale.Name)
    Directory.CreateDirectory folder |> ignore
    let ctx = { Store = Store(folder, codeOf); Scale = scale; Paper = paperDir }
    let rules = Claims.rulesOf paperDir
    let clock = Stopwatch.StartNew()
    // Every target but the corpus-only ones needs trained proposals: train them first, side by side.
    eprintfn "training the proposals the targets need (%d at a time; finished runs are read back)" Environment.ProcessorCount
    // Each task with the chosen targets it holds; a task holding none is neither trained nor in the report's header.
    let chosenOf =
        tasks |> List.choose (fun task ->
            match chosen |> List.filter (fun t -> task.Targets |> List.exists (fun (n, _) -> n = t)) with
            | [] -> None
            | mine -> Some (task, mine))
    for task, mine in chosenOf do task.Pretrain ctx mine
    let sections, verdicts =
        chosen
        |> List.mapi (fun i name ->
            eprintfn "[%d/%d] %s (scale %s, %.0f s so far)" (i + 1) chosen.Length name scale.Name clock.Elapsed.TotalSeconds
            let result = (targets' |> List.find (fun (n, _) -> n = name) |> snd) ctx folder
            markTargetDone ctx folder name
            let claimsPath = Path.Combine(paperDir, name + ".json")
            let claims = Json.getArray claimsPath (Json.parseFile claimsPath) "claims"
            result.Markdown, Claims.evaluate rules name claimsPath scale.Name claims result.Cells)
        |> List.unzip
    let verdicts = List.concat verdicts
    let asserted = verdicts |> List.filter (fun v -> v.Asserted)
    let passed = asserted |> List.filter (fun v -> v.Pass) |> List.length
    let status (v: Claims.Verdict) =
        match v.Asserted, v.Pass with
        | true, true -> "PASS"
        | true, false -> "**FAIL**"
        | false, holds -> sprintf "not asserted at %s (%s here): %s" scale.Name (if holds then "holds" else "does not hold") v.Note
    let lines =
        [ yield sprintf "# Reproduction report: scale %s" scale.Name
          yield ""
          yield sprintf "%s" scale.Description
          yield ""
          yield sprintf "Targets: %s." (String.Join(", ", chosen))
          yield ""
          for task, _ in chosenOf -> sprintf "- %s: %s" task.Name (task.Settings scale)
          yield ""
          yield sprintf "**%d of %d claims asserted at this scale pass**; %d more are measured and reported but asserted only at larger scales." passed asserted.Length (verdicts.Length - asserted.Length)
          yield ""
          yield "| target | claim | ours | band | verdict |"
          yield "| --- | --- | --- | --- | --- |"
          for v in verdicts -> sprintf "| %s | %s | %s | %s | %s |" v.Target v.Text v.Ours v.Band (status v)
          yield ""
          yield "Values are log p(x, z) (or ESS / L, or KL; log errors in Table 2) averaged over the test corpus within each training seed; a contrast is computed within each training seed and ± is its sd over training seeds. Each claim is tested by its rule in paper/claims-rules.md (one-sided t bounds at 5%, paired by training seed; margins, distances and tolerances from the papers' numbers, in paper/claims-rules.json). claims.csv holds every per-seed value, contrast, df and bound, so each verdict can be recomputed from it."
          yield ""
          yield "## Environment"
          yield ""
          for k, v in environment scale clock.Elapsed.TotalSeconds -> sprintf "- %s: %s" k v
          yield ""
          yield! sections ]
    let stale = ctx.Store.StaleRuns
    let staleNote =
        if stale.IsEmpty then sprintf "All %d runs behind this report were computed by the code at hand (its code versions are listed under Environment)." (ctx.Store.Used |> Seq.distinctBy (fun r -> r.Folder) |> Seq.length)
        else sprintf "**%d of the runs behind this report record other code than the code at hand** (%s): delete them and rerun." stale.Length (String.Join(", ", stale |> List.map (fun r -> Path.GetFileName r.Folder)))
    let lines = lines @ [ ""; staleNote ]
    let report = String.Join("\n", lines) + "\n"
    AtomicFile.WriteAllText(Path.Combine(folder, "REPORT.md"), report)
    AtomicFile.WriteAllText(Path.Combine(folder, "claims.csv"), Claims.csv verdicts)
    AtomicFile.WriteAllText(Path.Combine(folder, "verdicts.csv"), Claims.verdictsCsv verdicts)
    eprintfn "%d of %d asserted claims pass; report in %s" passed asserted.Length (Path.Combine(folder, "REPORT.md"))
    { Verdicts = verdicts; Report = report; Seconds = clock.Elapsed.TotalSeconds; StaleRuns = stale |> List.map (fun r -> r.Folder) }

/// Runs the named targets (all when empty) of a scale; finished runs are read back, interrupted ones resume.
let run (paperDir: string) (resultsRoot: string) (scaleName: string) (targets: string list) : Outcome =
    runTasks Tasks.all CodeVersion.current paperDir resultsRoot scaleName targets
