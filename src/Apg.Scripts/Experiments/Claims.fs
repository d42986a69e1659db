/// The claims of paper/*.json, each tested by its rule in paper/claims-rules.json (written out in
/// paper/claims-rules.md, fixed before the runs it judges). A cell is a list of (training seed, value): the training
/// seed is the unit of replication (values from one trained network are not independent), so a target averages its
/// evaluation seeds and test instances within each training seed first (`perTrainingSeed`), and every comparison is a
/// contrast computed within each training seed (ClaimRules/Contrast.fs).
module Apg.Scripts.Experiments.Claims

open System
open System.IO
open System.Text.Json.Nodes
open Apg.Scripts.ClaimRules

type Stat =
    { Mean: float; Sd: float; N: int }
    member s.Se = if s.N > 1 then s.Sd / sqrt (float s.N) else 0.0
    override s.ToString() = if s.N > 1 then sprintf "%.2f ± %.2f (n=%d)" s.Mean s.Sd s.N else sprintf "%.2f (n=1)" s.Mean

/// Mean and sd over a cell's training seeds, in the cell's order.
let stat (values: SeedValues) =
    if values.IsEmpty then invalidArg "values" "no values for a cell"
    let xs = values |> List.map snd
    let n = xs.Length
    let mean = List.average xs
    let sd = if n > 1 then sqrt ((xs |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1)) else 0.0
    { Mean = mean; Sd = sd; N = n }

/// (cell, training seed, value) entries, one per evaluation: the evaluation seeds of a training seed are averaged,
/// so each cell holds one value per training seed, in the order the training seeds first appear.
let perTrainingSeed (entries: (string * uint64 * float) list) : Map<string, SeedValues> =
    entries
    |> List.groupBy (fun (cell, _, _) -> cell)
    |> List.map (fun (cell, rows) ->
        cell, rows |> List.groupBy (fun (_, seed, _) -> seed) |> List.map (fun (seed, vs) -> seed, vs |> List.averageBy (fun (_, _, v) -> v)))
    |> Map.ofList

/// Asserted: whether the claim is checked at this scale (its "asserted_at" in paper/*.json and in the rules, enough
/// training seeds for its family, and for an equivalence enough power). A claim not asserted is still measured and
/// reported, with the reason. Rows: its rows of claims.csv (ClaimRules/Csv.fs), from which the verdict can be recomputed.
type Verdict =
    { Target: string; Id: string; Text: string; Rule: string; Ours: string; Band: string; Pass: bool; Asserted: bool; Note: string
      Rows: string list }

/// paper/claims-rules.json, read once: the per-claim rules and the constants every rule uses.
type Rules =
    { Source: string
      Alpha: float
      MinimumPower: float
      FewestSeeds: int
      FullPowerSeeds: int
      MinimumSeeds: Map<string, int>
      Rules: JsonObject list
      /// The smoke scale's sd of an equivalence claim's paired differences, by (target, claim), that its power is
      /// planned with at the other scales (from reports/smoke/claims.csv).
      PlannedSd: Map<string * string, float> }

/// The planned sds from a claims.csv: each equivalence's sd of d on its bound rows.
let plannedSdsOf (path: string) : Map<string * string, float> =
    if not (File.Exists path) then Map.empty
    else
        let lines = File.ReadAllLines path
        if lines.Length = 0 then raise (InvalidDataException(sprintf "%s: empty (expected the header of claims.csv)" path))
        let header = Csv.split lines[0]
        let column name =
            match List.tryFindIndex ((=) name) header with
            | Some i -> i
            | None -> raise (InvalidDataException(sprintf "%s: no column '%s'" path name))
        let target, claim, rule, comp, row, sd = column "target", column "claim", column "rule", column "component", column "row", column "sd"
        [ for l in lines |> Array.skip 1 do
            let f = Csv.split l |> Array.ofList
            if f.Length = header.Length && f[rule] = "equivalence" && f[comp] = "lower" && f[row] = "bound" then
                yield (f[target], f[claim]), Double.Parse(f[sd], Globalization.CultureInfo.InvariantCulture) ]
        |> Map.ofList

/// Reads the rules; plannedFrom is the claims.csv of the smoke report that equivalence claims plan their power with.
let loadRules (path: string) (plannedFrom: string) : Rules =
    let o = Json.parseFile path
    let minimum = Json.getObject path o "minimum_training_seeds"
    { Source = path
      Alpha = Json.getFloat path o "alpha"
      MinimumPower = Json.getFloat path o "minimum_power"
      FewestSeeds = Json.getInt path o "fewest_training_seeds"
      FullPowerSeeds = Json.getInt path o "full_power_training_seeds"
      MinimumSeeds = Map [ for kv in minimum -> kv.Key, Json.getInt (path + " (minimum_training_seeds)") minimum kv.Key ]
      Rules = [ for n in Json.getArray path o "rules" -> n.AsObject() ]
      PlannedSd = plannedSdsOf plannedFrom }

/// The repository's rules: paper/claims-rules.json, with the planned sds of reports/smoke/claims.csv.
let rulesOf (paperDir: string) =
    loadRules (Path.Combine(paperDir, "claims-rules.json")) (Path.Combine(paperDir, "..", "reports", "smoke", "claims.csv"))

/// A number, or a number per scale ({"smoke": .., "cpu": .., "paper": ..}).
let private perScale (src: string) (name: string) (scale: string) (node: JsonNode) : float =
    match node with
    | null -> raise (InvalidDataException(sprintf "%s: missing field '%s'" src name))
    | :? JsonObject as o ->
        match o[scale] with
        | null -> raise (InvalidDataException(sprintf "%s: '%s' has no value for scale '%s'" src name scale))
        | v -> v.GetValue<float>()
    | v -> v.GetValue<float>()

let private names (a: JsonArray) = [ for n in a -> n.GetValue<string>() ]

/// A term's cell: "ln NAME" is the natural log of cell NAME, per training seed.
let private baseCell (name: string) = if name.StartsWith "ln " then name.Substring 3 else name

let private valuesOf (src: string) (cells: Map<string, SeedValues>) (name: string) : SeedValues =
    let values = cells[baseCell name]
    if name.StartsWith "ln " then
        values |> List.map (fun (s, v) ->
            if v > 0.0 then s, log v
            else raise (InvalidDataException(sprintf "%s: cell '%s' is %g at training seed %d; its log is not defined" src (baseCell name) v s)))
    else values

let private g (x: float) = x.ToString("0.####", Globalization.CultureInfo.InvariantCulture)

let private describeBound (b: Bound) =
    let c = b.Contrast
    let compared = match b.Side with LowerAbove -> sprintf "lower %s" (g b.Lower) | UpperBelow -> sprintf "upper %s" (g b.Upper)
    sprintf "%s = %s ± %s (n=%d); %s" c.Label (g c.Mean) (g c.Sd) c.N compared

let private band (b: Bound) =
    let side = match b.Side with LowerAbove -> "lower >" | UpperBelow -> "upper <"
    sprintf "%s %s (t(0.95, %d) = %.3f)" side (g b.Threshold) b.Contrast.Df b.T

/// What a rule found: its bounds' verdict, the text for the report, its CSV rows, and whether it may be asserted.
type private Tested = { Pass: bool; Ours: string; Band: string; Rows: string list; Assertable: bool; Note: string }

let private testRule (rules: Rules) (target: string) (id: string) (src: string) (scale: string) (r: JsonObject) (common: uint64 list) (values: string -> SeedValues) : Tested =
    let alpha = rules.Alpha
    let restrict (v: SeedValues) = v |> List.filter (fun (s, _) -> List.contains s common)
    let termsOf (part: JsonObject) =
        [ for t in Json.getArray src part "terms" do
            let a = t.AsArray()
            let name = a[1].GetValue<string>()
            yield perScale src "terms" scale a[0], name ]
    let contrastOf (terms: (float * string) list) (offset: float) =
        // An offset shifts a single cell (an acceptance rate minus its target).
        Contrast.linear [ for c, name in terms -> c, (if offset = 0.0 then name else sprintf "%s %s %s" name (if offset < 0.0 then "-" else "+") (g (abs offset))),
                                                   restrict (values name) |> List.map (fun (s, v) -> s, v + offset) ]
    let oneBound (ruleName: string) (part: JsonObject) =
        let c = contrastOf (termsOf part) 0.0
        match ruleName with
        | "superiority" -> OneSided.superiority alpha (perScale src "margin" scale part["margin"]) c
        | "non-inferiority" -> OneSided.nonInferiority alpha (perScale src "margin" scale part["margin"]) c
        | "below" -> OneSided.below alpha (perScale src "level" scale part["level"]) c
        | "above" -> OneSided.above alpha (perScale src "level" scale part["level"]) c
        | other -> raise (InvalidDataException(sprintf "%s: rule '%s' takes no terms here" src other))
    match Json.getString src r "rule" with
    | "superiority" | "non-inferiority" | "below" | "above" as ruleName ->
        let parts = match r["all_of"] with null -> [ r ] | a -> [ for p in a.AsArray() -> p.AsObject() ]
        let bounds = parts |> List.map (oneBound ruleName)
        { Pass = bounds |> List.forall (fun b -> b.Pass)
          Ours = String.Join("; ", bounds |> List.map describeBound)
          Band = String.Join("; ", bounds |> List.map band) + (if bounds.Length > 1 then " (all)" else "")
          Rows = bounds |> List.collect (Csv.ofBound target id)
          Assertable = true; Note = "" }
    | "equivalence" ->
        let offset = match r["offset"] with null -> 0.0 | n -> n.GetValue<float>()
        let terms = termsOf r
        if offset <> 0.0 && terms.Length <> 1 then raise (InvalidDataException(sprintf "%s: an offset applies to a single cell" src))
        let c = contrastOf terms offset
        let distance = perScale src "distance" scale r["distance"]
        let planned = if scale = "smoke" then Some c.Sd else rules.PlannedSd.TryFind((target, id))
        let e = Equivalence.assess alpha rules.MinimumPower distance planned c
        { Pass = e.Pass
          Ours = sprintf "%s = %s ± %s (n=%d); lower %s, upper %s" c.Label (g c.Mean) (g c.Sd) c.N (g e.Lower.Lower) (g e.Upper.Upper)
          Band = sprintf "inside ±%s (TOST, t(0.95, %d) = %.3f)" (g distance) c.Df e.Lower.T
          Rows = Csv.ofEquivalence target id e
          Assertable = e.Assertable; Note = e.Note }
    | "trend" ->
        let cellNames = names (Json.getArray src r "cells")
        let tolerance = perScale src "tolerance" scale r["tolerance"]
        let t = Trend.test alpha tolerance [ for name in cellNames -> name, restrict (values name) ]
        let worst = t.Steps |> List.minBy (fun s -> s.Lower)
        { Pass = t.Pass
          Ours = sprintf "%s; worst step %s lower %s" (describeBound t.Rise) worst.Contrast.Label (g worst.Lower)
          Band = sprintf "rise lower > 0, each step lower > -%s (t(0.95, %d) = %.3f)" (g tolerance) t.Rise.Contrast.Df t.Rise.T
          Rows = Csv.ofTrend target id t
          Assertable = true; Note = "" }
    | other -> raise (InvalidDataException(sprintf "%s: unknown rule '%s' (superiority, non-inferiority, below, above, equivalence, trend, not checked)" src other))

/// Every term a rule reads, as written ("ln NAME" or NAME).
let private termsRead (r: JsonObject) =
    let fromTerms (o: JsonObject) = match o["terms"] with null -> [] | a -> [ for t in a.AsArray() -> (t.AsArray()[1]).GetValue<string>() ]
    [ yield! fromTerms r
      match r["all_of"] with null -> () | a -> for p in a.AsArray() do yield! fromTerms (p.AsObject())
      match r["cells"] with null -> () | a -> yield! names (a.AsArray()) ]
    |> List.distinct

/// Every cell a rule reads (a "ln NAME" term reads NAME).
let cellsOf (src: string) (r: JsonObject) = termsRead r |> List.map baseCell |> List.distinct

/// Whether every per-scale number of a rule ({"smoke": .., "cpu": .., "paper": ..}) has a value for this scale.
let rec private definedAt (scale: string) (node: JsonNode) : bool =
    match node with
    | :? JsonObject as o when o.Count > 0 && o |> Seq.forall (fun kv -> List.contains kv.Key Scale.names) -> o.ContainsKey scale
    | :? JsonObject as o -> o |> Seq.forall (fun kv -> definedAt scale kv.Value)
    | :? JsonArray as a -> a |> Seq.forall (definedAt scale)
    | _ -> true

let private allowedAt (o: JsonObject) (scale: string) =
    match o["asserted_at"] with
    | null -> true, ""
    | scales ->
        let listed = names (scales.AsArray())
        if List.contains scale listed then true, ""
        else
            let why = match o[sprintf "not_asserted_at_%s_because" scale] with null -> "" | n -> " " + n.GetValue<string>()
            false, sprintf "asserted at %s only.%s" (String.Join(", ", listed)) why

/// The verdicts of one target's claims: every rule in the rules file for this target, in its order. claims are the
/// target's paper/*.json claims (their text and scale restrictions); each must have a rule.
let evaluate (rules: Rules) (target: string) (source: string) (scale: string) (claims: JsonArray) (cells: Map<string, SeedValues>) : Verdict list =
    let paperClaims = Map [ for n in claims -> let c = n.AsObject() in Json.getString source c "id", c ]
    let mine = rules.Rules |> List.filter (fun r -> Json.getString rules.Source r "target" = target)
    let ruled = mine |> List.map (fun r -> Json.getString rules.Source r "id") |> set
    for id in paperClaims.Keys do
        if not (ruled.Contains id) then raise (InvalidDataException(sprintf "%s: claim '%s' of %s has no rule in %s" source id target rules.Source))
    [ for r in mine do
        let id = Json.getString rules.Source r "id"
        let src = sprintf "%s (%s/%s)" rules.Source target id
        let ruleName = Json.getString src r "rule"
        let text = match paperClaims.TryFind id with Some c -> Json.getString source c "text" | None -> id.Replace('_', ' ') + " (registered in paper/claims-rules.md)"
        let inPaper, paperNote = match paperClaims.TryFind id with Some c -> allowedAt c scale | None -> true, ""
        let inRules, rulesNote = allowedAt r scale
        let wanted = cellsOf src r
        let missing = wanted |> List.filter (cells.ContainsKey >> not)
        let means () = String.Join("; ", wanted |> List.filter cells.ContainsKey |> List.map (fun c -> sprintf "%s %O" c (stat cells[c])))
        let verdict pass ours band asserted note rows =
            { Target = target; Id = id; Text = text; Rule = ruleName; Ours = ours; Band = band; Pass = pass; Asserted = asserted
              Note = String.Join(" ", note |> List.filter (String.IsNullOrEmpty >> not)); Rows = rows }
        if ruleName = "not checked" then
            yield verdict false (if missing.IsEmpty then means () else "not measured") "—" false [ "not checked: " + Json.getString src r "why" ] []
        elif not missing.IsEmpty then
            if not inRules then
                yield verdict false "not measured at this scale" "—" false [ rulesNote; sprintf "This scale does not measure %s." (String.Join(", ", missing)) ] []
            elif r["cells_to_measure"] = null && (match r["status"] with null -> true | st -> st.GetValue<string>() <> "new") then
                raise (InvalidDataException(sprintf "%s: claim refers to cell '%s', which this target does not measure" src missing.Head))
            else
                yield verdict false "not measured yet" "—" false
                              [ sprintf "not measured yet: this target does not measure %s (%s)." (String.Join(", ", missing)) (match r["cells_to_measure"] with null -> "a claim registered by issue 28" | n -> n.GetValue<string>()) ] []
        else
            let sets = wanted |> List.map (fun c -> cells[c] |> List.map fst |> Set.ofList)
            let common = Set.intersectMany sets |> Set.toList
            let leftOut = Set.difference (Set.unionMany sets) (Set.ofList common) |> Set.toList
            let leftNote = if leftOut.IsEmpty then "" else sprintf "paired on the training seeds all its cells hold (%s); left out: %s." (String.Join(", ", common)) (String.Join(", ", leftOut))
            let family = Json.getString src r "family"
            let minimum =
                match rules.MinimumSeeds.TryFind family with
                | Some m -> max rules.FewestSeeds m
                | None -> raise (InvalidDataException(sprintf "%s: family '%s' has no entry in minimum_training_seeds" src family))
            let n = common.Length
            let status = Policy.seedStatusAt family minimum rules.FullPowerSeeds n
            let seedNote = status.Note
            if n < 2 then
                yield verdict false (means ()) "—" false [ paperNote; rulesNote; leftNote; seedNote ] []
            else
                // A rule registered for other scales only may have no threshold for this one: it is then measured, not tested.
                let tested =
                    if inRules || definedAt scale r then Some (testRule rules target id src scale r common (valuesOf src cells))
                    else
                        for term in termsRead r do valuesOf src cells term |> ignore
                        None
                match tested with
                | Some t -> yield verdict t.Pass t.Ours t.Band (inPaper && inRules && status.Enough && t.Assertable) [ paperNote; rulesNote; leftNote; seedNote; t.Note ] t.Rows
                | None -> yield verdict false (means ()) "—" false [ rulesNote; sprintf "The rule has no threshold for scale %s." scale ] [] ]

/// claims.csv: every verdict's rows under Csv.header.
let csv (verdicts: Verdict list) = String.Join("\n", Csv.header :: (verdicts |> List.collect (fun v -> v.Rows))) + "\n"

/// verdicts.csv: one row per claim, its rule, whether it is asserted at this scale, whether it holds, and why not asserted.
let verdictsCsv (verdicts: Verdict list) =
    let row (v: Verdict) = String.Join(",", [ v.Target; v.Id; v.Rule; (if v.Asserted then "true" else "false"); (if v.Pass then "true" else "false"); v.Note ] |> List.map Csv.field)
    String.Join("\n", "target,claim,rule,asserted,pass,note" :: (verdicts |> List.map row)) + "\n"
