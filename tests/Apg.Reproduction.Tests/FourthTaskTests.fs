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

        test "reproduced through the harness: its claims pass, and a rerun reads every run back" {
            let paper = Support.tempDir "normal-mean-paper"
            Directory.CreateDirectory(Path.Combine(paper, "scales")) |> ignore
            File.Copy(Path.Combine(Support.repoRoot, "paper", "scales", "smoke.json"), Path.Combine(paper, "scales", "smoke.json"))
            File.WriteAllText(Path.Combine(paper, "normal-mean.json"), """{ "claims": [
  { "id": "trained_above_untrained", "text": "trained above untrained", "kind": "greater", "left": "trained", "right": "untrained" } ] }""")
            let results = Support.tempDir "normal-mean-results"
            let reproduce () = Reproduce.runTasks [ NormalMeanTask.task ] (fun _ -> "normal-mean-test-code") paper results "smoke" []
            let first = reproduce ()
            Expect.equal (first.Verdicts |> List.map (fun v -> v.Id, v.Asserted, v.Pass)) [ "trained_above_untrained", true, true ] "the claim, asserted on 3 training seeds"
            Expect.stringContains first.Report "## Normal mean (a test task)" "the target's section in REPORT.md"
            let runs = runFolders (Path.Combine(results, "smoke"))
            // 2 corpora, 3 trainings, 6 evaluations.
            Expect.equal runs.Length 11 "run folders after the first reproduction"
            let second = reproduce ()
            Expect.equal (runFolders (Path.Combine(results, "smoke"))) runs "no new run folder on a rerun"
            Expect.isEmpty second.StaleRuns "stale runs"
            // Paired by training seed: every seed's encoder is at least 10 times closer to the exact posterior than its initial weights.
            let ctx : Harness.Context = { Store = RunStore.Store(Path.Combine(results, "smoke"), "normal-mean-test-code"); Scale = Scale.load paper "smoke"; Paper = paper }
            let cells = (NormalMeanTask.target ctx "").Cells
            for trained, untrained in List.zip cells["kl_trained"] cells["kl_untrained"] do
                Expect.isLessThan trained (untrained / 10.0) "KL(exact || q), trained against untrained, per seed"
        }
    ]
