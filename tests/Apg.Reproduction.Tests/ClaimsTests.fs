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

        test "close uses the scale's share of the gap" {
            let json = """[{"id":"c","text":"near","kind":"close","left":"a","right":"g","gap":["g","r"],"bands":{"smoke":0.25,"cpu":0.1,"paper":0.05}}]"""
            // gap 100: smoke allows 25
            Expect.isTrue (one "t" [ "a", [ -20.0 ]; "g", [ 0.0 ]; "r", [ -100.0 ] ] json).Pass "20 of 100 is inside 25%"
            Expect.isFalse (one "t" [ "a", [ -30.0 ]; "g", [ 0.0 ]; "r", [ -100.0 ] ] json).Pass "30 of 100 is outside 25%"
        }

        test "a claim asserted only at larger scales is measured, not asserted, and says why" {
            let json = """[{"id":"g","text":"a above b","kind":"greater","left":"a","right":"b","asserted_at":["cpu","paper"],"not_asserted_at_smoke_because":"needs training"}]"""
            let v = one "t" [ "a", [ 1.0 ]; "b", [ 2.0 ] ] json
            Expect.isFalse v.Asserted "not asserted at smoke"
            Expect.isFalse v.Pass "measured: it does not hold"
            Expect.stringContains v.Note "needs training" "the reason is reported"
            let atCpu = Claims.evaluate "t" "test" "cpu" (claims json) (Map.ofList [ "a", [ 1.0 ]; "b", [ 2.0 ] ]) |> List.exactlyOne
            Expect.isTrue atCpu.Asserted "asserted at cpu"
        }

        test "a claim on a cell the target does not measure is an error naming it" {
            let json = """[{"id":"g","text":"x","kind":"greater","left":"missing","right":"b"}]"""
            let message = try one "t" [ "b", [ 1.0 ] ] json |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains message "missing" "the message names the cell"
        }

        test "every claim in paper/ is well formed and names a known kind" {
            for target in [ "figure1a"; "table1"; "figure2"; "figure3"; "appendix-g" ] do
                let path = Path.Combine(Support.paperDir, target + ".json")
                let o = Json.parseFile path
                for c in Json.getArray path o "claims" do
                    let kind = Json.getString path (c.AsObject()) "kind"
                    Expect.contains [ "greater"; "increasing"; "close" ] kind (sprintf "%s: known kind" path)
        }
    ]
