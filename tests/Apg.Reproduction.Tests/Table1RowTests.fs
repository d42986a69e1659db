/// Table1Row: a Table-1 row from its columns as data, on a fake evaluation whose values are known.
module Apg.Reproduction.Tests.Table1RowTests

open System.IO
open Expecto
open Apg.Core.Inference
open Apg.Scripts.Experiments

/// A run's log p per sweep is 100 x training seed + 10 x evaluation seed + sweep (per instance: that, plus the
/// instance's index minus 1, so that the two instances average to it); RWS's runs are one sweep.
let private fake (calls: ResizeArray<uint64 * uint64 * Table1Row.Run>) (trainSeed: uint64) =
    fun (seed: uint64) (r: Table1Row.Run) ->
        calls.Add((trainSeed, seed, r))
        let sweeps = if r.Method = SamplerMethod.Rws then 1 else r.Sweeps
        let mean = Array.init sweeps (fun k -> 100.0 * float trainSeed + 10.0 * float seed + float (k + 1) + (if r.Training = Table1Row.RwsTrained then 0.5 else 0.0))
        mean, mean |> Array.map (fun m -> [| m - 1.0; m + 1.0 |])

let tests =
    testList "table1 row" [
        test "each column reads its run's sweep; APG's K = 5, 10, 20 share one run; evaluation seeds are averaged per training seed" {
            let calls = ResizeArray()
            let columns = Table1Row.standard 10 100
            let cells, instances = Table1Row.cells [ 1UL; 2UL ] [ 1UL; 3UL ] columns (fake calls)
            // 6 runs per (training, evaluation) seed: RWS, BPG, 3 HMC-RWS, one APG chain for its three columns.
            Expect.equal calls.Count (2 * 2 * 6) "runs read"
            Expect.equal (cells["apg_k5"]) [ 1UL, 100.0 + 20.0 + 5.0; 2UL, 200.0 + 20.0 + 5.0 ] "APG K=5 is sweep 5, the mean of eval seeds 1 and 3"
            Expect.equal (cells["apg_k20"] |> List.map snd) [ 140.0; 240.0 ] "K=20 is the last sweep"
            Expect.equal (cells["rws_k20"] |> List.map snd) [ 121.5; 221.5 ] "RWS: its one sweep, from the RWS training"
            let bpg = calls |> Seq.find (fun (_, _, r) -> r.Method = SamplerMethod.Bpg)
            let _, _, bpgRun = bpg
            Expect.equal bpgRun.Particles 1000 "BPG with bpg_factor x L"
            Expect.equal (instances |> List.filter (fun v -> v.Cell = "apg_k10" && v.TrainingSeed = 2UL && v.EvalSeed = 3UL) |> List.map (fun v -> v.Instance, v.Value))
                [ 0, 239.0; 1, 241.0 ] "per-instance values of one cell, training and evaluation seed"
        }

        test "the evidence files: every instance value, and each cell's level whose estimate is the mean of its seeds' means" {
            let folder = Support.tempDir "table1row"
            let columns = Table1Row.standard 10 1
            let cells, instances = Table1Row.cells [ 1UL; 2UL; 3UL ] [ 1UL ] columns (fake (ResizeArray()))
            let files, note = Table1Row.evidence folder "t" columns instances
            Expect.equal files [ "t-instances.csv"; "t-levels.csv" ] "the files"
            Expect.stringContains note "t-levels.csv" "the report names them"
            let instanceLines = File.ReadAllLines(Path.Combine(folder, "t-instances.csv"))
            Expect.equal instanceLines.Length (1 + columns.Length * 3 * 2) "one row per cell, training seed and instance"
            let levels = File.ReadAllLines(Path.Combine(folder, "t-levels.csv"))
            Expect.equal levels.Length (1 + columns.Length) "one level per column"
            let header = Apg.Scripts.ClaimRules.Csv.split levels[0]
            for line in levels |> Array.skip 1 do
                let f = Map.ofList (List.zip header (Apg.Scripts.ClaimRules.Csv.split line))
                let estimate, lower, upper = float f["estimate"], float f["lower"], float f["upper"]
                Expect.floatClose Accuracy.high estimate (Claims.stat cells[f["cell"]]).Mean (sprintf "%s: the estimate is the cell's mean" f["cell"])
                Expect.isTrue (lower <= estimate && estimate <= upper) (sprintf "%s: %g in [%g, %g]" f["cell"] estimate lower upper)
                Expect.isTrue (upper - lower > 0.0) "seeds differ by 100: the interval has width"
        }
    ]
