import CGSL

/// The negative binomial distribution: failures before the n-th success with success
/// probability p (n may be fractional); mean n (1 - p) / p, variance n (1 - p) / p^2.
///
/// The corresponding GSL function is `gsl_ran_negative_binomial` (a gamma-Poisson mixture).
public struct NegativeBinomial: Sendable, Hashable {
    public let probability: Double
    public let n: Double

    public init(probability: Double, n: Double) throws(DistributionError) {
        try DistributionError.require(probability > 0 && probability <= 1,
                                      "NegativeBinomial", "probability", probability, "a number in (0, 1]")
        try DistributionError.require(n.isFinite && n > 0, "NegativeBinomial", "n", n, "a finite number > 0")
        self.probability = probability
        self.n = n
    }

    public var mean: Double { n * (1 - probability) / probability }
    public var variance: Double { n * (1 - probability) / (probability * probability) }

    public func sample(using g: RandomGenerator) -> Int {
        Int(gsl_ran_negative_binomial(g.rng, probability, n))
    }
}
