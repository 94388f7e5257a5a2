import Foundation
import SubcastStochastics

/// Heterogeneity that survives conditions: latent classes of churn propensity.
///
/// The sBG story gives every subscriber their own monthly churn probability p ~ Beta(alpha,
/// beta). A condition (at risk, waiting on a ticket, detractor, promoter) or a price above the
/// reference multiplies *that subscriber's* probability: x p, capped at 1. Applying x to the
/// cohort's average hazard instead selects the survivors of a condition wrongly (at
/// heterogeneity 0.3 with multipliers x4 / x0.5 the two readings differ by 13 % in active
/// subscribers at month 24). So where a multiplier meets heterogeneous churn, every group of a
/// plan is split into K classes of homogeneous propensity: the nodes p_k and weights w_k of the
/// K-point Gauss-Jacobi rule of Beta(alpha, beta) (`GaussJacobi`). Arrivals split
/// Multinomial(n, w) over the classes (stream `latent_classes`); the existing base of tenure
/// tau, the survivors of tau renewals, splits with weights proportional to w_k (1 - p_k)^tau.
/// A class renews with probability 1 - min(1, x p_k) under multiplier x (annual billing:
/// 1 - (1 - min(1, x p_k))^12 at every 12th month), so the class's survivors are exactly those
/// of homogeneous subscribers and the mixture over classes is the individual-level reading.
///
/// K is the smallest number of points (2 ... 32) for which the classes' survival
/// sum_k w_k (1 - p_k)^t matches the sBG survival B(alpha, beta + t) / B(alpha, beta) within
/// `tolerance` (absolute) for every t up to the last renewal the run simulates; the rule is
/// exact for t <= 2K - 1. Plans whose churn is constant (heterogeneity 0) or whose scenario has
/// no multiplier keep the cohort-hazard path (one class, the exact draw of `CohortModel`). With
/// uncertain churn parameters, each trial's rule is built from its drawn alpha and beta with
/// the same K.
///
/// Cost: a run with classes simulates K times the compartments of the plans that have them.
struct LatentClasses: Sendable {
    static let stream = "latent_classes"
    /// The largest absolute error of the classes' survival against the sBG closed form.
    static let tolerance = 1e-4
    static let maximumPoints = 32

    /// Classes per (group, plan, billing).
    let L: Int
    /// Per plan: split into classes.
    let classPlans: [Bool]
    /// Per plan: the rule of the scenario's (point) parameters; empty for plans without classes.
    let nodes: [[Double]], weights: [[Double]]
    let medianClass: [Int]

    /// Nil when nothing needs classes: no plan with heterogeneous (sBG) churn in `shape`, or no
    /// condition multiplier and no churn response to price in `shape`. Decided by the shape only
    /// (`ScenarioFamily.shape(covering:)` keeps a multiplier other than 1 that any scenario of the
    /// family has), so every trial of a family has the same classes and streams.
    init?(_ scenario: Scenario, shape: Scenario, lastRenewal: Int) {
        let conditions = Conditions(onboarding: shape.levers.onboarding, support: shape.levers.support)
        let multiplied = conditions.multiplier.contains { $0 != 1 }
            || (shape.levers.priceChurn.map { $0.elasticity != 0 } ?? false)
        guard multiplied else { return nil }
        func sbg(_ plan: Plan) -> (Double, Double)? {
            guard case let .shiftedBetaGeometric(a, b) = plan.churn, a >= 1e-6, b >= 1e-6, a <= 1e6, b <= 1e6 else { return nil }
            return (a, b)
        }
        let wanted = shape.plans.map { sbg($0) != nil }
        guard wanted.contains(true) else { return nil }
        var k = 2
        for plan in shape.plans {
            if let (a, b) = sbg(plan) { k = max(k, LatentClasses.points(alpha: a, beta: b, renewals: lastRenewal)) }
        }
        L = k
        classPlans = wanted
        var ns: [[Double]] = [], ws: [[Double]] = [], median: [Int] = []
        for (p, plan) in scenario.plans.enumerated() {
            guard wanted[p] else { ns.append([]); ws.append([]); median.append(0); continue }
            let rule = LatentClasses.rule(plan.churn, points: k)
            ns.append(rule.nodes)
            ws.append(rule.weights)
            var cumulative = 0.0, m = k - 1
            for (i, w) in rule.weights.enumerated() {
                cumulative += w
                if cumulative >= 0.5 { m = i; break }
            }
            median.append(m)
        }
        nodes = ns
        weights = ws
        medianClass = median
    }

    /// The smallest K in 2 ... 32 whose rule reproduces the sBG survival to `tolerance` over
    /// renewals 1 ... `renewals` (32 when none does).
    static func points(alpha: Double, beta: Double, renewals: Int) -> Int {
        let horizon = max(1, renewals)
        var exact = [Double](repeating: 1, count: horizon + 1)
        for t in 1...horizon { exact[t] = exact[t - 1] * (1 - ChurnModel.sbgHazard(alpha: alpha, beta: beta, renewal: t)) }
        for k in 2...maximumPoints {
            // Exact for t <= 2K - 1: only later renewals can miss.
            if 2 * k - 1 >= horizon { return k }
            guard let rule = try? GaussJacobi.betaRule(points: k, alpha: alpha, beta: beta) else { continue }
            var worst = 0.0
            var survival = rule.weights
            for t in 1...horizon {
                var s = 0.0
                for i in 0..<k {
                    survival[i] *= 1 - rule.nodes[i]
                    s += survival[i]
                }
                worst = max(worst, abs(s - exact[t]))
                if worst > tolerance { break }
            }
            if worst <= tolerance { return k }
        }
        return maximumPoints
    }

    /// The K-point rule of a churn model: Gauss-Jacobi for sBG (parameters outside [1e-6, 1e6],
    /// e.g. drawn from a fitted uncertainty, are scaled into it keeping their mean: such a Beta
    /// is already at its polarised or homogeneous limit); K equal nodes (the constant
    /// probability, or the mean if the eigensolver fails) otherwise.
    static func rule(_ churn: ChurnModel, points k: Int) -> GaussJacobi.Rule {
        if case var .shiftedBetaGeometric(a, b) = churn, a > 0, b > 0, a.isFinite, b.isFinite {
            if max(a, b) > 1e6 { let f = 1e6 / max(a, b); a *= f; b *= f }
            if min(a, b) < 1e-6 { let f = 1e-6 / min(a, b); a = min(a * f, 1e6); b = min(b * f, 1e6) }
            if let r = try? GaussJacobi.betaRule(points: k, alpha: a, beta: b) { return r }
            let mean = a / (a + b)
            return GaussJacobi.Rule(nodes: [Double](repeating: mean, count: k), weights: [Double](repeating: 1 / Double(k), count: k))
        }
        let q = churn.churnProbability(atRenewal: 1)
        return GaussJacobi.Rule(nodes: [Double](repeating: q, count: k), weights: [Double](repeating: 1 / Double(k), count: k))
    }

    /// Splits `n` subscribers of plan p over the classes: Multinomial(n, w) into `into`
    /// (L counts), the weights of the existing base of tenure `tenure` tilted by (1 - p_k)^tenure.
    func split(_ n: Int, plan p: Int, tenure: Int, nodes: UnsafeMutableBufferPointer<Double>,
               weights: UnsafeMutableBufferPointer<Double>, scratch w: UnsafeMutableBufferPointer<Double>,
               into out: UnsafeMutableBufferPointer<Int>, using g: RandomGenerator) {
        let base = p &* L
        if tenure == 0 {
            Multinomial.draw(trials: n, weights: UnsafeBufferPointer(rebasing: weights[base..<(base + L)]),
                             into: UnsafeMutableBufferPointer(rebasing: out[0..<L]), using: g)
            return
        }
        var total = 0.0
        for l in 0..<L {
            // (1 - p)^tenure by logs: no underflow to a zero total for long tenures.
            w[l] = log(weights[base + l]) + Double(tenure) * log1p(-Swift.min(nodes[base + l], 1 - 1e-300))
            total = l == 0 ? w[0] : Swift.max(total, w[l])
        }
        for l in 0..<L { w[l] = exp(w[l] - total) }
        Multinomial.draw(trials: n, weights: UnsafeBufferPointer(rebasing: w[0..<L]),
                         into: UnsafeMutableBufferPointer(rebasing: out[0..<L]), using: g)
    }
}
