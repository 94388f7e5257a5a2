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

    /// P(X <= x), 0 for x <= 0. The corresponding GSL function is `gsl_cdf_lognormal_P`.
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : gsl_cdf_lognormal_P(x, mu, sigma) }

    /// P(X > x), 1 for x <= 0, accurate in the upper tail. The corresponding GSL function is
    /// `gsl_cdf_lognormal_Q`.
    public func survival(_ x: Double) -> Double { x <= 0 ? 1 : gsl_cdf_lognormal_Q(x, mu, sigma) }
}
