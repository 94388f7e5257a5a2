import CGSL

/// A root of a function of one variable inside a bracket, with GSL's Brent solver
/// (`gsl_root_fsolver_brent`): bisection, secant and inverse quadratic interpolation, never
/// leaving the bracket, so it converges for any continuous function with a sign change (and to
/// a jump for a step function, such as a Monte Carlo statistic of counts).
///
/// Stops when the bracket is narrower than `absoluteTolerance + relativeTolerance x |x|`
/// (`gsl_root_test_interval`) or after `maxIterations`. Deterministic.
///
/// ```swift
/// let r = try RootFinder.brent(lower: 0, upper: 2) { $0 * $0 - 2 }   // sqrt(2)
/// ```
public enum RootFinder {
    public struct Result: Sendable, Hashable {
        public var root: Double
        /// The final bracket.
        public var lower: Double
        public var upper: Double
        public var iterations: Int
        public var converged: Bool
    }

    private final class Box {
        let f: (Double) -> Double
        init(_ f: @escaping (Double) -> Double) { self.f = f }
    }

    /// Finds x in [lower, upper] with f(x) = 0; f(lower) and f(upper) must have opposite signs
    /// (or one be 0), else a `GSLError` with status `GSL_EINVAL`.
    public static func brent(lower: Double, upper: Double, absoluteTolerance: Double = 0, relativeTolerance: Double = 1e-6,
                             maxIterations: Int = 100, _ f: (Double) -> Double) throws(GSLError) -> Result {
        GSL.initialize()
        precondition(lower.isFinite && upper.isFinite && lower < upper && absoluteTolerance >= 0 && relativeTolerance >= 0)
        let fl = f(lower), fu = f(upper)
        if fl == 0 { return Result(root: lower, lower: lower, upper: lower, iterations: 0, converged: true) }
        if fu == 0 { return Result(root: upper, lower: upper, upper: upper, iterations: 0, converged: true) }
        guard fl.isFinite, fu.isFinite, (fl < 0) != (fu < 0) else {
            throw GSLError(function: "gsl_root_fsolver_set", status: Int32(GSL_EINVAL),
                           message: "the function does not change sign between \(lower) (\(fl)) and \(upper) (\(fu))")
        }
        return try withoutActuallyEscaping(f) { (g) throws(GSLError) -> Result in
            let box = Box(g)
            let context = Unmanaged.passRetained(box)
            defer { context.release() }
            var function = gsl_function(function: { x, params in
                Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue().f(x)
            }, params: context.toOpaque())
            guard let s = gsl_root_fsolver_alloc(subcast_root_fsolver_brent()) else {
                throw GSLError(function: "gsl_root_fsolver_alloc", status: Int32(GSL_ENOMEM), message: "out of memory")
            }
            defer { gsl_root_fsolver_free(s) }
            try GSL.check(gsl_root_fsolver_set(s, &function, lower, upper), "gsl_root_fsolver_set")
            var iterations = 0, converged = false
            while iterations < maxIterations {
                iterations += 1
                try GSL.check(gsl_root_fsolver_iterate(s), "gsl_root_fsolver_iterate")
                if gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                          absoluteTolerance, relativeTolerance) == GSL_SUCCESS {
                    converged = true
                    break
                }
            }
            return Result(root: gsl_root_fsolver_root(s), lower: gsl_root_fsolver_x_lower(s), upper: gsl_root_fsolver_x_upper(s),
                          iterations: iterations, converged: converged)
        }
    }
}
