/// The fourth task (NormalMean/), registered in the tests only: simulated, trained, evaluated and reproduced
/// through the harness like the paper's tasks, so the plug-in surface is shown whole.
module Apg.Reproduction.Tests.FourthTaskTests

open System.IO
open System.Text.Json.Nodes
open Expecto
open TorchSharp
open Apg.Core.Training
open Apg.Scripts.Experiments
open Apg.Reproduction.Tests.NormalMean

let private runFolders (root: string) =
    let runs = Path.Combine(root, "runs")
    if Directory.Exists runs then Directory.GetDirectories runs |> Array.sort else [||]

let tests =
    testSequenced <| testList "a fourth task (normal mean)" [
        test "trained by the shared loop, its encoder approaches the exact posterior" {
            use scope = torch.NewDisposeScope()
            use g = new torch.Generator(7UL)
            let train = NormalMeanTask.simulate 200 g
            let test = NormalMeanTask.simulate 100 g
            use untrained = new NormalMeanTask.Networks(new torch.Generator(1UL))
            let before = NormalMeanTask.inclusiveKl test untrained
            let config = ApgTrainingConfig(Sweeps = 2, Particles = 10, BatchSize = 20, LearningRate = 1e-2, Steps = NormalMeanTask.steps, Seed = 1UL, CheckpointEvery = 100, LogEvery = 50)
            use trained = NormalMeanTask.Trainer(config, train).Train(Support.tempDir "normal-mean-train")
            let after = NormalMeanTask.inclusiveKl test trained
            Expect.isLessThan after (before / 10.0) (sprintf "KL(exact || q) on the test corpus: %.4f untrained, %.4f trained" before after)
            let e = NormalMeanTask.evaluate test trained 3 10 0UL
            Expect.equal e.MeanLogJoint.Length 3 "one mean log p per sweep"
        }

        test "reproduced through the harness: its claim tested by its registered rule, and a rerun reads every run back" {
            let paper = Support.tempDir "normal-mean-paper"
            Directory.CreateDirectory(Path.Combine(paper, "scales")) |> ignore
            File.Copy(Path.Combine(Support.repoRoot, "paper", "scales", "smoke.json"), Path.Combine(paper, "scales", "smoke.json"))
            File.WriteAllText(Path.Combine(paper, "normal-mean.json"), """{ "claims": [
  { "id": "trained_above_untrained", "text": "trained above untrained" } ] }""")
            // The task's rule, with the constants of paper/claims-rules.json and its own family's minimum of seeds.
            let rules = Json.parseFile (Path.Combine(Support.paperDir, "claims-rules.json"))
            (rules["minimum_training_seeds"].AsObject())["normal-mean"] <- JsonValue.Create 5
            rules["rules"] <- JsonNode.Parse """[{ "target": "normal-mean", "id": "trained_above_untrained", "rule": "superiority", "family": "normal-mean",
  "terms": [[1, "trained"], [-1, "untrained"]], "margin": 0 }]"""
            File.WriteAllText(Path.Combine(paper, "claims-rules.json"), rules.ToJsonString())
            let results = Support.tempDir "normal-mean-results"
            let reproduce () = Reproduce.runTasks [ NormalMeanTask.task ] (fun _ -> "normal-mean-test-code") paper results "smoke" []
            let first = reproduce ()
            Expect.stringContains first.Report "## Normal mean (a test task)" "the target's section in REPORT.md"
            Expect.stringContains first.Report "- normal-mean: a test task" "the header gives the settings of the report's task"
            Expect.isFalse (first.Report.Contains "- gmm:") "and not those of a task with no target in the report"
            let runs = runFolders (Path.Combine(results, "smoke"))
            // 2 corpora, 5 trainings, 10 evaluations.
            Expect.equal runs.Length 17 "run folders after the first reproduction"
            let second = reproduce ()
            Expect.equal (runFolders (Path.Combine(results, "smoke"))) runs "no new run folder on a rerun"
            Expect.isEmpty second.StaleRuns "stale runs"
            // Paired by training seed: every seed's encoder is at least 10 times closer to the exact posterior than its initial weights.
            let ctx : Harness.Context = { Store = RunStore.Store(Path.Combine(results, "smoke"), "normal-mean-test-code"); Scale = Scale.load paper "smoke"; Paper = paper }
            let cells = (NormalMeanTask.target ctx "").Cells
            for (_, trained), (_, untrained) in List.zip cells["kl_trained"] cells["kl_untrained"] do
                Expect.isLessThan trained (untrained / 10.0) "KL(exact || q), trained against untrained, per seed"
            // Its claim is tested by the task's registered rule: the paired t bound, recomputed here from the cells. (Log p
            // of untrained weights varies by hundreds of nats between seeds, so the bound need not clear 0.)
            let d = List.map2 (fun (_, a) (_, b) -> a - b) cells["trained"] cells["untrained"]
            let mean = List.average d
            let se = sqrt ((d |> List.sumBy (fun x -> (x - mean) ** 2.0)) / 4.0) / sqrt 5.0
            let holds = mean - Apg.Scripts.ClaimRules.StudentT.critical 0.05 4 * se > 0.0
            Expect.equal (first.Verdicts |> List.map (fun v -> v.Id, v.Rule, v.Asserted, v.Pass)) [ "trained_above_untrained", "superiority", true, holds ] "asserted on 5 training seeds (rule 7: a task that trains in minutes)"
            Expect.equal first.Verdicts.Head.Rows.Length 6 "claims.csv: five per-seed rows and the bound"
        }
    ]
