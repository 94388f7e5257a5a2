import CGSL

/// The hypergeometric distribution: the number of marked items in a sample of t drawn without
/// replacement from n1 marked and n2 unmarked items; mean t n1 / (n1 + n2),
/// variance t n1 n2 (n1 + n2 - t) / ((n1 + n2)^2 (n1 + n2 - 1)).
///
/// Drawing Hypergeometric(n_i, N - n_i, t) for each group i in turn (with N and t reduced by what
/// earlier groups took) allocates t items over the groups exactly as drawing them one by one
/// without replacement (the multivariate hypergeometric distribution).
///
/// The corresponding GSL function is `gsl_ran_hypergeometric`.
public struct Hypergeometric: Sendable, Hashable {
    public let marked: Int
    public let unmarked: Int
    public let sample: Int

    public init(marked: Int, unmarked: Int, sample: Int) throws(DistributionError) {
        let limit = Int(UInt32.max)
        try DistributionError.require(marked >= 0 && marked <= limit, "Hypergeometric", "marked", Double(marked),
                                      "an integer in [0, 4294967295]")
        try DistributionError.require(unmarked >= 0 && unmarked <= limit && marked + unmarked <= limit,
                                      "Hypergeometric", "unmarked", Double(unmarked),
                                      "an integer >= 0 with marked + unmarked <= 4294967295")
        try DistributionError.require(sample >= 0 && sample <= marked + unmarked, "Hypergeometric", "sample",
                                      Double(sample), "an integer from 0 to marked + unmarked")
        self.marked = marked
        self.unmarked = unmarked
        self.sample = sample
    }

    public var mean: Double {
        marked + unmarked == 0 ? 0 : Double(sample) * Double(marked) / Double(marked + unmarked)
    }

    public func sample(using g: RandomGenerator) -> Int {
        Hypergeometric.draw(marked: marked, unmarked: unmarked, sample: sample, using: g)
    }

    /// Unchecked draw for hot loops whose caller has validated the parameters.
    @inlinable
    public static func draw(marked: Int, unmarked: Int, sample: Int, using g: RandomGenerator) -> Int {
        if sample == 0 || marked == 0 { return 0 }
        if unmarked == 0 { return sample }
        if sample >= marked + unmarked { return marked }
        let limit = Int(UInt32.max)
        if marked > limit || unmarked > limit || sample > limit {
            // Beyond GSL's `unsigned int` (populations above 4.29e9, which scenario limits keep out
            // of reach): the binomial with the same mean, capped at the marked count, rather than a trap.
            return min(marked, Binomial.draw(trials: sample, probability: Double(marked) / (Double(marked) + Double(unmarked)), using: g))
        }
        return Int(gsl_ran_hypergeometric(g.rng, UInt32(marked), UInt32(unmarked), UInt32(sample)))
    }
}
