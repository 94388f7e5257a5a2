import CGSL
import Foundation

/// The lognormal distribution: exp(N(mu, sigma^2)); mean exp(mu + sigma^2 / 2),
/// variance (exp(sigma^2) - 1) exp(2 mu + sigma^2).
///
/// The corresponding GSL function is `gsl_ran_lognormal`.
public struct Lognormal: Sendable, Hashable {
    /// Location mu of the underlying normal (log scale).
    public let mu: Double
    /// Scale sigma > 0 of the underlying normal.
    public let sigma: Double

    public init(mu: Double, sigma: Double) throws(DistributionError) {
        try DistributionError.require(mu.isFinite, "Lognormal", "mu", mu, "a finite number")
        try DistributionError.require(sigma.isFinite && sigma > 0, "Lognormal", "sigma", sigma, "a finite number > 0")
        self.mu = mu
        self.sigma = sigma
    }

    public var mean: Double { exp(mu + sigma * sigma / 2) }
    public var variance: Double { (exp(sigma * sigma) - 1) * exp(2 * mu + sigma * sigma) }

    public func sample(using g: RandomGenerator) -> Double { gsl_ran_lognormal(g.rng, mu, sigma) }
}
