import CGSL

/// The Poisson distribution: P(k) = mu^k e^(-mu) / k!, mean mu, variance mu.
///
/// The corresponding GSL function is `gsl_ran_poisson`. Draws are exact for any mean
/// GSL accepts; the count is returned as `Int`.
public struct Poisson: Sendable, Hashable {
    /// The mean mu, finite and >= 0, at most `Poisson.maximumMean` (the result must fit
    /// GSL's `unsigned int`).
    public let mean: Double

    /// Largest mean accepted: ten standard deviations below `UInt32.max`.
    public static let maximumMean = 4.0e9

    public init(mean: Double) throws(DistributionError) {
        try DistributionError.require(mean.isFinite && mean >= 0 && mean <= Poisson.maximumMean,
                                      "Poisson", "mean", mean, "a finite number in [0, 4e9]")
        self.mean = mean
    }

    public func sample(using g: RandomGenerator) -> Int { Poisson.draw(mean: mean, using: g) }

    /// Unchecked draw for hot loops whose caller has validated `mean`.
    @inlinable
    public static func draw(mean: Double, using g: RandomGenerator) -> Int {
        guard mean > 0 && mean.isFinite else { return 0 }
        // Above the `unsigned int` range of one GSL call: exactly, as a sum (never a trap).
        if mean > maximumMean { return drawAnySize(mean: mean, using: g) }
        return Int(gsl_ran_poisson(g.rng, mean))
    }

    /// An exact draw for any finite mean, also above `maximumMean` (where one GSL call would
    /// overflow its `unsigned int`), at a cost that grows with log(mean) only: Ahrens and
    /// Dieter's reduction, as inside `gsl_ran_poisson`: with m = floor(7/8 mu) the m-th arrival
    /// time of a unit Poisson process is G ~ Gamma(m, 1) (`gsl_ran_gamma`); if G >= mu the count
    /// is Binomial(m - 1, mu / G), else m plus a Poisson draw of mean mu - G. Equal to
    /// `draw(mean:using:)` for means up to 1e9; means of 1e18 or more (beyond any scenario's
    /// limits) return the mean itself.
    @inlinable
    public static func drawAnySize(mean: Double, using g: RandomGenerator) -> Int {
        let chunk = 1.0e9
        guard mean.isFinite && mean < 1e18 else { return mean > 0 ? Int(min(mean, 9e18)) : 0 }
        if mean <= chunk { return draw(mean: mean, using: g) }
        var mu = mean, k = 0
        while mu > chunk {
            let m = Int((mu * 0.875).rounded(.down))
            let x = gsl_ran_gamma(g.rng, Double(m), 1)
            if x >= mu { return k + Binomial.drawAnySize(trials: m - 1, probability: mu / x, using: g) }
            k += m
            mu -= x
        }
        return k + draw(mean: mu, using: g)
    }
}
