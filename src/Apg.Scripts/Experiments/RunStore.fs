/// Runs keyed by a hash of their config, seed and the code that computes them (CodeVersion): a finished run is
/// read back, not redone; an interrupted one is handed its folder again, where its own checkpoints let it resume.
module Apg.Scripts.Experiments.RunStore

open System.IO
open System.Text.Json.Nodes
open Apg.Core.Data

type Run = { Folder: string; Result: JsonObject }

/// Runs under root/runs, keyed together with code (by default, the code version of this build).
type Store(root: string, code: string) =
    let used = System.Collections.Generic.List<Run>()
    new(root: string) = Store(root, CodeVersion.current.Value)
    member _.Root = root
    member _.Code = code
    /// The runs this store handed out, finished before or now.
    member _.Used = lock used (fun () -> List.ofSeq used) :> seq<Run>

    /// The result of the run with this key: read from its folder when finished, else computed by work(folder).
    member _.GetOrRun(kind: string, key: JsonObject, work: string -> JsonObject) : Run =
        let full = key.DeepClone().AsObject()
        full["kind"] <- JsonValue.Create kind
        full["code"] <- JsonValue.Create code
        let folder = Path.Combine(root, "runs", sprintf "%s-%s" kind ((Json.hash full).Substring(0, 16)))
        let resultPath = Path.Combine(folder, "result.json")
        if File.Exists resultPath then
            let run = { Folder = folder; Result = Json.parseFile resultPath }
            lock used (fun () -> used.Add run)
            run
        else
            Directory.CreateDirectory folder |> ignore
            AtomicFile.WriteAllText(Path.Combine(folder, "key.json"), Json.pretty full + "\n")
            let resumed = Directory.EnumerateFileSystemEntries folder |> Seq.exists (fun p -> Path.GetFileName p <> "key.json")
            eprintfn "  %s: %s" (if resumed then "resuming" else "running") (Path.GetFileName folder)
            let result = work folder
            result["produced_by_commit"] <- JsonValue.Create(Apg.Core.Training.Provenance.GitCommit())
            result["code"] <- JsonValue.Create code
            AtomicFile.WriteAllText(resultPath, Json.pretty result + "\n")
            let run = { Folder = folder; Result = result }
            lock used (fun () -> used.Add run)
            run

    /// Runs handed out whose result records other code than this store's (none, unless a folder was copied or edited).
    member _.StaleRuns =
        lock used (fun () -> List.ofSeq used)
        |> Seq.filter (fun r -> match r.Result["code"] with null -> true | c -> c.GetValue<string>() <> code)
        |> Seq.distinctBy (fun r -> r.Folder)
        |> List.ofSeq
