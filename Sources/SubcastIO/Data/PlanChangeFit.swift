import Foundation
import SubcastCore
import SubcastStochastics

/// Plan changes in the customer data: the monthly rates of moving between plans (the scenario's
/// plan `moves`) and the chance that a well resolved ticket leads to an upgrade (each plan's
/// `upsell_to` and `support.good_resolution.upsell_probability`).
///
/// Time is counted in calendar months since each customer's start. After every good resolution
/// (resolved on or before the as-of date) comes its **window**: the month after the resolution,
/// cut short by the next good resolution of the same customer, the end of the subscription or the
/// as-of date. The simulation upsells in the month of the resolution; a real upgrade follows it
/// by days, so the window is where an upsell shows.
///
/// - **Moves.** Outside the windows every change from plan p to plan q counts as a move; with
///   c(p, q) such changes in M(p) months on p outside the windows, the rates are
///   r(p, q) = c(p, q) / M(p), and the monthly probabilities competing risks,
///   m(p, q) = r(p, q) / R(p) x (1 - exp(-R(p))) with R(p) the sum over q (so they add up to less than 1).
/// - **Upsell target.** For each plan p, the candidate is the plan most often changed to first
///   within a window after a good resolution on p; it becomes p's `upsell_to` when p's own upsell
///   estimate (below, on p's resolutions alone) beats the moves' chance at p < 0.001 (strict: the
///   scenario's one probability pools the plans with a target, and a false one would dilute it).
/// - **Upsell probability.** A good resolution j on a plan p with a target q is a success when the
///   first change in its window (of w_j months) is to q. A move to q would also happen by chance
///   with probability pi_j = r'(p, q) / R'(p) x (1 - exp(-R'(p) w_j)), r' = (c(p, q) + 1/2) / M(p)
///   (a move never seen outside the windows is rare, not impossible) and R' the total with it, so
///   P(success) = u + (1 - u) pi_j, and u is the maximum of the binomial likelihood
///   sum_j s_j ln(u + (1 - u) pi_j) + (1 - s_j) ln((1 - u)(1 - pi_j)) on [0, 1] (concave; its
///   derivative's root by GSL's Brent solver), with a profile-likelihood 95 % interval, the
///   standard error from the observed information and a likelihood-ratio test of u = 0 (boundary:
///   p = Q_chi2(1)(LR) / 2). The scenario's single probability pools the plans with a target.
///
/// The churn fit groups customers by the plan they signed up on; the existing base uses the plan on
/// the as-of date, the prices the subscriptions file's plan (whose amount the file gives).
public struct PlanChangeFit: Sendable {
    public struct Move: Sendable, Hashable {
        public var from: Int
        public var to: Int
        public var changes: Int
        /// Months on `from` outside the windows after good resolutions.
        public var months: Double
        /// The monthly probability of the move.
        public var probability: Double
    }

    /// One plan's most frequent first change after a good resolution, and the upsell estimate for it.
    public struct PlanUpsell: Sendable, Hashable {
        public var from: Int
        public var to: Int
        public var resolutions: Int
        public var upsells: Int
        public var expectedByChance: Double
        public var probability: Double
        public var lower: Double
        public var upper: Double
        public var pValue: Double
        /// Beats chance (p < `targetLevel`): the plan's `upsell_to`.
        public var used: Bool
    }

    public var moves: [Move]
    /// By group: the plan a good resolution upgrades to (nil: none).
    public var upsellTo: [Int?]
    /// Every plan with a change after a good resolution, tested on its own.
    public var perPlan: [PlanUpsell]
    /// Good resolutions on plans with an upsell target, and those followed by the upgrade
    /// (pooled: the scenario has one upsell probability).
    public var resolutions: Int
    public var upsells: Int
    /// The upgrades the moves alone would give (the sum of pi_j).
    public var expectedByChance: Double
    public var probability: Double
    public var lower: Double
    public var upper: Double
    public var standardError: Double
    public var likelihoodRatio: Double
    public var pValue: Double
    /// Every plan change up to the as-of date, and those that followed a good resolution.
    public var changes: Int
    public var afterGoodResolution: Int

    /// The level at which a plan's changes after good resolutions count as upsells. Strict,
    /// because the scenario has one upsell probability for every plan with a target: a plan
    /// whose moves beat chance by luck would dilute the pooled estimate.
    public static let targetLevel = 0.001

    /// A good resolution's window and what happened in it.
    struct Window {
        var plan: Int
        var months: Double
        /// The plan changed to first within the window (nil: none).
        var firstChange: Int?
    }

    public static func fit(_ data: CustomerData) -> PlanChangeFit {
        let G = data.groups.count
        let asOf = data.options.asOf
        var outside = [Double](repeating: 0, count: G)
        var count = [[Int]](repeating: [Int](repeating: 0, count: G), count: G)
        var windows: [Window] = []
        var changes = 0, after = 0
        for c in data.customers {
            let s = c.record.start
            func t(_ d: CalendarDate) -> Double { s.months(until: d) }
            let endDate = c.record.end.map { min($0, asOf) } ?? asOf
            let T = t(endDate)
            changes += c.planChanges.count
            guard T > 0 else { continue }
            // Good resolutions in time order, each with its window [tau, end) ([tau, T] when the
            // end or the as-of date cuts it: a change on that day still follows the resolution).
            let taus = c.tickets.compactMap { k -> (Double, CalendarDate)? in
                guard let d = k.resolved, d <= endDate, k.good == true else { return nil }
                return (t(d), d)
            }.sorted { $0.0 < $1.0 }
            var spans: [(start: Double, end: Double, plan: Int, closed: Bool)] = []
            for (j, (tau, d)) in taus.enumerated() {
                var end = min(t(d.adding(months: 1)), T)
                if j + 1 < taus.count { end = min(end, taus[j + 1].0) }
                if end > tau { spans.append((tau, end, c.plan(on: d), end == T && (j + 1 == taus.count || taus[j + 1].0 > T))) }
            }
            // Time on each plan outside the windows.
            let cuts = c.planChanges.map { (t($0.date), $0.from, $0.to) }
            var segmentStart = 0.0, plan = c.group
            for (x, _, to) in cuts + [(T, -1, -1)] {
                let a = segmentStart, b = min(max(x, a), T)
                var inside = 0.0
                for w in spans { inside += max(0, min(b, w.end) - max(a, w.start)) }
                outside[plan] += max(0, b - a - inside)
                segmentStart = b
                if to >= 0 { plan = to }
            }
            // Each change: within a window (the first change of that window: a candidate upsell) or a move.
            var firsts = [Int?](repeating: nil, count: spans.count)
            for (x, from, to) in cuts {
                if let j = spans.firstIndex(where: { x >= $0.start && (x < $0.end || ($0.closed && x <= $0.end)) }) {
                    after += 1
                    if firsts[j] == nil && spans[j].plan == from { firsts[j] = to }
                } else {
                    count[from][to] += 1
                }
            }
            for (j, w) in spans.enumerated() {
                windows.append(Window(plan: w.plan, months: w.end - w.start, firstChange: firsts[j]))
            }
        }
        // Moves: rates outside the windows, monthly probabilities as competing risks.
        var moves: [Move] = []
        var rate = [[Double]](repeating: [Double](repeating: 0, count: G), count: G)
        var total = [Double](repeating: 0, count: G)
        for p in 0..<G where outside[p] > 0 {
            for q in 0..<G where count[p][q] > 0 {
                rate[p][q] = Double(count[p][q]) / outside[p]
                total[p] += rate[p][q]
            }
        }
        for p in 0..<G where total[p] > 0 {
            // At most 0.999 in all, so that rounded probabilities stay a valid set of moves.
            let leave = min(-expm1(-total[p]), 0.999)
            for q in 0..<G where count[p][q] > 0 {
                moves.append(Move(from: p, to: q, changes: count[p][q], months: outside[p], probability: rate[p][q] / total[p] * leave))
            }
        }
        // Each plan's candidate target, the most frequent first change after a good resolution, and
        // its own upsell estimate; a target only where the upgrades beat chance (p < targetLevel).
        // The chance takes the move rate p -> q as (changes + 1/2) / months: a move never seen
        // outside the windows is rare, not impossible (with a chance of 0 a single change in a
        // window would reject u = 0 outright). A plan never observed outside windows has no chance
        // to compare with, and no target.
        func outcomes(_ p: Int, _ q: Int) -> (success: [Bool], chance: [Double]) {
            var success: [Bool] = [], chance: [Double] = []
            guard outside[p] > 0 else { return ([], []) }
            let r = (Double(count[p][q]) + 0.5) / outside[p], all = total[p] - rate[p][q] + r
            for w in windows where w.plan == p {
                chance.append(min(max(r / all * -expm1(-all * w.months), 1e-300), 1 - 1e-12))
                success.append(w.firstChange == q)
            }
            return (success, chance)
        }
        var upsellTo = [Int?](repeating: nil, count: G)
        var perPlan: [PlanUpsell] = []
        for p in 0..<G {
            var n = [Int](repeating: 0, count: G)
            for w in windows where w.plan == p { if let q = w.firstChange { n[q] += 1 } }
            guard let best = n.indices.max(by: { (n[$0], -$0) < (n[$1], -$1) }), n[best] > 0 else { continue }
            let (success, chance) = outcomes(p, best)
            if success.isEmpty { continue }
            let u = upsellEstimate(success: success, chance: chance)
            let significant = u.estimate > 0 && u.p < targetLevel
            if significant { upsellTo[p] = best }
            perPlan.append(PlanUpsell(from: p, to: best, resolutions: success.count, upsells: success.filter { $0 }.count,
                                      expectedByChance: chance.reduce(0, +), probability: u.estimate, lower: u.lower, upper: u.upper,
                                      pValue: u.p, used: significant))
        }
        // The scenario's one upsell probability: pooled over the plans with a target.
        var success: [Bool] = [], chance: [Double] = []
        for p in 0..<G { if let q = upsellTo[p] { let o = outcomes(p, q); success += o.success; chance += o.chance } }
        let u = upsellEstimate(success: success, chance: chance)
        return PlanChangeFit(moves: moves, upsellTo: upsellTo, perPlan: perPlan, resolutions: success.count, upsells: success.filter { $0 }.count,
                             expectedByChance: chance.reduce(0, +), probability: u.estimate, lower: u.lower, upper: u.upper,
                             standardError: u.se, likelihoodRatio: u.lr, pValue: u.p, changes: changes, afterGoodResolution: after)
    }

    /// The log-likelihood of u: successes with probability u + (1 - u) pi, failures (1 - u)(1 - pi).
    static func logLikelihood(_ u: Double, success: [Bool], chance: [Double]) -> Double {
        var l = 0.0
        for (s, pi) in zip(success, chance) {
            l += s ? log(u + (1 - u) * pi) : log1p(-u) + log1p(-pi)
        }
        return l
    }

    /// The maximum-likelihood u with its profile 95 % interval, se and the LR test of u = 0.
    static func upsellEstimate(success: [Bool], chance: [Double]) -> (estimate: Double, lower: Double, upper: Double, se: Double, lr: Double, p: Double) {
        let n = success.count, k = success.filter { $0 }.count
        // No success: u = 0, and the profile interval's upper end solves -2 n ln(1 - u) = 3.84.
        guard n > 0, k > 0 else { return (0, 0, n > 0 ? -expm1(-3.841459 / (2 * Double(n))) : 1, 0, 0, 1) }
        let top = 1 - 1e-12
        // The score: decreasing in u (the log-likelihood is concave).
        func score(_ u: Double) -> Double {
            var d = 0.0
            for (s, pi) in zip(success, chance) { d += s ? (1 - pi) / (u + (1 - u) * pi) : -1 / (1 - u) }
            return d
        }
        let estimate: Double
        if k == n {
            estimate = top
        } else if score(0) <= 0 {
            estimate = 0
        } else {
            // score(0) is finite (every chance > 0); the bracket's low end moves off 0 all the same
            // should it not be.
            let low = score(0).isFinite ? 0 : 1e-300
            estimate = (try? RootFinder.brent(lower: low, upper: top, absoluteTolerance: 1e-12, relativeTolerance: 1e-10, maxIterations: 200, score))?.root ?? Double(k) / Double(n)
        }
        let best = logLikelihood(estimate, success: success, chance: chance)
        func drop(_ u: Double) -> Double { 2 * (best - logLikelihood(u, success: success, chance: chance)) - 3.841459 }
        let lowEnd = drop(0).isFinite ? 0 : 1e-300
        let lower = estimate == 0 || drop(0) <= 0 ? 0
            : (try? RootFinder.brent(lower: lowEnd, upper: estimate, absoluteTolerance: 1e-12, relativeTolerance: 1e-9, maxIterations: 200, drop))?.root ?? 0
        let upper = estimate >= top || drop(top) <= 0 ? 1
            : (try? RootFinder.brent(lower: estimate, upper: top, absoluteTolerance: 1e-12, relativeTolerance: 1e-9, maxIterations: 200, drop))?.root ?? 1
        var information = 0.0
        for (s, pi) in zip(success, chance) {
            let a = s ? (1 - pi) / (estimate + (1 - estimate) * pi) : 1 / (1 - estimate)
            information += a * a
        }
        let se = estimate > 0 && estimate < top && information > 0 ? 1 / information.squareRoot() : (upper - lower) / 3.919928
        let lr = min(max(0, 2 * (best - logLikelihood(0, success: success, chance: chance))), 1e300)
        let p = lr > 0 ? SpecialFunctions.chiSquaredSurvival(lr, degrees: 1) / 2 : 1
        return (estimate >= top ? 1 : estimate, lower, upper, se, lr, p)
    }
}
