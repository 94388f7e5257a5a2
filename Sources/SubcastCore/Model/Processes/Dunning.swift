import SubcastStochastics

/// Involuntary churn (`Dunning`): at each payment (every month on monthly billing, at the yearly
/// renewal on annual billing) a payment fails with probability f and dunning recovers it with
/// probability r; the unrecovered subscribers churn. Drawn after churn and the price shock as
/// one thinning, Binomial(survivors, f (1 - r)) (stream `dunning`), taken uniformly over the
/// compartment's conditions. Metric: `involuntary_churned` (in every lever scenario, 0 without
/// dunning).
struct DunningProcess: Sendable {
    static let stream = "dunning"
    /// Probability that a payment fails and is not recovered, by month.
    let lossPerPayment: MonthlyValue

    init?(_ scenario: Scenario) {
        guard let d = scenario.levers.dunning else { return nil }
        lossPerPayment = MonthlyValue(d.failureRate * (1 - d.recoveryProbability))
    }

    /// Removes the subscribers of compartment c whose payment is lost; returns how many.
    @inline(__always)
    func step(_ t: CompartmentTable, _ c: Int, month m: Int, using g: RandomGenerator) -> Int {
        thin(t, c, probability: lossPerPayment(m), using: g)
    }
}
