import Foundation
import SubcastStochastics

/// A reverse stress test: how likely a breach is (a metric beyond a value, `cash_trough < 0`),
/// and which uncertain inputs lead to it. Every trial draws the inputs and simulates; the
/// breaching trials' inputs are compared with all trials': for each input its mean, median and
/// P5-P95 among breaching and among all trials, the standardised shift of the mean
/// ((mean in breaches - mean) / sd) and the Kolmogorov-Smirnov distance between its distribution in
/// breaching and in other trials (0: the breach does not depend on it; 1: the input alone
/// separates them). Inputs are ranked by that distance.
public enum StressTest {
    public struct Breach: Sendable, Hashable, CustomStringConvertible {
        public enum Comparison: String, Sendable, Hashable { case below = "<", atMost = "<=", above = ">", atLeast = ">=" }
        public var metric: ComparisonMetric
        public var comparison: Comparison
        public var value: Double
        public init(metric: ComparisonMetric, comparison: Comparison, value: Double) {
            self.metric = metric
            self.comparison = comparison
            self.value = value
        }
        public func isBreached(_ x: Double) -> Bool {
            switch comparison {
            case .below: x < value
            case .atMost: x <= value
            case .above: x > value
            case .atLeast: x >= value
            }
        }
        public var description: String { "\(metric.name) \(comparison.rawValue) \(OptimizationProblem.plain(value))" }
    }

    public struct Summary: Sendable, Hashable {
        public var n: Int
        public var mean: Double
        public var p5: Double
        public var p50: Double
        public var p95: Double
    }

    public struct InputShift: Sendable, Hashable {
        public var name: String
        public var all: Summary
        public var breaching: Summary
        public var standardisedShift: Double
        public var ksDistance: Double
    }

    public struct Result: Sendable {
        public var breach: Breach
        public var trials: Int
        /// Trials with a defined metric, and those among them that breach.
        public var defined: Int
        public var breaches: Int
        public var probability: Double
        /// Jeffreys 95 % interval of the probability.
        public var interval: (lower: Double, upper: Double)
        /// By Kolmogorov-Smirnov distance, largest first (empty without breaches).
        public var inputs: [InputShift]
    }

    public static func run(_ family: ScenarioFamily, breach: Breach, trials: Int, seed: UInt64, threads: Int,
                           progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> Result {
        let names = family.inputs.names
        let values = [breach.metric] + names.map { ComparisonMetric(metric: "input:\($0)") }
        let model = CandidatesModel([ForecastModel(family)], values: values)
        let matrix = try MonteCarloEngine.run(model, trials: trials, seed: seed, threads: threads, progress: progress, isCancelled: isCancelled)
        let metric = matrix.column(0)
        let defined = metric.indices.filter { !metric[$0].isNaN }
        let hit = defined.filter { breach.isBreached(metric[$0]) }
        let k = hit.count, n = defined.count
        let p = n > 0 ? Double(k) / Double(n) : .nan
        let a = Double(k) + 0.5, b = Double(n - k) + 0.5
        let lower = k == 0 ? 0 : ((try? InverseCDF.beta(0.025, a: a, b: b)) ?? .nan)
        let upper = k == n ? 1 : ((try? InverseCDF.beta(0.975, a: a, b: b)) ?? .nan)
        var shifts: [InputShift] = []
        if k > 0 && k < n {
            let hitSet = Set(hit)
            for (j, name) in names.enumerated() {
                let column = matrix.column(j + 1)
                let all = defined.map { column[$0] }
                let inside = hit.map { column[$0] }
                let outside = defined.filter { !hitSet.contains($0) }.map { column[$0] }
                let sAll = summary(all), sIn = summary(inside)
                var m = Moments()
                for x in all { m.add(x) }
                let shift = m.sd > 0 ? (sIn.mean - sAll.mean) / m.sd : 0
                shifts.append(InputShift(name: name, all: sAll, breaching: sIn, standardisedShift: shift,
                                         ksDistance: kolmogorovSmirnov(inside, outside)))
            }
            shifts.sort { $0.ksDistance != $1.ksDistance ? $0.ksDistance > $1.ksDistance : $0.name < $1.name }
        }
        return Result(breach: breach, trials: trials, defined: n, breaches: k, probability: p,
                      interval: (lower, upper), inputs: shifts)
    }

    static func summary(_ xs: [Double]) -> Summary {
        guard !xs.isEmpty else { return Summary(n: 0, mean: .nan, p5: .nan, p50: .nan, p95: .nan) }
        let s = xs.sorted()
        return Summary(n: s.count, mean: s.reduce(0, +) / Double(s.count), p5: Optimizer.quantile(s, 0.05),
                       p50: Optimizer.quantile(s, 0.5), p95: Optimizer.quantile(s, 0.95))
    }

    /// sup_x |F_a(x) - F_b(x)| of the two samples' empirical distribution functions.
    static func kolmogorovSmirnov(_ a: [Double], _ b: [Double]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] <= v { i += 1 }
            while j < y.count && y[j] <= v { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }
}
