/// SplitMix64 (Steele, Lea and Flood 2014): the generator of the bootstrap, written out so that a committed CSV's
/// intervals can be recomputed bit for bit in any language (System.Random's seeded sequence is an implementation
/// detail of .NET). Not for cryptography.
namespace Apg.Scripts.ClaimRules

type SplitMix64(seed: uint64) =
    let mutable state = seed

    /// The next 64 random bits.
    member _.Next() : uint64 =
        state <- state + 0x9E3779B97F4A7C15UL
        let mutable z = state
        z <- (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        z <- (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// A uniform integer in [0, n), exactly: draws below 2^64 mod n are rejected so that every residue is equally likely.
    member this.Below(n: int) : int =
        if n < 1 then invalidArg "n" (sprintf "Below needs n >= 1, got %d" n)
        let bound = uint64 n
        let threshold = (0UL - bound) % bound
        let mutable r = this.Next()
        while r < threshold do
            r <- this.Next()
        int (r % bound)

    /// A uniform double in [0, 1) from the top 53 bits.
    member this.Uniform() : float = float (this.Next() >>> 11) * (1.0 / 9007199254740992.0)
