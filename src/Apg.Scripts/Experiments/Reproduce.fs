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
open Apg.Scripts.Experiments.GmmExperiments

type Outcome = { Verdicts: Claims.Verdict list; Report: string; Seconds: float; StaleRuns: string list }

let private cpuModel () =
    try
        File.ReadLines "/proc/cpuinfo" |> Seq.tryFind (fun l -> l.StartsWith "model name") |> Option.map (fun l -> l.Split(':', 2).[1].Trim()) |> Option.defaultValue "unknown"
    with _ -> "unknown"

let environment (scale: Scale.Scale) (seconds: float) =
    [ "commit", Provenance.GitCommit()
      "code (SHA-256 of src/Apg.Core and the experiment definitions; part of every run key)", CodeVersion.current.Value
      "libtorch", TorchRuntime.LibTorchVersion + " (TorchSharp " + typeof<TorchSharp.torch>.Assembly.GetName().Version.ToString() + ")"
      "intra-op threads", string (TorchSharp.torch.get_num_threads ())
      "CPU", sprintf "%s (%d logical cores)" (cpuModel ()) Environment.ProcessorCount
      "OS", RuntimeInformation.OSDescription
      ".NET", RuntimeInformation.FrameworkDescription
      "train seeds", String.Join(", ", scale.Gmm.TrainSeeds)
      "eval seeds", String.Join(", ", scale.Gmm.EvalSeeds)
      "wall time of this invocation (finished runs are read back, not redone)", sprintf "%.0f s" seconds
      "finished", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'") ]

/// Runs the named targets (all when empty) of a scale; finished runs are read back, interrupted ones resume.
let run (paperDir: string) (resultsRoot: string) (scaleName: string) (targets: string list) : Outcome =
    let scale = Scale.load paperDir scaleName
    let targets' = GmmTargets.all @ (if scale.Dmm.IsSome then DmmTargets.all else []) @ (if scale.Bmnist.IsSome then BmnistTargets.all else []) @ (if scale.Iai.IsSome then IaiTargets.all else []) @ (if scale.McmcVae.IsSome then McmcVaeTargets.all else [])
    let known = targets' |> List.map fst
    let chosen = if targets.IsEmpty then known else targets
    for t in chosen do
        if not (List.contains t known) then raise (ArgumentException(sprintf "unknown target '%s': choose from %s" t (String.Join(", ", known))))
    let folder = Path.Combine(resultsRoot, scale.Name)
    Directory.CreateDirectory folder |> ignore
    let ctx = { Store = Store(folder); Scale = scale; Paper = paperDir }
    let clock = Stopwatch.StartNew()
    // Every target but the corpus-only ones needs trained proposals: train them first, side by side.
    eprintfn "training the proposals the targets need (%d at a time; finished runs are read back)" Environment.ProcessorCount
    if chosen |> List.exists (fun t -> GmmTargets.all |> List.exists (fun (n, _) -> n = t)) then
        pretrainAll ctx (List.contains "figure3" chosen)
    if chosen |> List.exists (fun t -> DmmTargets.all |> List.exists (fun (n, _) -> n = t)) then
        DmmExperiments.pretrainAll ctx
    if chosen |> List.exists (fun t -> BmnistTargets.all |> List.exists (fun (n, _) -> n = t)) then
        BmnistExperiments.pretrainAll ctx
    if chosen |> List.exists (fun t -> t = "iai-table" || t = "iai-figure") then
        IaiExperiments.pretrainAll ctx
    if List.contains "iai-apg" chosen then
        IaiTargets.pretrainApgBlock ctx
    if chosen |> List.exists (fun t -> t = "mcmc-vae-table" || t = "mcmc-vae-figure") then
        McmcVaeExperiments.pretrainAll ctx
    if List.contains "gmm-adapted-hmc" chosen then
        GmmAdaptedHmc.pretrainAll ctx
    let sections, verdicts =
        chosen
        |> List.mapi (fun i name ->
            eprintfn "[%d/%d] %s (scale %s, %.0f s so far)" (i + 1) chosen.Length name scale.Name clock.Elapsed.TotalSeconds
            let result = (targets' |> List.find (fun (n, _) -> n = name) |> snd) ctx folder
            let claimsPath = Path.Combine(paperDir, name + ".json")
            let claims = Json.getArray claimsPath (Json.parseFile claimsPath) "claims"
            result.Markdown, Claims.evaluate name claimsPath scale.Name claims result.Cells)
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
          yield sprintf "**%d of %d claims asserted at this scale pass**; %d more are measured and reported but asserted only at larger scales." passed asserted.Length (verdicts.Length - asserted.Length)
          yield ""
          yield "| target | claim | ours | band | verdict |"
          yield "| --- | --- | --- | --- | --- |"
          for v in verdicts -> sprintf "| %s | %s | %s | %s | %s |" v.Target v.Text v.Ours v.Band (status v)
          yield ""
          yield "Values are log p(x, z) (or ESS / L, or KL) averaged over the test corpus; ± is the sd over seeds. Bands and their derivation are in paper/*.json."
          yield ""
          yield "## Environment"
          yield ""
          for k, v in environment scale clock.Elapsed.TotalSeconds -> sprintf "- %s: %s" k v
          yield ""
          yield! sections ]
    let stale = ctx.Store.StaleRuns
    let staleNote =
        if stale.IsEmpty then sprintf "All %d runs behind this report were computed by the code at hand (code %s)." (ctx.Store.Used |> Seq.distinctBy (fun r -> r.Folder) |> Seq.length) (ctx.Store.Code.Substring(0, 16))
        else sprintf "**%d of the runs behind this report record other code than the code at hand** (%s): delete them and rerun." stale.Length (String.Join(", ", stale |> List.map (fun r -> Path.GetFileName r.Folder)))
    let lines = lines @ [ ""; staleNote ]
    let report = String.Join("\n", lines) + "\n"
    AtomicFile.WriteAllText(Path.Combine(folder, "REPORT.md"), report)
    eprintfn "%d of %d asserted claims pass; report in %s" passed asserted.Length (Path.Combine(folder, "REPORT.md"))
    { Verdicts = verdicts; Report = report; Seconds = clock.Elapsed.TotalSeconds; StaleRuns = stale |> List.map (fun r -> r.Folder) }
