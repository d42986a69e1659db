/// The GMM tables and figures: which runs each needs, how its cells are measured, and what it writes.
module Apg.Scripts.Experiments.GmmTargets

open System.IO
open Apg.Core.Models.Gmm
open Apg.Scripts.Report
open Apg.Scripts.Report.Figures
open Apg.Scripts.Experiments.GmmExperiments

/// What a target leaves behind: its cells (values over seeds), a Markdown section, files written.
type TargetResult = { Cells: Map<string, float list>; Markdown: string; Files: string list }

let private settings (ctx: Context) methodName sweeps particles seed =
    GmmEvalSettings(GmmMethods.Parse methodName, sweeps, particles, Seed = seed)

let private collect (entries: (string * float) list) =
    entries |> List.groupBy fst |> List.map (fun (k, vs) -> k, vs |> List.map snd) |> Map.ofList

let private last (a: float[]) = a[a.Length - 1]

/// Table 1, GMM row: every sampler at K = 20 (RWS with K * L particles), APG at K = 5, 10, 20, Gibbs at 20 and at stationarity.
let table1 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let L = g.Particles
    let entries =
        [ for trainSeed in g.TrainSeeds do
            let trained = Some (train ctx trainSeed BlockStrategy.Decomposed)
            let rwsTrained = Some (trainRws ctx trainSeed)
            for seed in g.EvalSeeds do
                let run m k l = fst (eval ctx trained (settings ctx m k l seed) None)
                let apg = run "apg" 20 L
                yield "apg_k5", apg[4]
                yield "apg_k10", apg[9]
                yield "apg_k20", apg[19]
                yield "rws_k20", (fst (eval ctx rwsTrained (settings ctx "rws" 20 L seed) None))[0]
                yield "bpg_k20", last (run "bpg" 20 L)
                // HMC-RWS moves the samples of the standard encoder, the RWS-trained one (section 6.1); started from
                // the APG-trained encoder instead, it is our addition, reported beside it.
                for lf in [ 1; 5; 10 ] do
                    let s = GmmEvalSettings(GmmMethod.HmcRws, 20, L, LeapfrogSteps = lf, Seed = seed)
                    yield sprintf "hmc_rws_k20_lf%d" lf, last (fst (eval ctx rwsTrained s None))
                    yield sprintf "hmc_apg_encoder_k20_lf%d" lf, last (fst (eval ctx trained s None))
                let gibbs = run "gibbs" g.GibbsStationarySweeps L
                yield "gibbs_k20", gibbs[19]
                yield "gibbs_k100", last gibbs ]
    let cells = collect entries
    let paperFile = Json.parseFile (Path.Combine(ctx.Paper, "table1.json"))
    let paper = Json.getObject "paper/table1.json" (Json.getObject "paper/table1.json" paperFile "paper") "gmm"
    let paperScale = Json.getFloat "paper/table1.json" paper "scale"
    let columns =
        [ "rws_k20", "RWS K=20"; "bpg_k20", "BPG K=20"; "hmc_rws_k20_lf1", "HMC-RWS K=20 LF=1"; "hmc_rws_k20_lf5", "HMC-RWS K=20 LF=5"
          "hmc_rws_k20_lf10", "HMC-RWS K=20 LF=10"; "hmc_apg_encoder_k20_lf1", "HMC from the APG encoder K=20 LF=1 (ours)"
          "hmc_apg_encoder_k20_lf5", "HMC from the APG encoder K=20 LF=5 (ours)"; "hmc_apg_encoder_k20_lf10", "HMC from the APG encoder K=20 LF=10 (ours)"
          "apg_k5", "APG K=5"; "apg_k10", "APG K=10"; "apg_k20", "APG K=20"
          "gibbs_k20", "GIBBS K=20"; "gibbs_k100", "GIBBS K=100" ]
    let rws = (Claims.stat cells["rws_k20"]).Mean
    let gibbs = (Claims.stat cells["gibbs_k100"]).Mean
    let rows =
        columns
        |> List.map (fun (key, label) ->
            let s = Claims.stat cells[key]
            let paperValue = match paper[key] with null -> "—" | n -> sprintf "%.1f" (n.GetValue<float>() * paperScale)
            [ label; paperValue; sprintf "%.1f" s.Mean; sprintf "%.1f" s.Sd; string s.N; sprintf "%.2f" ((s.Mean - rws) / (gibbs - rws)) ])
    let md =
        Outputs.table folder "table1" (sprintf "Table 1, GMM row (scale %s; %d test instances, N = %d; L = %d)" ctx.Scale.Name g.TestInstances g.TestPoints L)
            [ "method"; "paper log p"; "ours log p (mean)"; "sd over seeds"; "runs"; "share of the RWS→Gibbs gap closed" ] rows
    let notes = Json.getArray "paper/table1.json" paperFile "notes" |> Seq.map (fun n -> "- " + n.GetValue<string>())
    { Cells = cells; Markdown = md + "\n\n" + String.concat "\n" notes + "\n"; Files = [ "table1.md"; "table1.csv" ] }

/// Figure 2: log p(x, z) against sweeps on one test instance, for every method.
let figure2 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let L = g.Particles
    let K = g.GibbsStationarySweeps
    let trained = Some (train ctx g.TrainSeeds.Head BlockStrategy.Decomposed)
    let rwsTrained = Some (trainRws ctx g.TrainSeeds.Head)
    let curves = System.Collections.Generic.Dictionary<string, float[]>()
    let entries =
        [ for seed in g.EvalSeeds do
            let oneFrom encoder (name: string) (s: GmmEvalSettings) =
                let curve = fst (eval ctx (Some encoder) s (Some 0))
                if seed = g.EvalSeeds.Head then curves[name] <- curve
                curve
            let one = oneFrom trained.Value
            yield "apg_final", last (one "APG" (settings ctx "apg" K L seed))
            yield "gibbs_final", last (one "Gibbs" (settings ctx "gibbs" K L seed))
            yield "bpg_final", last (one "BPG (100x particles)" (settings ctx "bpg" K (100 * L) seed))
            for lf in [ 1; 5; 10 ] do
                let s = GmmEvalSettings(GmmMethod.HmcRws, K, L, LeapfrogSteps = lf, Seed = seed)
                yield sprintf "hmc_rws_lf%d_final" lf, last (oneFrom rwsTrained.Value (sprintf "HMC-RWS LF=%d" lf) s)
            let rws = (fst (eval ctx rwsTrained (settings ctx "rws" K L seed) (Some 0)))[0]
            if seed = g.EvalSeeds.Head then curves["RWS"] <- Array.create K rws
            yield "rws_final", rws ]
    let sweeps = [| for k in 1 .. K -> float k |]
    let rws, gibbs = curves["RWS"][0], Array.last curves["Gibbs"]
    let chart =
        { Chart.Title = sprintf "GMM: log p(x, z) on one test instance (scale %s, L = %d)" ctx.Scale.Name L
          XLabel = "sweeps"; YLabel = "log p(x, z)"; LogX = true
          Series = [ for kv in curves -> { Series.Name = kv.Key; X = sweeps[.. kv.Value.Length - 1]; Y = kv.Value } ]
          // BPG swings far below the rest; the axis stops a little under RWS so the converging methods stay readable.
          YMin = Some(rws - 0.25 * abs (gibbs - rws)) }
    Outputs.figure folder "figure2" chart
    { Cells = collect entries; Markdown = "## Figure 2\n\n![Figure 2](figure2.png)\n"; Files = [ "figure2.png"; "figure2.svg"; "figure2.csv" ] }

/// Figure 3: final log p(x, z) and ESS at a fixed budget K * L, decomposed against joint blocks. ESS / L is taken
/// after each sweep's last block (for decomposed blocks the {c} block, its per-point weights summed) and, as the
/// authors do, after its first block (the {mu, tau} block; for joint blocks the same, one block).
let figure3 (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let seed0 = g.TrainSeeds.Head
    let models = [ "decomposed", BlockStrategy.Decomposed; "joint", BlockStrategy.Joint ]
    let ks = g.Figure3Sweeps
    let results =
        [ for name, blocks in models do
            let trained = Some (train ctx seed0 blocks)
            for k in ks do
                for seed in g.EvalSeeds do
                    let s = GmmEvalSettings(GmmMethod.Apg, k, g.Figure3Budget / k, Seed = seed, Blocks = blocks)
                    let e = evaluation ctx trained s None
                    yield name, k, last e.LogJoint, last e.Ess, last e.FirstBlockEss ]
    let mean (xs: float list) = List.average xs
    let series (label: string -> string) metric =
        [ for name, _ in models ->
            let pts = ks |> List.map (fun k -> float k, results |> List.filter (fun (n, kk, _, _, _) -> n = name && kk = k) |> List.map metric |> mean)
            { Series.Name = label name; X = pts |> List.map fst |> Array.ofList; Y = pts |> List.map snd |> Array.ofList } ]
    let title what = sprintf "GMM: %s at budget K·L = %d (scale %s)" what g.Figure3Budget ctx.Scale.Name
    Outputs.figure folder "figure3-logp" { Title = title "log p(x, z)"; XLabel = "sweeps K (L = budget / K)"; YLabel = "log p(x, z)"; LogX = true; YMin = None; Series = series id (fun (_, _, l, _, _) -> l) }
    Outputs.figure folder "figure3-ess"
        { Title = title "ESS / L"; XLabel = "sweeps K (L = budget / K)"; YLabel = "ESS / L"; LogX = true; YMin = None
          Series =
            series (sprintf "%s, after the last block") (fun (_, _, _, e, _) -> e)
            @ (series (sprintf "%s, after the first block (authors')") (fun (_, _, _, _, e) -> e) |> List.filter (fun s -> s.Name.StartsWith "decomposed")) }
    let kMin, kMax = List.min ks, List.max ks
    let pick name k metric = results |> List.filter (fun (n, kk, _, _, _) -> n = name && kk = k) |> List.map metric
    let cells =
        Map.ofList
            [ "ess_decomposed_fewest_sweeps", pick "decomposed" kMin (fun (_, _, _, e, _) -> e)
              "ess_decomposed_most_sweeps", pick "decomposed" kMax (fun (_, _, _, e, _) -> e)
              "ess_joint_most_sweeps", pick "joint" kMax (fun (_, _, _, e, _) -> e)
              "ess_first_block_decomposed_fewest_sweeps", pick "decomposed" kMin (fun (_, _, _, _, e) -> e)
              "ess_first_block_decomposed_most_sweeps", pick "decomposed" kMax (fun (_, _, _, _, e) -> e)
              "logp_decomposed_most_sweeps", pick "decomposed" kMax (fun (_, _, l, _, _) -> l)
              "logp_joint_most_sweeps", pick "joint" kMax (fun (_, _, l, _, _) -> l) ]
    let meanOf name = mean cells[name]
    { Cells = cells
      Markdown =
        sprintf "## Figure 3\n\n![Figure 3, log p](figure3-logp.png)\n![Figure 3, ESS](figure3-ess.png)\n\nESS / L is measured after each sweep's last block (for decomposed blocks the {c} block, whose per-point weights are summed over points) and, as the authors measure it, after the sweep's first block (the {mu, tau} block; a joint block is both). Decomposed blocks at K = %d: %.3f after the last block, %.3f after the first.\n" kMax (meanOf "ess_decomposed_most_sweeps") (meanOf "ess_first_block_decomposed_most_sweeps")
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
    let cells =
        Map.ofList
            [ "kl_inclusive_first", curves |> List.map (fun c -> edge c (fun (_, i, _, _) -> i) false)
              "kl_inclusive_last", curves |> List.map (fun c -> edge c (fun (_, i, _, _) -> i) true)
              "kl_exclusive_first", curves |> List.map (fun c -> edge c (fun (_, _, e, _) -> e) false)
              "kl_exclusive_last", curves |> List.map (fun c -> edge c (fun (_, _, e, _) -> e) true) ]
    { Cells = cells; Markdown = "## Appendix G\n\n![Appendix G](appendix-g.png)\n"; Files = [ "appendix-g.png"; "appendix-g.svg"; "appendix-g.csv" ] }

/// Figure 1a: single samples on two test instances (N = 100): the data, the RWS sample, and APG after K sweeps.
let figure1a (ctx: Context) (folder: string) : TargetResult =
    let g = ctx.Scale.Gmm
    let L = g.Particles
    let ks = [ 2; 6; 12 ]
    let kMax = List.max ks
    let trained = train ctx g.TrainSeeds.Head BlockStrategy.Decomposed
    let rwsTrained = trainRws ctx g.TrainSeeds.Head
    let instances = [ 0; 1 ]
    // RWS gets the budget of the longest APG run: one sweep of K * L particles.
    let draw instance seed =
        ("rws", sample ctx rwsTrained "rws" 1 (kMax * L) seed instance)
        :: [ for k in ks -> sprintf "apg_k%d" k, sample ctx trained "apg" k L seed instance ]
    let entries =
        [ for seed in g.EvalSeeds do
            let perInstance = instances |> List.map (fun i -> draw i seed)
            for name in "rws" :: [ for k in ks -> sprintf "apg_k%d" k ] do
                // The mean over the shown instances of the drawn sample's log p(x, z).
                yield name, perInstance |> List.averageBy (fun samples -> (samples |> List.find (fun (n, _) -> n = name) |> snd).LogJoint) ]
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
    { Cells = collect entries
      Markdown = sprintf "## Figure 1a\n\nSingle samples (the heaviest particle) on test instances 1 and 2, evaluation seed %d; ellipses are 2 standard deviations from tau.\n\n![Figure 1a](figure1a.png)\n" seed0
      Files = [ "figure1a.png"; "figure1a.svg"; "figure1a.csv" ] }

let all = [ "figure1a", figure1a; "table1", table1; "figure2", figure2; "figure3", figure3; "appendix-g", appendixG ]
