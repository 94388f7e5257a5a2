import CGSL

/// A GSL generator (`gsl_rng`) running Subcast's PCG64, positioned on one stream.
///
/// Not thread-safe: create one per worker and `reseed` it for every (trial, stream) it
/// simulates. Re-keying writes the full 256-bit PCG64 state; no 32-bit `gsl_rng_set` seed is
/// ever used. The corresponding GSL functions are `gsl_rng_alloc` and `gsl_rng_free`.
///
/// ```swift
/// let g = RandomGenerator(StreamKey(seed: 42, trial: 0, name: "churn"))
/// let churned = Binomial.draw(trials: 1000, probability: 0.04, using: g)
/// ```
public final class RandomGenerator {
    /// The underlying GSL generator; valid for the lifetime of this object.
    public let rng: UnsafeMutablePointer<gsl_rng>

    /// The generator's name as recorded in every output.
    public static let name = "pcg64 (numpy-compatible SeedSequence streams) via gsl_rng"

    /// Creates a generator positioned at the start of the stream `key`.
    public init(_ key: StreamKey) {
        GSL.initialize()
        guard let r = gsl_rng_alloc(PCG64GSLType.type) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        rng = r
        reseed(key)
    }

    /// Creates a generator from an explicit PCG64 state.
    public init(state: PCG64) {
        GSL.initialize()
        guard let r = gsl_rng_alloc(PCG64GSLType.type) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        rng = r
        self.state = state
    }

    deinit { gsl_rng_free(rng) }

    /// Moves the generator to the start of the stream `key`.
    @inlinable
    public func reseed(_ key: StreamKey) {
        state = PCG64(key.seedSequence)
    }

    /// The PCG64 state (read to checkpoint, write to restore).
    public var state: PCG64 {
        get { rng.pointee.state.assumingMemoryBound(to: PCG64.self).pointee }
        set { rng.pointee.state.assumingMemoryBound(to: PCG64.self).pointee = newValue }
    }

    /// A raw 64-bit output (`gsl_rng_get`).
    public func nextRaw() -> UInt64 { UInt64(gsl_rng_get(rng)) }

    /// A uniform double in [0, 1) (`gsl_rng_uniform`).
    public func uniform() -> Double { gsl_rng_uniform(rng) }
}
