import Foundation
import SubcastCore
import SubcastStochastics

/// `subcast score`: every active customer's risk and value under the fitted model.
///
/// For a customer of plan g in period n (n - 1 renewals survived, with n_0 of them healthy and
/// n_k in condition k), the posterior of their own churn propensity is
/// Beta(alpha, beta + n_0) x prod_k (1 - min(1, x_k p))^n_k (`CovariateFit`), represented by the
/// nodes and weights of its 16-point Gauss-Jacobi rule. From the coming renewal on, the
/// customer's condition follows the model's rules with no new tickets:
/// - detractor / promoter with r renewals left: x_k for r renewals, then healthy;
/// - waiting: x_waiting at the coming renewal, then (the ticket resolved in the next month) a
///   promoter for `promoter_months` with the fitted share of good resolutions, else a detractor;
/// - at risk: at risk while the ramp-up time R exceeds the renewal number - 1, R from the fitted
///   lognormal given R > max(threshold, months observed): a mixture over how many renewals
///   (1 ... 36; the chance of more is counted as 36);
/// - healthy: healthy.
/// A customer whose at-risk status is not yet known (not activated, observed less than the
/// threshold) is the mixture of both readings, weighted by their prior probability times their
/// likelihood. Then, with x = 1 / (1 + d):
/// ```
/// P(leave within h) = 1 - E[prod_{t < h} (1 - min(1, x_t p))]
/// DERL = sum_{j >= 1} x^j E[prod_{t < j} (1 - min(1, x_t p))]   (healthy tail: (1 - p) x / (1 - (1 - p) x))
/// ```
/// Value at risk = amount x (DERL if the customer were healthy from now on - DERL): what
/// restoring health is worth; the intervention's expected value is success rate x value at risk
/// - cost (from the scenario's `onboarding.intervention`).
public struct CustomerScore: Sendable {
    public struct Row: Sendable {
        public var id: String
        public var plan: String?
        public var tenure: Int
        public var condition: ChurnCondition
        public var monthsLeft: Int
        public var amount: Double
        /// P(leave within 1, 3, 12 months).
        public var leave: [Double]
        public var derl: Double, healthyDERL: Double
        public var residualRevenue: Double { amount * derl }
        public var valueAtRisk: Double { amount * (healthyDERL - derl) }
        public var interventionValue: Double?
        public var reasons: [String]
    }

    public static let horizons = [1, 3, 12]
    static let points = 16

    public var rows: [Row]
    public var discountPerMonth: Double
    public var intervention: (success: Double, cost: Double)?

    /// One way the future can go: a probability and the multipliers of the next renewals (then healthy).
    typealias Path = (probability: Double, multipliers: [Double])

    public static func score(_ f: CustomerFit, discountPerMonth d: Double,
                             intervention: (success: Double, cost: Double)? = nil) -> CustomerScore {
        let c = f.churn, o = f.data.options
        let x = ChurnCondition.allCases.map { c.multiplier($0) }
        let fcr = f.good + f.bad > 0 ? f.goodShare : 0.5
        let ramp = f.ramp
        func rampSurvival(_ months: Double) -> Double {
            guard let r = ramp else { return 0 }
            return InverseCDF.standardNormalSurvival((log(max(months, RampUpFit.minimumMonths)) - log(r.median)) / r.logSD)
        }
        func paths(_ condition: ChurnCondition, left: Int, tenure: Int, observed: Double, activated: Bool) -> [Path] {
            switch condition {
            case .healthy: return [(1, [])]
            case .detractor: return [(1, [Double](repeating: x[3], count: max(1, left)))]
            case .promoter: return [(1, [Double](repeating: x[4], count: max(1, left)))]
            case .waiting:
                return [(fcr, [x[2]] + [Double](repeating: x[4], count: o.promoterMonths)),
                        (1 - fcr, [x[2]] + [Double](repeating: x[3], count: o.detractorMonths))]
            case .atRisk where activated:
                // Activated during the current period: at risk at the coming renewal only.
                return [(1, [x[1]])]
            case .atRisk:
                // At risk at future renewal t (renewal number tenure + t) while R > tenure + t - 1.
                let from = max(o.thresholdMonths, observed)
                let s0 = rampSurvival(from)
                guard s0 > 0 else { return [(1, [x[1]])] }
                var q: [Double] = [1]
                // Paths of m = 1 ... 36 at-risk renewals (the last takes the rest of the probability).
                let longest = 36
                for t in 1...longest { q.append(min(1, rampSurvival(max(from, Double(tenure + t - 1))) / s0)) }
                var out: [Path] = []
                for m in 1...longest {
                    let pm = m == longest ? q[m - 1] : q[m - 1] - q[m]
                    if pm > 1e-12 { out.append((pm, [Double](repeating: x[1], count: m))) }
                }
                return out
            }
        }
        let discount = 1 / (1 + d)
        // E[(1 - p)^m G(p)] under the prior Beta(alpha_g, beta_g) is
        // B(alpha, beta + m) / B(alpha, beta) E_{Beta(alpha, beta + m)}[G(p)]: the rule of the
        // tilted Beta integrates the low-degree factor G exactly (while no cap binds), however
        // many healthy renewals m there are. Rules and ratios are cached by (group, m).
        var rules: [Int: GaussJacobi.Rule] = [:]
        var ratios: [Int: Double] = [:]
        func rule(_ g: Int, _ m: Int) -> GaussJacobi.Rule {
            let key = g &* 1_000_003 &+ m
            if let r = rules[key] { return r }
            let a = min(max(c.alpha[g], 1e-6), 1e6), b = min(max(c.beta[g] + Double(m), 1e-6), 1e6)
            let r = (try? GaussJacobi.betaRule(points: points, alpha: a, beta: b))
                ?? GaussJacobi.Rule(nodes: [a / (a + b)], weights: [1])
            rules[key] = r
            return r
        }
        func ratio(_ g: Int, _ m: Int) -> Double {
            let key = g &* 1_000_003 &+ m
            if let v = ratios[key] { return v }
            let v = exp(((try? SpecialFunctions.logBeta(c.alpha[g], c.beta[g] + Double(m))) ?? -.infinity)
                        - ((try? SpecialFunctions.logBeta(c.alpha[g], c.beta[g])) ?? 0))
            ratios[key] = v
            return v
        }
        func factor(_ mult: Double, _ p: Double) -> Double { 1 - min(1, mult * p) }
        /// For one reading (n0 healthy past renewals, the past's other multipliers) and its future
        /// paths: Z (the history's likelihood), and per path the unnormalised survival at the
        /// horizons and the discounted sum sum_j x^j U_j.
        func paths(for g: Int, n0: Int, past: [Double], _ ps: [Path]) -> (z: Double, alive: [[Double]], derl: [Double]) {
            let r0 = rule(g, n0), c0 = ratio(g, n0)
            var z = 0.0
            var alive = [[Double]](repeating: [Double](repeating: 0, count: horizons.count), count: ps.count)
            var derl = [Double](repeating: 0, count: ps.count)
            // Within each path (j <= L): the rule of Beta(alpha, beta + n0).
            for (p, w) in zip(r0.nodes, r0.weights) {
                let base = past.reduce(w * c0) { $0 * factor($1, p) }
                z += base
                for (i, path) in ps.enumerated() {
                    var u = base, power = 1.0
                    for (j, mult) in path.multipliers.enumerated() {
                        u *= factor(mult, p)
                        power *= discount
                        derl[i] += power * u
                        for (h, horizon) in horizons.enumerated() where horizon == j + 1 { alive[i][h] += u }
                    }
                }
            }
            // After the path, healthy: month L + k has k more healthy renewals.
            let tailRules = 400
            // Paths that extend the previous one by one renewal reuse its product (the at-risk paths).
            let extends = ps.indices.map { i in
                i > 0 && ps[i].multipliers.count == ps[i - 1].multipliers.count + 1
                    && Array(ps[i].multipliers.dropLast()) == ps[i - 1].multipliers
            }
            let lengths = ps.map(\.multipliers.count)
            var powers = [Double](repeating: 0, count: ps.count)
            for k in 1...tailRules {
                let rk = rule(g, n0 + k), ck = ratio(g, n0 + k)
                for i in ps.indices { powers[i] = _pow(discount, Double(lengths[i] + k)) }
                for (p, w) in zip(rk.nodes, rk.weights) {
                    var base = w * ck
                    for mult in past { base *= factor(mult, p) }
                    var product = 1.0
                    for i in ps.indices {
                        let m = ps[i].multipliers
                        if extends[i] {
                            product *= factor(m[m.count - 1], p)
                        } else {
                            product = 1
                            for mult in m { product *= factor(mult, p) }
                        }
                        let u = base * product
                        derl[i] += powers[i] * u
                        if lengths[i] + k <= 12 {
                            for (h, horizon) in horizons.enumerated() where horizon == lengths[i] + k { alive[i][h] += u }
                        }
                    }
                }
            }
            // Beyond: the tilted Beta concentrates at its mean; G at the mean, the ratio by recursion.
            let a = c.alpha[g]
            for (i, path) in ps.enumerated() {
                var m = n0 + tailRules, cm = ratio(g, m), k = tailRules
                var added = 0.0
                let all = past + path.multipliers
                var power = _pow(discount, Double(path.multipliers.count + k))
                repeat {
                    cm *= (c.beta[g] + Double(m)) / (a + c.beta[g] + Double(m))
                    m += 1
                    k += 1
                    power *= discount
                    let mean = a / (a + c.beta[g] + Double(m))
                    var gValue = 1.0
                    for mult in all { gValue *= factor(mult, mean) }
                    added = power * cm * gValue
                    derl[i] += added
                } while added > 1e-16 * max(derl[i], 1e-300) && k < 200_000
            }
            return (z, alive, derl)
        }
        var rows: [Row] = []
        for cust in f.data.customers where !cust.churned {
            let g = cust.group
            // The readings of the customer's history: (prior weight, history, current condition, months left).
            var readings: [(Double, [ChurnCondition], ChurnCondition, Int)] = [(1, cust.history, cust.current, cust.monthsLeft)]
            if cust.ambiguous && (cust.history != cust.historyIfFast || cust.current != cust.currentIfFast) {
                let w = CustomerFit.slowProbability(cust, ramp: ramp, threshold: o.thresholdMonths)
                readings = [(w, cust.history, cust.current, cust.monthsLeft), (1 - w, cust.historyIfFast, cust.currentIfFast, 0)]
            }
            var leave = [Double](repeating: 0, count: horizons.count)
            var derl = 0.0, healthy = 0.0, total = 0.0
            var weights: [Double] = []
            var results: [(z: Double, leave: [Double], derl: Double, healthy: Double)] = []
            for (prior, history, current, left) in readings {
                let n0 = history.filter { $0 == .healthy }.count
                let past = history.filter { $0 != .healthy }.map { x[$0.rawValue] }
                let ps = paths(current, left: left, tenure: cust.tenure, observed: cust.observedMonths, activated: cust.rampMonths != nil)
                let r = paths(for: g, n0: n0, past: past, ps + [(1, [])])
                guard r.z > 0 else { results.append((0, [0, 0, 0], 0, 0)); weights.append(0); continue }
                var l = [Double](repeating: 0, count: horizons.count), v = 0.0
                for (i, path) in ps.enumerated() {
                    for h in l.indices { l[h] += path.probability * (1 - r.alive[i][h] / r.z) }
                    v += path.probability * r.derl[i] / r.z
                }
                results.append((r.z, l, v, r.derl[ps.count] / r.z))
                weights.append(prior * r.z)
                total += prior * r.z
            }
            guard total > 0 else { continue }
            var condition = readings[0].2
            let slowWeight = weights[0] / total
            for (w, r) in zip(weights, results) {
                for h in leave.indices { leave[h] += w / total * r.leave[h] }
                derl += w / total * r.derl
                healthy += w / total * r.healthy
            }
            if readings.count > 1 && slowWeight < 0.5 { condition = readings[1].2 }
            // The plan the customer is on now (churn follows the plan signed up on, as in the fit).
            let amount = cust.record.amount ?? f.meanAmount[cust.amountGroup ?? cust.currentGroup] ?? 0
            var row = Row(id: cust.record.id, plan: c.groups[cust.currentGroup], tenure: cust.tenure, condition: condition,
                          monthsLeft: condition == readings[0].2 ? readings[0].3 : 0, amount: amount, leave: leave,
                          derl: derl, healthyDERL: healthy, interventionValue: nil, reasons: [])
            if let iv = intervention { row.interventionValue = iv.success * row.valueAtRisk - iv.cost }
            row.reasons = reasons(cust, row: row, fit: f, slowProbability: readings.count > 1 ? slowWeight : nil)
            rows.append(row)
        }
        // Exceptions by hazard: the coming renewal's churn in the top decile of active customers.
        let hazards = rows.map { $0.leave[0] }.sorted()
        if hazards.count >= 10 {
            let cut = hazards[Int(0.9 * Double(hazards.count - 1))]
            for i in rows.indices where rows[i].leave[0] >= cut && rows[i].leave[0] > 0 {
                rows[i].reasons.append("churn at the coming renewal \(NumberFormat.percent(rows[i].leave[0])) (top 10 % of active customers)")
            }
        }
        rows.sort { a, b in
            let va = a.interventionValue ?? a.valueAtRisk, vb = b.interventionValue ?? b.valueAtRisk
            if va != vb { return va > vb }
            if a.leave[1] != b.leave[1] { return a.leave[1] > b.leave[1] }
            return a.id < b.id
        }
        return CustomerScore(rows: rows, discountPerMonth: d, intervention: intervention)
    }

    static func reasons(_ c: CustomerData.Customer, row: Row, fit f: CustomerFit, slowProbability: Double?) -> [String] {
        var out: [String] = []
        let o = f.data.options
        if let since = c.openSince { out.append("ticket open since \(since)") }
        if row.condition == .detractor, let last = c.lastResolution, !last.good {
            out.append("badly resolved ticket on \(last.date) (detractor for \(row.monthsLeft) more renewal\(row.monthsLeft == 1 ? "" : "s"))")
        }
        if c.rampMonths == nil && f.data.hasActivations, let r = f.ramp,
           case let share = InverseCDF.standardNormalSurvival((log(max(c.observedMonths, RampUpFit.minimumMonths)) - log(r.median)) / r.logSD),
           share < 0.2 {
            // Slower than the fitted normal: fewer than one in five customers take this long.
            out.append("not productive after \(FitReport.fmt(c.observedMonths, 1)) months (normal: median \(FitReport.fmt(r.median, 2)); "
                       + "\(NumberFormat.percent(share)) take longer)"
                       + (slowProbability.map { " - at risk with probability \(NumberFormat.percent($0))" } ?? ""))
        } else if let r = c.rampMonths, r > o.thresholdMonths, row.condition == .atRisk {
            out.append("ramp-up of \(FitReport.fmt(r, 1)) months, beyond the \(FitReport.fmt(o.thresholdMonths, 1))-month threshold")
        }
        return out
    }
}
