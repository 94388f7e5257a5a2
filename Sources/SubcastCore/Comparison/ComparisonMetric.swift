/// A per-trial value on which strategies are compared: a scalar metric (`cltv`), a monthly
/// metric in one month (`mrr@36`) or a monthly flow summed over the horizon
/// (`support_cost@total`).
///
/// By default a comparison uses every monthly metric at the horizon month (so the running
/// totals `cumulative_revenue@36` and `cumulative_cash@36` cover the whole horizon), every
/// monthly flow in `flowMetrics` summed over months 1 ... horizon, and every scalar metric.
public struct ComparisonMetric: Sendable, Hashable, CustomStringConvertible {
    /// Which value of a series is compared.
    public enum Point: Sendable, Hashable {
        /// The single value of a scalar metric.
        case scalar
        /// A monthly metric's value in one reporting month (1 ... horizon).
        case month(Int)
        /// A monthly metric summed over months 1 ... horizon (NaN if any month is).
        case total
    }

    /// The series name, e.g. `mrr` or `cltv`.
    public var metric: String
    public var point: Point

    public init(metric: String, _ point: Point = .scalar) {
        if case let .month(m) = point { precondition(m >= 1) }
        precondition(!metric.isEmpty)
        self.metric = metric
        self.point = point
    }

    /// Parses `metric`, `metric@month` (a whole number >= 1) or `metric@total`; nil if malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, parts.count <= 2 else { return nil }
        if parts.count == 1 {
            self.init(metric: String(first))
        } else if parts[1] == "total" {
            self.init(metric: String(first), .total)
        } else if let m = Int(parts[1]), m >= 1 {
            self.init(metric: String(first), .month(m))
        } else {
            return nil
        }
    }

    /// `metric`, `metric@month` or `metric@total`, as used in series names and reports.
    public var name: String {
        switch point {
        case .scalar: metric
        case let .month(m): "\(metric)@\(m)"
        case .total: "\(metric)@total"
        }
    }

    public var description: String { name }

    /// Which way is better (`MetricDirection`).
    public var direction: MetricDirection { MetricDirection(metric: metric) }

    /// Monthly metrics that count what happens in a month (a flow, `MetricInfo.Kind.flow` in the
    /// registry), whose sum over the horizon is a total (subscribers won and lost, revenue, cash,
    /// costs, tickets, ...). Levels such as `active`, `mrr`, rates, the running `cumulative_*`
    /// totals and the backlog are not summed.
    public static var flowMetrics: Set<String> { Set(MetricRegistry.all.filter(\.isFlow).map(\.name)) }
}
