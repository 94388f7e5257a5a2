import SubcastStochastics

/// Prices: the plans' list prices by month (price events), repricing of existing subscribers
/// and the churn shock of a price rise.
///
/// Step 1 of the month (`reprice`): a price event of month m sets its plan's list price from m
/// on; compartments of that plan that started before m and are not grandfathered are billed the
/// new price from m (annual ones at the annual factor) and, with a churn shock, marked for it.
/// At the month's renewals (`shock`), after churn, Binomial(survivors, shock) of a marked
/// compartment leave (stream `price_shock`), taken uniformly over its conditions.
/// Metric: `price_shock_churned`.
struct Pricing: Sendable {
    static let stream = "price_shock"
    /// [plan][month], months 0 ... lastMonth + 1.
    let listPrice: [[Double]]
    /// Events by month: (plan, shock, grandfather).
    let repriceAt: [[(plan: Int, shock: Double, grandfather: Bool)]]
    /// 12 x (1 - annual discount) per plan.
    let annualFactor: [Double]
    let hasShock: Bool

    init(_ scenario: Scenario, shape: Scenario, lastMonth: Int) {
        let last = lastMonth
        var list = scenario.plans.map { [Double](repeating: $0.pricePerMonth, count: last + 2) }
        var reprice = [[(plan: Int, shock: Double, grandfather: Bool)]](repeating: [], count: last + 2)
        for e in scenario.levers.priceEvents where e.month >= 1 && e.month <= last {
            for m in e.month...(last + 1) { list[e.plan][m] = e.newPricePerMonth }
            reprice[e.month].append((e.plan, e.churnShock, e.grandfather))
        }
        listPrice = list
        repriceAt = reprice
        annualFactor = scenario.plans.map { 12 * (1 - $0.options.annualDiscount) }
        hasShock = shape.levers.priceEvents.contains { $0.churnShock > 0 && !$0.grandfather }
    }

    /// The monthly-equivalent price of plan p on billing b (0 monthly, 1 annual) in month m.
    @inline(__always) func unitPrice(plan p: Int, billing b: Int, month m: Int) -> Double {
        b == 0 ? listPrice[p][m] : listPrice[p][m] * annualFactor[p] / 12
    }

    /// The churn shock of plan p's event in month m (0 without one or when grandfathered).
    func shock(month m: Int, plan p: Int) -> Double {
        var shock = 0.0
        for e in repriceAt[m] where e.plan == p && !e.grandfather { shock = e.shock }
        return shock
    }

    /// Step 1: reprices the compartments that started before month m.
    func reprice(_ t: CompartmentTable, _ shape: ModelShape, _ x: Month) {
        for event in repriceAt[x.m] where !event.grandfather {
            x.forEachGroup { g in
                guard g < shape.B || shape.groupStart(g) < x.m else { return }
                for b in 0..<shape.NB {
                    for c in shape.classes(g, event.plan, b) {
                        t.unitPrice[c] = unitPrice(plan: event.plan, billing: b, month: x.m)
                        if event.shock > 0 { t.shocked[c] = true }
                    }
                }
            }
        }
    }

    /// Renewal step: the shock's leavers of compartment c (survivors of churn are its counts);
    /// removes them and returns how many left.
    @inline(__always)
    func shock(_ t: CompartmentTable, _ c: Int, plan p: Int, _ x: Month, using g: RandomGenerator) -> Int {
        thin(t, c, probability: shock(month: x.m, plan: p), using: g)
    }
}
