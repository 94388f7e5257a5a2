/// Which way is better for a metric: the one place that decides what "strategy A beats B" means.
///
/// The direction of each model metric is declared in the metric registry (`MetricRegistry`,
/// `MetricInfo.direction`): lower is better for churn, costs, the backlog, detractors, times
/// and depths one would rather shorten; higher for revenue, customers, value and retention.
/// A series outside the registry (the drawn value of an uncertain input) counts as higher is
/// better.
///
/// ```swift
/// MetricDirection(metric: "mrr")              // .higherIsBetter
/// MetricDirection(metric: "logo_churn_rate")  // .lowerIsBetter
/// ```
public enum MetricDirection: String, Sendable, Hashable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"

    /// The metrics (series names) for which lower is better, from the registry.
    public static var lowerIsBetterMetrics: Set<String> {
        Set(MetricRegistry.all.filter { $0.direction == .lowerIsBetter }.map(\.name))
    }

    /// The direction of a metric (`metric` is a series name such as `mrr` or `cltv`).
    public init(metric: String) {
        self = MetricRegistry.info(metric)?.direction ?? .higherIsBetter
    }

    /// True when `a` is strictly better than `b` in this direction (false when either is NaN).
    @inlinable
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        switch self {
        case .higherIsBetter: a > b
        case .lowerIsBetter: a < b
        }
    }
}
