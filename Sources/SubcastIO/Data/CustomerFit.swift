import Foundation
import SubcastCore
import SubcastStochastics

/// Everything `subcast fit` estimates from customer-level files, and the fitted scenario.
///
/// - churn: `CovariateFit` (per-plan sBG with the condition multipliers of each customer's own
///   propensity, the model the simulation runs);
/// - ramp-up: `RampUpFit` (lognormal with right-censoring) and the share at risk;
/// - ticket rate per plan: in each complete month without a ticket open at its start, a customer
///   raises one with probability q = 1 - exp(-rate), the simulation's rule; q-hat = months with a
///   ticket opened / such months, rate = -ln(1 - q-hat), se from the binomial (delta method);
/// - resolution quality: the share of resolved tickets that were good (Beta(good + 1, bad + 1)
///   as its uncertainty);
/// - acquisition: subscriptions started in the 12 months before the as-of date (fewer when the
///   history is shorter) per month, the plan mix their shares (the rate's uncertainty Poisson:
///   log-sd 1 / sqrt(count));
/// - the existing base on the as-of date by plan, tenure and condition;
/// - with a plan-changes file, the plan moves and the upsell after a good resolution
///   (`PlanChangeFit`). Churn is then fitted by the plan signed up on, ticket rates by the plan
///   of the month, the base and the prices by the plan on the as-of date.
public struct CustomerFit: Sendable {
    public var data: CustomerData
    public var churn: CovariateFit
    public var ramp: RampUpFit?
    public var rampFailure: String?
    /// Per group: (rate, se, exposure months, months with a new ticket).
    public var ticketRates: [(rate: Double, se: Double, months: Int, tickets: Int)]
    public var good: Int, bad: Int
    /// The share resolved well against the backlog (nil when the files do not allow it: fewer
    /// than three months with resolutions, or a backlog that never varies).
    public var quality: QualityFit?
    public var newPerMonth: Double, arrivals: Int, arrivalMonths: Int
    public var planMix: [Double]
    public var meanAmount: [Double?]
    /// Active customers on the as-of date: (group, tenure paid before month 1, condition, months left, count).
    public var base: [(group: Int, tenure: Int, condition: ChurnCondition, monthsLeft: Int, count: Int)]
    /// Moves and upsells (nil without a plan-changes file).
    public var planChanges: PlanChangeFit? = nil

    /// Month by month over the 36 months before the as-of date (windows ending on it): the
    /// tickets open at the window's start (the backlog), those resolved in it with a known
    /// outcome, and the good ones; then `QualityFit`.
    static func qualityFit(_ data: CustomerData) -> QualityFit? {
        let asOf = data.options.asOf
        let tickets = data.customers.flatMap(\.tickets)
        var backlog: [Double] = [], resolved: [Int] = [], good: [Int] = []
        for k in (0..<36).reversed() {
            let from = asOf.adding(months: -(k + 1)), to = asOf.adding(months: -k)
            var b = 0, n = 0, g = 0
            for t in tickets {
                if t.opened <= from && (t.resolved.map { $0 > from } ?? true) { b += 1 }
                if let r = t.resolved, r > from, r <= to, r <= asOf, let ok = t.good {
                    n += 1
                    if ok { g += 1 }
                }
            }
            backlog.append(Double(b)); resolved.append(n); good.append(g)
        }
        return QualityFit.fit(backlog: backlog, resolved: resolved, good: good)
    }

    /// P(R > threshold | R > observed months) for an ambiguous customer (1 when the customer is
    /// known to be slow or fast); 0 without a ramp-up fit.
    public static func slowProbability(_ c: CustomerData.Customer, ramp: RampUpFit?, threshold: Double) -> Double {
        guard c.ambiguous else { return 1 }
        guard let r = ramp else { return 0 }
        let z = { (x: Double) in (log(max(x, RampUpFit.minimumMonths)) - log(r.median)) / r.logSD }
        let tail = InverseCDF.standardNormalSurvival(z(c.observedMonths))
        return tail > 0 ? min(1, InverseCDF.standardNormalSurvival(z(threshold)) / tail) : 1
    }

    public var goodShare: Double { good + bad > 0 ? Double(good) / Double(good + bad) : .nan }

    public static func fit(_ data: CustomerData) throws(SBGFit.FitError) -> CustomerFit {
        let o = data.options
        // The ramp-up and churn fits share the undecided customers (not activated, observed less
        // than the threshold): alternate them to the joint maximum (block coordinate ascent).
        var ramp: RampUpFit? = nil, rampFailure: String? = nil
        var activated: [Double] = [], censored: [Double] = []
        if data.hasActivations {
            for c in data.customers {
                if let r = c.rampMonths { activated.append(r) } else if !c.undecided {
                    censored.append(c.observedMonths)
                }
            }
            let first = data.customers.filter(\.undecided).map(\.observedMonths)
            do { ramp = try RampUpFit.fit(activated: activated, censored: censored + first) } catch { rampFailure = error.message }
        }
        func churnFit(_ ramp: RampUpFit?, from: [Double]? = nil, tests: Bool = true) throws(SBGFit.FitError) -> CovariateFit {
            let weights = data.customers.map { slowProbability($0, ramp: ramp, threshold: o.thresholdMonths) }
            let histories = zip(data.customers, weights).map { c, w in
                CustomerHistory(id: c.record.id, group: c.group, conditions: c.history, churned: c.churned,
                                alternative: c.ambiguous ? c.historyIfFast : nil, weight: c.ambiguous ? w : 1)
            }
            return try CovariateFit.fit(histories, groups: data.groups, from: from, tests: tests)
        }
        let undecidedCount = data.customers.filter(\.undecided).count
        var churn = try churnFit(ramp, tests: undecidedCount == 0 || ramp == nil)
        if var current = ramp {
            for _ in 0..<6 {
                let undecided = data.customers.filter(\.undecided).map { c in
                    RampUpFit.Undecided(observed: c.observedMonths,
                                        logSlow: churn.logLikelihood(group: c.group, conditions: c.history, churned: c.churned),
                                        logFast: churn.logLikelihood(group: c.group, conditions: c.historyIfFast, churned: c.churned))
                }
                if undecided.isEmpty { break }
                guard let next = try? RampUpFit.fit(activated: activated, censored: censored, undecided: undecided,
                                                    threshold: o.thresholdMonths) else { break }
                let moved = abs(log(next.median / current.median)) + abs(log(next.logSD / current.logSD))
                current = next
                churn = try churnFit(current, from: churn.theta, tests: false)
                if moved < 1e-5 { break }
            }
            ramp = current
            // The final fit, with its likelihood-ratio tests.
            if undecidedCount > 0 { churn = try churnFit(current, from: churn.theta) }
        }
        // A scenario takes a ramp-up median up to 120 months and a log-sd up to 5.
        if let r = ramp, !(r.median > 0 && r.median <= 120 && r.logSD > 0 && r.logSD <= 5) {
            rampFailure = "the fitted ramp-up time (median \(r.median) months, log-sd \(r.logSD)) is outside what a scenario "
                + "takes (median up to 120 months, log-sd up to 5): too few activations to pin it down"
            ramp = nil
        }
        if data.groups.count > ScenarioLoader.Limits.maximumPlans {
            throw SBGFit.FitError(message: "\(data.groups.count) plans; a scenario takes at most \(ScenarioLoader.Limits.maximumPlans) (fit without --by-plan)")
        }
        if let old = data.customers.first(where: { !$0.churned && $0.tenure - 1 > 12_000 }) {
            throw SBGFit.FitError(message: "subscription '\(old.record.id)' (line \(old.record.line)) has been active for \(old.tenure) months "
                                  + "since \(old.record.start); a scenario takes tenures up to 12,000 months: check its start date")
        }
        let weights = data.customers.map { slowProbability($0, ramp: ramp, threshold: o.thresholdMonths) }
        let G = data.groups.count
        var rates: [(Double, Double, Int, Int)] = []
        var good = 0, bad = 0
        var exposure = [Int](repeating: 0, count: G), raised = [Int](repeating: 0, count: G)
        for c in data.customers {
            let s = c.record.start
            func period(_ d: CalendarDate) -> Int { SubscriptionsReader.periodsBegun(s, every: 1, before: d, inclusive: true) }
            let complete = c.churned ? c.tenure : c.tenure - 1
            let spans = c.tickets.map { t in (period(t.opened), t.resolved.flatMap { $0 <= o.asOf ? period($0) : nil }) }
            for t in c.tickets {
                if let d = t.resolved, d <= o.asOf, let g = t.good { if g { good += 1 } else { bad += 1 } }
            }
            guard complete >= 1, data.hasTickets else { continue }
            for m in 1...complete {
                // Open at the start of period m: opened before it, not resolved before it.
                let carried = spans.contains { $0.0 < m && ($0.1.map { $0 >= m } ?? true) }
                if carried { continue }
                // The plan at the start of period m.
                let periodStart = s.adding(months: m - 1)
                let g = c.planChanges.last(where: { $0.date <= periodStart })?.to ?? c.group
                exposure[g] += 1
                if spans.contains(where: { $0.0 == m }) { raised[g] += 1 }
            }
        }
        for g in 0..<G {
            let n = Double(max(exposure[g], 1)), q = min(Double(raised[g]) / n, 1 - 1e-9)
            let rate = -log1p(-q)
            let se = (q * (1 - q) / n).squareRoot() / (1 - q)
            rates.append((rate, se, exposure[g], raised[g]))
        }
        // Acquisition over the last (up to) 12 months.
        let first = data.customers.map(\.record.start).min() ?? o.asOf
        let months = max(1, min(12, SubscriptionsReader.periodsBegun(first, every: 1, before: o.asOf, inclusive: true)))
        let since = o.asOf.adding(months: -months)
        var arrivals = [Int](repeating: 0, count: G)
        for c in data.customers where c.record.start > since { arrivals[c.group] += 1 }
        let totalArrivals = arrivals.reduce(0, +)
        let mix = totalArrivals > 0 ? arrivals.map { Double($0) / Double(totalArrivals) } : [Double](repeating: 1 / Double(G), count: G)
        var amounts = [Double?](repeating: nil, count: G)
        // The plan's price: the mean amount of its customers active on the as-of date (so the
        // forecast starts from today's MRR; without --by-plan the mix of survivors differs from
        // that of sign-ups), of all its customers when none is active. An amount is that of the
        // subscriptions file's plan (the plan on the file's as-of date, after any later change).
        for g in 0..<G {
            let active = data.customers.filter { $0.amountGroup == g && !$0.churned }.compactMap(\.record.amount)
            let xs = active.isEmpty ? data.customers.filter { $0.amountGroup == g }.compactMap(\.record.amount) : active
            if !xs.isEmpty { amounts[g] = xs.reduce(0, +) / Double(xs.count) }
        }
        // The base by cell; an ambiguous customer counts w at risk and 1 - w in the other reading.
        var cells: [String: (Int, Int, ChurnCondition, Int, Double)] = [:]
        func add(_ c: CustomerData.Customer, _ k: ChurnCondition, _ left: Int, _ n: Double) {
            let key = "\(c.currentGroup)/\(c.tenure - 1)/\(k.rawValue)/\(left)"
            cells[key, default: (c.currentGroup, c.tenure - 1, k, left, 0)].4 += n
        }
        for (c, w) in zip(data.customers, weights) where !c.churned {
            if c.ambiguous && c.current != c.currentIfFast {
                // The posterior of the slow reading given the customer's renewals so far.
                let ls = churn.logLikelihood(group: c.group, conditions: c.history, churned: false)
                let lf = churn.logLikelihood(group: c.group, conditions: c.historyIfFast, churned: false)
                let top = max(ls, lf)
                let a = w * exp(ls - top), b = (1 - w) * exp(lf - top)
                let post = a + b > 0 ? a / (a + b) : w
                add(c, c.current, c.monthsLeft, post)
                add(c, c.currentIfFast, 0, 1 - post)
            } else {
                add(c, c.current, c.monthsLeft, 1)
            }
        }
        // Whole counts that keep the running total (cumulative rounding in a fixed order).
        var running = 0.0, placed = 0
        let base = cells.values.sorted { ($0.0, $0.1, $0.2.rawValue, $0.3) < ($1.0, $1.1, $1.2.rawValue, $1.3) }
            .map { cell -> (group: Int, tenure: Int, condition: ChurnCondition, monthsLeft: Int, count: Int) in
                running += cell.4
                let n = Int(running.rounded()) - placed
                placed += n
                return (group: cell.0, tenure: cell.1, condition: cell.2, monthsLeft: cell.3, count: n)
            }
        if base.filter({ $0.count > 0 }).count > ScenarioLoader.Limits.maximumExisting {
            throw SBGFit.FitError(message: "the active base falls into \(base.count) (plan, tenure, condition) groups; a scenario takes at most "
                                  + "\(ScenarioLoader.Limits.maximumExisting) existing entries")
        }
        return CustomerFit(data: data, churn: churn, ramp: ramp, rampFailure: rampFailure,
                           ticketRates: rates.map { (rate: $0.0, se: $0.1, months: $0.2, tickets: $0.3) },
                           good: good, bad: bad, quality: data.hasTickets ? qualityFit(data) : nil, newPerMonth: Double(totalArrivals) / Double(months),
                           arrivals: totalArrivals, arrivalMonths: months, planMix: mix, meanAmount: amounts, base: base,
                           planChanges: data.hasPlanChanges ? PlanChangeFit.fit(data) : nil)
    }
}
