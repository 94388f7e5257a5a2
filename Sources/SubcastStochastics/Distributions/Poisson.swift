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
    /// overflow its `unsigned int`): a sum of Poisson draws of means at most 1e9 is Poisson with
    /// the summed mean. Equal to `draw(mean:using:)` for means up to 1e9.
    @inlinable
    public static func drawAnySize(mean: Double, using g: RandomGenerator) -> Int {
        let chunk = 1.0e9
        guard mean.isFinite && mean < 1e18 else { return mean > 0 ? Int(min(mean, 9e18)) : 0 }
        if mean <= chunk { return draw(mean: mean, using: g) }
        var left = mean, total = 0
        while left > chunk {
            total += draw(mean: chunk, using: g)
            left -= chunk
        }
        return total + draw(mean: left, using: g)
    }
}
