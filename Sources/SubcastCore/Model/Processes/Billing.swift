import SubcastStochastics

/// Billing: monthly or annual billing, introductory discounts, each compartment's MRR and cash,
/// and the MRR bridge.
///
/// At sign-up Binomial(n, annual share) of a plan's new subscribers choose annual billing
/// (stream `billing`). Step 7 of the month, per compartment of n subscribers of plan p:
/// MRR = n x unit price x (1 - intro discount while the subscriber's tenure, months paid before
/// this one, is below the intro months) + price per seat x (n + extra seats) + usage. The
/// existing base's tenure counts (a base of tenure 0 counts as new and gets the discount).
/// Annual compartments recognise a twelfth of the year's price a month and pay cash for the
/// year at the start of each contract year; everything else is cash in the month.
/// MRR bridge: per compartment, the change from its carried MRR (last month's MRR of this month's
/// subscribers, which moves with plan movers and upsells) is expansion if positive, contraction if
/// negative, so MRR_m = MRR_(m-1) - churned_mrr_(m-1) + new_mrr_m + expansion_m - contraction_m
/// in every trial (up to rounding) and net_new_mrr_m = new + expansion - contraction - churned MRR
/// of month m. NRR and GRR of month m > 12 compare the MRR of the groups that existed in month
/// m - 12 with their MRR then (GRR counts each group at most at its MRR then): cohort-level.
/// Metrics: `expansion_mrr`, `contraction_mrr`, `net_new_mrr`, `billings`, `cumulative_billings`,
/// `nrr`, `grr`, `seats`, `usage_revenue`.
struct BillingProcess: Sendable {
    static let stream = "billing"
    let annualShare: [Double]
    let introFactor: [Double], introMonths: [Int]

    init(_ scenario: Scenario) {
        annualShare = scenario.plans.map(\.options.annualShare)
        introFactor = scenario.plans.map { 1 - $0.options.introDiscount }
        introMonths = scenario.plans.map { $0.options.introDiscount > 0 ? $0.options.introMonths : 0 }
    }

    /// At sign-up: how many of n new subscribers of plan p bill annually.
    @inline(__always) func annual(_ n: Int, plan p: Int, using g: RandomGenerator) -> Int {
        annualShare[p] > 0 ? Binomial.draw(trials: n, probability: annualShare[p], using: g) : 0
    }

    /// The base MRR per subscriber of plan p at `tenure` months paid before this month.
    @inline(__always) func unitValue(_ unitPrice: Double, plan p: Int, tenure: Int) -> Double {
        tenure < introMonths[p] ? unitPrice * introFactor[p] : unitPrice
    }
}
