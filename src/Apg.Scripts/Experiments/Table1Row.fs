/// A task's row of Table 1 as data: its columns, each a cell read from one evaluation run (method, sweeps, particles,
/// leapfrog steps, and which training produced the model), measured per training and evaluation seed, and the row's
/// table against the paper's numbers. The GMM, DMM and bouncing-MNIST rows differ only in their columns and formats.
module Apg.Scripts.Experiments.Table1Row

open System
open System.Collections.Generic
open System.IO
open System.Text.Json.Nodes
open Apg.Core.Data
open Apg.Core.Inference
open Apg.Scripts.ClaimRules

/// Which training's networks a column's sampler runs with: APG's, or the RWS-trained one-shot proposal (the
/// standard encoder HMC-RWS starts from).
type Training =
    | ApgTrained
    | RwsTrained

/// One evaluation run: its sampler at sweeps K and particles L (RWS: K x L in one sweep; BPG: the task's factor
/// already applied), leapfrog steps for HMC-RWS, from the networks of one training.
type Run = { Method: SamplerMethod; Sweeps: int; Particles: int; LeapfrogSteps: int; Training: Training }

/// A column: its cell (the claims' name), its label in the table, its run, and the sweep it reads (None: the last).
type Column = { Cell: string; Label: string; Run: Run; Sweep: int option }

let column cell label run sweep = { Cell = cell; Label = label; Run = run; Sweep = sweep }

/// The paper's K = 20 comparison: RWS, BPG (with bpgFactor x the particles), HMC-RWS at 1, 5 and 10 leapfrog steps,
/// APG at K = 5, 10, 20 (prefixes of one chain), every sampler at L particles.
let standard (particles: int) (bpgFactor: int) : Column list =
    let run m k l lf training = { Method = m; Sweeps = k; Particles = l; LeapfrogSteps = lf; Training = training }
    let apg = run SamplerMethod.Apg 20 particles 1 ApgTrained
    [ column "rws_k20" "RWS K=20" (run SamplerMethod.Rws 20 particles 1 RwsTrained) None
      column "bpg_k20" "BPG K=20" (run SamplerMethod.Bpg 20 (bpgFactor * particles) 1 ApgTrained) None
      for lf in [ 1; 5; 10 ] do
          column (sprintf "hmc_rws_k20_lf%d" lf) (sprintf "HMC-RWS K=20 LF=%d" lf) (run SamplerMethod.HmcRws 20 particles lf RwsTrained) None
      column "apg_k5" "APG K=5" apg (Some 5)
      column "apg_k10" "APG K=10" apg (Some 10)
      column "apg_k20" "APG K=20" apg (Some 20) ]

/// One training seed's networks by training, each trained (or loaded) once, when a column first needs it.
let trainings (apg: unit -> 'T) (rws: unit -> 'T) : Training -> 'T =
    let apg, rws = lazy (apg ()), lazy (rws ())
    function
    | ApgTrained -> apg.Value
    | RwsTrained -> rws.Value

/// The cells of the row, and the per-instance values under them: for every training seed and evaluation seed, each
/// column's log p at its sweep. logJoint trainSeed is called once per training seed, then per evaluation seed and
/// run, and gives the run's mean log p per sweep and its log p per sweep and instance; columns sharing a run read it once.
let cells (trainSeeds: uint64 list) (evalSeeds: uint64 list) (columns: Column list) (logJoint: uint64 -> uint64 -> Run -> float[] * float[][]) =
    let measured =
        [ for trainSeed in trainSeeds do
            let measure = logJoint trainSeed
            for seed in evalSeeds do
                let runs = Dictionary<Run, float[] * float[][]>()
                for c in columns do
                    let mean, perInstance =
                        match runs.TryGetValue c.Run with
                        | true, r -> r
                        | _ ->
                            let r = measure seed c.Run
                            runs[c.Run] <- r
                            r
                    let k = match c.Sweep with Some k -> k - 1 | None -> mean.Length - 1
                    yield c.Cell, trainSeed, seed, mean[k], perInstance[k] ]
    let cells = measured |> List.map (fun (cell, trainSeed, _, mean, _) -> cell, trainSeed, mean) |> Claims.perTrainingSeed
    let instances = [ for cell, trainSeed, seed, _, values in measured do yield! Evidence.ofArray cell trainSeed seed values ]
    cells, instances

/// Rule 8 and rule 6 for the row (Evidence): every per-instance log p, and each column's level with its interval.
let evidence (folder: string) (name: string) (columns: Column list) (instances: Evidence.InstanceValue list) =
    Evidence.write folder name "log p" [ for c in columns -> c.Cell ] instances

/// The table's rows: label, the paper's value (times its scale, "—" where the paper has none), our mean and sd over
/// training seeds and their number, then the task's extra columns.
let rows (paper: JsonObject) (paperScale: float) (paperFormat: float -> string) (oursFormat: float -> string)
         (cells: Map<string, SeedValues>) (columns: Column list) (extra: Column -> string list) =
    [ for c in columns do
        let s = Claims.stat cells[c.Cell]
        let paperValue = match paper[c.Cell] with null -> "—" | n -> paperFormat (n.GetValue<float>() * paperScale)
        yield [ c.Label; paperValue; oursFormat s.Mean; (if s.N > 1 then oursFormat s.Sd else "—"); string s.N ] @ extra c ]
