/// The checks of paper/*.json against measured cells (each a list of values over seeds).
module Apg.Scripts.Experiments.Claims

open System
open System.IO
open System.Text.Json.Nodes

type Stat =
    { Mean: float; Sd: float; N: int }
    member s.Se = if s.N > 1 then s.Sd / sqrt (float s.N) else 0.0
    override s.ToString() = if s.N > 1 then sprintf "%.2f ± %.2f (n=%d)" s.Mean s.Sd s.N else sprintf "%.2f" s.Mean

let stat (values: float list) =
    if values.IsEmpty then invalidArg "values" "no values for a cell"
    let n = values.Length
    let mean = List.average values
    let sd = if n > 1 then sqrt ((values |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1)) else 0.0
    { Mean = mean; Sd = sd; N = n }

/// Asserted: whether the claim is checked at this scale (paper/*.json "asserted_at"; all scales when absent).
/// A claim not asserted is still measured and reported, with the reason it is not checked.
type Verdict = { Target: string; Id: string; Text: string; Ours: string; Band: string; Pass: bool; Asserted: bool; Note: string }

let private cell (cells: Map<string, float list>) source name =
    match cells.TryFind name with
    | Some values -> stat values
    | None -> raise (InvalidDataException(sprintf "%s: claim refers to cell '%s', which this target does not measure" source name))

/// Differences count only beyond twice their standard error over seeds (z > 2).
let private beyondNoise (a: Stat) (b: Stat) = 2.0 * sqrt (a.Se ** 2.0 + b.Se ** 2.0)

let evaluate (target: string) (source: string) (scale: string) (claims: JsonArray) (cells: Map<string, float list>) : Verdict list =
    [ for node in claims do
        let c = node.AsObject()
        let id = Json.getString source c "id"
        let text = Json.getString source c "text"
        let src = sprintf "%s (claim %s)" source id
        let asserted, note =
            match c["asserted_at"] with
            | null -> true, ""
            | scales ->
                let listed = scales.AsArray() |> Seq.map (fun n -> n.GetValue<string>()) |> List.ofSeq
                if List.contains scale listed then true, ""
                else
                    let why = match c[sprintf "not_asserted_at_%s_because" scale] with null -> "" | n -> n.GetValue<string>()
                    false, sprintf "asserted at %s only. %s" (String.Join(", ", listed)) why
        let verdict (ours: string) (band: string) (pass: bool) =
            { Target = target; Id = id; Text = text; Ours = ours; Band = band; Pass = pass; Asserted = asserted; Note = note }
        match Json.getString src c "kind" with
        | "greater" ->
            let l = cell cells src (Json.getString src c "left")
            let r = cell cells src (Json.getString src c "right")
            let margin = beyondNoise l r
            yield verdict (sprintf "%O vs %O" l r) (sprintf "difference > %.2f (2 se)" margin) (l.Mean - r.Mean > margin && l.Mean > r.Mean)
        | "increasing" ->
            let names = Json.getArray src c "cells" |> Seq.map (fun n -> n.GetValue<string>()) |> List.ofSeq
            let stats = names |> List.map (cell cells src)
            let pairsOk = stats |> List.pairwise |> List.forall (fun (a, b) -> b.Mean - a.Mean > -(beyondNoise a b))
            let first, last = List.head stats, List.last stats
            yield verdict (String.Join(" → ", stats |> List.map (fun s -> sprintf "%.2f" s.Mean)))
                          (sprintf "last - first > %.2f; no step down beyond 2 se" (beyondNoise first last))
                          (pairsOk && last.Mean - first.Mean > beyondNoise first last && last.Mean > first.Mean)
        | "close" ->
            let l = cell cells src (Json.getString src c "left")
            let r = cell cells src (Json.getString src c "right")
            let bands = Json.getObject src c "bands"
            let fraction = Json.getFloat src bands scale
            let gap = Json.getArray src c "gap" |> Seq.map (fun n -> cell cells src (n.GetValue<string>())) |> Array.ofSeq
            if gap.Length <> 2 then raise (InvalidDataException(sprintf "%s: 'gap' names two cells" src))
            let tolerance = fraction * abs (gap[0].Mean - gap[1].Mean) + beyondNoise l r
            yield verdict (sprintf "%O vs %O" l r) (sprintf "|difference| ≤ %.2f (%.0f%% of the gap + 2 se)" tolerance (100.0 * fraction))
                          (abs (l.Mean - r.Mean) <= tolerance)
        | other -> raise (InvalidDataException(sprintf "%s: unknown claim kind '%s' (greater, increasing, close)" src other)) ]
