/// Claims.evaluate: each claim tested by its registered rule (paper/claims-rules.json) on cells of per-training-seed
/// values, on fixed numbers worked by hand, and every rule of the repository evaluated on synthetic cells.
module Apg.Reproduction.Tests.ClaimsTests

open System.IO
open System.Text.Json.Nodes
open Expecto
open Apg.Scripts.Experiments

let private rules (json: string) : Claims.Rules =
    { Source = "test rules"; Alpha = 0.05; MinimumPower = 0.8; FewestSeeds = 3; FullPowerSeeds = 5
      MinimumSeeds = Map [ "t", 3; "five", 5 ]
      Rules = [ for n in JsonNode.Parse(json).AsArray() -> n.AsObject() ]
      PlannedSd = Map.empty }

let private noClaims () = JsonArray()

/// Cells with training seeds 1, 2, 3, ... in order.
let private seeded (cells: (string * float list) list) =
    Map [ for name, xs in cells -> name, xs |> List.mapi (fun i x -> uint64 (i + 1), x) ]

let private oneAt scale (json: string) (cells: (string * float list) list) =
    Claims.evaluate (rules json) "t" "test" scale (noClaims ()) (seeded cells) |> List.exactlyOne

let private one json cells = oneAt "smoke" json cells

let private superiority margin = sprintf """[{"target":"t","id":"s","rule":"superiority","family":"t","terms":[[1,"a"],[-1,"b"]],"margin":%g}]""" margin

let tests =
    testList "claims" [
        test "superiority is a paired t bound: a shared seed effect cancels, and the lower bound must clear the margin" {
            // d = 1.0, 1.1, 0.9: mean 1, sd 0.1, se 0.0577; t(0.95, 2) = 2.919986, lower = 0.8314. Unpaired, the cells'
            // sd of 10 would swamp the difference.
            let a, b = [ 11.0; 21.1; 30.9 ], [ 10.0; 20.0; 30.0 ]
            let v = one (superiority 0.0) [ "a", a; "b", b ]
            Expect.isTrue v.Pass "paired: passes"
            Expect.isTrue v.Asserted "three seeds of a family whose minimum is 3"
            Expect.stringContains v.Ours "lower 0.8314" "the lower bound, worked by hand"
            Expect.isFalse (one (superiority 0.9) [ "a", a; "b", b ]).Pass "0.8314 does not clear a margin of 0.9"
            Expect.isFalse (one (superiority 0.0) [ "a", b; "b", a ]).Pass "the wrong order fails"
            Expect.equal v.Rows.Length 4 "three per-seed rows and the bound row"
        }

        test "cells are paired by training seed, not by list position" {
            let cells = Map [ "a", [ 3UL, 30.9; 1UL, 11.0; 2UL, 21.1 ]; "b", [ 1UL, 10.0; 2UL, 20.0; 3UL, 30.0 ] ]
            let v = Claims.evaluate (rules (superiority 0.0)) "t" "test" "smoke" (noClaims ()) cells |> List.exactlyOne
            Expect.isTrue v.Pass "seed 3's 30.9 is paired with seed 3's 30.0"
        }

        test "a cell missing training seeds is paired on the seeds both hold, and the report names those left out" {
            let cells = Map [ "a", [ 1UL, 11.0; 2UL, 21.1; 3UL, 30.9; 4UL, 41.0 ]; "b", [ 1UL, 10.0; 2UL, 20.0; 3UL, 30.0 ] ]
            let v = Claims.evaluate (rules (superiority 0.0)) "t" "test" "smoke" (noClaims ()) cells |> List.exactlyOne
            Expect.stringContains v.Note "left out: 4" "seed 4 named"
            Expect.stringContains v.Ours "n=3" "three pairs"
        }

        test "a family's minimum of training seeds: measured and reported below it, never asserted" {
            let json = """[{"target":"t","id":"s","rule":"superiority","family":"five","terms":[[1,"a"],[-1,"b"]],"margin":0}]"""
            let v = one json [ "a", [ 11.0; 21.1; 30.9 ]; "b", [ 10.0; 20.0; 30.0 ] ]
            Expect.isTrue v.Pass "it holds"
            Expect.isFalse v.Asserted "three seeds where the family needs five"
            Expect.stringContains v.Note "at least 5" "the note says why"
            let single = one (superiority 0.0) [ "a", [ 2.0 ]; "b", [ 1.0 ] ]
            Expect.isFalse single.Asserted "one seed has no standard error"
            Expect.stringContains single.Note "1 training seed" "the note says why"
        }

        test "non-inferiority has a fixed margin: noise makes it harder, never easier" {
            let json = """[{"target":"t","id":"n","rule":"non-inferiority","family":"t","terms":[[1,"a"],[-1,"b"]],"margin":{"smoke":0.5,"cpu":0.1,"paper":0.1}}]"""
            // d = -0.2, -0.1, -0.3: mean -0.2, se 0.0577, lower -0.3686 > -0.5 at smoke, < -0.1 at cpu.
            let cells = [ "a", [ 0.8; 1.9; 2.7 ]; "b", [ 1.0; 2.0; 3.0 ] ]
            Expect.isTrue (one json cells).Pass "within the smoke margin"
            Expect.isFalse (oneAt "cpu" json cells).Pass "beyond the cpu margin"
            Expect.isFalse (one json [ "a", [ 1.0; 1.0; 4.0 ]; "b", [ 1.0; 2.0; 3.0 ] ]).Pass "mean 0 but sd 1: the bound falls below -0.5"
        }

        test "a trend needs the paired rise and every step above its tolerance" {
            let json = """[{"target":"t","id":"r","rule":"trend","family":"t","cells":["a","b","c"],"tolerance":{"smoke":0.5,"cpu":0.5,"paper":0.5}}]"""
            Expect.isTrue (one json [ "a", [ 1.0; 5.0; 9.0 ]; "b", [ 2.0; 6.1; 9.9 ]; "c", [ 3.0; 7.0; 11.1 ] ]).Pass "a steady rise passes"
            Expect.isFalse (one json [ "a", [ 1.0; 5.0; 9.0 ]; "b", [ 5.0; 9.1; 12.9 ]; "c", [ 3.0; 7.0; 11.1 ] ]).Pass "a step down of 2 fails"
            Expect.isFalse (one json [ "a", [ 3.0; 7.0; 11.0 ]; "b", [ 2.0; 6.0; 10.0 ]; "c", [ 1.0; 5.0; 9.0 ] ]).Pass "a fall fails"
            Expect.equal (one json [ "a", [ 1.0; 5.0; 9.0 ]; "b", [ 2.0; 6.1; 9.9 ]; "c", [ 3.0; 7.0; 11.1 ] ]).Rows.Length 12 "rise and two steps, 4 rows each"
        }

        test "equivalence is a TOST with a power gate: at smoke planned with its own sd, elsewhere with the smoke report's" {
            let json = """[{"target":"t","id":"e","rule":"equivalence","family":"t","terms":[[1,"a"],[-1,"g"]],"distance":{"smoke":10.0,"cpu":5.0,"paper":5.0}}]"""
            let cells = [ "a", [ -1.0; -1.1; -0.9 ]; "g", [ 0.0; 0.0; 0.0 ] ]
            let smoke = one json cells
            Expect.isTrue smoke.Pass "d = -1 ± 0.1 is inside ±10"
            Expect.isTrue smoke.Asserted "the power with its own sd 0.1 is about 1"
            let cpu = oneAt "cpu" json cells
            Expect.isTrue cpu.Pass "inside ±5"
            Expect.isFalse cpu.Asserted "no smoke report to plan the power with"
            Expect.stringContains cpu.Note "not assertable" "the note says why"
            let planned = { rules json with PlannedSd = Map [ ("t", "e"), 0.1 ] }
            Expect.isTrue (Claims.evaluate planned "t" "test" "cpu" (noClaims ()) (seeded cells) |> List.exactlyOne).Asserted "planned with sd 0.1: asserted"
            let weak = { rules json with PlannedSd = Map [ ("t", "e"), 20.0 ] }
            let v = Claims.evaluate weak "t" "test" "cpu" (noClaims ()) (seeded cells) |> List.exactlyOne
            Expect.isFalse v.Asserted "planned with sd 20 against ±5 at n = 3: not assertable"
            Expect.stringContains v.Note "power" "the power is reported"
            Expect.isFalse (one json [ "a", [ -12.0; -12.1; -11.9 ]; "g", [ 0.0; 0.0; 0.0 ] ]).Pass "12 is beyond 10"
        }

        test "an offset shifts one cell (an acceptance rate against its target)" {
            let json = """[{"target":"t","id":"e","rule":"equivalence","family":"t","terms":[[1,"acc"]],"offset":-0.55,"distance":{"smoke":0.1,"cpu":0.05,"paper":0.05}}]"""
            Expect.isTrue (one json [ "acc", [ 0.56; 0.55; 0.54 ] ]).Pass "0.55 ± 0.01 is within 0.1 of 0.55"
            Expect.isFalse (one json [ "acc", [ 0.86; 0.85; 0.84 ] ]).Pass "0.85 is not"
        }

        test "levels, log terms, and composite claims that pass only if every part passes" {
            let below = """[{"target":"t","id":"b","rule":"below","family":"t","terms":[[1,"k"]],"level":1.0}]"""
            Expect.isTrue (one below [ "k", [ 0.5; 0.6; 0.4 ] ]).Pass "0.5 + 2.92 x 0.0577 < 1"
            Expect.isFalse (one below [ "k", [ 0.1; 0.9; 1.7 ] ]).Pass "mean 0.9 with sd 0.8 is not"
            let ln = """[{"target":"t","id":"l","rule":"superiority","family":"t","terms":[[1,"ln r"],[-1,"ln a"]],"margin":0.6}]"""
            // ln(2) = 0.693 on every seed: sd 0, the bound is 0.693 > 0.6.
            Expect.isTrue (one ln [ "r", [ 2.0; 4.0; 8.0 ]; "a", [ 1.0; 2.0; 4.0 ] ]).Pass "a ratio of 2 is a log ratio of 0.693"
            let all = """[{"target":"t","id":"c","rule":"superiority","family":"t","all_of":[{"terms":[[1,"a"],[-1,"b"]],"margin":0},{"terms":[[1,"a"],[-1,"c"]],"margin":0}]}]"""
            let cells c = [ "a", [ 11.0; 21.1; 30.9 ]; "b", [ 10.0; 20.0; 30.0 ]; "c", c ]
            Expect.isTrue (one all (cells [ 10.0; 20.0; 30.0 ])).Pass "both parts pass"
            Expect.isFalse (one all (cells [ 12.0; 22.0; 32.0 ])).Pass "the second part fails"
            let message = try one ln [ "r", [ 2.0; 0.0; 8.0 ]; "a", [ 1.0; 2.0; 4.0 ] ] |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains message "'r'" "a log of 0 names the cell"
        }

        test "scale restrictions of paper/*.json and of the rules are kept, with their reasons" {
            let claims = JsonNode.Parse("""[{"id":"s","text":"a above b","asserted_at":["cpu","paper"],"not_asserted_at_smoke_because":"needs training"}]""").AsArray()
            let cells = seeded [ "a", [ 11.0; 21.1; 30.9 ]; "b", [ 10.0; 20.0; 30.0 ] ]
            let v = Claims.evaluate (rules (superiority 0.0)) "t" "test" "smoke" claims cells |> List.exactlyOne
            Expect.isFalse v.Asserted "not asserted at smoke"
            Expect.stringContains v.Note "needs training" "the reason"
            Expect.equal v.Text "a above b" "the claim's text from paper/*.json"
            Expect.isTrue (Claims.evaluate (rules (superiority 0.0)) "t" "test" "cpu" claims cells |> List.exactlyOne).Asserted "asserted at cpu"
        }

        test "a rule registered for other scales is measured without a threshold for this one, yet its data errors still raise" {
            let json = """[{"target":"t","id":"s","rule":"superiority","family":"t","asserted_at":["cpu"],"terms":[[1,"ln a"],[-1,"ln b"]],"margin":{"cpu":0.1}}]"""
            let v = one json [ "a", [ 2.0; 4.0; 8.0 ]; "b", [ 1.0; 2.0; 4.0 ] ]
            Expect.isFalse v.Asserted "not asserted at smoke"
            Expect.stringContains v.Note "no threshold for scale smoke" "says why it is not tested"
            let message = try one json [ "a", [ 2.0; 0.0; 8.0 ]; "b", [ 1.0; 2.0; 4.0 ] ] |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains message "'a'" "a log of 0 is an error even where the rule has no threshold"
        }

        test "a claim without a rule, or on a cell the target does not measure, is an error naming it; a new claim's cell is reported as not measured yet" {
            let claims = JsonNode.Parse("""[{"id":"unruled","text":"x"}]""").AsArray()
            let message = try Claims.evaluate (rules "[]") "t" "test" "smoke" claims Map.empty |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains message "unruled" "the claim is named"
            let missing = try one (superiority 0.0) [ "b", [ 1.0 ] ] |> ignore; "no error" with :? InvalidDataException as e -> e.Message
            Expect.stringContains missing "'a'" "the cell is named"
            let later = """[{"target":"t","id":"s","rule":"superiority","family":"t","terms":[[1,"a"],[-1,"b"]],"margin":0,"cells_to_measure":"a per seed"}]"""
            let v = one later [ "b", [ 1.0; 2.0; 3.0 ] ]
            Expect.isFalse v.Asserted "not asserted"
            Expect.stringContains v.Note "not measured yet" "says so"
            let unchecked = one """[{"target":"t","id":"u","rule":"not checked","family":"t","cells":["a"],"why":"no such run"}]""" []
            Expect.stringContains unchecked.Note "no such run" "a claim not checked says why"
        }

        test "evaluation seeds are averaged within their training seed" {
            let cells = Claims.perTrainingSeed [ "a", 1UL, 1.0; "a", 1UL, 3.0; "a", 2UL, 10.0; "b", 1UL, 5.0; "a", 2UL, 12.0 ]
            Expect.equal cells["a"] [ 1UL, 2.0; 2UL, 11.0 ] "one value per training seed, the mean of its evaluation seeds"
            Expect.equal cells["b"] [ 1UL, 5.0 ] "one training seed"
        }

        test "the planned sds are read back from a claims.csv" {
            let v = one """[{"target":"t","id":"e","rule":"equivalence","family":"t","terms":[[1,"a"],[-1,"g"]],"distance":{"smoke":10.0,"cpu":5.0,"paper":5.0}}]""" [ "a", [ -1.0; -1.2; -0.9 ]; "g", [ 0.0; 0.0; 0.0 ] ]
            let path = Path.Combine(Support.tempDir "claims-csv", "claims.csv")
            File.WriteAllText(path, Claims.csv [ v ])
            let sd = Claims.plannedSdsOf path
            Expect.floatClose Accuracy.high sd[("t", "e")] 0.15275252316519466 "the sd of -1, -1.2, -0.9"
        }

        test "every rule of paper/claims-rules.json evaluates at every scale, on synthetic cells of five training seeds" {
            let repo = Claims.rulesOf Support.paperDir
            for target in repo.Rules |> List.map (fun r -> r["target"].GetValue<string>()) |> List.distinct do
                let path = Path.Combine(Support.paperDir, target + ".json")
                let claims = Json.getArray path (Json.parseFile path) "claims"
                let cells =
                    Map [ for r in repo.Rules do
                            if r["target"].GetValue<string>() = target then
                                for c in Claims.cellsOf "rules" r -> c, [ for s in 1UL .. 5UL -> s, 1.0 + float s * 0.01 + float (c.Length % 7) ] ]
                for scale in [ "smoke"; "cpu"; "paper" ] do
                    let verdicts = Claims.evaluate repo target path scale claims cells
                    Expect.equal verdicts.Length (repo.Rules |> List.filter (fun r -> r["target"].GetValue<string>() = target) |> List.length) (sprintf "%s at %s: one verdict per rule" target scale)
        }
    ]
