/// The CSV form of the rules' results (rule 8): every bound writes one row per training seed (the cells' values
/// and the contrast d_i) and one row with its mean, sd, se, df, t, bounds and threshold, so that a verdict can be
/// recomputed from the committed file alone. Per-instance values and bootstrap levels have their own row shapes.
/// Numbers are written round-trip ("R", invariant culture).
module Apg.Scripts.ClaimRules.Csv

open System
open System.Globalization

let private num (x: float) = x.ToString("R", CultureInfo.InvariantCulture)

/// RFC 4180 quoting where a field needs it.
let field (s: string) =
    if s.IndexOfAny([| ','; '"'; '\n'; '\r' |]) >= 0 then "\"" + s.Replace("\"", "\"\"") + "\"" else s

/// The fields of one RFC 4180 line (the inverse of joining fields with ',').
let split (line: string) : string list =
    let fields = Collections.Generic.List<string>()
    let field = Text.StringBuilder()
    let mutable quoted = false
    let mutable i = 0
    while i < line.Length do
        let ch = line[i]
        if quoted then
            if ch = '"' && i + 1 < line.Length && line[i + 1] = '"' then field.Append '"' |> ignore; i <- i + 1
            elif ch = '"' then quoted <- false
            else field.Append ch |> ignore
        elif ch = '"' then quoted <- true
        elif ch = ',' then fields.Add(field.ToString()); field.Clear() |> ignore
        else field.Append ch |> ignore
        i <- i + 1
    fields.Add(field.ToString())
    List.ofSeq fields

let private line (fields: string list) = String.Join(",", fields |> List.map field)

/// The columns of bound rows. row is "seed" (per training seed: seed, cell_values, d) or "bound" (the test: n to pass).
/// terms: coefficient*cell joined by ';' (d_i = sum of coefficient x cell value). compared: "lower > threshold" or
/// "upper < threshold". power and planned_sd: a TOST's power and the smoke-scale sd it was planned with.
let header =
    line [ "target"; "claim"; "rule"; "component"; "terms"; "row"; "seed"; "cell_values"; "d"; "n"; "mean"; "sd"; "se"; "df"
           "alpha"; "t"; "lower"; "upper"; "compared"; "threshold"; "pass"; "power"; "planned_sd" ]

let private terms (c: Contrast) = String.Join(";", c.Terms |> List.map (fun (k, name) -> num k + "*" + name))

/// The rows of one bound: n per-seed rows, then the bound row.
let boundRows (target: string) (claim: string) (power: float option) (plannedSd: float option) (b: Bound) : string list =
    let c = b.Contrast
    let opt = Option.map num >> Option.defaultValue ""
    [ for i, seed in List.indexed c.Seeds do
        let values = String.Join(";", c.Cells |> List.map (fun (name, xs) -> name + "=" + num xs[i]))
        yield line [ target; claim; b.Rule; b.Component; terms c; "seed"; string seed; values; num c.Values[i]
                     ""; ""; ""; ""; ""; ""; ""; ""; ""; ""; ""; ""; ""; "" ]
      let compared = match b.Side with LowerAbove -> "lower > threshold" | UpperBelow -> "upper < threshold"
      yield line [ target; claim; b.Rule; b.Component; terms c; "bound"; ""; ""; ""
                   string c.N; num c.Mean; num c.Sd; num c.Se; string c.Df; num b.Alpha; num b.T; num b.Lower; num b.Upper
                   compared; num b.Threshold; (if b.Pass then "true" else "false"); opt power; opt plannedSd ] ]

/// A single bound (superiority, non-inferiority, a level).
let ofBound (target: string) (claim: string) (b: Bound) = boundRows target claim None None b

/// Both one-sided tests of a TOST, each with the power.
let ofEquivalence (target: string) (claim: string) (e: Equivalence) =
    [ e.Lower; e.Upper ] |> List.collect (boundRows target claim e.Power e.PlannedSd)

/// The rise, then each step.
let ofTrend (target: string) (claim: string) (t: Trend) =
    t.Rise :: t.Steps |> List.collect (boundRows target claim None None)

/// Per-instance values, the evidence under every per-seed value: one row per (cell, training seed, evaluation seed, instance).
let instanceHeader = line [ "target"; "cell"; "training_seed"; "eval_seed"; "instance"; "value" ]

let instanceRow (target: string) (cell: string) (trainingSeed: uint64) (evalSeed: uint64) (instance: int) (value: float) =
    line [ target; cell; string trainingSeed; string evalSeed; string instance; num value ]

/// A table level with its hierarchical-bootstrap interval.
let levelHeader = line [ "target"; "cell"; "estimate"; "lower"; "upper"; "confidence"; "replicates"; "bootstrap_seed"; "training_seeds" ]

let levelRow (target: string) (cell: string) (l: Level) =
    line [ target; cell; num l.Estimate; num l.Lower; num l.Upper; num l.Confidence; string l.Replicates; string l.Seed; string l.TrainingSeeds ]
