import Foundation
import SubcastStochastics

/// The value of one input at which a statistic of a metric reaches a target (`subcast
/// goal-seek`): the root of g(x) = statistic(x) - target inside a bracket, with GSL's Brent
/// solver (`RootFinder`). Every evaluation simulates the same trials with the same streams
/// (common random numbers), so g is a fixed function of x and the solver's steps are not thrown
/// off by fresh noise at each point.
///
/// Monte Carlo uncertainty: the statistic at the solution has a standard error s (as in
/// `Optimizer`: sd / sqrt(n) for a mean, from order statistics for a quantile, binomial for a
/// share); with the slope g'(x*) from two evaluations at x* +- h (h = 2 % of the bracket, or more
/// when the statistic moves in steps), the solution's standard error is s / |g'(x*)| (the delta
/// method).
public enum GoalSeek {
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        public var metric: ComparisonMetric
        public var statistic: OptimizationProblem.Statistic
        public var value: Double
        public init(metric: ComparisonMetric, statistic: OptimizationProblem.Statistic, value: Double) {
            self.metric = metric
            self.statistic = statistic
            self.value = value
        }
        public var description: String { "\(statistic) of \(metric.name) = \(OptimizationProblem.plain(value))" }
    }

    public struct Result: Sendable {
        public var target: Target
        public var value: Double
        public var standardError: Double
        /// The statistic reached at `value`, and its standard error.
        public var reached: Double
        public var reachedSE: Double
        /// The final bracket of the solver.
        public var bracket: (lower: Double, upper: Double)
        /// Every point evaluated, in order: (x, statistic).
        public var evaluations: [(x: Double, statistic: Double)]
        public var trials: Int
        public var converged: Bool
        /// True when the input takes whole numbers and was searched over them.
        public var wholeNumbers = false
    }

    /// Why a goal seek could not run.
    public enum Failure: Error, Sendable {
        /// No sign change: the statistic at the bracket's ends.
        case notBracketed(lower: Double, atLower: Double, upper: Double, atUpper: Double)
        /// The model could not be built at this value (the caller knows why).
        case invalidValue(Double)
        case simulation(SimulationError)
    }

    /// - Parameter model: the model at a value of the input (nil when the value is invalid).
    ///   - wholeNumbers: the input takes whole numbers only (agents, months, counts): the search
    ///     bisects over the whole numbers of the bracket and returns the one of the final pair
    ///     whose statistic is closer to the target (no standard error: the answer is discrete).
    public static func run(target: Target, lower: Double, upper: Double, trials: Int, seed: UInt64, threads: Int,
                           relativeTolerance: Double = 1e-4, wholeNumbers: Bool = false, model: (Double) -> ForecastModel?,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(Failure) -> Result {
        precondition(lower < upper && trials >= 2)
        var evaluations: [(x: Double, statistic: Double)] = []
        var failure: Failure? = nil
        // The solver asks again for points it has seen (the bracket's ends): answered from here.
        var seen: [Double: (Double, Double)] = [:]
        func statistic(_ x: Double) -> (Double, Double) {
            if let known = seen[x] { return known }
            let value = evaluate(x)
            if failure == nil { seen[x] = value }
            return value
        }
        func evaluate(_ x: Double) -> (Double, Double) {
            guard failure == nil else { return (.nan, .nan) }
            guard let m = model(x) else { failure = .invalidValue(x); return (.nan, .nan) }
            do {
                let c = CandidatesModel([m], values: [target.metric])
                let matrix = try MonteCarloEngine.run(c, trials: trials, seed: seed, threads: threads, isCancelled: isCancelled)
                let (s, se, _) = Optimizer.statistic(target.statistic, of: matrix.column(0))
                evaluations.append((x, s))
                return (s, se)
            } catch {
                failure = .simulation(error)
                return (.nan, .nan)
            }
        }
        let atLower = statistic(lower).0, atUpper = statistic(upper).0
        if let failure { throw failure }
        let gl = atLower - target.value, gu = atUpper - target.value
        guard gl.isFinite, gu.isFinite, gl == 0 || gu == 0 || (gl < 0) != (gu < 0) else {
            throw .notBracketed(lower: lower, atLower: atLower, upper: upper, atUpper: atUpper)
        }
        if wholeNumbers {
            var lo = lower.rounded(.up), hi = upper.rounded(.down)
            guard lo < hi else { throw .notBracketed(lower: lower, atLower: atLower, upper: upper, atUpper: atUpper) }
            var glo = statistic(lo).0 - target.value, ghi = statistic(hi).0 - target.value
            if let failure { throw failure }
            guard glo == 0 || ghi == 0 || (glo < 0) != (ghi < 0) else {
                throw .notBracketed(lower: lo, atLower: glo + target.value, upper: hi, atUpper: ghi + target.value)
            }
            while hi - lo > 1 && glo != 0 && ghi != 0 {
                let mid = ((lo + hi) / 2).rounded(.down)
                let g = statistic(mid).0 - target.value
                if let failure { throw failure }
                if (g < 0) == (glo < 0) { lo = mid; glo = g } else { hi = mid; ghi = g }
            }
            let x = abs(glo) <= abs(ghi) ? lo : hi
            let (reached, reachedSE) = statistic(x)
            return Result(target: target, value: x, standardError: .nan, reached: reached, reachedSE: reachedSE,
                          bracket: (lo, hi), evaluations: evaluations, trials: trials, converged: true, wholeNumbers: true)
        }
        let width = upper - lower
        let solved: RootFinder.Result
        do {
            solved = try RootFinder.brent(lower: lower, upper: upper, absoluteTolerance: 1e-9 * width,
                                          relativeTolerance: relativeTolerance) { x in
                statistic(x).0 - target.value
            }
        } catch {
            if let failure { throw failure }
            throw .notBracketed(lower: lower, atLower: atLower, upper: upper, atUpper: atUpper)
        }
        if let failure { throw failure }
        let x = solved.root
        let (reached, reachedSE) = statistic(x)
        // The slope near the solution, from x -+ h inside the bracket.
        let h = max(0.02 * width, 2 * (solved.upper - solved.lower))
        let a = max(lower, x - h), b = min(upper, x + h)
        let sa = statistic(a).0, sb = statistic(b).0
        if let failure { throw failure }
        let slope = b > a ? (sb - sa) / (b - a) : .nan
        let se = slope != 0 && slope.isFinite ? reachedSE / abs(slope) : .nan
        return Result(target: target, value: x, standardError: se, reached: reached, reachedSE: reachedSE,
                      bracket: (solved.lower, solved.upper), evaluations: evaluations, trials: trials, converged: solved.converged)
    }
}
