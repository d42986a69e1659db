module Apg.Reproduction.Tests.ClaimsTests

open System.IO
open System.Text.Json.Nodes
open Expecto
open Apg.Scripts.Experiments

let private claims (json: string) = JsonNode.Parse(json).AsArray()

let private one target cells json = Claims.evaluate target "test" "smoke" (claims json) (Map.ofList cells) |> List.exactlyOne

let tests =
    testList "claims" [
        test "greater passes only beyond twice the standard error" {
            let json = """[{"id":"g","text":"a above b","kind":"greater","left":"a","right":"b"}]"""
            Expect.isTrue (one "t" [ "a", [ 10.0; 10.2; 9.8 ]; "b", [ 5.0; 5.1; 4.9 ] ] json).Pass "clear separation passes"
            // means differ by 0.5 but the spread (sd 2) makes that noise
            Expect.isFalse (one "t" [ "a", [ 8.5; 10.5; 12.5 ]; "b", [ 8.0; 10.0; 12.0 ] ] json).Pass "a difference inside the noise fails"
            Expect.isFalse (one "t" [ "a", [ 1.0 ]; "b", [ 2.0 ] ] json).Pass "the wrong order fails"
        }

        test "increasing needs a rise beyond noise and no step down" {
            let json = """[{"id":"i","text":"rises","kind":"increasing","cells":["a","b","c"]}]"""
            Expect.isTrue (one "t" [ "a", [ 1.0; 1.1 ]; "b", [ 2.0; 2.1 ]; "c", [ 3.0; 3.1 ] ] json).Pass "a steady rise passes"
            Expect.isFalse (one "t" [ "a", [ 1.0; 1.1 ]; "b", [ 5.0; 5.1 ]; "c", [ 3.0; 3.1 ] ] json).Pass "a step down fails"
            Expect.isFalse (one "t" [ "a", [ 3.0; 3.1 ]; "b", [ 2.0; 2.1 ]; "c", [ 1.0; 1.1 ] ] json).Pass "a fall fails"
        }

        test "close is an equivalence test against a fixed distance: noise makes it harder, never easier" {
            let json = """[{"id":"c","text":"near","kind":"close","left":"a","right":"g","distance":{"smoke":10.0,"cpu":5.0,"paper":5.0}}]"""
            let tight = one "t" [ "a", [ -4.0; -4.1; -3.9 ]; "g", [ 0.0; 0.1; -0.1 ] ] json
            Expect.isTrue tight.Pass "a difference of 4 with a small se fits inside 10"
            Expect.isTrue tight.Asserted "three training seeds: asserted"
            // the same mean difference, but a spread that puts 4 + 2 se beyond 10
            Expect.isFalse (one "t" [ "a", [ -14.0; -4.0; 6.0 ]; "g", [ 0.0; 0.1; -0.1 ] ] json).Pass "noise widens the reach past the distance"
            Expect.isFalse (one "t" [ "a", [ -12.0; -12.1; -11.9 ]; "g", [ 0.0; 0.1; -0.1 ] ] json).Pass "12 is beyond 10"
            let atCpu = Claims.evaluate "t" "test" "cpu" (claims json) (Map.ofList [ "a", [ -6.0; -6.1; -5.9 ]; "g", [ 0.0; 0.1; -0.1 ] ]) |> List.exactlyOne
            Expect.isFalse atCpu.Pass "the cpu distance (5) is the one used at cpu scale"
        }

        test "below needs the mean plus two standard errors under the fixed level" {
            let json = """[{"id":"b","text":"small","kind":"below","cell":"k","level":{"smoke":1.0,"cpu":1.0,"paper":0.5}}]"""
            Expect.isTrue (one "t" [ "k", [ 0.5; 0.6; 0.4 ] ] json).Pass "0.5 with a small se is below 1"
            Expect.isFalse (one "t" [ "k", [ 0.1; 0.9; 1.7 ] ] json).Pass "mean 0.9 with a large se is not"
            Expect.isFalse (one "t" [ "k", [ 1.5; 1.6; 1.4 ] ] json).Pass "1.5 is not below 1"
        }

        test "above needs the mean minus two standard errors over the fixed level" {
            let json = """[{"id":"a","text":"large","kind":"above","cell":"k","level":{"smoke":0.5,"cpu":0.5,"paper":0.5}}]"""
            Expect.isTrue (one "t" [ "k", [ 0.7; 0.75; 0.65 ] ] json).Pass "0.7 with a small se is above 0.5"
            Expect.isFalse (one "t" [ "k", [ 0.2; 0.7; 1.2 ] ] json).Pass "mean 0.7 with a large se is not"
            Expect.isFalse (one "t" [ "k", [ 0.4; 0.45; 0.35 ] ] json).Pass "0.4 is not above 0.5"
        }

        test "a claim resting on fewer than three training seeds is measured and reported, never asserted" {
            let json = """[{"id":"g","text":"a above b","kind":"greater","left":"a","right":"b"}]"""
            let single = one "t" [ "a", [ 10.0 ]; "b", [ 1.0 ] ] json
            Expect.isFalse single.Asserted "n = 1 has no standard error: not asserted"
            Expect.isTrue single.Pass "it is still measured (and holds here)"
            Expect.stringContains single.Note "1 training seed" "the note says why"
            Expect.isFalse (one "t" [ "a", [ 10.0; 10.1 ]; "b", [ 1.0; 1.1 ] ] json).Asserted "n = 2: not asserted"
            Expect.isTrue (one "t" [ "a", [ 10.0; 10.1; 9.9 ]; "b", [ 1.0; 1.1; 0.9 ] ] json).Asserted "n = 3: asserted"
        }

        test "evaluation seeds are averaged within their training seed before the spread is taken" {
            let cells = Claims.perTrainingSeed [ "a", 1UL, 1.0; "a", 1UL, 3.0; "a", 2UL, 10.0; "b", 1UL, 5.0; "a", 2UL, 12.0 ]
            Expect.equal cells["a"] [ 2.0; 11.0 ] "one value per training seed, the mean of its evaluation seeds"
            Expect.equal cells["b"] [ 5.0 ] "one training seed"
        }

        test "a claim asserted only at larger scales is measured, not asserted, and says why" {
            let json = """[{"id":"g","text":"a above b","kind":"greater","left":"a","right":"b","asserted_at":["cpu","paper"],"not_asserted_at_smoke_because":"needs training"}]"""
            let v = one "t" [ "a", [ 1.0; 1.1; 0.9 ]; "b", [ 2.0; 2.1; 1.9 ] ] json
            Expect.isFalse v.Asserted "not asserted at smoke"
            Expect.isFalse v.Pass "measured: it does not hold"
            Expect.stringContains v.Note "needs training" "the reason is reported"
            let atCpu = Claims.evaluate "t" "test" "cpu" (claims json) (Map.ofList [ "a", [ 1.0; 1.1; 0.9 ]; "b", [ 2.0; 2.1; 1.9 ] ]) |> List.exactlyOne
            Expect.isTrue atCpu.Asserted "asserted at cpu"
        }

        test "at_most passes within noise above and fails beyond it" {
            let json = """[{"id":"m","text":"x","kind":"at_most","left":"a","right":"b"}]"""
            // a is 0.05 above b with se 0.058 each: 2 se of the difference is 0.16, so a is not worse beyond noise.
            let within = one "t" [ "a", [ 1.05; 1.15; 0.95 ]; "b", [ 1.0; 1.1; 0.9 ] ] json
            Expect.isTrue within.Pass "within noise"
            let beyond = one "t" [ "a", [ 2.0; 2.1; 1.9 ]; "b", [ 1.0; 1.1; 0.9 ] ] json
            Expect.isFalse beyond.Pass "a clearly above b"
            let below = one "t" [ "a", [ 0.0; 0.1; -0.1 ]; "b", [ 1.0; 1.1; 0.9 ] ] json
            Expect.isTrue below.Pass "a below b"
        }

        test "a claim on a cell the target does not measure is an error naming it" {
            let json = """[{"id":"g","text":"x","kind":"greater","left":"missing","right":"b"}]"""
            let message = try one "t" [ "b", [ 1.0 ] ] json |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains message "missing" "the message names the cell"
        }

        test "every claim in paper/ is well formed and names a known kind" {
            for target in [ "figure1a"; "table1"; "figure2"; "figure3"; "appendix-g"; "table1-dmm"; "figure1b"; "table1-bmnist"; "table2"; "figure4"; "iai-table"; "iai-figure"; "iai-apg"; "mcmc-vae-table"; "mcmc-vae-figure"; "gmm-adapted-hmc" ] do
                let path = Path.Combine(Support.paperDir, target + ".json")
                let o = Json.parseFile path
                for c in Json.getArray path o "claims" do
                    let kind = Json.getString path (c.AsObject()) "kind"
                    Expect.contains [ "greater"; "increasing"; "close"; "below"; "above"; "at_most" ] kind (sprintf "%s: known kind" path)
        }
    ]
