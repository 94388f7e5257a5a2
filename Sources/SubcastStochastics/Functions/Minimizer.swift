import CGSL

/// Derivative-free minimisation of a function of several variables with GSL's Nelder-Mead
/// simplex (`gsl_multimin_fminimizer_nmsimplex2`).
///
/// Stops when the simplex's characteristic size falls below `tolerance` (choose it above the
/// precision the function's rounding allows, about sqrt(machine epsilon x scale / curvature))
/// (`gsl_multimin_test_size`) or after `maxIterations`. The objective may return `.infinity`
/// (or NaN, treated as infinity) outside its domain; the simplex then moves away.
/// Deterministic: the same start, steps and function give the same result.
public enum Minimizer {
    public struct Result: Sendable, Hashable {
        /// The minimiser found.
        public var x: [Double]
        /// f(x).
        public var value: Double
        public var iterations: Int
        /// Whether the size test was met before `maxIterations`.
        public var converged: Bool

        public init(x: [Double], value: Double, iterations: Int, converged: Bool) {
            self.x = x
            self.value = value
            self.iterations = iterations
            self.converged = converged
        }
    }

    private final class Box {
        let f: ([Double]) -> Double
        init(_ f: @escaping ([Double]) -> Double) { self.f = f }
    }

    /// Minimises `f` from `start`, with initial simplex steps `step` (one per coordinate, > 0).
    public static func nelderMead(start: [Double], step: [Double], tolerance: Double = 1e-9,
                                  maxIterations: Int = 10_000,
                                  _ f: ([Double]) -> Double) throws(GSLError) -> Result {
        GSL.initialize()
        let n = start.count
        precondition(n >= 1 && step.count == n && step.allSatisfy { $0 > 0 } && tolerance > 0)
        guard start.allSatisfy(\.isFinite) else {
            throw GSLError(function: "gsl_multimin_fminimizer_set", status: Int32(GSL_EDOM), message: "start point is not finite")
        }
        return try withoutActuallyEscaping(f) { (g) throws(GSLError) -> Result in
            let box = Box(g)
            let context = Unmanaged.passRetained(box)
            defer { context.release() }
            var function = gsl_multimin_function(
                f: { v, params in
                    let box = Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue()
                    let size = Int(v!.pointee.size)
                    var x = [Double](repeating: 0, count: size)
                    for i in 0..<size { x[i] = gsl_vector_get(v, i) }
                    let y = box.f(x)
                    return y.isNaN ? .infinity : y
                },
                n: n,
                params: context.toOpaque())
            guard let s = gsl_multimin_fminimizer_alloc(subcast_multimin_nmsimplex2(), n),
                  let x0 = gsl_vector_alloc(n), let ss = gsl_vector_alloc(n) else {
                throw GSLError(function: "gsl_multimin_fminimizer_alloc", status: Int32(GSL_ENOMEM), message: "out of memory")
            }
            defer { gsl_multimin_fminimizer_free(s); gsl_vector_free(x0); gsl_vector_free(ss) }
            for i in 0..<n { gsl_vector_set(x0, i, start[i]); gsl_vector_set(ss, i, step[i]) }
            try GSL.check(gsl_multimin_fminimizer_set(s, &function, x0, ss), "gsl_multimin_fminimizer_set")
            var iterations = 0
            var converged = false
            while iterations < maxIterations {
                iterations += 1
                let status = gsl_multimin_fminimizer_iterate(s)
                if status != 0 {
                    // GSL_ENOPROG: the simplex cannot improve further; treat as converged if small.
                    converged = gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), tolerance * 1e3) == 0
                    break
                }
                if gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), tolerance) == 0 {
                    converged = true
                    break
                }
            }
            let xm = gsl_multimin_fminimizer_x(s)
            let x = (0..<n).map { gsl_vector_get(xm, $0) }
            return Result(x: x, value: gsl_multimin_fminimizer_minimum(s), iterations: iterations, converged: converged)
        }
    }
}
