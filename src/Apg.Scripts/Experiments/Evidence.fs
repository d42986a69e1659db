/// Rules 6 and 8 of paper/claims-rules.md for any table whose cells average per-instance values: every instance's value
/// (NAME-instances.csv) and each cell's level with its hierarchical-bootstrap interval (NAME-levels.csv), so a reader
/// can recompute a verdict or a level from the committed files alone.
module Apg.Scripts.Experiments.Evidence

open System
open System.IO
open Apg.Core.Data
open Apg.Scripts.ClaimRules

/// One test instance's value in a cell, under one training and evaluation seed.
type InstanceValue = { Cell: string; TrainingSeed: uint64; EvalSeed: uint64; Instance: int; Value: float }

/// The instance values of one cell, training seed and evaluation seed, indexed in order.
let ofArray (cell: string) (trainingSeed: uint64) (evalSeed: uint64) (values: float[]) =
    [ for i, value in Array.indexed values -> { Cell = cell; TrainingSeed = trainingSeed; EvalSeed = evalSeed; Instance = i; Value = value } ]

/// Writes NAME-instances.csv and NAME-levels.csv (the levels of the given cells, in order; an instance's value is its
/// mean over the evaluation seeds). Returns the files and a line for the report naming what a value is (quantity).
let write (folder: string) (name: string) (quantity: string) (cells: string list) (instances: InstanceValue list) =
    let instanceLines = [ for v in instances -> Csv.instanceRow name v.Cell v.TrainingSeed v.EvalSeed v.Instance v.Value ]
    AtomicFile.WriteAllText(Path.Combine(folder, name + "-instances.csv"), String.Join("\n", Csv.instanceHeader :: instanceLines) + "\n")
    let levelLines =
        [ for cell in cells do
            let bySeed =
                [ for (seed, vs) in instances |> List.filter (fun v -> v.Cell = cell) |> List.groupBy (fun v -> v.TrainingSeed) ->
                    seed, vs |> List.groupBy (fun v -> v.Instance) |> List.sortBy fst |> List.map (fun (_, e) -> e |> List.averageBy (fun v -> v.Value)) |> Array.ofList ]
            let level = Bootstrap.hierarchical Policy.bootstrapConfidence Policy.bootstrapReplicates Policy.bootstrapSeed bySeed
            yield Csv.levelRow name cell level ]
    AtomicFile.WriteAllText(Path.Combine(folder, name + "-levels.csv"), String.Join("\n", Csv.levelHeader :: levelLines) + "\n")
    let files = [ name + "-instances.csv"; name + "-levels.csv" ]
    files,
    sprintf "- Evidence: every test instance's %s per cell and training seed in [%s](%s); each cell's level with its %g%% hierarchical-bootstrap interval (training seeds, then instances; %d replicates, seed %d) in [%s](%s)."
        quantity files[0] files[0] (100.0 * Policy.bootstrapConfidence) Policy.bootstrapReplicates Policy.bootstrapSeed files[1] files[1]
