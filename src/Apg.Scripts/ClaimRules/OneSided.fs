/// One one-sided t bound on a paired contrast at level alpha, df = n - 1: the lower bound mean - t(1 - alpha, df) se
/// must clear a fixed threshold from above, or the upper bound mean + t se from below. Superiority, non-inferiority and
/// the fixed levels are this one test with thresholds derived differently (paper/claims-rules.md, rules 2 and 4).
namespace Apg.Scripts.ClaimRules

/// Which bound a test compares with its threshold.
type Side =
    /// mean - t se > threshold
    | LowerAbove
    /// mean + t se < threshold
    | UpperBelow

type Bound =
    { /// superiority, non-inferiority, above, below, equivalence, trend.
      Rule: string
      /// Which part of a composite rule ("" for a single bound; "lower"/"upper" for TOST; "last - first", "step 2" for a trend).
      Component: string
      Contrast: Contrast
      Alpha: float
      /// t(1 - alpha, df).
      T: float
      /// mean - t se.
      Lower: float
      /// mean + t se.
      Upper: float
      Side: Side
      /// The fixed number the compared bound must clear (strictly).
      Threshold: float
      Pass: bool }

module OneSided =
    let private check (alpha: float) =
        if not (alpha > 0.0 && alpha < 0.5) then invalidArg "alpha" (sprintf "a one-sided level must lie in (0, 0.5), got %g" alpha)

    /// The bound of contrast c on the given side against threshold.
    let bound (rule: string) (comp: string) (alpha: float) (side: Side) (threshold: float) (c: Contrast) : Bound =
        check alpha
        let t = StudentT.critical alpha c.Df
        let lower, upper = c.Mean - t * c.Se, c.Mean + t * c.Se
        let pass = match side with LowerAbove -> lower > threshold | UpperBelow -> upper < threshold
        { Rule = rule; Component = comp; Contrast = c; Alpha = alpha; T = t; Lower = lower; Upper = upper
          Side = side; Threshold = threshold; Pass = pass }

    /// Superiority (rule 2): mean(d) - t se(d) > margin, margin >= 0 fixed in advance (0, or a share of the paper's gap).
    let superiority (alpha: float) (margin: float) (c: Contrast) =
        if margin < 0.0 then invalidArg "margin" (sprintf "a superiority margin is at least 0, got %g" margin)
        bound "superiority" "" alpha LowerAbove margin c

    /// Non-inferiority (rule 4): d = (claimed not worse) - (reference), oriented so larger is better; mean(d) - t se(d) > -margin.
    /// The margin is a fixed number from the paper's numbers, never a multiple of our own spread.
    let nonInferiority (alpha: float) (margin: float) (c: Contrast) =
        if margin < 0.0 then invalidArg "margin" (sprintf "a non-inferiority margin is at least 0, got %g" margin)
        bound "non-inferiority" "" alpha LowerAbove (-margin) c

    /// A cell's level above a fixed level: mean - t se > level.
    let above (alpha: float) (level: float) (c: Contrast) = bound "above" "" alpha LowerAbove level c

    /// A cell's level below a fixed level: mean + t se < level.
    let below (alpha: float) (level: float) (c: Contrast) = bound "below" "" alpha UpperBelow level c
