/// The checks of paper/*.json against measured cells. A cell is a list of values, one per training seed: the
/// training seed is the unit of replication (values from one trained network are not independent), so a target
/// averages its evaluation seeds within each training seed first (`perTrainingSeed`).
module Apg.Scripts.Experiments.Claims

open System
open System.IO
open System.Text.Json.Nodes

type Stat =
    { Mean: float; Sd: float; N: int }
    member s.Se = if s.N > 1 then s.Sd / sqrt (float s.N) else 0.0
    override s.ToString() = if s.N > 1 then sprintf "%.2f ± %.2f (n=%d)" s.Mean s.Sd s.N else sprintf "%.2f (n=1)" s.Mean

let stat (values: float list) =
    if values.IsEmpty then invalidArg "values" "no values for a cell"
    let n = values.Length
    let mean = List.average values
    let sd = if n > 1 then sqrt ((values |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1)) else 0.0
    { Mean = mean; Sd = sd; N = n }

/// (cell, training seed, value) entries, one per evaluation: the evaluation seeds of a training seed are averaged,
/// so each cell holds one value per training seed, in the order the training seeds first appear.
let perTrainingSeed (entries: (string * uint64 * float) list) : Map<string, float list> =
    entries
    |> List.groupBy (fun (cell, _, _) -> cell)
    |> List.map (fun (cell, rows) ->
        cell, rows |> List.groupBy (fun (_, seed, _) -> seed) |> List.map (fun (_, vs) -> vs |> List.averageBy (fun (_, _, v) -> v)))
    |> Map.ofList

/// A claim is asserted only when each of its cells rests on at least this many training seeds: with fewer the
/// standard error is 0 (n = 1) or itself too noisy to bound a difference (n = 2, one degree of freedom).
let minimumTrainingSeeds = 3

/// Asserted: whether the claim is checked at this scale (paper/*.json "asserted_at", all scales when absent, and
/// enough training seeds). A claim not asserted is still measured and reported, with the reason it is not checked.
type Verdict = { Target: string; Id: string; Text: string; Ours: string; Band: string; Pass: bool; Asserted: bool; Note: string }

let private cell (cells: Map<string, float list>) source name =
    match cells.TryFind name with
    | Some values -> stat values
    | None -> raise (InvalidDataException(sprintf "%s: claim refers to cell '%s', which this target does not measure" source name))

/// Differences count only beyond twice their standard error over training seeds (z > 2).
let private twoSe (a: Stat) (b: Stat) = 2.0 * sqrt (a.Se ** 2.0 + b.Se ** 2.0)

/// A number fixed per scale in paper/*.json ({"smoke": .., "cpu": .., "paper": ..}).
let private perScale src (c: JsonObject) name (scale: string) =
    let o = Json.getObject src c name
    match o[scale] with
    | null -> raise (InvalidDataException(sprintf "%s: '%s' has no value for scale '%s'" src name scale))
    | _ -> Json.getFloat (sprintf "%s (%s)" src name) o scale

let evaluate (target: string) (source: string) (scale: string) (claims: JsonArray) (cells: Map<string, float list>) : Verdict list =
    [ for node in claims do
        let c = node.AsObject()
        let id = Json.getString source c "id"
        let text = Json.getString source c "text"
        let src = sprintf "%s (claim %s)" source id
        let listedHere, scaleNote =
            match c["asserted_at"] with
            | null -> true, ""
            | scales ->
                let listed = scales.AsArray() |> Seq.map (fun n -> n.GetValue<string>()) |> List.ofSeq
                if List.contains scale listed then true, ""
                else
                    let why = match c[sprintf "not_asserted_at_%s_because" scale] with null -> "" | n -> n.GetValue<string>()
                    false, sprintf "asserted at %s only. %s" (String.Join(", ", listed)) why
        let verdict (stats: Stat list) (ours: string) (band: string) (pass: bool) =
            let fewest = stats |> List.map (fun s -> s.N) |> List.min
            let enough = fewest >= minimumTrainingSeeds
            let seedNote =
                if enough then ""
                else sprintf "measured on %d training seed%s; a claim is asserted only with at least %d." fewest (if fewest = 1 then "" else "s") minimumTrainingSeeds
            { Target = target; Id = id; Text = text; Ours = ours; Band = band; Pass = pass
              Asserted = listedHere && enough
              Note = String.Join(" ", [ scaleNote; seedNote ] |> List.filter (String.IsNullOrEmpty >> not)) }
        match Json.getString src c "kind" with
        | "greater" ->
            let l = cell cells src (Json.getString src c "left")
            let r = cell cells src (Json.getString src c "right")
            let margin = twoSe l r
            yield verdict [ l; r ] (sprintf "%O vs %O" l r) (sprintf "difference > %.2f (2 se)" margin) (l.Mean - r.Mean > margin && l.Mean > r.Mean)
        | "increasing" ->
            let names = Json.getArray src c "cells" |> Seq.map (fun n -> n.GetValue<string>()) |> List.ofSeq
            let stats = names |> List.map (cell cells src)
            let pairsOk = stats |> List.pairwise |> List.forall (fun (a, b) -> b.Mean - a.Mean > -(twoSe a b))
            let first, last = List.head stats, List.last stats
            yield verdict stats (String.Join(" → ", stats |> List.map (fun s -> sprintf "%.2f" s.Mean)))
                          (sprintf "last - first > %.2f; no step down beyond 2 se" (twoSe first last))
                          (pairsOk && last.Mean - first.Mean > twoSe first last && last.Mean > first.Mean)
        | "close" ->
            // An equivalence test: the difference, widened by twice its standard error, must fit inside a distance
            // fixed in paper/ in advance, so more noise can only make the claim harder to pass.
            let l = cell cells src (Json.getString src c "left")
            let r = cell cells src (Json.getString src c "right")
            let distance = perScale src c "distance" scale
            let reach = abs (l.Mean - r.Mean) + twoSe l r
            yield verdict [ l; r ] (sprintf "%O vs %O; |difference| + 2 se = %.2f" l r reach) (sprintf "≤ %.2f (fixed)" distance) (reach <= distance)
        | "below" ->
            let v = cell cells src (Json.getString src c "cell")
            let level = perScale src c "level" scale
            let reach = v.Mean + 2.0 * v.Se
            yield verdict [ v ] (sprintf "%O; mean + 2 se = %.3f" v reach) (sprintf "< %.3f (fixed)" level) (reach < level)
        | "above" ->
            let v = cell cells src (Json.getString src c "cell")
            let level = perScale src c "level" scale
            let reach = v.Mean - 2.0 * v.Se
            yield verdict [ v ] (sprintf "%O; mean - 2 se = %.3f" v reach) (sprintf "> %.3f (fixed)" level) (reach > level)
        | "at_most" ->
            // Non-inferiority: left may exceed right only by noise (twice the difference's standard error).
            let l = cell cells src (Json.getString src c "left")
            let r = cell cells src (Json.getString src c "right")
            let margin = twoSe l r
            yield verdict [ l; r ] (sprintf "%O vs %O" l r) (sprintf "left - right ≤ %.2f (2 se)" margin) (l.Mean - r.Mean <= margin)
        | other -> raise (InvalidDataException(sprintf "%s: unknown claim kind '%s' (greater, increasing, close, below, above, at_most)" src other)) ]
