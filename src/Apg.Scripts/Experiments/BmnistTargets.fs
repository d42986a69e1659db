/// Bouncing MNIST's tables and figure: Table 1's BC-MNIST row, Table 2 (reconstruction error) and Figure 4.
module Apg.Scripts.Experiments.BmnistTargets

open System.IO
open TorchSharp
open Apg.Core.Inference
open Apg.Core.Models.Bmnist
open Apg.Scripts.Report.Figures
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.BmnistExperiments

let private last (a: float[]) = a[a.Length - 1]

let private paperFile (ctx: Context) (name: string) = Json.parseFile (Path.Combine(ctx.Paper, name + ".json"))

let private notes (file: System.Text.Json.Nodes.JsonObject) (source: string) =
    Json.getArray source file "notes" |> Seq.map (fun n -> "- " + n.GetValue<string>()) |> String.concat "\n"

let private trainingNote (b: Scale.BmnistScale) =
    sprintf "Trained %d steps (APG: K = %d, L = %d; RWS: one sweep of K x L = %d particles; %d videos a batch, learning rate %g) on %d videos of T = %d frames with D = %d digits, %d x %d pixels, from the MNIST training digits; test videos use the held-out test digits. %s"
        b.Train.Steps b.Train.Sweeps b.Train.Particles (b.Train.Sweeps * b.Train.Particles) b.Train.BatchSize b.Train.LearningRate
        b.TrainVideos b.TrainTimesteps b.TrainDigits b.FrameSize b.FrameSize b.Note

/// Table 1, BC-MNIST row: RWS (20 L particles, one sweep), BPG, HMC-RWS LF = 1, 5, 10 (from the RWS-trained one-shot
/// proposal and decoder), APG K = 5, 10, 20 (from the APG-trained ones); each method under the model trained with it.
let table1 (ctx: Context) (folder: string) : TargetResult =
    let b = scaleOf ctx
    let t = b.Table1
    let L = t.Particles
    // BPG at L particles, as the other samplers: this row's scale has no bpg_factor.
    let columns = Table1Row.standard L 1
    let logJoint trainSeed =
        let networks = Table1Row.trainings (fun () -> train ctx trainSeed) (fun () -> trainRws ctx trainSeed)
        fun seed (r: Table1Row.Run) ->
            let s = BmnistEvalSettings(r.Method, r.Sweeps, r.Particles, LeapfrogSteps = r.LeapfrogSteps, Seed = seed, StepSize = t.HmcStepSize)
            let e = eval ctx (networks r.Training) s t.Videos t.Timesteps t.Digits
            e.LogJoint, e.InstanceLogJoint
    let cells, instances = Table1Row.cells b.TrainSeeds b.EvalSeeds columns logJoint
    let evidenceFiles, evidenceNote = Table1Row.evidence folder "table1-bmnist" columns instances
    let file = paperFile ctx "table1-bmnist"
    let paper = Json.getObject "paper/table1-bmnist.json" file "paper"
    let paperScale = Json.getFloat "paper/table1-bmnist.json" paper "scale"
    let rows = Table1Row.rows paper paperScale (sprintf "%.0f") (sprintf "%.0f") cells columns (fun _ -> [])
    let title =
        sprintf "Table 1, BC-MNIST row (scale %s; %d test videos, T = %d, D = %d, %d x %d pixels; L = %d; %d training seed(s))"
            ctx.Scale.Name t.Videos t.Timesteps t.Digits b.FrameSize b.FrameSize L b.TrainSeeds.Length
    let md = Outputs.table folder "table1-bmnist" title [ "method"; "paper log p (T = 100, D = 5, 96 x 96)"; "ours log p (mean over training seeds)"; "sd over training seeds"; "training seeds" ] rows
    let scaleNote = sprintf "- At this scale: %s. %s" t.Note (trainingNote b)
    { Cells = cells; Markdown = md + "\n\n" + scaleNote + "\n" + evidenceNote + "\n" + notes file "paper/table1-bmnist.json" + "\n"
      Files = [ "table1-bmnist.md"; "table1-bmnist.csv" ] @ evidenceFiles }

/// Table 2's metric for a blank reconstruction (every pixel 0) of the test videos of (D, T): the mean over videos of
/// each frame's summed squared grey levels, a property of the corpus alone, summed a hundred videos at a time.
let private blankError (ctx: Context) (videos: int) (timesteps: int) (digits: int) : float =
    let corpusPath, _ = corpus ctx "test" videos timesteps digits
    use scope = torch.NewDisposeScope()
    let frames = (BmnistCorpusFiles.Load corpusPath).Frames
    let chunkTotal (chunk: torch.Tensor) = ReconstructionError.MeanSquared(chunk, torch.zeros_like chunk).sum().``to``(torch.ScalarType.Float64).item<float>()
    let total = frames.split(100L) |> Array.sumBy chunkTotal
    total / float (frames.size 0)

/// Table 2: the reconstruction error at a budget K x L per (D, T): RWS (K x L particles), HMC-RWS (K = 10, LF = 1),
/// APG K = 10 and K = 20. Cells per (D, T) and averaged over them (the claims use the averages).
let table2 (ctx: Context) (folder: string) : TargetResult =
    let b = scaleOf ctx
    let t = b.Table2
    let b1 = b.Table1
    // (cell, label, settings, scored under the RWS-trained model)
    let methods =
        [ "rws", "RWS", (fun seed -> BmnistEvalSettings(SamplerMethod.Rws, 1, t.Budget, Seed = seed)), true
          "hmc_rws", "HMC-RWS K=10", (fun seed -> BmnistEvalSettings(SamplerMethod.HmcRws, 10, t.Budget / 10, LeapfrogSteps = 1, Seed = seed, StepSize = b1.HmcStepSize)), true
          "apg_k10", "APG K=10", (fun seed -> BmnistEvalSettings(SamplerMethod.Apg, 10, t.Budget / 10, Seed = seed)), false
          "apg_k20", "APG K=20", (fun seed -> BmnistEvalSettings(SamplerMethod.Apg, 20, t.Budget / 20, Seed = seed)), false ]
    let configs = [ for d in t.Digits do for steps in t.Timesteps -> d, steps ]
    let entries =
        [ for trainSeed in b.TrainSeeds do
            let trained = train ctx trainSeed
            let rwsTrained = trainRws ctx trainSeed
            for seed in b.EvalSeeds do
                for key, _, settings, rwsModel in methods do
                    let errors =
                        [ for d, steps in configs ->
                            let r = eval ctx (if rwsModel then rwsTrained else trained) (settings seed) t.Videos steps d
                            d, steps, r.MeanSquaredError ]
                    for d, steps, e in errors do
                        yield sprintf "%s_d%d_t%d" key d steps, trainSeed, e
                    yield sprintf "%s_mean" key, trainSeed, errors |> List.averageBy (fun (_, _, e) -> e) ]
    let cells = Claims.perTrainingSeed entries
    let file = paperFile ctx "table2"
    let paper = Json.getObject "paper/table2.json" file "paper"
    let paperCell key d steps = match paper[sprintf "%s_d%d_t%d" key d steps] with null -> "—" | n -> sprintf "%.1f" (n.GetValue<float>())
    let blank = Map [ for d, steps in configs -> (d, steps), blankError ctx t.Videos steps d ]
    let blankMean = configs |> List.averageBy (fun c -> blank[c])
    let row videos label paper (mean: float) sd (floor: float) =
        [ videos; label; paper; sprintf "%.1f" mean; sd; sprintf "%.3f" (mean / floor) ]
    let sdOf (s: Claims.Stat) = if s.N > 1 then sprintf "%.1f" s.Sd else "—"
    let rows =
        [ for d, steps in configs do
            let videos = sprintf "D=%d, T=%d" d steps
            yield row videos "blank frame (every pixel 0)" "—" blank[d, steps] "—" blank[d, steps]
            for key, label, _, _ in methods ->
                let s = Claims.stat cells[sprintf "%s_d%d_t%d" key d steps]
                row videos label (paperCell key d steps) s.Mean (sdOf s) blank[d, steps]
          yield row "mean over the rows above" "blank frame (every pixel 0)" "—" blankMean "—" blankMean
          for key, label, _, _ in methods ->
              let s = Claims.stat cells[key + "_mean"]
              row "mean over the rows above" label "—" s.Mean (sdOf s) blankMean ]
    let title =
        sprintf "Table 2: reconstruction error (scale %s; %d test videos per row, %d x %d pixels, budget K x L = %d; %d training seed(s))"
            ctx.Scale.Name t.Videos b.FrameSize b.FrameSize t.Budget b.TrainSeeds.Length
    let md = Outputs.table folder "table2" title [ "videos"; "method"; "paper (96 x 96, 5,000 videos, budget 1000)"; "ours (mean over training seeds)"; "sd over training seeds"; "ours / blank frame" ] rows
    let metric = Json.getString "paper/table2.json" file "metric"
    let blankNote =
        "- Blank frame: the metric of a reconstruction with every pixel 0, from the test videos alone (the digits' summed squared grey levels per frame); "
        + "the last column divides each method's error by it, so a method at 1 or above has reconstructed nothing a blank frame does not."
    let scaleNote = sprintf "- Metric: %s\n%s\n- At this scale: %s. %s" metric blankNote t.Note (trainingNote b)
    { Cells = cells; Markdown = md + "\n\n" + scaleNote + "\n" + notes file "paper/table2.json" + "\n"; Files = [ "table2.md"; "table2.csv" ] }

/// Figure 4: one test video; rows: the data, the RWS sample (the heaviest of K x L particles) and the APG sample after K
/// sweeps, each sample shown as its reconstruction of the frames; the first frames shown.
let figure4 (ctx: Context) (folder: string) : TargetResult =
    let b = scaleOf ctx
    let f = b.Figure4
    let budget = f.Sweeps * f.Particles
    let draw trainSeed seed =
        let rws = sample ctx (trainRws ctx trainSeed) (BmnistEvalSettings(SamplerMethod.Rws, 1, budget, Seed = seed)) f.Timesteps f.Digits
        let apg = sample ctx (train ctx trainSeed) (BmnistEvalSettings(SamplerMethod.Apg, f.Sweeps, f.Particles, Seed = seed)) f.Timesteps f.Digits
        rws, apg
    let entries =
        [ for trainSeed in b.TrainSeeds do
            for seed in b.EvalSeeds do
                let rws, apg = draw trainSeed seed
                yield "rws_log_joint", trainSeed, rws.LogJoint
                yield sprintf "apg_k%d_log_joint" f.Sweeps, trainSeed, apg.LogJoint
                yield "rws_mse", trainSeed, rws.MeanSquaredError
                yield sprintf "apg_k%d_mse" f.Sweeps, trainSeed, apg.MeanSquaredError
                yield "rws_position_error", trainSeed, rws.PositionError
                yield "apg_position_error", trainSeed, apg.PositionError ]
    let trainSeed, seed = b.TrainSeeds.Head, b.EvalSeeds.Head
    let rws, apg = draw trainSeed seed
    let shown = min f.Shown f.Timesteps
    let frames (video: torch.Tensor) =
        [| for t in 0 .. shown - 1 -> video[int64 t].``to``(torch.ScalarType.Float64).contiguous().data<float>().ToArray() |]
    let rowsOfImages = [| frames rws.Frames; frames rws.Reconstruction; frames apg.Reconstruction |]
    let labels =
        [ "data"; sprintf "RWS (%d particles)" budget; sprintf "APG, %d sweeps x %d" f.Sweeps f.Particles ]
    let title =
        sprintf "Figure 4: a test video (T = %d, D = %d; first %d frames); RWS log p = %.0f, MSE %.1f; APG log p = %.0f, MSE %.1f"
            f.Timesteps f.Digits shown rws.LogJoint rws.MeanSquaredError apg.LogJoint apg.MeanSquaredError
    let plot = imageRows title labels [ for t in 1 .. shown -> sprintf "t=%d" t ] b.FrameSize rowsOfImages
    savePlotSized folder "figure4" plot (shown * 110 + 200) (3 * 110 + 110)
    plot.Dispose()
    let side = b.FrameSize
    Outputs.csv folder "figure4"
        [ yield [ "row"; "frame"; "pixel_row"; "pixel_column"; "value" ]
          for r, name in List.indexed [ "data"; "rws"; "apg" ] do
              for t in 0 .. shown - 1 do
                  let image = rowsOfImages[r][t]
                  for i in 0 .. image.Length - 1 do
                      if image[i] > 0.0 then yield [ name; string (t + 1); string (i / side); string (i % side); Outputs.num image[i] ] ]
    let cells = Claims.perTrainingSeed entries
    let error name = Claims.stat cells[name]
    { Cells = cells
      Markdown =
        sprintf "## Figure 4\n\nOne test video (T = %d, D = %d digits unseen in training), training seed %d, evaluation seed %d. Rows: the data; the reconstruction from the RWS sample (the heaviest of %d one-shot particles); the reconstruction from the APG sample after %d sweeps of %d particles (the heaviest). The CSV lists every non-zero pixel of the frames shown.\n\n![Figure 4](figure4.png)\n\n- Tracking: the mean distance between the sample's and the true digit positions over the video's frames and digits (best matching of digits; pixels): RWS %O, APG %O over training seeds.\n"
            f.Timesteps f.Digits trainSeed seed budget f.Sweeps f.Particles (error "rws_position_error") (error "apg_position_error")
      Files = [ "figure4.png"; "figure4.svg"; "figure4.csv" ] }

let all = [ "table1-bmnist", table1; "table2", table2; "figure4", figure4 ]
