/// The GMM tables and figures: which runs each needs, how its cells are measured, and what it writes.
module Apg.Scripts.Experiments.GmmTargets

open System.IO
open Apg.Core.Inference
open Apg.Core.Models.Gmm
open Apg.Scripts.Report
open Apg.Scripts.Report.Figures
open Apg.Scripts.Experiments.Harness
open Apg.Scripts.Experiments.GmmExperiments

let private settings (ctx: Context) methodName sweeps particles seed =
    GmmEvalSettings(SamplerMethods.Parse methodName, sweeps, particles, Seed = seed)

let private last (a: float[]) = a[a.Length - 1]

/// Table 1, GMM row, measured as the authors' evaluation does (paper/scales: gmm.table1): every sampler at K = 20 with
/// L particles (RWS with K * L in one sweep), BPG with bpg_factor times the particles, HMC at the authors' step size,
/// APG at K = 5, 10, 20, exact Gibbs at 20 and at stationarity. Each training seed is one unit of every cell.
let table1 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let t = g.Table1
    let L = t.Particles
    // HMC-RWS moves the samples of the standard encoder, the RWS-trained one (section 6.1); started from the
    // APG-trained encoder instead, it is our addition, reported beside it. Gibbs runs to stationarity.
    let run m k lf training : Table1Row.Run = { Method = m; Sweeps = k; Particles = L; LeapfrogSteps = lf; Training = training }
    let standard = Table1Row.standard L t.BpgFactor
    let gibbs = run SamplerMethod.Gibbs g.GibbsStationarySweeps 1 Table1Row.ApgTrained
    let columns =
        List.take 5 standard
        @ [ for lf in [ 1; 5; 10 ] ->
                Table1Row.column (sprintf "hmc_apg_encoder_k20_lf%d" lf) (sprintf "HMC from the APG encoder K=20 LF=%d (ours)" lf)
                    (run SamplerMethod.HmcRws 20 lf Table1Row.ApgTrained) None ]
        @ List.skip 5 standard
        @ [ Table1Row.column "gibbs_k20" "GIBBS K=20" gibbs (Some 20); Table1Row.column "gibbs_k100" "GIBBS K=100" gibbs None ]
    let logJoint trainSeed =
        let networks = Table1Row.trainings (fun () -> Some (train ctx trainSeed BlockStrategy.Decomposed)) (fun () -> Some (trainRws ctx trainSeed))
        fun seed (r: Table1Row.Run) ->
            let s =
                if r.Method = SamplerMethod.HmcRws then
                    GmmEvalSettings(r.Method, r.Sweeps, r.Particles, LeapfrogSteps = r.LeapfrogSteps, Seed = seed, StepSize = t.HmcStepSize)
                else GmmEvalSettings(r.Method, r.Sweeps, r.Particles, Seed = seed)
            let e = evaluation ctx (networks r.Training) s None
            e.LogJoint, e.InstanceLogJoint
    let cells, instances = Table1Row.cells g.TrainSeeds g.EvalSeeds columns logJoint
    let evidenceFiles, evidenceNote = Table1Row.evidence folder "table1" columns instances
    let paperFile = Json.parseFile (Path.Combine(ctx.Paper, "table1.json"))
    let paper = Json.getObject "paper/table1.json" (Json.getObject "paper/table1.json" paperFile "paper") "gmm"
    let paperScale = Json.getFloat "paper/table1.json" paper "scale"
    let authors = Json.getObject "paper/table1.json" paperFile "authors_settings"
    let authorsL = Json.getInt "paper/table1.json" authors "particles"
    let authorsBpg = Json.getInt "paper/table1.json" authors "bpg_factor"
    let authorsStep = Json.getFloat "paper/table1.json" authors "hmc_step_size"
    let same ours theirs = if ours = theirs then "as the authors" else "authors: " + theirs
    // Per cell: the particles and settings behind our number against the authors' evaluation.
    let setting key =
        match key with
        | "rws_k20" -> sprintf "K·L = %d particles, one sweep (%s)" (20 * L) (same (string (20 * L)) (string (20 * authorsL)))
        | "bpg_k20" -> sprintf "L = %d (%d x %d; %s)" (t.BpgFactor * L) t.BpgFactor L (same (string (t.BpgFactor * L)) (sprintf "%d x %d" authorsBpg authorsL))
        | k when k.StartsWith "hmc" -> sprintf "L = %d, step %g (%s)" L t.HmcStepSize (same (sprintf "%d, %g" L t.HmcStepSize) (sprintf "%d, %g" authorsL authorsStep))
        | "gibbs_k100" -> sprintf "L = %d (ours: not in the paper)" L
        | _ -> sprintf "L = %d (%s)" L (same (string L) (string authorsL))
    let rws = (Claims.stat cells["rws_k20"]).Mean
    let gibbsMean = (Claims.stat cells["gibbs_k100"]).Mean
    let gapClosed (c: Table1Row.Column) = sprintf "%.2f" (((Claims.stat cells[c.Cell]).Mean - rws) / (gibbsMean - rws))
    let rows = Table1Row.rows paper paperScale (sprintf "%.1f") (sprintf "%.1f") cells columns (fun c -> [ gapClosed c; setting c.Cell ])
    let title =
        sprintf "Table 1, GMM row (scale %s; %d test instances, N = %d; %d training seed(s) x %d evaluation seed(s))"
            ctx.Scale.Name g.TestInstances g.TestPoints g.TrainSeeds.Length g.EvalSeeds.Length
    let md =
        Outputs.table folder "table1" title
            [ "method"; "paper log p"; "ours log p (mean over training seeds)"; "sd over training seeds"; "training seeds"; "share of the RWS→Gibbs gap closed"; "evaluation setting" ] rows
    let notes = Json.getArray "paper/table1.json" paperFile "notes" |> Seq.map (fun n -> "- " + n.GetValue<string>())
    let scaleNote = sprintf "- At this scale: %s" t.Note
    { Cells = cells; Markdown = md + "\n\n" + scaleNote + "\n" + evidenceNote + "\n" + String.concat "\n" notes + "\n"
      Files = [ "table1.md"; "table1.csv" ] @ evidenceFiles }

/// Figure 2: log p(x, z) against sweeps on one test instance, for every method, at the authors' convergence-plot
/// settings (paper/scales: gmm.figure2). Curves are drawn for the first training and evaluation seed; the claims use
/// every training seed.
let figure2 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let f = g.Figure2
    let L, K = f.Particles, f.Sweeps
    let curves = System.Collections.Generic.Dictionary<string, float[]>()
    let entries =
        [ for trainSeed in g.TrainSeeds do
            let trained = train ctx trainSeed BlockStrategy.Decomposed
            let rwsTrained = trainRws ctx trainSeed
            for seed in g.EvalSeeds do
                let drawn = trainSeed = g.TrainSeeds.Head && seed = g.EvalSeeds.Head
                let oneFrom encoder (name: string) (s: GmmEvalSettings) =
                    let curve = fst (eval ctx (Some encoder) s (Some 0))
                    if drawn then curves[name] <- curve
                    curve
                yield "apg_final", trainSeed, last (oneFrom trained "APG" (settings ctx "apg" K L seed))
                yield "gibbs_final", trainSeed, last (oneFrom trained "Gibbs" (settings ctx "gibbs" K L seed))
                yield "bpg_final", trainSeed, last (oneFrom trained (sprintf "BPG (%dx particles)" f.BpgFactor) (settings ctx "bpg" K (f.BpgFactor * L) seed))
                for lf in [ 1; 5; 10 ] do
                    let s = GmmEvalSettings(SamplerMethod.HmcRws, K, L, LeapfrogSteps = lf, Seed = seed, StepSize = f.HmcStepSize)
                    yield sprintf "hmc_rws_lf%d_final" lf, trainSeed, last (oneFrom rwsTrained (sprintf "HMC-RWS LF=%d" lf) s)
                let rws = (fst (eval ctx (Some rwsTrained) (settings ctx "rws" K L seed) (Some 0)))[0]
                if drawn then curves["RWS"] <- Array.create K rws
                yield "rws_final", trainSeed, rws ]
    let sweeps = [| for k in 1 .. K -> float k |]
    let rws, gibbs = curves["RWS"][0], Array.last curves["Gibbs"]
    let chart =
        { Chart.Title = sprintf "GMM: log p(x, z) on one test instance (scale %s, L = %d, HMC step %g)" ctx.Scale.Name L f.HmcStepSize
          XLabel = "sweeps"; YLabel = "log p(x, z)"; LogX = true
          Series = [ for kv in curves -> { Series.Name = kv.Key; X = sweeps[.. kv.Value.Length - 1]; Y = kv.Value } ]
          // BPG swings far below the rest; the axis stops a little under RWS so the converging methods stay readable.
          YMin = Some(rws - 0.25 * abs (gibbs - rws)) }
    Outputs.figure folder "figure2" chart
    { Cells = Claims.perTrainingSeed entries
      Markdown =
        sprintf "## Figure 2\n\n![Figure 2](figure2.png)\n\nOne test instance; L = %d, %d sweeps, BPG with %dx the particles, HMC step %g (%s).\n" L K f.BpgFactor f.HmcStepSize f.Note
      Files = [ "figure2.png"; "figure2.svg"; "figure2.csv" ] }

/// Figure 3: final log p(x, z) and ESS at a fixed budget K * L, decomposed against joint blocks. ESS / L is taken
/// after each sweep's last block (for decomposed blocks the {c} block, its per-point weights summed) and, as the
/// authors do, after its first block (the {mu, tau} block; for joint blocks the same, one block). The figure's curves
/// compare different L, so each ESS / L has a floor of 1 / L; the claim that sweeps raise the ESS is checked at one
/// fixed L instead: the last sweep against the first (the one-shot proposal) of the run with the most sweeps.
let figure3 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let models = [ "decomposed", BlockStrategy.Decomposed; "joint", BlockStrategy.Joint ]
    let ks = g.Figure3Sweeps
    let kMax = List.max ks
    // (model, K, training seed, evaluation); decomposed blocks are trained for every training seed (Table 1 needs
    // them), joint blocks for figure3_joint_train_seeds.
    let seedsOf blocks = if blocks = BlockStrategy.Joint then g.Figure3JointSeeds else g.TrainSeeds
    let results =
        [ for name, blocks in models do
            for trainSeed in seedsOf blocks do
                let trained = Some (train ctx trainSeed blocks)
                for k in ks do
                    for seed in g.EvalSeeds do
                        let s = GmmEvalSettings(SamplerMethod.Apg, k, g.Figure3Budget / k, Seed = seed, Blocks = blocks)
                        yield name, k, trainSeed, evaluation ctx trained s None ]
    let series (label: string -> string) (metric: Evaluation -> float) =
        [ for name, _ in models ->
            let pts = ks |> List.map (fun k -> float k, results |> List.filter (fun (n, kk, _, _) -> n = name && kk = k) |> List.averageBy (fun (_, _, _, e) -> metric e))
            { Series.Name = label name; X = pts |> List.map fst |> Array.ofList; Y = pts |> List.map snd |> Array.ofList } ]
    let title what = sprintf "GMM: %s at budget K·L = %d (scale %s)" what g.Figure3Budget ctx.Scale.Name
    Outputs.figure folder "figure3-logp" { Title = title "log p(x, z)"; XLabel = "sweeps K (L = budget / K)"; YLabel = "log p(x, z)"; LogX = true; YMin = None; Series = series id (fun e -> last e.LogJoint) }
    Outputs.figure folder "figure3-ess"
        { Title = title "ESS / L"; XLabel = "sweeps K (L = budget / K)"; YLabel = "ESS / L"; LogX = true; YMin = None
          Series =
            series (sprintf "%s, after the last block") (fun e -> last e.Ess)
            @ (series (sprintf "%s, after the first block (authors')") (fun e -> last e.FirstBlockEss) |> List.filter (fun s -> s.Name.StartsWith "decomposed")) }
    let pick name k (metric: Evaluation -> float) =
        [ for n, kk, trainSeed, e in results do if n = name && kk = k then yield trainSeed, metric e ]
    let cell (cellName: string) rows = rows |> List.map (fun (seed, v) -> cellName, seed, v)
    let cells =
        Claims.perTrainingSeed
            (cell "ess_decomposed_most_sweeps" (pick "decomposed" kMax (fun e -> last e.Ess))
             @ cell "ess_joint_most_sweeps" (pick "joint" kMax (fun e -> last e.Ess))
             @ cell "ess_first_block_decomposed_most_sweeps" (pick "decomposed" kMax (fun e -> last e.FirstBlockEss))
             @ cell "ess_fixed_l_one_shot" (pick "decomposed" kMax (fun e -> e.Ess[0]))
             @ cell "ess_fixed_l_last_sweep" (pick "decomposed" kMax (fun e -> last e.Ess))
             @ cell "logp_decomposed_most_sweeps" (pick "decomposed" kMax (fun e -> last e.LogJoint))
             @ cell "logp_joint_most_sweeps" (pick "joint" kMax (fun e -> last e.LogJoint))
             // Each point of the decomposed curves, for the trends in sweeps at the fixed budget K x L.
             @ [ for k in ks do
                   yield! cell (sprintf "logp_decomposed_k%d" k) (pick "decomposed" k (fun e -> last e.LogJoint))
                   yield! cell (sprintf "ess_decomposed_k%d" k) (pick "decomposed" k (fun e -> last e.Ess)) ])
    let meanOf name = List.averageBy snd cells[name]
    { Cells = cells
      Markdown =
        sprintf "## Figure 3\n\n![Figure 3, log p](figure3-logp.png)\n![Figure 3, ESS](figure3-ess.png)\n\nESS / L is measured after each sweep's last block (for decomposed blocks the {c} block, whose per-point weights are summed over points) and, as the authors measure it, after the sweep's first block (the {mu, tau} block; a joint block is both). Decomposed blocks at K = %d: %.3f after the last block, %.3f after the first. Along the curve L falls as K rises, so ESS / L has a floor of 1 / L that rises with K; the claim that sweeps raise the ESS is checked at a fixed L = %d: the one-shot proposal's ESS / L (%.3f) against the last sweep's (%.3f) in the same runs.\n"
            kMax (meanOf "ess_decomposed_most_sweeps") (meanOf "ess_first_block_decomposed_most_sweeps") (g.Figure3Budget / kMax) (meanOf "ess_fixed_l_one_shot") (meanOf "ess_fixed_l_last_sweep")
      Files = [ "figure3-logp.png"; "figure3-logp.svg"; "figure3-logp.csv"; "figure3-ess.png"; "figure3-ess.svg"; "figure3-ess.csv" ] }

/// Appendix G: the KL between the learned and the exact global conditional (given the true assignments) during training.
let appendixG (ctx: Context) (folder: string) : TargetResult =
    let runs = ctx.Scale.Gmm.TrainSeeds |> List.map (fun seed -> fst (train ctx seed BlockStrategy.Decomposed))
    let curves = runs |> List.map trainingCurve
    let first = curves.Head
    let steps = first |> Array.map (fun (s, _, _, _) -> s)
    Outputs.figure folder "appendix-g"
        { Title = sprintf "GMM: KL to the exact global conditional during training (scale %s)" ctx.Scale.Name
          XLabel = "gradient step"; YLabel = "KL (nats, summed over clusters and dims)"; LogX = false; YMin = None
          Series =
            [ { Series.Name = "KL(p || q) inclusive"; X = steps; Y = first |> Array.map (fun (_, i, _, _) -> i) }
              { Series.Name = "KL(q || p) exclusive"; X = steps; Y = first |> Array.map (fun (_, _, e, _) -> e) } ] }
    // The first and last logged values of each seed's run; early rows are averaged over the first tenth to damp batch noise.
    let edge (curve: (float * float * float * float)[]) pick fromEnd =
        let n = max 1 (curve.Length / 10)
        let rows = if fromEnd then curve[curve.Length - n ..] else curve[.. n - 1]
        rows |> Array.averageBy pick
    let perSeed pick fromEnd = List.zip ctx.Scale.Gmm.TrainSeeds (curves |> List.map (fun c -> edge c pick fromEnd))
    let cells =
        Map.ofList
            [ "kl_inclusive_first", perSeed (fun (_, i, _, _) -> i) false
              "kl_inclusive_last", perSeed (fun (_, i, _, _) -> i) true
              "kl_exclusive_first", perSeed (fun (_, _, e, _) -> e) false
              "kl_exclusive_last", perSeed (fun (_, _, e, _) -> e) true ]
    { Cells = cells; Markdown = "## Appendix G\n\n![Appendix G](appendix-g.png)\n"; Files = [ "appendix-g.png"; "appendix-g.svg"; "appendix-g.csv" ] }

/// Figure 1a: single samples on two test instances (N = 100): the data, the RWS sample, and APG after K sweeps.
let figure1a (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let L = g.Particles
    let ks = [ 2; 6; 12 ]
    let kMax = List.max ks
    let instances = [ 0; 1 ]
    // RWS gets the budget of the longest APG run: one sweep of K * L particles.
    let drawWith trainSeed instance seed =
        let trained = train ctx trainSeed BlockStrategy.Decomposed
        let rwsTrained = trainRws ctx trainSeed
        ("rws", sample ctx rwsTrained "rws" 1 (kMax * L) seed instance)
        :: [ for k in ks -> sprintf "apg_k%d" k, sample ctx trained "apg" k L seed instance ]
    let draw = drawWith g.TrainSeeds.Head
    let entries =
        [ for trainSeed in g.TrainSeeds do
            for seed in g.EvalSeeds do
                let perInstance = instances |> List.map (fun i -> drawWith trainSeed i seed)
                for name in "rws" :: [ for k in ks -> sprintf "apg_k%d" k ] do
                    // The mean over the shown instances of the drawn sample's log p(x, z).
                    yield name, trainSeed, perInstance |> List.averageBy (fun samples -> (samples |> List.find (fun (n, _) -> n = name) |> snd).LogJoint)
                // Not drawn in the figure: K = 20 from the same trained network, for the claim that APG has converged by K = 12.
                let trained = train ctx trainSeed BlockStrategy.Decomposed
                yield "apg_k20", trainSeed, instances |> List.averageBy (fun i -> (sample ctx trained "apg" 20 L seed i).LogJoint) ]
    let seed0 = g.EvalSeeds.Head
    let clusters (s: GmmSample) =
        [ for m in 0 .. s.Mu.Length - 1 -> s.Mu[m][0], s.Mu[m][1], 2.0 / sqrt (s.Tau[m][0]), 2.0 / sqrt (s.Tau[m][1]) ]
    let panels =
        [ for i in instances do
            let points = testPoints ctx i
            yield i, "data", { ClusterPanel.Title = sprintf "instance %d: data" (i + 1); Points = points; Assignments = None; Clusters = [] }, None
            for name, s in draw i seed0 do
                let label = if name = "rws" then sprintf "RWS (%d particles)" (kMax * L) else sprintf "APG, K = %s" (name.Substring 5)
                yield i, name, { Title = sprintf "%s, log p = %.1f" label s.LogJoint; Points = points; Assignments = Some s.Assignments; Clusters = clusters s }, Some s ]
    let plots = panels |> List.map (fun (_, _, p, _) -> clusterPlot p)
    saveGrid folder "figure1a" instances.Length (panels.Length / instances.Length) plots 360 340
    for p in plots do p.Dispose()
    Outputs.csv folder "figure1a"
        [ yield [ "instance"; "panel"; "kind"; "index"; "x"; "y"; "cluster"; "radius_x"; "radius_y" ]
          for i, name, p, s in panels do
              for n, pt in Array.indexed p.Points ->
                  [ string i; name; "point"; string n; Outputs.num pt[0]; Outputs.num pt[1]
                    (match p.Assignments with Some a -> string a[n] | None -> ""); ""; "" ]
              if s.IsSome then
                  for m, (mx, my, rx, ry) in List.indexed p.Clusters ->
                      [ string i; name; "cluster"; string m; Outputs.num mx; Outputs.num my; string m; Outputs.num rx; Outputs.num ry ] ]
    { Cells = Claims.perTrainingSeed entries
      Markdown = sprintf "## Figure 1a\n\nSingle samples (the heaviest particle) on test instances 1 and 2, training seed %d, evaluation seed %d; ellipses are 2 standard deviations from tau.\n\n![Figure 1a](figure1a.png)\n" g.TrainSeeds.Head seed0
      Files = [ "figure1a.png"; "figure1a.svg"; "figure1a.csv" ] }

let all = [ "figure1a", figure1a; "table1", table1; "figure2", figure2; "figure3", figure3; "appendix-g", appendixG ]
