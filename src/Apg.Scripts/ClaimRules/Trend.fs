/// Trends (rule 5: rising with K, with leapfrog steps, with sweeps): an intersection-union test of
///   the rise,  last - first, by superiority with margin 0: mean - t se > 0, and
///   each step, next - previous, by non-inferiority with a fixed tolerance: mean - t se > -tolerance,
/// every contrast paired by training seed. The trend passes only if every part passes, so its false-pass rate is at
/// most alpha wherever the trend is false (Berger 1982): no multiplicity correction is needed.
namespace Apg.Scripts.ClaimRules

type Trend =
    { Rise: Bound
      Steps: Bound list
      Tolerance: float
      Pass: bool }

module Trend =
    /// cells in their claimed order (K = 5, 10, 20), each with its per-seed values.
    let test (alpha: float) (tolerance: float) (cells: (string * SeedValues) list) : Trend =
        if cells.Length < 2 then invalidArg "cells" (sprintf "a trend needs at least 2 cells, got %d" cells.Length)
        if tolerance < 0.0 then invalidArg "tolerance" (sprintf "a step tolerance is at least 0, got %g" tolerance)
        let first, last = List.head cells, List.last cells
        let rise = { OneSided.superiority alpha 0.0 (Contrast.difference last first) with Rule = "trend"; Component = "last - first" }
        let steps =
            cells
            |> List.pairwise
            |> List.mapi (fun k (a, b) ->
                { OneSided.nonInferiority alpha tolerance (Contrast.difference b a) with Rule = "trend"; Component = sprintf "step %d" (k + 1) })
        { Rise = rise; Steps = steps; Tolerance = tolerance; Pass = rise.Pass && steps |> List.forall (fun s -> s.Pass) }
