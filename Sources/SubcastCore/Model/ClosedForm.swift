import Foundation
import SubcastStochastics

/// Exact expectations of the cohort model, computed without simulation.
///
/// The model is linear in expectation, so with S_p(k) the sBG survival of plan p:
/// ```
/// E[new in month m]    = lambda_m = lambda (1 + g)^(m - 1)
/// E[active in month m] = sum_base n_i S_p(T_i + m - 1) / S_p(T_i)
///                      + sum_{c=1}^{m} lambda_c sum_p mix_p S_p(m - c)
/// E[MRR in month m]    = the same with each term times price_p
/// E[retention at tenure month a + 1] = sum_p mix_p S_p(a)         (given at least one arrival)
/// E[CLTV] = margin sum_p mix_p price_p sum_{a=0}^{L-1} S_p(a) / (1 + d)^a   (given an arrival)
/// ```
/// Reports print these next to the simulated means; tests hold the engine to them.
public struct ClosedForm: Sendable, Hashable {
    public var active: [Double]
    public var mrr: [Double]
    public var new: [Double]
    public var retention: [Double]
    public var cltv: Double
    /// margin x sum_p mix_p price_p DEL_p(d): CLTV with an unlimited lifetime horizon.
    public var cltvUnlimited: Double
    /// True when some plan's churn parameters are uncertain: the values above are then those at
    /// the point estimates, not the expectation over the parameter distribution.
    public var atPointEstimates: Bool

    public init(_ scenario: Scenario) {
        let H = scenario.horizonMonths
        let plans = scenario.plans
        let mix = scenario.acquisition.planMix
        // survival[p][k], k = 0 ..< H
        let survival = plans.map { plan in (0..<H).map { plan.churn.survival($0) } }
        var active = [Double](repeating: 0, count: H)
        var mrr = [Double](repeating: 0, count: H)
        for base in scenario.existing {
            let churn = plans[base.plan].churn
            let s0 = churn.survival(base.tenureMonths)
            for m in 1...H {
                let n = Double(base.count) * churn.survival(base.tenureMonths + m - 1) / s0
                active[m - 1] += n
                mrr[m - 1] += n * plans[base.plan].pricePerMonth
            }
        }
        atPointEstimates = plans.contains { $0.churnUncertainty != nil }
        let lambda = (1...H).map { scenario.acquisition.meanArrivals(month: $0) }
        for m in 1...H {
            for c in 1...m {
                for p in plans.indices where mix[p] > 0 {
                    let n = lambda[c - 1] * mix[p] * survival[p][m - c]
                    active[m - 1] += n
                    mrr[m - 1] += n * plans[p].pricePerMonth
                }
            }
        }
        self.active = active
        self.mrr = mrr
        new = lambda
        retention = (0..<H).map { a in plans.indices.reduce(0.0) { $0 + mix[$1] * survival[$1][a] } }
        let d = scenario.discountPerMonth
        let margin = scenario.economics.grossMargin
        cltv = margin * plans.indices.reduce(0.0) { sum, p in
            sum + mix[p] * plans[p].pricePerMonth
                * plans[p].churn.discountedExpectedPayments(months: scenario.lifetimeMonths, discountPerMonth: d)
        }
        cltvUnlimited = d > 0 ? margin * plans.indices.reduce(0.0) { sum, p in
            sum + mix[p] * plans[p].pricePerMonth * plans[p].churn.discountedExpectedLifetime(discountPerMonth: d)
        } : .infinity
    }
}
