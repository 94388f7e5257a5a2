import CGSL

/// Quantile functions (inverse cumulative distribution functions) from GSL, and the normal
/// distribution function they need for a Gaussian copula: a uniform u in (0, 1) goes in, the
/// value x with P(X <= x) = u comes out.
///
/// Parameters are checked in Swift before GSL sees them (GSL's `gsl_cdf_*` functions report bad
/// parameters through the error handler, which Subcast switches off). GSL's iterative inversions
/// of the beta and gamma distributions fail to converge at some points for large shapes (for
/// example `gsl_cdf_beta_Pinv(0.94, 33.8, 529)` returns NaN after its error report): there the
/// quantile is found instead by safeguarded Newton steps on GSL's distribution function and
/// density (`gsl_cdf_beta_P`, `gsl_ran_beta_pdf`; `gsl_cdf_gamma_P`, `gsl_ran_gamma_pdf`)
/// inside a shrinking bracket; a result that is still not finite is thrown as a
/// `DistributionError` naming the function.
///
/// Accuracy: GSL's, a relative error near 1e-14 for the normal, lognormal and uniform quantiles
/// and about 1e-10 relative for the beta and gamma quantiles (GSL's tolerance, and the fallback's:
/// |F(x) - u| <= 1e-12 or a bracket narrower than 4 ulp). Deterministic: the same arguments give
/// the same bits on every call.
///
/// ```swift
/// let x = try InverseCDF.gamma(0.95, shape: 2, scale: 3)     // 95th percentile
/// ```
public enum InverseCDF {
    /// The quantile of the normal distribution with mean `mean` and standard deviation `sd` > 0.
    /// The corresponding GSL function is `gsl_cdf_gaussian_Pinv` (plus the mean).
    public static func normal(_ u: Double, mean: Double = 0, sd: Double = 1) throws(DistributionError) -> Double {
        try checkProbability(u, "Normal")
        try DistributionError.require(mean.isFinite, "Normal", "mean", mean, "a finite number")
        try DistributionError.require(sd.isFinite && sd > 0, "Normal", "sd", sd, "a finite number > 0")
        GSL.initialize()
        return mean + gsl_cdf_gaussian_Pinv(u, sd)
    }

    /// The quantile of the lognormal distribution exp(N(mu, sigma^2)), sigma > 0: exp(mu + sigma z_u).
    /// The corresponding GSL function is `gsl_cdf_lognormal_Pinv` (GSL's zeta is mu).
    public static func lognormal(_ u: Double, mu: Double, sigma: Double) throws(DistributionError) -> Double {
        try checkProbability(u, "Lognormal")
        try DistributionError.require(mu.isFinite && abs(mu) < 700, "Lognormal", "mu", mu, "a finite number with |mu| < 700")
        try DistributionError.require(sigma.isFinite && sigma > 0, "Lognormal", "sigma", sigma, "a finite number > 0")
        GSL.initialize()
        return gsl_cdf_lognormal_Pinv(u, mu, sigma)
    }

    /// The quantile of the gamma distribution with `shape` k > 0 and `scale` theta > 0
    /// (mean k theta). The corresponding GSL function is `gsl_cdf_gamma_Pinv`.
    public static func gamma(_ u: Double, shape: Double, scale: Double) throws(DistributionError) -> Double {
        try checkProbability(u, "Gamma")
        try DistributionError.require(shape.isFinite && shape > 0, "Gamma", "shape", shape, "a finite number > 0")
        try DistributionError.require(scale.isFinite && scale > 0, "Gamma", "scale", scale, "a finite number > 0")
        GSL.initialize()
        let x = gsl_cdf_gamma_Pinv(u, shape, scale)
        if x.isFinite { return x }
        var hi = max(shape * scale, scale)
        while gsl_cdf_gamma_P(hi, shape, scale) < u && hi < .greatestFiniteMagnitude / 4 { hi *= 2 }
        let solved = solve(u, lower: 0, upper: hi, cdf: { gsl_cdf_gamma_P($0, shape, scale) },
                           density: { gsl_ran_gamma_pdf($0, shape, scale) })
        return try finite(solved, "gsl_cdf_gamma_Pinv", "Gamma", u)
    }

    /// The quantile of the beta distribution on [0, 1] with shapes a, b > 0.
    /// The corresponding GSL function is `gsl_cdf_beta_Pinv`.
    public static func beta(_ u: Double, a: Double, b: Double) throws(DistributionError) -> Double {
        try checkProbability(u, "Beta")
        try DistributionError.require(a.isFinite && a > 0, "Beta", "a", a, "a finite number > 0")
        try DistributionError.require(b.isFinite && b > 0, "Beta", "b", b, "a finite number > 0")
        GSL.initialize()
        let x = gsl_cdf_beta_Pinv(u, a, b)
        if x.isFinite { return x }
        let solved = solve(u, lower: 0, upper: 1, cdf: { gsl_cdf_beta_P($0, a, b) }, density: { gsl_ran_beta_pdf($0, a, b) })
        return try finite(solved, "gsl_cdf_beta_Pinv", "Beta", u)
    }

    /// P(X <= x) and P(X > x) for X ~ Beta(a, b), 0 <= x <= 1, a, b > 0 (NaN where GSL's
    /// incomplete beta function does not converge). GSL: `gsl_cdf_beta_P`, `gsl_cdf_beta_Q`.
    public static func betaTails(_ x: Double, a: Double, b: Double) -> (Double, Double) {
        precondition(x >= 0 && x <= 1 && a > 0 && b > 0 && a.isFinite && b.isFinite, "betaTails(\(x), \(a), \(b))")
        GSL.initialize()
        return (gsl_cdf_beta_P(x, a, b), gsl_cdf_beta_Q(x, a, b))
    }

    /// P(X <= x) and P(X > x) for X ~ Gamma(shape, scale), x >= 0, shape, scale > 0.
    /// GSL: `gsl_cdf_gamma_P`, `gsl_cdf_gamma_Q`.
    public static func gammaTails(_ x: Double, shape: Double, scale: Double) -> (Double, Double) {
        precondition(x >= 0 && shape > 0 && scale > 0 && shape.isFinite && scale.isFinite, "gammaTails(\(x), \(shape), \(scale))")
        GSL.initialize()
        return (gsl_cdf_gamma_P(x, shape, scale), gsl_cdf_gamma_Q(x, shape, scale))
    }

    /// The quantile of the uniform distribution on [a, b], a < b: a + u (b - a).
    /// The corresponding GSL function is `gsl_cdf_flat_Pinv`.
    public static func uniform(_ u: Double, lower a: Double, upper b: Double) throws(DistributionError) -> Double {
        try checkProbability(u, "Uniform")
        try DistributionError.require(a.isFinite, "Uniform", "lower", a, "a finite number")
        try DistributionError.require(b.isFinite && b > a, "Uniform", "upper", b, "a finite number > lower (\(a))")
        GSL.initialize()
        return gsl_cdf_flat_Pinv(u, a, b)
    }

    /// The standard normal distribution function Phi(z) = P(Z <= z), for any z (Phi(-inf) = 0,
    /// Phi(inf) = 1). The corresponding GSL function is `gsl_cdf_ugaussian_P`.
    public static func standardNormalCDF(_ z: Double) -> Double {
        precondition(!z.isNaN, "standardNormalCDF of NaN")
        GSL.initialize()
        return gsl_cdf_ugaussian_P(z)
    }

    /// The standard normal upper tail Q(z) = 1 - Phi(z) = P(Z > z), accurate where Phi(z) is near
    /// 1. The corresponding GSL function is `gsl_cdf_ugaussian_Q`.
    public static func standardNormalSurvival(_ z: Double) -> Double {
        precondition(!z.isNaN, "standardNormalSurvival of NaN")
        GSL.initialize()
        return gsl_cdf_ugaussian_Q(z)
    }

    /// The standard normal density phi(z) = exp(-z^2 / 2) / sqrt(2 pi) (0 at +-inf).
    /// The corresponding GSL function is `gsl_ran_ugaussian_pdf`.
    public static func standardNormalDensity(_ z: Double) -> Double {
        precondition(!z.isNaN, "standardNormalDensity of NaN")
        GSL.initialize()
        return z.isInfinite ? 0 : gsl_ran_ugaussian_pdf(z)
    }

    /// The x in [lower, upper] with cdf(x) = u, for a continuous increasing cdf with
    /// cdf(lower) <= u <= cdf(upper): Newton steps from the bracket's midpoint, replaced by
    /// bisection whenever a step leaves the bracket; the bracket shrinks every step.
    static func solve(_ u: Double, lower: Double, upper: Double, cdf: (Double) -> Double,
                      density: (Double) -> Double) -> Double {
        var lo = lower, hi = upper
        var x = (lo + hi) / 2
        for _ in 0..<400 {
            let f = cdf(x) - u
            if abs(f) <= 1e-12 * max(u, 1e-300) || hi - lo <= 4 * x.ulp { return x }
            if f < 0 { lo = x } else { hi = x }
            let d = density(x)
            var next = d > 0 && d.isFinite ? x - f / d : .nan
            if !(next > lo && next < hi) { next = (lo + hi) / 2 }
            x = next
        }
        return x
    }

    static func checkProbability(_ u: Double, _ distribution: String) throws(DistributionError) {
        try DistributionError.require(u > 0 && u < 1, distribution, "u", u, "a probability strictly between 0 and 1")
    }

    static func finite(_ x: Double, _ function: String, _ distribution: String, _ u: Double) throws(DistributionError) -> Double {
        if !x.isFinite {
            throw DistributionError(distribution, "u", u, expected: "a probability at which \(function) converges (got \(x))")
        }
        return x
    }
}
