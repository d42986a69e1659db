/// Student t quantiles and CDF for the claim rules (paper/claims-rules.md). MathNet.Numerics computes the CDF by the
/// regularized incomplete beta function and the quantile by inverting it; the tests hold both to tabulated values.
module Apg.Scripts.ClaimRules.StudentT

open MathNet.Numerics.Distributions

/// P(T <= x) for a standard Student t with df degrees of freedom.
let cdf (df: int) (x: float) =
    if df < 1 then invalidArg "df" (sprintf "a t distribution needs at least 1 degree of freedom, got %d" df)
    StudentT.CDF(0.0, 1.0, float df, x)

/// The p-quantile of a standard Student t with df degrees of freedom: t(p, df).
let quantile (p: float) (df: int) =
    if df < 1 then invalidArg "df" (sprintf "a t distribution needs at least 1 degree of freedom, got %d" df)
    if not (p > 0.0 && p < 1.0) then invalidArg "p" (sprintf "a quantile's probability must lie in (0, 1), got %g" p)
    StudentT.InvCDF(0.0, 1.0, float df, p)

/// The critical value of a one-sided test at level alpha: t(1 - alpha, df).
let critical (alpha: float) (df: int) = quantile (1.0 - alpha) df
