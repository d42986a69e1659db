/// Equivalence ("close", rule 3): two one-sided tests (TOST, Schuirmann 1987) of the paired contrast against a distance
/// fixed from the paper's numbers: mean - t se > -distance and mean + t se < distance, each at level alpha, so that the
/// claim passes with probability at most alpha when the true |difference| is the distance. Before a claim is asserted
/// the test's power at this scale's n is computed from the smoke-scale sd of the paired differences; below the
/// minimum power it is reported as not assertable (with the power), since a failure would then say little.
namespace Apg.Scripts.ClaimRules

open MathNet.Numerics.Distributions
open MathNet.Numerics.Integration

type Equivalence =
    { /// mean - t se > -distance
      Lower: Bound
      /// mean + t se < distance
      Upper: Bound
      Distance: float
      Pass: bool
      /// The sd of the paired differences the power was planned with (the smoke scale's), if one was given.
      PlannedSd: float option
      /// The probability that TOST passes at this n, that sd and a true difference of 0.
      Power: float option
      MinimumPower: float
      /// Power >= MinimumPower: whether a verdict at this n may be asserted.
      Assertable: bool
      Note: string }

module Equivalence =
    /// The exact power of TOST at level alpha with n paired values of sd sigma, against +-distance, when the true mean
    /// difference is delta. TOST passes iff -distance + t s / sqrt n < mean < distance - t s / sqrt n,
    /// with mean ~ Normal(delta, sigma^2 / n) independent of (n - 1) s^2 / sigma^2 ~ chi-square(n - 1). So the power is
    /// E_u[ Phi((h(u) - delta) / (sigma / sqrt n)) - Phi((-h(u) - delta) / (sigma / sqrt n)) ]^+ with
    /// h(u) = distance - t sigma sqrt(u / (n - 1)) / sqrt n (Owen 1965; what a noncentral-t power routine computes).
    /// The expectation is integrated over the chi-square's probability scale, p = F(u), where the integrand is bounded
    /// and smooth: 16 panels of 32-point Gauss-Legendre up to the u at which h reaches 0 (beyond it TOST cannot pass).
    let power (alpha: float) (n: int) (sigma: float) (distance: float) (delta: float) : float =
        if n < 2 then invalidArg "n" (sprintf "TOST needs at least 2 paired values, got %d" n)
        if distance <= 0.0 then invalidArg "distance" (sprintf "an equivalence distance is positive, got %g" distance)
        if sigma < 0.0 then invalidArg "sigma" (sprintf "a standard deviation is at least 0, got %g" sigma)
        if sigma = 0.0 then (if abs delta < distance then 1.0 else 0.0)
        else
            let df = n - 1
            let t = StudentT.critical alpha df
            let seScale = sigma / sqrt (float n)
            let half (u: float) = distance - t * seScale * sqrt (u / float df)
            let inside (u: float) =
                let h = half u
                if h <= 0.0 then 0.0
                else max 0.0 (Normal.CDF(0.0, 1.0, (h - delta) / seScale) - Normal.CDF(0.0, 1.0, (-h - delta) / seScale))
            let uMax = float df * (distance / (t * seScale)) ** 2.0
            let pMax = ChiSquared.CDF(float df, uMax)
            let panels = 16
            let width = pMax / float panels
            let f (p: float) = inside (ChiSquared.InvCDF(float df, p))
            [ for k in 0 .. panels - 1 -> GaussLegendreRule.Integrate((fun p -> f p), float k * width, float (k + 1) * width, 32) ]
            |> List.sum

    /// TOST on contrast c against +-distance, without a power check.
    let tost (alpha: float) (distance: float) (c: Contrast) : Bound * Bound * bool =
        if distance <= 0.0 then invalidArg "distance" (sprintf "an equivalence distance is positive, got %g" distance)
        let lower = OneSided.bound "equivalence" "lower" alpha LowerAbove (-distance) c
        let upper = OneSided.bound "equivalence" "upper" alpha UpperBelow distance c
        lower, upper, lower.Pass && upper.Pass

    /// TOST with its power at this n from the planned (smoke-scale) sd, at a true difference of 0.
    let assess (alpha: float) (minimumPower: float) (distance: float) (plannedSd: float option) (c: Contrast) : Equivalence =
        let lower, upper, pass = tost alpha distance c
        let pw = plannedSd |> Option.map (fun sd -> power alpha c.N sd distance 0.0)
        let assertable, note =
            match pw with
            | None -> false, "not assertable: no smoke-scale sd of the paired differences to plan the test's power from"
            | Some p when p < minimumPower ->
                false, sprintf "not assertable at n = %d: power %.2f < %.2f (planned with the smoke-scale sd %g against +-%g)" c.N p minimumPower plannedSd.Value distance
            | Some p -> true, sprintf "power %.2f at n = %d (smoke-scale sd %g, distance %g)" p c.N plannedSd.Value distance
        { Lower = lower; Upper = upper; Distance = distance; Pass = pass; PlannedSd = plannedSd; Power = pw
          MinimumPower = minimumPower; Assertable = assertable; Note = note }
