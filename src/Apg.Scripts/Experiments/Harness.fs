/// What the targets of every task share: the context they run in, what a target leaves behind, and training the
/// runs they need side by side.
module Apg.Scripts.Experiments.Harness

open System
open System.Text.Json.Nodes
open Apg.Scripts.Experiments.Scale
open Apg.Scripts.Experiments.RunStore

/// The run store, the scale and the folder of the paper's numbers.
type Context = { Store: Store; Scale: Scale; Paper: string }

/// What a target leaves behind: its cells (values over seeds), a Markdown section, files written.
type TargetResult = { Cells: Map<string, Apg.Scripts.ClaimRules.SeedValues>; Markdown: string; Files: string list }

/// A table or figure: its name (that of its paper/NAME.json) and how it is measured into folder.
type Target = { Name: string; Run: Context -> string -> TargetResult }

/// Trains the given runs that are not finished yet side by side, one per core: a run finished here is then read
/// back by the targets that use it. The first failure is raised as itself. While the store plans, each job is run
/// once to record the runs it asks for (computing none) and kept, with its work, as one job of the plan.
let pretrain (ctx: Context) (jobs: (unit -> string * JsonObject) list) =
    if ctx.Store.Planning then
        for job in jobs do
            let before = ctx.Store.Touched.Length
            job () |> ignore
            ctx.Store.AddPlannedJob { Runs = ctx.Store.Touched |> List.skip before; Work = fun () -> job () |> ignore }
    else
        try
            // One job at a time per worker, in the order given (longest first balances the cores).
            let queue = Collections.Concurrent.Partitioner.Create(jobs, Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering)
            Threading.Tasks.Parallel.ForEach(queue, Threading.Tasks.ParallelOptions(MaxDegreeOfParallelism = Environment.ProcessorCount), fun job -> job () |> ignore) |> ignore
        with :? AggregateException as e ->
            let first = e.Flatten().InnerExceptions[0]
            Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw()

/// Where a finished target records what it was computed with: this build (Apg.Scripts and Apg.Core) and the scale
/// and claims files. A target is done while all three are today's; its runs are keyed in the store either way, so
/// redoing a target that is not done reads its finished runs back.
let private markerPath (folder: string) (target: string) = IO.Path.Combine(folder, "jobs", sprintf "target-%s.json" target)

let private markerFields (ctx: Context) (target: string) =
    let sha (path: string) = if IO.File.Exists path then Convert.ToHexString(Security.Cryptography.SHA256.HashData(IO.File.ReadAllBytes path)).ToLowerInvariant() else "none"
    let mvid (t: Type) = t.Assembly.ManifestModule.ModuleVersionId.ToString()
    [ "build", sprintf "%s %s" (mvid typeof<Context>) (mvid typeof<Apg.Core.Data.AtomicFile>)
      "scale", sha ctx.Scale.Source
      "claims", sha (IO.Path.Combine(ctx.Paper, target + ".json")) ]

/// Records that a target finished in this folder.
let markTargetDone (ctx: Context) (folder: string) (target: string) =
    let path = markerPath folder target
    IO.Directory.CreateDirectory(IO.Path.GetDirectoryName path) |> ignore
    let o = Json.object [ for k, v in markerFields ctx target -> k, Json.value v ]
    o["finished"] <- Json.value (DateTime.UtcNow.ToString "o")
    Apg.Core.Data.AtomicFile.WriteAllText(path, Json.pretty o + "\n")

/// Whether a target finished in this folder with this build, scale and claims.
let targetDone (ctx: Context) (folder: string) (target: string) =
    let path = markerPath folder target
    IO.File.Exists path
    && (let o = Json.parseFile path
        markerFields ctx target |> List.forall (fun (k, v) -> match o[k] with null -> false | n -> n.GetValue<string>() = v))
