import Foundation
import SubcastStochastics

/// What `subcast optimize` searches: the decisions (inputs to choose, each with its candidate
/// values), the objective (a statistic of a metric to maximise or minimise) and chance
/// constraints (statistics of metrics that must stay above or below bounds).
///
/// ```yaml
/// decisions:
///   - {key: plans.basic.price_per_month, range: {from: 10, to: 40, step: 1}}
///   - {key: support.agents, values: [1, 2, 3, 4]}
/// objective: {maximize: npv, statistic: mean}
/// constraints:
///   - {metric: cash_trough, statistic: p5, at_least: -200000}
/// ```
public struct OptimizationProblem: Sendable, Hashable {
    /// One input to choose: its scenario key path and the values it may take (as written).
    public struct Decision: Sendable, Hashable {
        public var key: String
        public var values: [Double]
        public init(key: String, values: [Double]) {
            self.key = key
            self.values = values
        }
    }

    /// A statistic over trials of one per-trial value.
    public enum Statistic: Sendable, Hashable, CustomStringConvertible {
        case mean
        /// The q-quantile, 0 < q < 1 (`p5` is 0.05).
        case quantile(Double)
        /// P(value > x), the share of trials above x.
        case probabilityAbove(Double)

        public var description: String {
            switch self {
            case .mean: "mean"
            case let .quantile(q): "p\(OptimizationProblem.plain(q * 100))"
            case let .probabilityAbove(x): "P(> \(OptimizationProblem.plain(x)))"
            }
        }
    }

    public struct Objective: Sendable, Hashable {
        public var metric: ComparisonMetric
        public var statistic: Statistic
        public var maximize: Bool
        /// Differences smaller than this are not worth telling apart (the indifference zone of
        /// the selection), in the objective's unit; 0 by default.
        public var indifference: Double
        public init(metric: ComparisonMetric, statistic: Statistic = .mean, maximize: Bool, indifference: Double = 0) {
            self.metric = metric
            self.statistic = statistic
            self.maximize = maximize
            self.indifference = indifference
        }
    }

    public struct Constraint: Sendable, Hashable, CustomStringConvertible {
        public var metric: ComparisonMetric
        public var statistic: Statistic
        /// The bound; `atLeast` true: statistic >= bound, else statistic <= bound.
        public var bound: Double
        public var atLeast: Bool
        public init(metric: ComparisonMetric, statistic: Statistic, bound: Double, atLeast: Bool) {
            self.metric = metric
            self.statistic = statistic
            self.bound = bound
            self.atLeast = atLeast
        }

        public var description: String {
            "\(statistic) of \(metric.name) \(atLeast ? ">=" : "<=") \(OptimizationProblem.plain(bound))"
        }
    }

    public var decisions: [Decision]
    public var objective: Objective
    public var constraints: [Constraint]
    /// The probability of correct selection the search aims for (0.95 by default).
    public var confidence: Double

    public init(decisions: [Decision], objective: Objective, constraints: [Constraint] = [], confidence: Double = 0.95) {
        self.decisions = decisions
        self.objective = objective
        self.constraints = constraints
        self.confidence = confidence
    }

    /// The number of candidates (the product of the decisions' value counts).
    public var candidateCount: Int { decisions.reduce(1) { $0 * $1.values.count } }

    /// Candidate k's value index for each decision (the last decision varies fastest).
    public func indices(ofCandidate k: Int) -> [Int] {
        var rest = k
        var out = [Int](repeating: 0, count: decisions.count)
        for d in decisions.indices.reversed() {
            out[d] = rest % decisions[d].values.count
            rest /= decisions[d].values.count
        }
        return out
    }

    /// Candidate k's values, one per decision.
    public func values(ofCandidate k: Int) -> [Double] {
        zip(decisions, indices(ofCandidate: k)).map { $0.values[$1] }
    }

    /// `12`, `2.5`, `-200000`: a number as people write it.
    public static func plain(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }
}
