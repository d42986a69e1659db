/// The DMM's table row and figure: Table 1's DMM row and Figure 1b.
module Apg.Scripts.Experiments.DmmTargets

open System.IO
open Apg.Core.Inference
open Apg.Core.Models.Dmm
open Apg.Scripts.Report.Figures
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.DmmExperiments

let private scaleOf (ctx: Context) = Scale.section ctx.Scale "dmm" ctx.Scale.Dmm

let private last (a: float[]) = a[a.Length - 1]

/// Table 1, DMM row: RWS (K * L particles, one sweep), BPG, HMC-RWS LF = 1, 5, 10 (from the RWS-trained encoder and
/// decoder), APG K = 5, 10, 20 (from the APG-trained ones). Each method is scored under the model trained with it.
let table1 (ctx: Context) (folder: string) : TargetResult =
    let d = scaleOf ctx
    let t = d.Table1
    let L = t.Particles
    let columns = Table1Row.standard L t.BpgFactor
    let logJoint trainSeed =
        let networks = Table1Row.trainings (fun () -> train ctx trainSeed) (fun () -> trainRws ctx trainSeed)
        fun seed (r: Table1Row.Run) ->
            let s = DmmEvalSettings(r.Method, r.Sweeps, r.Particles, LeapfrogSteps = r.LeapfrogSteps, Seed = seed, StepSize = t.HmcStepSize)
            let e = evaluation ctx (networks r.Training) s
            e.LogJoint, e.InstanceLogJoint
    let cells, instances = Table1Row.cells d.TrainSeeds d.EvalSeeds columns logJoint
    let evidenceFiles, evidenceNote = Table1Row.evidence folder "table1-dmm" columns instances
    let paperFile = Json.parseFile (Path.Combine(ctx.Paper, "table1-dmm.json"))
    let paper = Json.getObject "paper/table1-dmm.json" paperFile "paper"
    let paperScale = Json.getFloat "paper/table1-dmm.json" paper "scale"
    let rows = Table1Row.rows paper paperScale (sprintf "%.0f") (sprintf "%.1f") cells columns (fun _ -> [])
    let title =
        sprintf "Table 1, DMM row (scale %s; %d test instances, N = %d; noise scale %g; L = %d; %d training seed(s))"
            ctx.Scale.Name d.TestInstances d.TestPoints d.NoiseScale L d.TrainSeeds.Length
    let md = Outputs.table folder "table1-dmm" title [ "method"; "paper log p"; "ours log p (mean over training seeds)"; "sd over training seeds"; "training seeds" ] rows
    let notes = Json.getArray "paper/table1-dmm.json" paperFile "notes" |> Seq.map (fun n -> "- " + n.GetValue<string>())
    let scaleNote =
        sprintf "- At this scale: %s. Trained %d steps (K = %d, L = %d, %d instances a batch, learning rate %g) on %d instances of N = %d."
            t.Note d.Train.Steps d.Train.Sweeps d.Train.Particles d.Train.BatchSize d.Train.LearningRate d.TrainInstances d.TrainPoints
    { Cells = cells; Markdown = md + "\n\n" + scaleNote + "\n" + evidenceNote + "\n" + String.concat "\n" notes + "\n"
      Files = [ "table1-dmm.md"; "table1-dmm.csv" ] @ evidenceFiles }

/// Figure 1b: two test instances: the data, the RWS sample (K * L particles), APG after K sweeps, and the
/// reconstruction mu[c] + decoder(h) of the APG sample; points coloured by ring, circles of the learned radius.
let figure1b (ctx: Context) (folder: string) : TargetResult =
    let d = scaleOf ctx
    let L = d.Table1.Particles
    let K = d.Figure1bSweeps
    let instances = [ 0; 1 ]
    let draw trainSeed instance seed =
        let rws = sample ctx (trainRws ctx trainSeed) true 1 (K * L) seed instance
        let apg = sample ctx (train ctx trainSeed) false K L seed instance
        rws, apg
    let entries =
        [ for trainSeed in d.TrainSeeds do
            for seed in d.EvalSeeds do
                let drawn = instances |> List.map (fun i -> draw trainSeed i seed)
                yield "rws", trainSeed, drawn |> List.averageBy (fun (r, _) -> r.LogJoint)
                yield sprintf "apg_k%d" K, trainSeed, drawn |> List.averageBy (fun (_, a) -> a.LogJoint) ]
    let trainSeed, seed = d.TrainSeeds.Head, d.EvalSeeds.Head
    let rings (s: RingSample) = [ for c in s.Centres -> c[0], c[1], s.Radius, s.Radius ]
    let panels =
        [ for i in instances do
            let points = testPoints ctx i
            let rws, apg = draw trainSeed i seed
            yield i, "data", { ClusterPanel.Title = sprintf "instance %d: data" (i + 1); Points = points; Assignments = None; Clusters = [] }
            yield i, "rws", { Title = sprintf "RWS (%d particles), log p = %.0f" (K * L) rws.LogJoint; Points = points; Assignments = Some rws.Assignments; Clusters = rings rws }
            yield i, "apg", { Title = sprintf "APG, K = %d, log p = %.0f" K apg.LogJoint; Points = points; Assignments = Some apg.Assignments; Clusters = rings apg }
            yield i, "reconstruction", { Title = "APG sample: mu[c] + decoder(h)"; Points = apg.Reconstruction; Assignments = Some apg.Assignments; Clusters = [] } ]
    let plots = panels |> List.map (fun (_, _, p) -> clusterPlot p)
    saveGrid folder "figure1b" instances.Length (panels.Length / instances.Length) plots 360 340
    for p in plots do p.Dispose()
    Outputs.csv folder "figure1b"
        [ yield [ "instance"; "panel"; "index"; "x"; "y"; "ring" ]
          for i, name, p in panels do
              for n, pt in Array.indexed p.Points ->
                  [ string i; name; string n; Outputs.num pt[0]; Outputs.num pt[1]; (match p.Assignments with Some a -> string a[n] | None -> "") ] ]
    { Cells = Claims.perTrainingSeed entries
      Markdown =
        sprintf "## Figure 1b\n\nSingle samples (the heaviest particle) on DMM test instances 1 and 2 (N = %d), training seed %d, evaluation seed %d; circles have the learned radius; noise scale %g.\n\n![Figure 1b](figure1b.png)\n" d.TestPoints trainSeed seed d.NoiseScale
      Files = [ "figure1b.png"; "figure1b.svg"; "figure1b.csv" ] }

let all = [ "table1-dmm", table1; "figure1b", figure1b ]
