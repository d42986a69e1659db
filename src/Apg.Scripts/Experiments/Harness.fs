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
type TargetResult = { Cells: Map<string, float list>; Markdown: string; Files: string list }

/// A table or figure: its name (that of its paper/NAME.json) and how it is measured into folder.
type Target = { Name: string; Run: Context -> string -> TargetResult }

/// Trains the given runs that are not finished yet side by side, one per core: a run finished here is then read
/// back by the targets that use it. The first failure is raised as itself.
let pretrain (_: Context) (jobs: (unit -> string * JsonObject) list) =
    try
        // One job at a time per worker, in the order given (longest first balances the cores).
        let queue = Collections.Concurrent.Partitioner.Create(jobs, Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering)
        Threading.Tasks.Parallel.ForEach(queue, Threading.Tasks.ParallelOptions(MaxDegreeOfParallelism = Environment.ProcessorCount), fun job -> job () |> ignore) |> ignore
    with :? AggregateException as e ->
        let first = e.Flatten().InnerExceptions[0]
        Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw()
