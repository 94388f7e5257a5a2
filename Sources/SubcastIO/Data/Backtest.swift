import Foundation
import SubcastCore
import SubcastStochastics

/// `subcast backtest`: fit on the data as they stood on a cut-off date, forecast the following
/// months with the fitted scenario (existing base on the cut-off date, new arrivals at the
/// fitted rate, estimation uncertainty drawn per trial), and set what happened against it.
///
/// The actuals follow the simulation's months customer by customer. In the simulation the
/// existing base pays its current period in month 1 and renews at the end of each month; an
/// arrival of month j pays its first period in month j. So a customer active on the cut-off date
/// c, in period k then, counts as active in month m when they paid period k + m - 1 (survived
/// m - 1 more renewals); one who started in (c + (j - 1) months, c + j months] counts in month
/// m >= j when they paid period m - j + 1. (Calendar months would count every leaver in the month
/// of their renewal date, one month too long.) MRR is the sum of their amounts (the plan's mean
/// amount when a row has none; with plan changes, the fitted price of the plan a customer was on
/// at the start of the period while it was not the file's). For each month and both series: the forecast's mean, P5, P50 and P95, whether the
/// actual lies within P5 ... P95 (coverage, nominally 90 %), and the log score: the log density
/// of the actual under a normal distribution with the trials' mean and standard deviation (sd at
/// least 0.5, a count's rounding).
public struct Backtest: Sendable {
    public struct Month: Sendable {
        public var month: Int
        public var start: CalendarDate
        public var actual: Double
        public var forecast: Summary
        public var inside: Bool { actual >= forecast.p5 && actual <= forecast.p95 }
        public var logScore: Double {
            let sd = max(forecast.sd, 0.5)
            let z = (actual - forecast.mean) / sd
            return -0.5 * z * z - log(sd) - 0.5 * log(2 * Double.pi)
        }
    }

    public var cutoff: CalendarDate
    public var asOf: CalendarDate
    public var active: [Month], mrr: [Month]
    public var fit: CustomerFit
    public var scenario: String
    public var trials: Int, seed: UInt64

    public static func coverage(_ months: [Month]) -> Double {
        months.isEmpty ? .nan : Double(months.filter(\.inside).count) / Double(months.count)
    }
    public static func meanLogScore(_ months: [Month]) -> Double {
        months.isEmpty ? .nan : months.reduce(0) { $0 + $1.logScore } / Double(months.count)
    }

    /// Whole months between the cut-off and the as-of date (at least 1).
    public static func months(from cutoff: CalendarDate, to asOf: CalendarDate) -> Int {
        max(1, SubscriptionsReader.periodsBegun(cutoff, every: 1, before: asOf, inclusive: true) - 1)
    }

    public static func run(_ data: CustomerData, asOf: CalendarDate, trials: Int, seed: UInt64, threads: Int,
                           months requested: Int? = nil) throws -> Backtest {
        let cutoff = data.options.asOf
        let fit = try CustomerFit.fit(data)
        let K = requested ?? months(from: cutoff, to: asOf)
        var context = CustomerFitReport.Context()
        context.horizonMonths = K
        context.trials = trials
        context.seed = seed
        context.name = "backtest-\(cutoff)"
        let text = CustomerFitReport.scenario(fit, context: context)
        let family = try ScenarioLoader.parseFamily(text: text, file: "backtest-scenario.yaml")
        let result = try Simulation.run(family, trials: trials, seed: seed, threads: threads)
        var meanAmount: [String: Double] = [:]
        for (g, name) in fit.churn.groups.enumerated() { if let a = fit.meanAmount[g] { meanAmount[name ?? ""] = a } }
        let amounts = data.allRecords.compactMap(\.amount)
        let overall = amounts.isEmpty ? 0 : amounts.reduce(0, +) / Double(amounts.count)
        var active: [Month] = [], mrr: [Month] = []
        // Per record: the first month it counts in and the period it pays then, and how many periods it paid.
        var counted: [(first: Int, period: Int, paid: Int, record: Int)] = []
        for (j, r) in data.allRecords.enumerated() {
            let paid = r.end.map { max(1, SubscriptionsReader.periodsBegun(r.start, every: 1, before: $0, inclusive: false)) } ?? Int.max
            if r.start <= cutoff {
                guard r.end.map({ $0 > cutoff }) ?? true else { continue }
                counted.append((1, SubscriptionsReader.periodsBegun(r.start, every: 1, before: cutoff, inclusive: true), paid, j))
            } else {
                counted.append((SubscriptionsReader.periodsBegun(cutoff, every: 1, before: r.start, inclusive: false), 1, paid, j))
            }
        }
        // What a record pays in its period k: its amount while on the file's plan (the plan on the
        // as-of date), the fitted price of the plan it was on otherwise (plan changes).
        func amount(_ j: Int, period k: Int) -> Double {
            let r = data.allRecords[j]
            let fallback = meanAmount[data.options.groupByPlan ? r.plan ?? "" : ""] ?? overall
            guard j < data.allPlanChanges.count, let first = data.allPlanChanges[j].first else { return r.amount ?? fallback }
            let start = r.start.adding(months: k - 1)
            let plan = data.allPlanChanges[j].last(where: { $0.date <= start })?.to ?? first.from
            return plan == r.plan ? r.amount ?? fallback : meanAmount[plan] ?? overall
        }
        for m in 1...K {
            let from = cutoff.adding(months: m - 1)
            var n = 0, revenue = 0.0
            for c in counted where c.first <= m && c.paid >= c.period + (m - c.first) {
                n += 1
                revenue += amount(c.record, period: c.period + (m - c.first))
            }
            if let s = result.summary("active", month: m) { active.append(Month(month: m, start: from, actual: Double(n), forecast: s)) }
            if let s = result.summary("mrr", month: m) { mrr.append(Month(month: m, start: from, actual: revenue, forecast: s)) }
        }
        return Backtest(cutoff: cutoff, asOf: asOf, active: active, mrr: mrr, fit: fit, scenario: text, trials: trials, seed: seed)
    }
}
