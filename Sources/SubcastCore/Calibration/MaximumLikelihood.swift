import Foundation
import SubcastStochastics

/// Maximum likelihood on an unconstrained parameter vector theta: GSL's Nelder-Mead simplex
/// (`Minimizer.nelderMead`), restarted on a small simplex at the optimum (kept when no worse),
/// and the observed information, the Hessian of -LL at the optimum by central differences
/// (step `h` in every coordinate), inverted with GSL's LU into the asymptotic covariance.
public enum MaximumLikelihood {
    public struct Estimate: Sendable, Hashable {
        public var theta: [Double]
        /// The maximised log-likelihood.
        public var logLikelihood: Double
        /// The inverse observed information (nil when it is not positive definite).
        public var covariance: [[Double]]?
        public var iterations: Int
        public var converged: Bool

        public func standardError(_ i: Int) -> Double? { covariance.map { $0[i][i].squareRoot() } }
        public func correlation(_ i: Int, _ j: Int) -> Double? {
            guard let c = covariance else { return nil }
            let d = (c[i][i] * c[j][j]).squareRoot()
            return d > 0 ? c[i][j] / d : 0
        }
    }

    /// Maximises `logLikelihood` from `start` (simplex steps `step`).
    public static func maximise(start: [Double], step: [Double], tolerance: Double = 1e-6, h: Double = 1e-4,
                                _ logLikelihood: @escaping ([Double]) -> Double) throws(GSLError) -> Estimate {
        // Outside the parameter space -LL is +infinity; GSL's simplex refuses a non-finite value
        // at any vertex of its first simplex, so such points get a huge finite value instead
        // (the simplex moves away from them all the same).
        let f: ([Double]) -> Double = { x in
            let v = -logLikelihood(x)
            return v.isFinite ? v : 1e300
        }
        var result = try Minimizer.nelderMead(start: start, step: step, tolerance: tolerance, f)
        let polished = try Minimizer.nelderMead(start: result.x, step: step.map { _ in 0.01 }, tolerance: tolerance / 10, f)
        if polished.value <= result.value {
            result = Minimizer.Result(x: polished.x, value: polished.value, iterations: result.iterations + polished.iterations,
                                      converged: result.converged && polished.converged)
        }
        let n = start.count
        var x = result.x
        var f0 = result.value
        func at(_ moves: [(Int, Double)]) -> Double {
            var y = x
            for (i, d) in moves { y[i] += d }
            return f(y)
        }
        func hessian() -> [[Double]] {
            var info = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n {
                info[i][i] = (at([(i, h)]) - 2 * f0 + at([(i, -h)])) / (h * h)
                for j in 0..<i {
                    let v = (at([(i, h), (j, h)]) - at([(i, h), (j, -h)]) - at([(i, -h), (j, h)]) + at([(i, -h), (j, -h)])) / (4 * h * h)
                    info[i][j] = v
                    info[j][i] = v
                }
            }
            return info
        }
        // Newton steps from the simplex's optimum (numerical gradient and Hessian, halved until
        // -LL falls): the simplex stops within its tolerance of the optimum, and the observed
        // information must be taken at the optimum itself.
        var info = hessian()
        for _ in 0..<8 {
            let gradient = (0..<n).map { i in (at([(i, h)]) - at([(i, -h)])) / (2 * h) }
            guard info.allSatisfy({ $0.allSatisfy(\.isFinite) }), LinearAlgebra.isPositiveDefinite(info),
                  let inverse = try? LinearAlgebra.inverse(info) else { break }
            var step = (0..<n).map { i in -(0..<n).reduce(0.0) { $0 + inverse[i][$1] * gradient[$1] } }
            var moved = false
            for _ in 0..<20 {
                let y = zip(x, step).map { $0 + $1 }
                let v = f(y)
                if v < f0 { x = y; f0 = v; moved = true; break }
                step = step.map { $0 / 2 }
            }
            if !moved || step.map(abs).max() ?? 0 < 1e-9 { if moved { info = hessian() }; break }
            info = hessian()
        }
        var covariance: [[Double]]? = nil
        if f0 < 1e299, info.allSatisfy({ $0.allSatisfy { $0.isFinite && abs($0) < 1e200 } }), LinearAlgebra.isPositiveDefinite(info) {
            covariance = try? LinearAlgebra.inverse(info)
        }
        return Estimate(theta: x, logLikelihood: f0 < 1e299 ? -f0 : -.infinity, covariance: covariance, iterations: result.iterations,
                        converged: result.converged)
    }
}
