/// The smoke-scale GMM reproduction, run once, with every band and claim of paper/ asserted. Results go to
/// results/smoke/ of the repository (or APG_RESULTS/smoke), so ./reproduce.sh afterwards reuses the finished runs.
module Apg.Reproduction.Tests.SmokeReproductionTests

open System.IO
open Expecto
open Apg.Scripts.Experiments

let private results =
    match System.Environment.GetEnvironmentVariable "APG_RESULTS" with
    | null | "" -> Path.Combine(Support.repoRoot, "results")
    | dir -> dir

let private outcome = lazy (Reproduce.run Support.paperDir results "smoke" [])
let private folder = Path.Combine(results, "smoke")

let tests =
    testSequenced <| testList "smoke reproduction" [
        test "every claim asserted at smoke scale holds" {
            let failed = outcome.Value.Verdicts |> List.filter (fun v -> v.Asserted && not v.Pass)
            let message = failed |> List.map (fun v -> sprintf "%s/%s: %s (band %s)" v.Target v.Id v.Ours v.Band) |> String.concat "; "
            Expect.isTrue failed.IsEmpty message
        }

        test "most claims are asserted at smoke scale, and each one that is not says why" {
            let verdicts = outcome.Value.Verdicts
            let notAsserted = verdicts |> List.filter (fun v -> not v.Asserted)
            Expect.isTrue (notAsserted.Length * 2 < verdicts.Length) "fewer than half the claims are asserted at smoke scale"
            for v in notAsserted do Expect.isFalse (System.String.IsNullOrWhiteSpace v.Note) (sprintf "%s/%s gives no reason" v.Target v.Id)
        }

        test "every run behind the report was computed by the code at hand" {
            Expect.isEmpty outcome.Value.StaleRuns "runs recording other code"
            Expect.stringContains outcome.Value.Report "computed by the code at hand" "the report says so"
        }

        test "every target's claims were checked" {
            let targets = outcome.Value.Verdicts |> List.map (fun v -> v.Target) |> List.distinct |> set
            Expect.equal targets (set [ "figure1a"; "table1"; "figure2"; "figure3"; "appendix-g"; "table1-dmm"; "figure1b"; "table1-bmnist"; "table2"; "iai-table"; "iai-figure"; "mcmc-vae-table" ]) "all targets"
        }

        test "tables, figures and the report are written" {
            outcome.Force() |> ignore
            for file in [ "REPORT.md"; "table1.md"; "table1.csv"; "figure1a.png"; "figure1a.svg"; "figure1a.csv"; "figure2.png"; "figure2.svg"; "figure2.csv"
                          "figure3-logp.png"; "figure3-ess.png"; "appendix-g.png"; "appendix-g.csv"
                          "table1-dmm.md"; "table1-dmm.csv"; "figure1b.png"; "figure1b.svg"; "figure1b.csv"
                          "table1-bmnist.md"; "table1-bmnist.csv"; "table2.md"; "table2.csv"; "figure4.png"; "figure4.svg"; "figure4.csv"
                          "iai-table.md"; "iai-table.csv"; "iai-figure.png"; "iai-figure.svg"; "iai-figure.csv"; "iai-apg.md"; "iai-apg.csv"
                          "mcmc-vae-table.md"; "mcmc-vae-table.csv"; "mcmc-vae-figure.png"; "mcmc-vae-figure.svg"; "mcmc-vae-figure.csv"
                          "gmm-adapted-hmc.md"; "gmm-adapted-hmc.csv" ] do
                Expect.isTrue (File.Exists(Path.Combine(folder, file))) (sprintf "%s is missing" file)
            let report = File.ReadAllText(Path.Combine(folder, "REPORT.md"))
            Expect.stringContains report "libtorch" "the report names libtorch"
            Expect.stringContains report "commit" "the report names the commit"
            let rows = File.ReadAllLines(Path.Combine(folder, "table1.csv"))
            Expect.equal rows.Length 14 "header + 10 methods + 3 HMC-from-the-APG-encoder rows"
            Expect.equal (File.ReadAllLines(Path.Combine(folder, "iai-table.csv")).Length) 4 "header + standard, iterative, per-instance"
            Expect.equal (File.ReadAllLines(Path.Combine(folder, "table1-bmnist.csv")).Length) 9 "header + RWS, BPG, 3 HMC-RWS, 3 APG"
            Expect.equal (File.ReadAllLines(Path.Combine(folder, "gmm-adapted-hmc.csv")).Length) 2 "header + the smoke scale's one leapfrog count"
        }

        test "an F# script after the harness reuses its runs: it computes nothing and makes no run folder" {
            outcome.Force() |> ignore
            let runs () = Directory.GetDirectories(Path.Combine(folder, "runs")) |> set
            let before = runs ()
            // The script writes a report of its one target; the whole run's report is put back after it.
            let report = Path.Combine(folder, "REPORT.md")
            let wholeReport = File.ReadAllBytes report
            let info = System.Diagnostics.ProcessStartInfo("dotnet", RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false)
            for a in [ "fsi"; Path.Combine(Support.repoRoot, "src", "Apg.Scripts", "fsx", "table1.fsx"); "smoke" ] do info.ArgumentList.Add a
            info.Environment["APG_RESULTS"] <- results
            use p = System.Diagnostics.Process.Start info
            let stderr = p.StandardError.ReadToEndAsync()
            let stdout = p.StandardOutput.ReadToEnd()
            p.WaitForExit()
            File.WriteAllBytes(report, wholeReport)
            Expect.equal p.ExitCode 0 (sprintf "dotnet fsi table1.fsx smoke:\n%s\n%s" stdout stderr.Result)
            Expect.isEmpty (Set.difference (runs ()) before) "run folders the script made"
            Expect.isFalse (stderr.Result.Contains "running:") (sprintf "the script computed a run:\n%s" stderr.Result)
        }
    ]
