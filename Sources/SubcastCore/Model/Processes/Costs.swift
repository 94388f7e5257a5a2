import Foundation

/// Costs, cash and value (`Costs`, `Economics`): no random draws of its own; it prices what the
/// other processes counted, at the end of each month (after the licence paths).
///
/// Month m, from the month's counts:
/// - revenue R = MRR + licence receipts (licence sales and maintenance on the subscription path
///   of a licence switch); billings collected C = subscription billings (annual plans a year up
///   front) + licence receipts;
/// - acquisition A = CAC x (paying new subscribers, or sign-ups with `cac_basis: sign_up`) +
///   referral rewards; serving S = (1 - gross_margin) x R + per subscriber x active + per seat x
///   seats + per unit x usage units; fees F = fee share x C; fixed costs X(m) (a schedule);
///   support (agents) and interventions as their processes report them;
/// - `gross_margin_amount` = R - S - F; `contribution` = R - S - F - A - support - interventions;
///   `operating_cash_flow` = C - S - F - A - support - interventions - X; `cumulative_cash` =
///   opening cash + the operating cash flows of months 1 ... m.
/// Per trial: `npv` = sum_m OCF_m / (1 + d)^(m - 1) (d the monthly discount rate; like CLTV a
/// month's cash is discounted to the start of month 1 from the month's start), plus
/// `terminal_value` when asked for: sum over months H + 1 ... H + L of (gross_margin x revenue -
/// per-unit serving costs - fee share x revenue) / (1 + d)^(m - 1) of the subscribers active at
/// the horizon, followed without new arrivals for the CLTV lifetime L; `cash_trough` (lowest
/// cumulative cash) and its month, `runway_months` (months before cumulative cash first falls
/// below 0, else the horizon), `break_even_month` (first month whose operating cash flow is
/// positive and stays positive to the horizon; undefined when the last month's is not).
struct CostsProcess: Sendable {
    let costs: Costs
    let grossMargin: Double
    let cac: MonthlyValue
    let cacPerSignUp: Bool
    let fixed: MonthlyValue
    /// Serving costs per subscriber, seat and usage unit, by month (months 1 ... last simulated).
    let perSubscriber: MonthlyValue, perSeat: MonthlyValue, perUnit: MonthlyValue
    /// True when per-unit serving costs or payment fees apply to each compartment's revenue
    /// (CLTV and the terminal value then count them).
    let hasUnitCosts: Bool
    /// 1 / (1 + d)^(m - 1) by month index m - 1, months 1 ... last simulated month.
    let discount: [Double]

    init(_ scenario: Scenario, lastMonth: Int) {
        let c = scenario.levers.costs ?? Costs()
        costs = c
        grossMargin = scenario.economics.grossMargin
        cac = scenario.economics.cacSchedule.map { MonthlyValue($0, months: scenario.horizonMonths) }
            ?? MonthlyValue(scenario.economics.cacPerSubscriber)
        cacPerSignUp = scenario.economics.cacBasis == .signUp
        fixed = MonthlyValue(c.fixedPerMonth, months: scenario.horizonMonths)
        func byMonth(_ value: Double, _ plan: Schedule?) -> MonthlyValue {
            plan.map { MonthlyValue($0, months: max(lastMonth, 1)) } ?? MonthlyValue(value)
        }
        perSubscriber = byMonth(c.servingPerSubscriber, c.servingPerSubscriberSchedule)
        perSeat = byMonth(c.servingPerSeat, c.servingPerSeatSchedule)
        perUnit = byMonth(c.servingPerUsageUnit, c.servingPerUsageUnitSchedule)
        let horizonMax = { (v: Double, s: Schedule?) in s?.maximum(months: max(lastMonth, 1)) ?? v }
        hasUnitCosts = horizonMax(c.servingPerSubscriber, c.servingPerSubscriberSchedule) > 0
            || horizonMax(c.servingPerSeat, c.servingPerSeatSchedule) > 0
            || horizonMax(c.servingPerUsageUnit, c.servingPerUsageUnitSchedule) > 0 || c.paymentFeeShare > 0
        let d = scenario.discountPerMonth
        var v = [Double](repeating: 1, count: max(lastMonth, 1))
        for i in 1..<v.count { v[i] = v[i - 1] / (1 + d) }
        discount = v
    }

    /// The per-unit serving costs and payment fees of n subscribers with `seats` billed seats,
    /// `units` usage units and revenue `revenue` in a month (CLTV's and the terminal value's basis).
    @inline(__always) func unitCosts(_ n: Int, seats: Int, units: Double, revenue: Double, month m: Int) -> Double {
        perSubscriber(m) * Double(n) + perSeat(m) * Double(seats) + perUnit(m) * units + costs.paymentFeeShare * revenue
    }

    /// The month's costs and cash from its counts; writes the cost metrics into `x` and returns
    /// the operating cash flow.
    func record(_ x: Month, revenue: Double, collected: Double, active: Int, seats: Int, units: Double,
                signUps: Int, payingNew: Int) -> Double {
        let acquisition = cac(x.m) * Double(cacPerSignUp ? signUps : payingNew) + x[.referralCost]
        let m = x.m
        let serving = (1 - grossMargin) * revenue + perSubscriber(m) * Double(active) + perSeat(m) * Double(seats) + perUnit(m) * units
        let fees = costs.paymentFeeShare * collected
        let fixedCost = fixed(x.m)
        let support = x[.supportCost], interventions = x[.interventionCost]
        let total = serving + fees + acquisition + support + interventions + fixedCost
        x[.acquisitionCost] = acquisition
        x[.servingCost] = serving
        x[.paymentFees] = fees
        x[.fixedCosts] = fixedCost
        x[.totalCosts] = total
        x[.grossMarginAmount] = revenue - serving - fees
        x[.contribution] = revenue - serving - fees - acquisition - support - interventions
        let flow = collected - total
        x[.operatingCashFlow] = flow
        return flow
    }

    /// The per-trial value scalars from the horizon's operating cash flows `flow[0 ..< H]`.
    func scalars(flow: UnsafeMutableBufferPointer<Double>, horizon H: Int, terminal: Double, _ put: (Metric, Double) -> Void) {
        if (0..<H).contains(where: { !flow[$0].isFinite }) || !terminal.isFinite {
            // Amounts beyond floating point (absurd prices): every value figure is undefined.
            for metric in [Metric.terminalValue, .npv, .cashTrough, .cashTroughMonth, .runwayMonths, .runsOutOfCash, .breakEvenMonth] {
                put(metric, .nan)
            }
            return
        }
        var npv = 0.0, cash = costs.openingCash
        var trough = Double.infinity, troughMonth = 0, runway = H, ranOut = false
        var breakEven = Double.nan
        for m in 1...H {
            let f = flow[m - 1]
            npv += f * discount[m - 1]
            cash += f
            if cash < trough { trough = cash; troughMonth = m }
            if cash < 0 && !ranOut { runway = m - 1; ranOut = true }
        }
        if flow[H - 1] > 0 {
            var m = H
            while m > 1 && flow[m - 2] > 0 { m -= 1 }
            breakEven = Double(m)
        }
        put(.terminalValue, costs.terminalValue ? terminal : 0)
        put(.npv, npv + (costs.terminalValue ? terminal : 0))
        put(.cashTrough, trough)
        put(.cashTroughMonth, Double(troughMonth))
        put(.runwayMonths, Double(runway))
        put(.runsOutOfCash, ranOut ? 1 : 0)
        put(.breakEvenMonth, breakEven)
    }
}

extension CostsProcess: ModelProcess {
    static let kind = ProcessKind.costs
    static let streams: [String] = []
}
