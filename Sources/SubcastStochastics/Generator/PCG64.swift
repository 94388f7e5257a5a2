import CGSL

/// The PCG64 (XSL-RR 128/64) bit generator, numpy's default, with its state in GSL's
/// generator slot so that every `gsl_ran_*` sampler draws from it.
///
/// Definition (O'Neill 2014): a 128-bit linear congruential state
/// ```
/// state <- state * 0x2360ED051FC65DA44385DF649FCCF645 + increment   (mod 2^128)
/// output = rotr64(high64(state) xor low64(state), state >> 122)
/// ```
/// Seeded from a `SeedSequence` exactly as `numpy.random.PCG64(seed_sequence)`, so its raw
/// 64-bit outputs and uniform doubles (`(x >> 11) * 2^-53`) equal numpy's for the same key.
/// Period 2^128 per stream; 2^127 distinct streams through the odd increment.
public struct PCG64: Sendable, Hashable {
    /// The LCG multiplier. A literal (not a computed `static let`), so the hot path needs no
    /// lazy-initialisation check (`swift_once`) per number.
    static var multiplier: UInt128 {
        @inline(__always) get { 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645 }
    }

    /// The 128-bit LCG state.
    public var state: UInt128
    /// The odd 128-bit increment that selects the stream.
    public var increment: UInt128

    /// Seeds like numpy's `pcg64_set_seed(state, &val[0], &val[2])` with
    /// `val = seedSequence.generate_state(4, uint64)`.
    public init(_ seedSequence: SeedSequence) {
        let v = seedSequence.generateState64(count: 4)
        let initState = UInt128(v[0]) << 64 | UInt128(v[1])
        let initSeq = UInt128(v[2]) << 64 | UInt128(v[3])
        state = 0
        increment = (initSeq << 1) | 1
        step()
        state &+= initState
        step()
    }

    @inline(__always)
    mutating func step() {
        state = state &* PCG64.multiplier &+ increment
    }

    /// The next raw 64-bit output.
    @inline(__always)
    public mutating func next() -> UInt64 {
        step()
        let hi = UInt64(truncatingIfNeeded: state >> 64)
        let lo = UInt64(truncatingIfNeeded: state)
        let rot = UInt64(truncatingIfNeeded: state >> 122)
        return (hi ^ lo).rotatedRight(by: rot)
    }

    /// The next double in [0, 1) with 53 random bits, as numpy's `random_standard_uniform`.
    @inline(__always)
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedRight(by r: UInt64) -> UInt64 {
        let s = r & 63
        return s == 0 ? self : (self >> s) | (self << (64 - s))
    }
}

/// PCG64 registered as a `gsl_rng_type`, so GSL's samplers draw from it.
enum PCG64GSLType {
    nonisolated(unsafe) private static let name: UnsafeMutablePointer<CChar> = {
        let s = Array("subcast-pcg64".utf8CString)
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.count)
        p.initialize(from: s, count: s.count)
        return p
    }()

    nonisolated(unsafe) static let type: UnsafeMutablePointer<gsl_rng_type> = {
        let t = UnsafeMutablePointer<gsl_rng_type>.allocate(capacity: 1)
        t.initialize(to: gsl_rng_type(
            name: UnsafePointer(name),
            max: UInt.max,
            min: 0,
            size: MemoryLayout<PCG64>.stride,
            set: { state, seed in
                state!.assumingMemoryBound(to: PCG64.self).pointee =
                    PCG64(SeedSequence(entropy: UInt64(seed)))
            },
            get: { state in
                UInt(state!.assumingMemoryBound(to: PCG64.self).pointee.next())
            },
            get_double: { state in
                state!.assumingMemoryBound(to: PCG64.self).pointee.nextDouble()
            }
        ))
        return t
    }()
}
