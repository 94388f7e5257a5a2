import CGSL

/// The gamma distribution: density x^(k-1) e^(-x/theta) / (Gamma(k) theta^k),
/// mean k theta, variance k theta^2.
///
/// The corresponding GSL function is `gsl_ran_gamma` (Marsaglia-Tsang).
public struct Gamma: Sendable, Hashable {
    /// Shape k > 0.
    public let shape: Double
    /// Scale theta > 0.
    public let scale: Double

    public init(shape: Double, scale: Double) throws(DistributionError) {
        try DistributionError.require(shape.isFinite && shape > 0, "Gamma", "shape", shape, "a finite number > 0")
        try DistributionError.require(scale.isFinite && scale > 0, "Gamma", "scale", scale, "a finite number > 0")
        self.shape = shape
        self.scale = scale
    }

    public var mean: Double { shape * scale }
    public var variance: Double { shape * scale * scale }

    public func sample(using g: RandomGenerator) -> Double { gsl_ran_gamma(g.rng, shape, scale) }

    /// Unchecked draw for hot loops whose caller has validated the parameters (shape and scale
    /// finite and > 0; a non-positive shape returns 0, the limit of an empty sum).
    @inlinable
    public static func draw(shape: Double, scale: Double, using g: RandomGenerator) -> Double {
        if !(shape > 0) { return 0 }
        return gsl_ran_gamma(g.rng, shape, scale)
    }
}
