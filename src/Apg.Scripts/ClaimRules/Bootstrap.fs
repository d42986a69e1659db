/// Levels in tables (rule 6): a percentile interval for a cell's mean by a hierarchical bootstrap, training seeds first,
/// then test instances within each drawn seed. Seeded SplitMix64, so the interval is the same on every machine and can
/// be recomputed from a committed CSV. Descriptive only: no verdict uses it (verdicts are the t bounds of the paired
/// contrasts), and with 3 to 5 training seeds a percentile interval covers less than its nominal level.
namespace Apg.Scripts.ClaimRules

open System

type Level =
    { /// The mean over training seeds of each seed's mean over its instances.
      Estimate: float
      Lower: float
      Upper: float
      /// Two-sided, e.g. 0.95.
      Confidence: float
      Replicates: int
      Seed: uint64
      TrainingSeeds: int }

module Bootstrap =
    /// values: (training seed, that seed's per-instance values). Seeds are taken in ascending order whatever the input
    /// order. Each replicate draws S seeds with replacement (S = number of seeds), then for each drawn seed, in draw
    /// order, as many instances as it has, with replacement; the replicate is the mean over the drawn seeds of their
    /// resampled instance means. All draws come from one SplitMix64(seed) stream, each by Below(count). The interval
    /// is the nearest-rank percentile: the sorted replicates' ceil(B q)-th values at q = (1 - confidence) / 2 and
    /// 1 - (1 - confidence) / 2.
    let hierarchical (confidence: float) (replicates: int) (seed: uint64) (values: (uint64 * float[]) list) : Level =
        if values.IsEmpty then invalidArg "values" "a level needs at least one training seed"
        if not (confidence > 0.0 && confidence < 1.0) then invalidArg "confidence" (sprintf "a confidence must lie in (0, 1), got %g" confidence)
        if replicates < 1 then invalidArg "replicates" (sprintf "the bootstrap needs at least 1 replicate, got %d" replicates)
        for (s, xs) in values do
            if xs.Length = 0 then invalidArg "values" (sprintf "training seed %d has no instance values" s)
        let seeds = values |> List.map fst
        if (List.distinct seeds).Length <> seeds.Length then invalidArg "values" "a training seed appears twice"
        let bySeed = values |> List.sortBy fst |> List.map snd |> Array.ofList
        let s = bySeed.Length
        let estimate = bySeed |> Array.averageBy Array.average
        let rng = SplitMix64 seed
        let draws =
            Array.init replicates (fun _ ->
                let mutable total = 0.0
                for _ in 1 .. s do
                    let xs = bySeed[rng.Below s]
                    let mutable sum = 0.0
                    for _ in 1 .. xs.Length do
                        sum <- sum + xs[rng.Below xs.Length]
                    total <- total + sum / float xs.Length
                total / float s)
        Array.sortInPlace draws
        // ceil(B q) less 1e-9, so that a product such as 10,000 x 0.025 that rounds a hair above 250 still ranks 250th.
        let rank (q: float) = draws[max 0 (min (replicates - 1) (int (Math.Ceiling(float replicates * q - 1e-9)) - 1))]
        let tail = (1.0 - confidence) / 2.0
        { Estimate = estimate; Lower = rank tail; Upper = rank (1.0 - tail); Confidence = confidence
          Replicates = replicates; Seed = seed; TrainingSeeds = s }
