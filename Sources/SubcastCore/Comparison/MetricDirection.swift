/// Which way is better for a metric: the one place that decides what "strategy A beats B" means.
///
/// Lower is better for churn (counts, rates and lost MRR), costs, the support backlog, bad
/// ticket resolutions and detractors, customers at risk in onboarding, and times and depths
/// that one would rather shorten (`cac_payback_month`, `valley_depth`, `valley_months`,
/// `overtake_month`): the metrics in `lowerIsBetterMetrics`. Every other metric (revenue, customers,
/// value, retention, NRR and GRR, cash, ...) defaults to higher is better, so a metric added to
/// the model later counts as "more is better" until it is listed here.
///
/// ```swift
/// MetricDirection(metric: "mrr")              // .higherIsBetter
/// MetricDirection(metric: "logo_churn_rate")  // .lowerIsBetter
/// ```
public enum MetricDirection: String, Sendable, Hashable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"

    /// The metrics (series names, without a `@month` suffix) for which lower is better.
    public static let lowerIsBetterMetrics: Set<String> = [
        // churn
        "churned", "logo_churn_rate", "revenue_churn_rate", "churned_mrr", "contraction_mrr",
        "involuntary_churned", "price_shock_churned", "support_churn",
        // costs
        "support_cost", "intervention_cost",
        // support load and outcomes
        "tickets", "backlog", "bad_resolutions", "detractors",
        // onboarding
        "at_risk",
        // times and depths
        "cac_payback_month", "valley_depth", "valley_months", "overtake_month",
    ]

    /// The direction of a metric (`metric` is a series name such as `mrr` or `cltv`).
    public init(metric: String) {
        self = MetricDirection.lowerIsBetterMetrics.contains(metric) ? .lowerIsBetter : .higherIsBetter
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
