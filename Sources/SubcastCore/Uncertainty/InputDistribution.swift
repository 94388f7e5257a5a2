import Foundation
import SubcastStochastics

/// The distribution of one uncertain scenario input (a price, a churn rate, an elasticity),
/// drawn once per trial by inversion: x = F^-1(u) with u uniform.
///
/// Every case is sampled through its quantile function `quantile(_:)`, so one uniform per input
/// and trial drives the draw, a Gaussian copula can correlate inputs, and Latin hypercube strata
/// carry over to the values. The cases and their parameters:
/// ```
/// normal(mean, sd)                      sd > 0
/// truncatedNormal(mean, sd, lower, upper)  the normal conditioned on [lower, upper], lower < upper
///                                          (either may be infinite, not both)
/// lognormal(mu, sigma)                  exp(N(mu, sigma^2)): median e^mu, sigma > 0
/// beta(alpha, beta, lower, upper)       lower + (upper - lower) Beta(alpha, beta), alpha, beta > 0
/// gamma(shape, scale)                   mean shape x scale, both > 0
/// uniform(min, max)                     min < max
/// triangular(min, mode, max)            min <= mode <= max, min < max
/// pert(min, mode, max)                  min + (max - min) Beta(1 + 4 (mode - min) / (max - min),
///                                                              1 + 4 (max - mode) / (max - min))
/// discrete(values, weights)             value i with probability weights[i] / sum(weights)
/// ```
/// `validated()` checks the parameters; the factories `lognormal(mean:sd:)`,
/// `beta(mean:sd:lower:upper:)` and `gamma(mean:sd:)` convert the moment parameterisations
/// finance usually has. The GSL functions behind the quantiles are in `InverseCDF`.
///
/// ```swift
/// let churn = try InputDistribution.beta(mean: 0.06, sd: 0.01)
/// let p95 = churn.quantile(0.95)
/// ```
public enum InputDistribution: Sendable, Hashable {
    case normal(mean: Double, sd: Double)
    case truncatedNormal(mean: Double, sd: Double, lower: Double, upper: Double)
    case lognormal(mu: Double, sigma: Double)
    case beta(alpha: Double, beta: Double, lower: Double, upper: Double)
    case gamma(shape: Double, scale: Double)
    case uniform(min: Double, max: Double)
    case triangular(min: Double, mode: Double, max: Double)
    case pert(min: Double, mode: Double, max: Double)
    /// Values in any order; weights non-negative with a positive sum.
    case discrete(values: [Double], weights: [Double])

    /// The name used in scenario files, e.g. `truncated_normal`.
    public var name: String {
        switch self {
        case .normal: "normal"
        case .truncatedNormal: "truncated_normal"
        case .lognormal: "lognormal"
        case .beta: "beta"
        case .gamma: "gamma"
        case .uniform: "uniform"
        case .triangular: "triangular"
        case .pert: "pert"
        case .discrete: "discrete"
        }
    }

    /// The distribution with its parameters as a scenario file writes them, four significant
    /// digits: `beta(alpha 12, beta 188)`, `uniform(0.02 ... 0.04)`, `lognormal(mu -3.2, sigma 0.25)`.
    public var summary: String {
        func f(_ x: Double) -> String {
            guard x.isFinite else { return x > 0 ? "inf" : (x < 0 ? "-inf" : "nan") }
            return String(format: "%.4g", x)
        }
        switch self {
        case let .normal(m, sd): return "normal(mean \(f(m)), sd \(f(sd)))"
        case let .truncatedNormal(m, sd, lo, hi): return "truncated_normal(mean \(f(m)), sd \(f(sd)), \(f(lo)) ... \(f(hi)))"
        case let .lognormal(mu, sigma): return "lognormal(mu \(f(mu)), sigma \(f(sigma)); median \(f(exp(mu))))"
        case let .beta(a, b, lo, hi):
            return "beta(alpha \(f(a)), beta \(f(b))" + (lo == 0 && hi == 1 ? ")" : " on \(f(lo)) ... \(f(hi)))")
        case let .gamma(k, theta): return "gamma(shape \(f(k)), scale \(f(theta)))"
        case let .uniform(lo, hi): return "uniform(\(f(lo)) ... \(f(hi)))"
        case let .triangular(lo, mode, hi): return "triangular(\(f(lo)), mode \(f(mode)), \(f(hi)))"
        case let .pert(lo, mode, hi): return "pert(\(f(lo)), mode \(f(mode)), \(f(hi)))"
        case let .discrete(values, _):
            let shown = values.prefix(5).map(f).joined(separator: ", ")
            return "discrete(\(shown)\(values.count > 5 ? ", ... \(values.count) values" : ""))"
        }
    }

    // MARK: moment parameterisations

    /// The lognormal with the given mean > 0 and standard deviation sd > 0:
    /// sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
    public static func lognormal(mean: Double, sd: Double) throws(DistributionError) -> InputDistribution {
        try require(mean.isFinite && mean > 0, "lognormal", "mean", mean, "a finite number > 0")
        try require(sd.isFinite && sd > 0, "lognormal", "sd", sd, "a finite number > 0")
        let s2 = log1p((sd / mean) * (sd / mean))
        return try InputDistribution.lognormal(mu: log(mean) - s2 / 2, sigma: sqrt(s2)).validated()
    }

    /// The beta on [lower, upper] (default [0, 1]) with the given mean and sd > 0. On the unit
    /// scale m = (mean - lower) / (upper - lower), s = sd / (upper - lower), it needs
    /// 0 < m < 1 and s^2 < m (1 - m); then k = m (1 - m) / s^2 - 1, alpha = m k, beta = (1 - m) k.
    public static func beta(mean: Double, sd: Double, lower: Double = 0, upper: Double = 1) throws(DistributionError) -> InputDistribution {
        try require(lower.isFinite, "beta", "lower", lower, "a finite number")
        try require(upper.isFinite && upper > lower, "beta", "upper", upper, "a finite number > lower (\(lower))")
        try require(mean.isFinite && mean > lower && mean < upper, "beta", "mean", mean,
                                      "a number strictly between lower (\(lower)) and upper (\(upper))")
        let w = upper - lower, m = (mean - lower) / w, s = sd / w
        try require(sd.isFinite && sd > 0 && s * s < m * (1 - m), "beta", "sd", sd,
                                      "a number > 0 with sd^2 < (mean - lower) (upper - mean) = \(m * (1 - m) * w * w) "
                                        + "(sd < \(sqrt(m * (1 - m)) * w)); no beta distribution has this mean and sd")
        let k = m * (1 - m) / (s * s) - 1
        return try InputDistribution.beta(alpha: m * k, beta: (1 - m) * k, lower: lower, upper: upper).validated()
    }

    /// The gamma with the given mean > 0 and sd > 0: shape = mean^2 / sd^2, scale = sd^2 / mean.
    public static func gamma(mean: Double, sd: Double) throws(DistributionError) -> InputDistribution {
        try require(mean.isFinite && mean > 0, "gamma", "mean", mean, "a finite number > 0")
        try require(sd.isFinite && sd > 0, "gamma", "sd", sd, "a finite number > 0")
        return try InputDistribution.gamma(shape: (mean / sd) * (mean / sd), scale: sd * sd / mean).validated()
    }

    // MARK: validation

    /// Returns `self` after checking every parameter (the error names the distribution, the
    /// parameter, its value and what was expected).
    @discardableResult
    public func validated() throws(DistributionError) -> InputDistribution {
        let n = name
        func finite(_ x: Double, _ p: String) throws(DistributionError) {
            try require(x.isFinite, n, p, x, "a finite number")
        }
        func positive(_ x: Double, _ p: String) throws(DistributionError) {
            try require(x.isFinite && x > 0, n, p, x, "a finite number > 0")
        }
        func ordered(_ lo: Double, _ mode: Double, _ hi: Double) throws(DistributionError) {
            try finite(lo, "min")
            try require(hi.isFinite && hi > lo, n, "max", hi, "a finite number > min (\(lo))")
            try require(mode.isFinite && mode >= lo && mode <= hi, n, "mode", mode,
                                          "a number from min (\(lo)) to max (\(hi))")
        }
        switch self {
        case let .normal(mean, sd):
            try finite(mean, "mean"); try positive(sd, "sd")
        case let .truncatedNormal(mean, sd, lower, upper):
            try finite(mean, "mean"); try positive(sd, "sd")
            try require(!lower.isNaN && lower < .infinity, n, "lower", lower, "a number or -infinity")
            try require(!upper.isNaN && upper > -.infinity && upper > lower, n, "upper", upper,
                                          "a number > lower (\(lower))")
            let (a, b) = ((lower - mean) / sd, (upper - mean) / sd)
            let mass = a > 0 ? InverseCDF.standardNormalSurvival(a) - InverseCDF.standardNormalSurvival(b)
                             : InverseCDF.standardNormalCDF(b) - InverseCDF.standardNormalCDF(a)
            try require(mass > 1e-300, n, "lower", lower,
                                          "bounds that keep some of the normal's probability (here [\(lower), \(upper)] lies "
                                            + "\(min(abs(a), abs(b))) sd from the mean)")
        case let .lognormal(mu, sigma):
            try require(mu.isFinite && abs(mu) < 700, n, "mu (log of the median)", mu, "a finite number with |mu| < 700")
            try require(sigma.isFinite && sigma > 0 && sigma <= 20, n, "log_sd", sigma, "a number > 0 and at most 20")
        case let .beta(alpha, beta, lower, upper):
            try positive(alpha, "alpha"); try positive(beta, "beta")
            // GSL's beta distribution function returns NaN somewhere for shapes summing beyond
            // about 1e6, and gsl_cdf_beta_Pinv's bisection then never ends (found by probing
            // shapes 1e-15 ... 1e15; none below this bound fails).
            try require(alpha + beta <= InputDistribution.maximumBetaShapeSum, n, "alpha + beta", alpha + beta,
                        "shapes with alpha + beta <= 1e6 (a beta this concentrated, sd below about 1/2000 of its "
                          + "range, is better given as a normal, a truncated_normal or a fixed value)")
            try finite(lower, "lower")
            try require(upper.isFinite && upper > lower && (upper - lower).isFinite, n, "upper", upper,
                        "a finite number > lower (\(lower)) with a finite width")
        case let .gamma(shape, scale):
            try positive(shape, "shape"); try positive(scale, "scale")
            try require((shape * scale).isFinite, n, "scale", scale, "a scale with a finite mean shape x scale")
        case let .uniform(lo, hi):
            try finite(lo, "min")
            try require(hi.isFinite && hi > lo && (hi - lo).isFinite, n, "max", hi,
                        "a finite number > min (\(lo)) with a finite width")
        case let .triangular(lo, mode, hi), let .pert(lo, mode, hi):
            try ordered(lo, mode, hi)
            try require((hi - lo).isFinite, n, "max", hi, "a number whose distance from min (\(lo)) is finite")
        case let .discrete(values, weights):
            try require(!values.isEmpty, n, "values", 0, "at least one value")
            try require(weights.count == values.count, n, "weights", Double(weights.count),
                                          "one weight per value (\(values.count))")
            for (i, v) in values.enumerated() { try finite(v, "values[\(i)]") }
            for (i, w) in weights.enumerated() {
                try require(w.isFinite && w >= 0, n, "weights[\(i)]", w, "a finite number >= 0")
            }
            let total = InputDistribution.scaledWeights(weights).reduce(0, +)
            try require(total > 0, n, "weights", total, "weights with a sum > 0")
        }
        // Every value the sampler can ask for, F^-1(u) for u in [clamp, 1 - clamp], must be
        // computable: finite, and (for the iterative beta and gamma inversions) reproducing u
        // through the distribution function, so no quantile loses all its precision (a gamma of
        // shape 1e-10 has its 1e-6 quantile below the smallest double).
        let c = UncertainInputs.clamp
        for u in [c, 0.5, 1 - c] {
            let x: Double
            do { x = try checkedQuantile(u) } catch {
                throw DistributionError(n, error.parameter, error.value, expected: error.expected)
            }
            let label = "the \(u) quantile"
            try require(x.isFinite, n, label, x, "parameters whose quantiles are finite")
            if let (p, q) = tails(x) {
                // Either F(x) reproduces u, or x is the quantile to double precision (u lies
                // between F a few ulps either side: a beta(0.1, 0.1)'s 1 - 1e-6 quantile is 1.0).
                let target = u > 0.5 ? 1 - u : u, reached = u > 0.5 ? q : p
                let below = tails(x - 64 * x.ulp)!, above = tails(x + 64 * x.ulp)!
                let bracketed = u > 0.5 ? (above.1 <= target * (1 + 1e-6) && below.1 >= target * (1 - 1e-6))
                                        : (below.0 <= target * (1 + 1e-6) && above.0 >= target * (1 - 1e-6))
                try require(abs(reached - target) <= 1e-6 * target || bracketed, n, label, x,
                            "parameters whose quantiles can be computed in double precision (GSL's inversion gives "
                              + "\(x), where the distribution function is \(p), not \(u)); the distribution is too "
                              + "concentrated or too skewed: give shapes of at least about 0.1 (gamma) or 0.02 (beta)")
            }
        }
        return self
    }

    /// The maximum of alpha + beta for a beta input (see `validated()`).
    public static let maximumBetaShapeSum = 1e6

    /// P(X <= x) and P(X > x) for the beta, PERT and gamma cases (whose quantiles GSL inverts
    /// iteratively), nil for the others.
    private func tails(_ x: Double) -> (Double, Double)? {
        switch self {
        case let .beta(alpha, beta, lower, upper):
            return InverseCDF.betaTails(min(max((x - lower) / (upper - lower), 0), 1), a: alpha, b: beta)
        case let .pert(lo, mode, hi):
            let (a, b) = InputDistribution.pertShapes(lo, mode, hi)
            return InverseCDF.betaTails(min(max((x - lo) / (hi - lo), 0), 1), a: a, b: b)
        case let .gamma(shape, scale):
            return InverseCDF.gammaTails(max(x, 0), shape: shape, scale: scale)
        default:
            return nil
        }
    }

    /// Weights scaled by their largest when their sum would overflow (weights of 1e308), so
    /// cumulative weights stay finite; unchanged otherwise (the same bits as before).
    static func scaledWeights(_ weights: [Double]) -> [Double] {
        guard !weights.reduce(0, +).isFinite, let top = weights.max(), top > 0 else { return weights }
        return weights.map { $0 / top }
    }

    // MARK: quantiles and moments

    /// The smallest and largest value the distribution can take (infinite when unbounded).
    public var support: (lower: Double, upper: Double) {
        switch self {
        case .normal: (-.infinity, .infinity)
        case let .truncatedNormal(_, _, lower, upper): (lower, upper)
        case .lognormal, .gamma: (0, .infinity)
        case let .beta(_, _, lower, upper): (lower, upper)
        case let .uniform(lo, hi), let .triangular(lo, _, hi), let .pert(lo, _, hi): (lo, hi)
        case let .discrete(values, weights):
            (zip(values, weights).filter { $0.1 > 0 }.map(\.0).min()!, zip(values, weights).filter { $0.1 > 0 }.map(\.0).max()!)
        }
    }

    /// The quantile F^-1(u): the smallest x with P(X <= x) >= u, for 0 < u < 1 (a programmer
    /// error otherwise). Monotone non-decreasing in u.
    ///
    /// Normal, lognormal, gamma, beta (and so PERT) and uniform use GSL's inverse distribution
    /// functions (`InverseCDF`). The truncated normal maps u into [Phi(a), Phi(b)],
    /// a = (lower - mean) / sd, b = (upper - mean) / sd (by the upper tail when a > 0, so that
    /// truncation far in either tail keeps its precision). The triangular uses its closed form
    /// ```
    /// F^-1(u) = min + sqrt(u (max - min) (mode - min))         u < (mode - min) / (max - min)
    ///         = max - sqrt((1 - u) (max - min) (max - mode))   otherwise
    /// ```
    /// and the discrete distribution its cumulative weights in ascending order of value.
    public func quantile(_ u: Double) -> Double {
        precondition(u > 0 && u < 1, "quantile of \(u), expected 0 < u < 1")
        do {
            return try checkedQuantile(u)
        } catch {
            preconditionFailure("quantile(\(u)) of an unvalidated \(self): \(error)")
        }
    }

    /// `quantile(_:)`, throwing what GSL's wrappers refuse instead of stopping.
    func checkedQuantile(_ u: Double) throws(DistributionError) -> Double {
            switch self {
            case let .normal(mean, sd):
                return try InverseCDF.normal(u, mean: mean, sd: sd)
            case let .truncatedNormal(mean, sd, lower, upper):
                let a = (lower - mean) / sd, b = (upper - mean) / sd
                let z: Double
                if a > 0 {
                    // Upper tail: Q(z) runs from Q(a) down to Q(b).
                    let qa = InverseCDF.standardNormalSurvival(a), qb = InverseCDF.standardNormalSurvival(b)
                    let q = qa - u * (qa - qb)
                    z = -(try InverseCDF.normal(min(max(q, .leastNormalMagnitude), 1 - 0x1p-53)))
                } else {
                    let pa = InverseCDF.standardNormalCDF(a), pb = InverseCDF.standardNormalCDF(b)
                    let p = pa + u * (pb - pa)
                    z = try InverseCDF.normal(min(max(p, .leastNormalMagnitude), 1 - 0x1p-53))
                }
                return min(max(mean + sd * z, lower), upper)
            case let .lognormal(mu, sigma):
                return try InverseCDF.lognormal(u, mu: mu, sigma: sigma)
            case let .beta(alpha, beta, lower, upper):
                return lower + (upper - lower) * (try InverseCDF.beta(u, a: alpha, b: beta))
            case let .gamma(shape, scale):
                return try InverseCDF.gamma(u, shape: shape, scale: scale)
            case let .uniform(lo, hi):
                return try InverseCDF.uniform(u, lower: lo, upper: hi)
            case let .triangular(lo, mode, hi):
                let w = hi - lo
                if u < (mode - lo) / w { return lo + (u * w * (mode - lo)).squareRoot() }
                return hi - ((1 - u) * w * (hi - mode)).squareRoot()
            case let .pert(lo, mode, hi):
                let (a, b) = InputDistribution.pertShapes(lo, mode, hi)
                return lo + (hi - lo) * (try InverseCDF.beta(u, a: a, b: b))
            case let .discrete(values, raw):
                let weights = InputDistribution.scaledWeights(raw)
                let order = values.indices.sorted { values[$0] < values[$1] }
                let total = weights.reduce(0, +)
                var cumulative = 0.0
                for i in order where weights[i] > 0 {
                    cumulative += weights[i]
                    if cumulative >= u * total { return values[i] }
                }
                return values[order.last { weights[$0] > 0 }!]
            }
    }

    /// The median F^-1(1/2) (for the discrete distribution the smallest value whose cumulative
    /// weight reaches half).
    public var median: Double { quantile(0.5) }

    /// The mean, in closed form.
    public var mean: Double {
        switch self {
        case let .normal(mean, _): return mean
        case let .truncatedNormal(mean, sd, lower, upper):
            let t = truncatedNormalTerms(mean, sd, lower, upper)
            return mean + sd * t.densityDifference
        case let .lognormal(mu, sigma): return exp(mu + sigma * sigma / 2)
        case let .beta(alpha, beta, lower, upper): return lower + (upper - lower) * alpha / (alpha + beta)
        case let .gamma(shape, scale): return shape * scale
        case let .uniform(lo, hi): return (lo + hi) / 2
        case let .triangular(lo, mode, hi): return (lo + mode + hi) / 3
        case let .pert(lo, mode, hi): return (lo + 4 * mode + hi) / 6
        case let .discrete(values, raw):
            let weights = InputDistribution.scaledWeights(raw)
            return zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
        }
    }

    /// The variance, in closed form.
    public var variance: Double {
        switch self {
        case let .normal(_, sd): return sd * sd
        case let .truncatedNormal(mean, sd, lower, upper):
            let t = truncatedNormalTerms(mean, sd, lower, upper)
            return sd * sd * (1 + t.weightedDifference - t.densityDifference * t.densityDifference)
        case let .lognormal(mu, sigma): return expm1(sigma * sigma) * exp(2 * mu + sigma * sigma)
        case let .beta(a, b, lower, upper):
            let w = upper - lower
            return w * w * a * b / ((a + b) * (a + b) * (a + b + 1))
        case let .gamma(shape, scale): return shape * scale * scale
        case let .uniform(lo, hi): return (hi - lo) * (hi - lo) / 12
        case let .triangular(a, c, b): return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
        case let .pert(lo, mode, hi):
            let m = (lo + 4 * mode + hi) / 6
            return (m - lo) * (hi - m) / 7
        case let .discrete(values, raw):
            let weights = InputDistribution.scaledWeights(raw)
            let total = weights.reduce(0, +), m = mean
            return zip(values, weights).reduce(0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) } / total
        }
    }

    /// The PERT's beta shapes: 1 + 4 (mode - min) / (max - min) and 1 + 4 (max - mode) / (max - min).
    static func pertShapes(_ lo: Double, _ mode: Double, _ hi: Double) -> (Double, Double) {
        (1 + 4 * (mode - lo) / (hi - lo), 1 + 4 * (hi - mode) / (hi - lo))
    }

    /// For N(mean, sd^2) truncated to [lower, upper], with a, b the standardised bounds and
    /// Z = Phi(b) - Phi(a): (phi(a) - phi(b)) / Z and (a phi(a) - b phi(b)) / Z.
    private func truncatedNormalTerms(_ mean: Double, _ sd: Double, _ lower: Double, _ upper: Double)
        -> (densityDifference: Double, weightedDifference: Double) {
        let a = (lower - mean) / sd, b = (upper - mean) / sd
        let z = a > 0 ? InverseCDF.standardNormalSurvival(a) - InverseCDF.standardNormalSurvival(b)
                      : InverseCDF.standardNormalCDF(b) - InverseCDF.standardNormalCDF(a)
        let pa = InverseCDF.standardNormalDensity(a), pb = InverseCDF.standardNormalDensity(b)
        let wa = a.isInfinite ? 0 : a * pa, wb = b.isInfinite ? 0 : b * pb
        return ((pa - pb) / z, (wa - wb) / z)
    }
}

/// Throws `DistributionError(distribution, parameter, value, expected)` unless `condition` holds.
private func require(_ condition: Bool, _ distribution: String, _ parameter: String, _ value: Double,
                     _ expected: String) throws(DistributionError) {
    if !condition { throw DistributionError(distribution, parameter, value, expected: expected) }
}
