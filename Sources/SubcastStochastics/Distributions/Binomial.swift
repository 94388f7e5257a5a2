import CGSL

/// The binomial distribution: the number of successes in n independent trials of
/// probability p; mean n p, variance n p (1 - p).
///
/// The corresponding GSL function is `gsl_ran_binomial` (exact, BTPE for large n).
public struct Binomial: Sendable, Hashable {
    /// The number of trials, 0 ... `UInt32.max`.
    public let trials: Int
    /// The success probability, in [0, 1].
    public let probability: Double

    public init(trials: Int, probability: Double) throws(DistributionError) {
        try DistributionError.require(trials >= 0 && trials <= Int(UInt32.max),
                                      "Binomial", "trials", Double(trials), "an integer in [0, 4294967295]")
        try DistributionError.require(probability >= 0 && probability <= 1,
                                      "Binomial", "probability", probability, "a number in [0, 1]")
        self.trials = trials
        self.probability = probability
    }

    public func sample(using g: RandomGenerator) -> Int {
        Binomial.draw(trials: trials, probability: probability, using: g)
    }

    /// Unchecked draw for hot loops whose caller has validated the parameters.
    @inlinable
    public static func draw(trials: Int, probability: Double, using g: RandomGenerator) -> Int {
        if trials <= 0 || !(probability > 0) { return 0 }
        if probability >= 1 { return trials }
        // Beyond GSL's `unsigned int`: exactly, in chunks (never a trap, whatever the caller passes).
        if trials > Int(UInt32.max) { return drawAnySize(trials: trials, probability: probability, using: g) }
        return Int(gsl_ran_binomial(g.rng, probability, UInt32(trials)))
    }

    /// An exact draw for any number of trials, also above GSL's `unsigned int` range: the sum of
    /// binomial draws over chunks of at most 2^31 trials with the same probability is binomial.
    /// Equal to `draw(trials:probability:using:)` up to 2^31 trials.
    @inlinable
    public static func drawAnySize(trials: Int, probability: Double, using g: RandomGenerator) -> Int {
        let chunk = 1 << 31
        if trials <= chunk { return draw(trials: trials, probability: probability, using: g) }
        var left = trials, total = 0
        while left > chunk {
            total += draw(trials: chunk, probability: probability, using: g)
            left -= chunk
        }
        return total + draw(trials: left, probability: probability, using: g)
    }
}
