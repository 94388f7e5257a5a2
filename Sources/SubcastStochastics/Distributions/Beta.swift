import CGSL

/// The beta distribution on [0, 1]: density x^(a-1) (1-x)^(b-1) / B(a, b),
/// mean a / (a + b), variance a b / ((a + b)^2 (a + b + 1)).
///
/// The corresponding GSL function is `gsl_ran_beta`.
public struct Beta: Sendable, Hashable {
    public let a: Double
    public let b: Double

    public init(a: Double, b: Double) throws(DistributionError) {
        try DistributionError.require(a.isFinite && a > 0, "Beta", "a", a, "a finite number > 0")
        try DistributionError.require(b.isFinite && b > 0, "Beta", "b", b, "a finite number > 0")
        self.a = a
        self.b = b
    }

    public var mean: Double { a / (a + b) }
    public var variance: Double { a * b / ((a + b) * (a + b) * (a + b + 1)) }

    public func sample(using g: RandomGenerator) -> Double { gsl_ran_beta(g.rng, a, b) }
}
