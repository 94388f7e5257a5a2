import CGSL

/// The bivariate normal distribution with means (mu_x, mu_y), standard deviations
/// (sigma_x, sigma_y) and correlation rho.
///
/// The corresponding GSL function is `gsl_ran_bivariate_gaussian` (zero means; the means are added).
public struct BivariateNormal: Sendable, Hashable {
    public let meanX: Double
    public let meanY: Double
    public let sdX: Double
    public let sdY: Double
    public let correlation: Double

    public init(meanX: Double, meanY: Double, sdX: Double, sdY: Double, correlation: Double) throws(DistributionError) {
        try DistributionError.require(meanX.isFinite, "BivariateNormal", "meanX", meanX, "a finite number")
        try DistributionError.require(meanY.isFinite, "BivariateNormal", "meanY", meanY, "a finite number")
        try DistributionError.require(sdX.isFinite && sdX >= 0, "BivariateNormal", "sdX", sdX, "a finite number >= 0")
        try DistributionError.require(sdY.isFinite && sdY >= 0, "BivariateNormal", "sdY", sdY, "a finite number >= 0")
        try DistributionError.require(correlation >= -1 && correlation <= 1, "BivariateNormal", "correlation",
                                      correlation, "a number in [-1, 1]")
        self.meanX = meanX
        self.meanY = meanY
        self.sdX = sdX
        self.sdY = sdY
        self.correlation = correlation
    }

    public func sample(using g: RandomGenerator) -> (Double, Double) {
        var x = 0.0, y = 0.0
        gsl_ran_bivariate_gaussian(g.rng, sdX, sdY, correlation, &x, &y)
        return (meanX + x, meanY + y)
    }
}
