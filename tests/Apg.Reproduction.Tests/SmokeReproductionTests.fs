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
        test "every claim's verdict at smoke scale is the one committed in reports/smoke/verdicts.csv" {
            // The smoke run is deterministic, so a verdict that changes (asserted or not, holds or not) is a regression,
            // or an improvement to record by committing the new verdicts.csv with the reason. Claims that fail at smoke
            // scale are reported as failures (REPORT.md, exit status 3 of apg reproduce), never hidden.
            let committed = Path.Combine(Support.repoRoot, "reports", "smoke", "verdicts.csv")
            let key (line: string) = let f = Apg.Scripts.ClaimRules.Csv.split line in f[0], f[1], f[3], f[4]
            let expected = File.ReadAllLines committed |> Array.skip 1 |> Array.map key |> List.ofArray
            let actual = outcome.Value.Verdicts |> List.map (fun v -> v.Target, v.Id, (if v.Asserted then "true" else "false"), (if v.Pass then "true" else "false"))
            let changed = Set.difference (set actual) (set expected) |> Set.toList
            let message = changed |> List.map (fun (t, c, a, p) -> sprintf "%s/%s now asserted=%s pass=%s" t c a p) |> String.concat "; "
            Expect.equal actual expected (sprintf "verdicts against %s: %s" committed message)
        }

        test "every registered rule is tested, each claim not asserted says why, and claims.csv recomputes every verdict" {
            let verdicts = outcome.Value.Verdicts
            let rules = Claims.rulesOf Support.paperDir
            let registered = rules.Rules |> List.map (fun r -> r["target"].GetValue<string>(), r["id"].GetValue<string>()) |> set
            let targets = verdicts |> List.map (fun v -> v.Target) |> set
            Expect.equal (verdicts |> List.map (fun v -> v.Target, v.Id) |> set) (registered |> Set.filter (fun (t, _) -> targets.Contains t)) "one verdict per rule of the targets run"
            // GMM and IAI claims need 5 training seeds (rule 7) and smoke trains 3: the other families carry the check.
            Expect.isGreaterThanOrEqual (verdicts |> List.filter (fun v -> v.Asserted) |> List.length) 10 "claims asserted at smoke scale"
            for v in verdicts do
                if not v.Asserted then Expect.isFalse (System.String.IsNullOrWhiteSpace v.Note) (sprintf "%s/%s gives no reason" v.Target v.Id)
            let lines = File.ReadAllLines(Path.Combine(folder, "claims.csv"))
            Expect.equal lines[0] Apg.Scripts.ClaimRules.Csv.header "the header"
            let header = Apg.Scripts.ClaimRules.Csv.split lines[0] |> Array.ofList
            let col name = Array.findIndex ((=) name) header
            let bounds =
                lines |> Array.skip 1 |> Array.map (Apg.Scripts.ClaimRules.Csv.split >> Array.ofList) |> Array.filter (fun f -> f.Length = header.Length && f[col "row"] = "bound")
            for v in verdicts do
                let mine = bounds |> Array.filter (fun f -> f[col "target"] = v.Target && f[col "claim"] = v.Id)
                if not (Array.isEmpty mine) then
                    let recomputed =
                        mine |> Array.forall (fun f ->
                            let num (name: string) = System.Double.Parse(f[col name], System.Globalization.CultureInfo.InvariantCulture)
                            let mean, t, se, threshold = num "mean", num "t", num "se", num "threshold"
                            if f[col "compared"] = "lower > threshold" then mean - t * se > threshold else mean + t * se < threshold)
                    Expect.equal recomputed v.Pass (sprintf "%s/%s: the verdict recomputed from claims.csv" v.Target v.Id)
                elif v.Asserted then failtestf "%s/%s is asserted but has no rows in claims.csv" v.Target v.Id
        }

        test "every run behind the report was computed by the code at hand" {
            Expect.isEmpty outcome.Value.StaleRuns "runs recording other code"
            Expect.stringContains outcome.Value.Report "computed by the code at hand" "the report says so"
        }

        test "every target's claims were checked" {
            let targets = outcome.Value.Verdicts |> List.map (fun v -> v.Target) |> List.distinct |> set
            Expect.equal targets (set [ "figure1a"; "table1"; "figure2"; "figure3"; "appendix-g"; "table1-dmm"; "figure1b"; "table1-bmnist"; "table2"; "figure4"; "iai-table"; "iai-figure"; "mcmc-vae-table"; "mcmc-vae-figure" ]) "all targets"
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
            // The script writes the report and claims files of its one target; the whole run's are put back after it.
            let reports = [ for f in [ "REPORT.md"; "claims.csv"; "verdicts.csv" ] -> let path = Path.Combine(folder, f) in path, File.ReadAllBytes path ]
            let info = System.Diagnostics.ProcessStartInfo("dotnet", RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false)
            for a in [ "fsi"; Path.Combine(Support.repoRoot, "src", "Apg.Scripts", "fsx", "table1.fsx"); "smoke" ] do info.ArgumentList.Add a
            info.Environment["APG_RESULTS"] <- results
            use p = System.Diagnostics.Process.Start info
            let stderr = p.StandardError.ReadToEndAsync()
            let stdout = p.StandardOutput.ReadToEnd()
            p.WaitForExit()
            for path, bytes in reports do File.WriteAllBytes(path, bytes)
            Expect.equal p.ExitCode 0 (sprintf "dotnet fsi table1.fsx smoke:\n%s\n%s" stdout stderr.Result)
            Expect.isEmpty (Set.difference (runs ()) before) "run folders the script made"
            Expect.isFalse (stderr.Result.Contains "running:") (sprintf "the script computed a run:\n%s" stderr.Result)
        }
    ]
