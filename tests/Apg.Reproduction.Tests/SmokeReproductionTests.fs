/// The smoke-scale GMM reproduction, run once, with every band and claim of paper/ asserted. Results go to
/// results/smoke/ of the repository (or APG_RESULTS/smoke), so ./reproduce.sh afterwards reuses the finished runs.
module Apg.Reproduction.Tests.SmokeReproductionTests

open System.IO
open Xunit
open Apg.Scripts.Experiments

type SmokeFixture() =
    let results =
        match System.Environment.GetEnvironmentVariable "APG_RESULTS" with
        | null | "" -> Path.Combine(Support.repoRoot, "results")
        | dir -> dir
    member val Outcome = Reproduce.run Support.paperDir results "smoke" []
    member _.Folder = Path.Combine(results, "smoke")

type SmokeReproduction(fixture: SmokeFixture) =
    interface IClassFixture<SmokeFixture>

    [<Fact>]
    member _.``every claim asserted at smoke scale holds``() =
        let failed = fixture.Outcome.Verdicts |> List.filter (fun v -> v.Asserted && not v.Pass)
        let message = failed |> List.map (fun v -> sprintf "%s/%s: %s (band %s)" v.Target v.Id v.Ours v.Band) |> String.concat "; "
        Assert.True(failed.IsEmpty, message)

    [<Fact>]
    member _.``most claims are asserted at smoke scale, and each one that is not says why``() =
        let notAsserted = fixture.Outcome.Verdicts |> List.filter (fun v -> not v.Asserted)
        Assert.True(notAsserted.Length * 2 < fixture.Outcome.Verdicts.Length, "fewer than half the claims are asserted at smoke scale")
        for v in notAsserted do Assert.False(System.String.IsNullOrWhiteSpace v.Note, sprintf "%s/%s gives no reason" v.Target v.Id)

    [<Fact>]
    member _.``every target's claims were checked``() =
        let targets = fixture.Outcome.Verdicts |> List.map (fun v -> v.Target) |> List.distinct |> set
        Assert.Equal<Set<string>>(set [ "table1"; "figure2"; "figure3"; "appendix-g" ], targets)

    [<Fact>]
    member _.``tables, figures and the report are written``() =
        for file in [ "REPORT.md"; "table1.md"; "table1.csv"; "figure2.svg"; "figure2.csv"; "figure3-logp.svg"; "figure3-ess.svg"; "appendix-g.svg"; "appendix-g.csv" ] do
            Assert.True(File.Exists(Path.Combine(fixture.Folder, file)), sprintf "%s is missing" file)
        let report = File.ReadAllText(Path.Combine(fixture.Folder, "REPORT.md"))
        Assert.Contains("libtorch", report)
        Assert.Contains("commit", report)
        let rows = File.ReadAllLines(Path.Combine(fixture.Folder, "table1.csv"))
        Assert.Equal(11, rows.Length) // header + 10 methods
