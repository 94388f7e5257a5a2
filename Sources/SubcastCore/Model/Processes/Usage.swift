import SubcastStochastics

/// Usage pricing (`Usage`): n subscribers' usage in a month is one Gamma(n / cv^2, mean cv^2)
/// draw (stream `usage`), the mean per subscriber growing with the subscriber's tenure
/// (months paid before this one, which for the existing base includes its tenure at month 1):
/// mean_units x (1 + growth)^tenure, capped at `Usage.maximumMeanUnits`. Metric: `usage_revenue`.
struct UsageProcess: Sendable {
    static let stream = "usage"
    let usage: [Usage?]

    init?(_ scenario: Scenario, shape: Scenario) {
        guard shape.plans.contains(where: { $0.options.usage != nil }) else { return nil }
        usage = scenario.plans.map(\.options.usage)
    }

    /// The usage units of n subscribers of plan p with `tenure` months paid before this month.
    @inline(__always) func units(_ n: Int, plan p: Int, tenure: Int, using g: RandomGenerator) -> Double {
        guard let u = usage[p], n > 0 else { return 0 }
        let mean = min(u.meanUnitsPerMonth * _pow(1 + u.growthPerMonth, Double(tenure)), Usage.maximumMeanUnits)
        let cv2 = u.cv * u.cv
        return Gamma.draw(shape: Double(n) / cv2, scale: mean * cv2, using: g)
    }

    /// The price of one unit of plan p's usage (0 without usage pricing).
    @inline(__always) func price(plan p: Int) -> Double { usage[p]?.pricePerUnit ?? 0 }
}
