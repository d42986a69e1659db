/// A paired contrast: for each training seed i, d_i = sum_j c_j x_(j,i) over the cells j of a claim, every cell measured
/// on the same test instances with the same evaluation seed. The training seed is the unit (rule 1): a trained network's
/// instances are not independent, so the test runs on the n values d_i, never on instances. Two cells from separate
/// trainings with the same seed index (an APG-trained and an RWS-trained model, both seed 2) are paired by that index.
namespace Apg.Scripts.ClaimRules

open System

/// One cell's value per training seed (its evaluation seeds and test instances already averaged).
type SeedValues = (uint64 * float) list

type Contrast =
    { /// The contrast as written, e.g. "apg_k20 - rws_k20".
      Label: string
      /// (coefficient, cell) of each term.
      Terms: (float * string) list
      /// The training seeds, ascending; every list below is in this order.
      Seeds: uint64 list
      /// Each cell's per-seed values.
      Cells: (string * float list) list
      /// d_i, one per training seed.
      Values: float list
      N: int
      Mean: float
      /// The sample standard deviation of d (denominator n - 1).
      Sd: float
      /// Sd / sqrt n.
      Se: float
      /// n - 1.
      Df: int }

module Contrast =
    let private describe (terms: (float * string) list) =
        terms
        |> List.mapi (fun k (c, name) ->
            let sign = if c < 0.0 then "-" elif k = 0 then "" else "+"
            let size = abs c
            let coef = if size = 1.0 then "" else sprintf "%s " (size.ToString("R", Globalization.CultureInfo.InvariantCulture))
            sprintf "%s%s%s" (if k = 0 then sign else sign + " ") coef name)
        |> String.concat " "

    /// d_i = sum_j c_j x_(j,i), paired by training seed. Every cell must hold the same training seeds, each once: a seed
    /// missing from one cell is an error, never silently dropped. Needs at least 2 seeds (1 degree of freedom).
    let linear (terms: (float * string * SeedValues) list) : Contrast =
        if terms.IsEmpty then invalidArg "terms" "a contrast needs at least one cell"
        for (_, name, values) in terms do
            let seeds = values |> List.map fst
            if (List.distinct seeds).Length <> seeds.Length then invalidArg "terms" (sprintf "cell '%s' holds a training seed twice" name)
        let seedSet (values: SeedValues) = values |> List.map fst |> Set.ofList
        let (_, firstName, firstValues) = terms.Head
        let seeds = seedSet firstValues
        for (_, name, values) in terms.Tail do
            if seedSet values <> seeds then
                invalidArg "terms" (sprintf "cells '%s' and '%s' hold different training seeds (%A against %A): a paired contrast needs the same seeds" firstName name (Set.toList seeds) (Set.toList (seedSet values)))
        let ordered = Set.toList seeds
        let n = ordered.Length
        if n < 2 then invalidArg "terms" (sprintf "a contrast needs at least 2 training seeds, got %d" n)
        let cells = [ for (_, name, values) in terms -> name, (let m = Map.ofList values in ordered |> List.map (fun s -> m[s])) ]
        let coefficients = terms |> List.map (fun (c, _, _) -> c)
        let d = [ for i in 0 .. n - 1 -> List.map2 (fun c (_, xs: float list) -> c * xs[i]) coefficients cells |> List.sum ]
        let mean = List.average d
        let sd = sqrt ((d |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1))
        let terms' = terms |> List.map (fun (c, name, _) -> c, name)
        { Label = describe terms'; Terms = terms'; Seeds = ordered; Cells = cells; Values = d
          N = n; Mean = mean; Sd = sd; Se = sd / sqrt (float n); Df = n - 1 }

    /// left - right, paired by training seed.
    let difference (leftName: string, left: SeedValues) (rightName: string, right: SeedValues) =
        linear [ 1.0, leftName, left; -1.0, rightName, right ]

    /// One cell by itself (a level check, or a cell that is already a within-seed difference).
    let single (name: string, values: SeedValues) = linear [ 1.0, name, values ]

    /// The cells restricted to the training seeds they all hold, and the seeds left out (ascending). For a claim whose
    /// cells come from trainings run for different seeds (Figure 3's joint blocks at smoke scale): the report names
    /// the seeds left out, so that nothing is dropped silently.
    let commonSeeds (terms: (float * string * SeedValues) list) : (float * string * SeedValues) list * uint64 list =
        let sets = terms |> List.map (fun (_, _, values) -> values |> List.map fst |> Set.ofList)
        let common = Set.intersectMany sets
        let all = Set.unionMany sets
        terms |> List.map (fun (c, name, values) -> c, name, values |> List.filter (fun (s, _) -> common.Contains s)),
        Set.toList (Set.difference all common)
