/// The constants of paper/claims-rules.md, fixed before any run that uses them (paper/claims-rules.json holds the
/// same numbers; a test keeps the two equal). No constant may change after a result is seen; if one must, the change
/// is recorded in paper/claims-rules.md with its reason, and the old verdict is kept beside the new.
module Apg.Scripts.ClaimRules.Policy

/// Every one-sided test's level; a TOST runs two of them, a trend one per part (intersection-union).
let alpha = 0.05

/// An equivalence claim is asserted only if its TOST, planned with the smoke-scale sd, has at least this power.
let minimumPower = 0.8

/// "Far above" / "substantially": the margin is this fraction of the paper's own gap.
let farFraction = 0.25

/// The share of a paper gap that counts as negligible: equivalence distances, non-inferiority margins and trend
/// step tolerances. Looser at smoke scale, whose proposals train for some 1% of the paper's steps.
let negligibleShare (scale: string) =
    match scale with
    | "smoke" -> 0.10
    | "cpu" | "paper" -> 0.05
    | other -> invalidArg "scale" (sprintf "unknown scale '%s' (smoke, cpu, paper)" other)

/// Below this many training seeds a claim is measured and reported, never asserted (df = 1 leaves t(0.95) = 6.31).
let fewestSeeds = 3

/// Fewer training seeds than this are labelled low-power in the report.
let fullPowerSeeds = 5

/// Rule 7: at least 5 training seeds where one training run takes under an hour on this machine (GMM, IAI), 3
/// elsewhere (DMM until its cpu-scale training is measured under an hour; bouncing MNIST; the MCMC VAEs).
let minimumSeeds (family: string) =
    match family with
    | "gmm" | "iai" -> 5
    | "dmm" | "bmnist" | "mcmc-vae" -> 3
    | other -> invalidArg "family" (sprintf "unknown experiment family '%s' (gmm, iai, dmm, bmnist, mcmc-vae)" other)

/// The hierarchical bootstrap of table levels.
let bootstrapReplicates = 10000
let bootstrapSeed = 28UL
let bootstrapConfidence = 0.95

type SeedStatus =
    { /// Enough training seeds for the family to assert the claim.
      Enough: bool
      /// Asserted with fewer than fullPowerSeeds.
      LowPower: bool
      Note: string }

/// Whether a claim of this family resting on n training seeds may be asserted when the family needs minimum seeds and
/// full power needs fullPower, and how it is labelled in the report.
let seedStatusAt (family: string) (minimum: int) (fullPower: int) (n: int) : SeedStatus =
    if n < minimum then
        { Enough = false; LowPower = true
          Note = sprintf "measured on %d training seed%s; %s claims are asserted only with at least %d." n (if n = 1 then "" else "s") family minimum }
    elif n < fullPower then
        { Enough = true; LowPower = true
          Note = sprintf "low power: n = %d training seeds (df = %d, t(0.95) = %.3f)." n (n - 1) (StudentT.critical alpha (n - 1)) }
    else { Enough = true; LowPower = false; Note = "" }

/// seedStatusAt with this file's constants.
let seedStatus (family: string) (n: int) : SeedStatus =
    seedStatusAt family (max fewestSeeds (minimumSeeds family)) fullPowerSeeds n
