import CGSL

/// The normal distribution with mean mu and standard deviation sigma.
///
/// The corresponding GSL function is `gsl_ran_gaussian_ziggurat` (plus mu).
public struct Normal: Sendable, Hashable {
    public let mean: Double
    /// Standard deviation sigma >= 0 (0 gives the constant mu).
    public let standardDeviation: Double

    public init(mean: Double, standardDeviation: Double) throws(DistributionError) {
        try DistributionError.require(mean.isFinite, "Normal", "mean", mean, "a finite number")
        try DistributionError.require(standardDeviation.isFinite && standardDeviation >= 0,
                                      "Normal", "standardDeviation", standardDeviation, "a finite number >= 0")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    public func sample(using g: RandomGenerator) -> Double {
        mean + gsl_ran_gaussian_ziggurat(g.rng, standardDeviation)
    }
}
