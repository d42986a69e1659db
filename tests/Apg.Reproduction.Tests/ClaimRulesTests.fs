/// Tests of the pre-registered claim rules (src/Apg.Scripts/ClaimRules, paper/claims-rules.md): known answers on
/// fixed numbers, and simulated false-pass rates under each rule's null, with a fixed seed.
module Apg.Reproduction.Tests.ClaimRulesTests

open System
open System.IO
open System.Globalization
open Expecto
open MathNet.Numerics.Distributions
open Apg.Scripts.ClaimRules
open Apg.Scripts.Experiments

let private seeds (values: float list) : SeedValues = values |> List.mapi (fun i v -> uint64 (i + 1), v)

let private close (tolerance: float) (actual: float) (expected: float) (what: string) =
    Expect.isLessThanOrEqual (abs (actual - expected)) tolerance (sprintf "%s: %.9f, expected %.9f" what actual expected)

// ---- simulation support ----------------------------------------------------------------------------------------

/// Standard normal draws by Box-Muller from SplitMix64, so the simulations are the same on every machine.
type private Normals(seed: uint64) =
    let rng = SplitMix64 seed
    member _.Next() =
        let u1 = 1.0 - rng.Uniform() // in (0, 1]: log is finite
        let u2 = rng.Uniform()
        sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * u2)

/// Replicates of each simulated false-pass rate.
let private replicates = 20000

/// The q-quantile of Binomial(r, p): the smallest k with P(X <= k) >= q.
let private binomialQuantile (r: int) (p: float) (q: float) =
    let mutable k = 0
    while Binomial.CDF(p, r, float k) < q do
        k <- k + 1
    k

/// The largest count of false passes we accept in R replicates of a rule whose false-pass rate is at most alpha: the
/// 99.9% quantile of Binomial(R, alpha). A correct rule exceeds it with probability at most 0.1% (less where its true
/// rate is below alpha), so a failure means a wrong rule, not bad luck; at R = 20,000 and alpha = 0.05 it is
/// 1,097 (5.5%), so a rule whose true rate were 6% would fail almost surely.
let private upperCount (r: int) (alpha: float) = binomialQuantile r alpha 0.999

/// Counts the replicates in which `passes` holds for data drawn by `draw`.
let private simulate (seed: uint64) (draw: Normals -> 'a) (passes: 'a -> bool) =
    let normals = Normals seed
    let mutable count = 0
    for _ in 1 .. replicates do
        if passes (draw normals) then count <- count + 1
    count

/// Per-seed values of cells that share a seed effect (sd 10, far larger than the noise, as between training seeds):
/// cell j's value for seed i is a_i + means[j] + noise. A paired contrast cancels a_i.
let private correlatedCells (normals: Normals) (n: int) (means: float list) (noiseSd: float) =
    let a = List.init n (fun _ -> 10.0 * normals.Next())
    means |> List.mapi (fun j m -> sprintf "c%d" j, seeds [ for i in 0 .. n - 1 -> a[i] + m + noiseSd * normals.Next() ])

let private falsePassRate name seed draw passes =
    let count = simulate seed draw passes
    let bound = upperCount replicates Policy.alpha
    printfn "false-pass rate, %s: %d of %d (%.4f); allowed at most %d" name count replicates (float count / float replicates) bound
    Expect.isLessThanOrEqual count bound
        (sprintf "%s: %d false passes in %d (%.4f), at most %d (%.4f) allowed for a level of %.2f" name count replicates
            (float count / float replicates) bound (float bound / float replicates) Policy.alpha)

// ---- tests -----------------------------------------------------------------------------------------------------

let private studentT =
    testList "Student t" [
        test "quantiles match tabulated values to 1e-5" {
            for (p, df, expected) in
                [ 0.95, 1, 6.313752; 0.95, 2, 2.919986; 0.95, 4, 2.131847; 0.975, 9, 2.262157; 0.95, 29, 1.699127
                  0.99, 10, 2.763769; 0.975, 30, 2.042272 ] do
                close 1e-5 (StudentT.quantile p df) expected (sprintf "t(%g, %d)" p df)
            close 1e-5 (StudentT.critical 0.05 2) 2.919986 "critical(0.05, df 2) = t(0.95, 2)"
        }

        test "the CDF matches closed forms and inverts the quantile" {
            // df = 1 is the Cauchy: P(T <= 1) = 3/4; df = 2: P(T <= x) = 1/2 + x / (2 sqrt(2 + x^2)).
            close 1e-12 (StudentT.cdf 1 1.0) 0.75 "Cauchy at 1"
            close 1e-12 (StudentT.cdf 2 1.0) (0.5 + 1.0 / (2.0 * sqrt 3.0)) "df 2 at 1"
            close 1e-9 (StudentT.cdf 4 (StudentT.quantile 0.95 4)) 0.95 "cdf(quantile)"
        }
    ]

let private prng =
    testList "SplitMix64" [
        test "matches the published reference outputs" {
            // The reference sequence for seed 1234567 (the splitmix64.c of Vigna's xoshiro page).
            let g = SplitMix64 1234567UL
            let outputs = [ for _ in 1 .. 5 -> g.Next() ]
            Expect.equal outputs [ 6457827717110365317UL; 3203168211198807973UL; 9817491932198370423UL; 4593380528125082431UL; 16408922859458223821UL ] "reference outputs"
            Expect.equal ((SplitMix64 0UL).Next()) 0xE220A8397B1DCDAFUL "seed 0"
        }

        test "Below stays in range and hits every residue" {
            let g = SplitMix64 7UL
            let counts = Array.zeroCreate 3
            for _ in 1 .. 3000 do
                let k = g.Below 3
                counts[k] <- counts[k] + 1
            Expect.all counts (fun c -> c > 900 && c < 1100) (sprintf "roughly uniform: %A" counts)
        }
    ]

let private contrasts =
    testList "paired contrast" [
        test "pairs by training seed whatever the input order" {
            let left = [ 3UL, 30.0; 1UL, 10.0; 2UL, 20.0 ]
            let right = [ 1UL, 1.0; 2UL, 2.0; 3UL, 3.0 ]
            let c = Contrast.difference ("a", left) ("b", right)
            Expect.equal c.Seeds [ 1UL; 2UL; 3UL ] "seeds ascending"
            Expect.equal c.Values [ 9.0; 18.0; 27.0 ] "d_i = a_i - b_i of the same seed"
            Expect.equal c.Df 2 "df = n - 1"
            Expect.equal c.Label "a - b" "label"
        }

        test "a linear contrast applies its coefficients within each seed" {
            let c = Contrast.linear [ 1.0, "it", seeds [ 3.0; 4.0 ]; -1.0, "st", seeds [ 1.0; 1.0 ]; -0.5, "gap", seeds [ 2.0; 4.0 ] ]
            Expect.equal c.Values [ 1.0; 1.0 ] "(it - st) - 0.5 gap"
            Expect.equal c.Label "it - st - 0.5 gap" "label"
        }

        test "different training seeds in two cells are an error, not a silent drop" {
            Expect.throwsT<ArgumentException> (fun () -> Contrast.difference ("a", seeds [ 1.0; 2.0; 3.0 ]) ("b", seeds [ 1.0; 2.0 ]) |> ignore) "mismatched seeds"
            Expect.throwsT<ArgumentException> (fun () -> Contrast.single ("a", seeds [ 1.0 ]) |> ignore) "one seed has no df"
            let terms, dropped = Contrast.commonSeeds [ 1.0, "a", seeds [ 1.0; 2.0; 3.0 ]; -1.0, "b", [ 2UL, 0.5; 3UL, 0.5; 4UL, 0.0 ] ]
            Expect.equal dropped [ 1UL; 4UL ] "the seeds not held by every cell are named"
            Expect.equal (Contrast.linear terms).Values [ 1.5; 2.5 ] "the contrast on the common seeds 2 and 3"
        }
    ]

let private knownAnswers =
    testList "known answers" [
        test "superiority on fixed numbers, computed by hand" {
            // d = [2, 3, 1, 3, 3]: mean 2.4, sd sqrt(3.2 / 4) = 0.894427, se 0.4, t(0.95, 4) = 2.131847,
            // lower = 2.4 - 0.852739 = 1.547261.
            let c = Contrast.difference ("l", seeds [ 10.0; 12.0; 11.0; 13.0; 14.0 ]) ("r", seeds [ 8.0; 9.0; 10.0; 10.0; 11.0 ])
            let b = OneSided.superiority 0.05 0.0 c
            close 1e-12 c.Mean 2.4 "mean"
            close 1e-6 c.Sd 0.894427 "sd"
            close 1e-12 c.Se 0.4 "se"
            close 1e-6 b.T 2.131847 "t"
            close 1e-6 b.Lower 1.547261 "lower bound"
            Expect.isTrue b.Pass "1.547 > 0"
            Expect.isTrue (OneSided.superiority 0.05 1.5 c).Pass "1.547 > 1.5"
            Expect.isFalse (OneSided.superiority 0.05 1.6 c).Pass "1.547 is not above 1.6"
        }

        test "TOST on fixed numbers, computed by hand" {
            // d = [0.5, -0.5, 1, 0, 0.5]: mean 0.3, sd sqrt(1.3 / 4) = 0.570088, se 0.254951, t se = 0.543516:
            // the bounds are -0.243516 and 0.843516.
            let c = Contrast.single ("d", seeds [ 0.5; -0.5; 1.0; 0.0; 0.5 ])
            let lower, upper, pass = Equivalence.tost 0.05 1.0 c
            close 1e-6 lower.Lower -0.243516 "lower bound"
            close 1e-6 upper.Upper 0.843516 "upper bound"
            Expect.isTrue pass "both inside +-1"
            let _, upper8, pass8 = Equivalence.tost 0.05 0.8 c
            Expect.isFalse upper8.Pass "0.8435 is not below 0.8"
            Expect.isFalse pass8 "so TOST at +-0.8 fails"
        }

        test "non-inferiority and levels on fixed numbers" {
            // d = -[0.5, -0.5, 1, 0, 0.5]: lower = -0.3 - 0.543516 = -0.843516.
            let c = Contrast.single ("d", seeds [ -0.5; 0.5; -1.0; 0.0; -0.5 ])
            Expect.isTrue (OneSided.nonInferiority 0.05 1.0 c).Pass "-0.8435 > -1"
            Expect.isFalse (OneSided.nonInferiority 0.05 0.8 c).Pass "-0.8435 is not above -0.8"
            // KL = [0.5, 0.6, 0.4]: mean 0.5, se 0.057735, upper = 0.5 + 2.919986 x 0.057735 = 0.668585.
            let kl = Contrast.single ("kl", seeds [ 0.5; 0.6; 0.4 ])
            let below = OneSided.below 0.05 1.0 kl
            close 1e-6 below.Upper 0.668585 "upper bound"
            Expect.isTrue below.Pass "below 1"
            Expect.isFalse (OneSided.below 0.05 0.6 kl).Pass "not below 0.6"
            Expect.isTrue (OneSided.above 0.05 0.3 kl).Pass "lower 0.331415 above 0.3"
        }

        test "a trend on fixed numbers, computed by hand" {
            // a = [1, 1.2, 0.8], b = [2, 2.1, 2.2], c = [3, 2.9, 3.4] over seeds 1..3, t(0.95, 2) = 2.919986.
            // rise c - a = [2, 1.7, 2.6]: mean 2.1, se sqrt(0.21 / 3) = 0.264575, lower 1.327445.
            // step b - a = [1, 0.9, 1.4]: lower 1.1 - 2.919986 x 0.152753 = 0.653964; step c - b = [1, 0.8, 1.2]: lower 0.662829.
            let cells = [ "a", seeds [ 1.0; 1.2; 0.8 ]; "b", seeds [ 2.0; 2.1; 2.2 ]; "c", seeds [ 3.0; 2.9; 3.4 ] ]
            let t = Trend.test 0.05 0.1 cells
            close 1e-6 t.Rise.Lower 1.327445 "rise"
            close 1e-6 t.Steps[0].Lower 0.653964 "step 1"
            close 1e-6 t.Steps[1].Lower 0.662829 "step 2"
            Expect.isTrue t.Pass "rises"
            // the middle cell too high: step 2, c - b = [-1, -1.1, -0.6], has lower bound -1.17 < -0.1.
            let down = Trend.test 0.05 0.1 [ "a", seeds [ 1.0; 1.2; 0.8 ]; "b", seeds [ 4.0; 4.0; 4.0 ]; "c", seeds [ 3.0; 2.9; 3.4 ] ]
            Expect.isTrue down.Rise.Pass "last above first"
            Expect.isFalse down.Steps[1].Pass "a step down beyond the tolerance"
            Expect.isFalse down.Pass "so the trend fails"
        }
    ]

let private power =
    testList "TOST power" [
        test "limits: size at the boundary, certainty without noise, large n like the normal approximation" {
            // At a true difference equal to the distance the power is the false-pass rate: at most alpha.
            Expect.isLessThanOrEqual (Equivalence.power 0.05 5 1.0 2.0 2.0) 0.05 "size at the boundary"
            Expect.equal (Equivalence.power 0.05 5 0.0 1.0 0.5) 1.0 "no noise, inside"
            Expect.isLessThan (Equivalence.power 0.05 3 1.0 1.0 0.0) (Equivalence.power 0.05 10 1.0 1.0 0.0) "rises with n"
            // n = 1000, sd 1, distance 0.1: 2 Phi(0.1 sqrt(1000) - t(0.95, 999)) - 1, as s is then almost sigma.
            let approx = 2.0 * Normal.CDF(0.0, 1.0, 0.1 * sqrt 1000.0 - StudentT.critical 0.05 999) - 1.0
            close 2e-3 (Equivalence.power 0.05 1000 1.0 0.1 0.0) approx "large n"
        }

        test "matches the simulated pass rate at a fixed setting, within an exact binomial bound" {
            // n = 5 paired values of sd 1, distance 1.5, true difference 0.3. The simulated count must lie between the
            // 0.05% and 99.95% quantiles of Binomial(R, power): a correct power function misses with probability 0.1%.
            let n, sd, distance, delta = 5, 1.0, 1.5, 0.3
            let p = Equivalence.power 0.05 n sd distance delta
            let count =
                simulate 2801UL (fun g -> seeds [ for _ in 1 .. n -> delta + sd * g.Next() ])
                    (fun d -> let _, _, pass = Equivalence.tost 0.05 distance (Contrast.single ("d", d)) in pass)
            let lo = binomialQuantile replicates p 0.0005
            let hi = binomialQuantile replicates p 0.9995
            printfn "TOST power at n = 5, sd 1, distance 1.5, difference 0.3: exact %.4f, simulated %.4f" p (float count / float replicates)
            Expect.isTrue (count >= lo && count <= hi) (sprintf "simulated %d of %d (%.4f) against power %.4f: allowed %d..%d" count replicates (float count / float replicates) p lo hi)
        }

        test "assess reports a claim below the minimum power as not assertable, with the power" {
            let c = Contrast.single ("d", seeds [ 0.1; -0.2; 0.15 ])
            let weak = Equivalence.assess 0.05 0.8 1.0 (Some 2.0) c
            Expect.isFalse weak.Assertable "sd 2 against +-1 at n = 3: far too little power"
            Expect.stringContains weak.Note "power" "the note gives the power"
            Expect.isLessThan weak.Power.Value 0.8 "power below 0.8"
            let strong = Equivalence.assess 0.05 0.8 1.0 (Some 0.1) c
            Expect.isTrue strong.Assertable "sd 0.1 against +-1: assertable"
            Expect.isFalse (Equivalence.assess 0.05 0.8 1.0 None c).Assertable "no smoke-scale sd: not assertable"
        }
    ]

/// Each rule's false-pass rate under its null, at the null's boundary (where it is largest), over 20,000 replicates.
let private falsePass =
    testList "false-pass rates" [
        test "superiority: true difference = margin, n = 3 and n = 5" {
            for n, margin, seed in [ 3, 0.0, 11UL; 5, 2.0, 12UL ] do
                falsePassRate (sprintf "superiority n = %d" n) seed (fun g -> correlatedCells g n [ margin; 0.0 ] 1.0)
                    (fun cells -> (OneSided.superiority Policy.alpha margin (Contrast.difference cells[0] cells[1])).Pass)
        }

        test "non-inferiority: true difference = -margin" {
            falsePassRate "non-inferiority n = 5" 13UL (fun g -> correlatedCells g 5 [ -1.5; 0.0 ] 1.0)
                (fun cells -> (OneSided.nonInferiority Policy.alpha 1.5 (Contrast.difference cells[0] cells[1])).Pass)
        }

        test "equivalence (TOST): true difference = +distance and = -distance" {
            for delta, seed in [ 2.0, 14UL; -2.0, 15UL ] do
                falsePassRate (sprintf "TOST, true difference %g" delta) seed (fun g -> correlatedCells g 5 [ delta; 0.0 ] 1.0)
                    (fun cells -> let _, _, pass = Equivalence.tost Policy.alpha 2.0 (Contrast.difference cells[0] cells[1]) in pass)
        }

        test "levels: true mean = the level" {
            falsePassRate "below, n = 3" 16UL (fun g -> seeds [ for _ in 1 .. 3 -> 1.0 + 0.3 * g.Next() ])
                (fun v -> (OneSided.below Policy.alpha 1.0 (Contrast.single ("kl", v))).Pass)
            falsePassRate "above, n = 5" 17UL (fun g -> seeds [ for _ in 1 .. 5 -> 0.5 * g.Next() ])
                (fun v -> (OneSided.above Policy.alpha 0.0 (Contrast.single ("gap", v))).Pass)
        }

        test "trend: flat (last = first), and rising with one step down by exactly the tolerance" {
            // Flat, with a tolerance so wide that the steps always pass: the rise's null at its boundary, where the
            // trend's false-pass rate is largest (with a narrow tolerance the steps fail too and the rate is lower).
            falsePassRate "trend, flat" 18UL (fun g -> correlatedCells g 5 [ 0.0; 0.0; 0.0 ] 1.0)
                (fun cells -> (Trend.test Policy.alpha 50.0 cells).Pass)
            // last - first = 20 (clearly true); step 2 falls by the tolerance 0.5: the step's null at its boundary.
            falsePassRate "trend, a step at -tolerance" 19UL (fun g -> correlatedCells g 5 [ 0.0; 20.5; 20.0 ] 1.0)
                (fun cells -> (Trend.test Policy.alpha 0.5 cells).Pass)
        }
    ]

let private bootstrap =
    testList "hierarchical bootstrap" [
        test "deterministic, independent of input order, and equal to the documented algorithm" {
            let values = [ 1UL, [| 1.0; 2.0; 3.0 |]; 2UL, [| 10.0; 11.0 |]; 3UL, [| 5.0 |] ]
            let a = Bootstrap.hierarchical 0.9 1000 28UL values
            let b = Bootstrap.hierarchical 0.9 1000 28UL (List.rev values)
            Expect.equal a b "same seed, same interval, whatever the order"
            // Computed by an independent Python transcription of the algorithm in paper/claims-rules.md.
            Expect.equal a.Estimate 5.833333333333333 "mean of seed means"
            Expect.equal a.Lower 2.777777777777778 "5th percentile"
            Expect.equal a.Upper 8.833333333333334 "95th percentile"
            Expect.notEqual (Bootstrap.hierarchical 0.9 1000 29UL values) a "another seed, another interval"
        }

        test "one seed with one instance has no spread" {
            let l = Bootstrap.hierarchical 0.95 100 1UL [ 4UL, [| 2.5 |] ]
            Expect.equal (l.Lower, l.Estimate, l.Upper) (2.5, 2.5, 2.5) "a point"
        }
    ]

let private policy =
    testList "policy" [
        test "seed counts: too few, low power, full" {
            Expect.isFalse (Policy.seedStatus "gmm" 3).Enough "GMM needs 5"
            let dmm = Policy.seedStatus "dmm" 3
            Expect.isTrue dmm.Enough "DMM asserts with 3"
            Expect.isTrue dmm.LowPower "labelled low-power"
            Expect.stringContains dmm.Note "low power" "the label"
            Expect.isFalse (Policy.seedStatus "dmm" 2).Enough "never with 2"
            Expect.equal (Policy.seedStatus "gmm" 5) { Enough = true; LowPower = false; Note = "" } "GMM at 5"
        }

        test "paper/claims-rules.json holds the constants of Policy" {
            let path = Path.Combine(Support.paperDir, "claims-rules.json")
            let o = Json.parseFile path
            Expect.equal (Json.getFloat path o "alpha") Policy.alpha "alpha"
            Expect.equal (Json.getFloat path o "minimum_power") Policy.minimumPower "minimum power"
            Expect.equal (Json.getFloat path o "far_fraction") Policy.farFraction "far fraction"
            let shares = Json.getObject path o "negligible_share"
            for scale in [ "smoke"; "cpu"; "paper" ] do
                Expect.equal (Json.getFloat path shares scale) (Policy.negligibleShare scale) (sprintf "share at %s" scale)
            let mins = Json.getObject path o "minimum_training_seeds"
            for family in [ "gmm"; "iai"; "dmm"; "bmnist"; "mcmc-vae" ] do
                Expect.equal (Json.getInt path mins family) (Policy.minimumSeeds family) (sprintf "seeds for %s" family)
            Expect.equal (Json.getInt path o "fewest_training_seeds") Policy.fewestSeeds "fewest"
            Expect.equal (Json.getInt path o "full_power_training_seeds") Policy.fullPowerSeeds "low-power label"
            let boot = Json.getObject path o "bootstrap"
            Expect.equal (Json.getInt path boot "replicates") Policy.bootstrapReplicates "B"
            Expect.equal (uint64 (Json.getInt path boot "seed")) Policy.bootstrapSeed "bootstrap seed"
            Expect.equal (Json.getFloat path boot "confidence") Policy.bootstrapConfidence "confidence"
        }

        test "every claim in paper/ has a rule in paper/claims-rules.json, of a known kind" {
            let path = Path.Combine(Support.paperDir, "claims-rules.json")
            let mapped =
                [ for c in Json.getArray path (Json.parseFile path) "rules" do
                    let c = c.AsObject()
                    let rule = Json.getString path c "rule"
                    Expect.contains [ "superiority"; "non-inferiority"; "equivalence"; "trend"; "above"; "below"; "not checked" ] rule (sprintf "%s: known rule" path)
                    yield Json.getString path c "target", Json.getString path c "id" ]
                |> Set.ofList
            for file in Directory.GetFiles(Support.paperDir, "*.json") do
                let o = Json.parseFile file
                if o.ContainsKey "claims" then
                    let target = Json.getString file o "id"
                    for c in Json.getArray file o "claims" do
                        let id = Json.getString file (c.AsObject()) "id"
                        Expect.isTrue (mapped.Contains(target, id)) (sprintf "%s/%s has a rule in claims-rules.json" target id)
        }
    ]

let private csv =
    testList "CSV" [
        test "a verdict is recomputed from its rows alone" {
            let c = Contrast.difference ("apg_k20", seeds [ 10.0; 12.0; 11.0; 13.0; 14.0 ]) ("rws_k20", seeds [ 8.0; 9.0; 10.0; 10.0; 11.0 ])
            let rows = Csv.ofBound "table1" "apg20_above_rws" (OneSided.superiority 0.05 1.0 c)
            let columns = Csv.header.Split ','
            let parsed = rows |> List.map (fun r -> let f = r.Split ',' in Expect.equal f.Length columns.Length "row width"; Map.ofArray (Array.zip columns f))
            let perSeed = parsed |> List.filter (fun r -> r["row"] = "seed")
            let bound = parsed |> List.find (fun r -> r["row"] = "bound")
            Expect.equal perSeed.Length 5 "one row per training seed"
            Expect.equal perSeed[0].["cell_values"] "apg_k20=10;rws_k20=8" "the cells' values"
            Expect.equal perSeed[0].["terms"] "1*apg_k20;-1*rws_k20" "the contrast's terms"
            let num (s: string) = Double.Parse(s, CultureInfo.InvariantCulture)
            let d = perSeed |> List.map (fun r -> num r["d"])
            let n = d.Length
            let mean = List.average d
            let se = sqrt ((d |> List.sumBy (fun x -> (x - mean) ** 2.0)) / float (n - 1) / float n)
            let lower = mean - StudentT.critical (num bound["alpha"]) (int bound["df"]) * se
            Expect.equal lower (num bound["lower"]) "the bound recomputed from the per-seed rows"
            Expect.equal (lower > num bound["threshold"]) (bound["pass"] = "true") "and the verdict"
        }

        test "TOST and trend rows carry each part; levels and instances have their rows" {
            let c = Contrast.single ("d", seeds [ 0.5; -0.5; 1.0 ])
            let rows = Csv.ofEquivalence "t" "c" (Equivalence.assess 0.05 0.8 1.0 (Some 0.5) c)
            Expect.equal rows.Length 8 "3 seed rows and a bound row for each one-sided test"
            Expect.isTrue (rows |> List.forall (fun r -> r.Split(',').Length = Csv.header.Split(',').Length)) "row width"
            let trend = Trend.test 0.05 0.1 [ "a", seeds [ 1.0; 2.0; 3.0 ]; "b", seeds [ 2.0; 3.0; 4.5 ]; "c", seeds [ 3.0; 4.0; 5.0 ] ]
            Expect.equal (Csv.ofTrend "t" "r" trend).Length 12 "rise and two steps, 4 rows each"
            let level = Bootstrap.hierarchical 0.95 200 28UL [ 1UL, [| 1.0; 2.0 |]; 2UL, [| 3.0 |] ]
            Expect.equal ((Csv.levelRow "t" "apg" level).Split(',').Length) (Csv.levelHeader.Split(',').Length) "level row width"
            Expect.equal (Csv.instanceRow "t" "apg_k20" 1UL 1UL 7 -453.25) "t,apg_k20,1,1,7,-453.25" "instance row"
        }
    ]

let tests = testList "ClaimRules" [ studentT; prng; contrasts; knownAnswers; power; falsePass; bootstrap; policy; csv ]
