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
/// Beta-discrete-Weibull plans (`ChurnModel.betaDiscreteWeibull`) get the same classes: a class
/// of propensity p_k survives t renewals with (1 - p_k)^(t^c), so at renewal t its own probability
/// is 1 - (1 - p_k)^(t^c - (t - 1)^c) (`hazard(node:plan:renewal:)`), the multiplier acting on it;
/// annual billing compounds the monthly equivalent 1 - (1 - p_k)^((t^c - (t - 12)^c) / 12). K
/// is chosen against the BdW survival B(alpha, beta + t^c) / B(alpha, beta) in the same way.
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
    /// Per plan: the BdW duration dependence c (1 for sBG).
    let weibull: [Double]

    /// Nil when nothing needs classes: no plan with heterogeneous (sBG) churn in `shape`, or no
    /// condition multiplier and no churn response to price in `shape`. Decided by the shape only
    /// (`ScenarioFamily.shape(covering:)` keeps a multiplier other than 1 that any scenario of the
    /// family has), so every trial of a family has the same classes and streams.
    init?(_ scenario: Scenario, shape: Scenario, lastRenewal: Int) {
        let conditions = Conditions(onboarding: shape.levers.onboarding, support: shape.levers.support)
        let multiplied = conditions.multiplier.contains { $0 != 1 }
            || (shape.levers.priceChurn.map { $0.elasticity != 0 } ?? false)
        guard multiplied else { return nil }
        func sbg(_ plan: Plan) -> (Double, Double, Double)? {
            let (a, b, c): (Double, Double, Double)
            switch plan.churn {
            case let .shiftedBetaGeometric(x, y): (a, b, c) = (x, y, 1)
            case let .betaDiscreteWeibull(x, y, z): (a, b, c) = (x, y, z)
            case .constant: return nil
            }
            guard a >= 1e-6, b >= 1e-6, a <= 1e6, b <= 1e6 else { return nil }
            return (a, b, c)
        }
        let wanted = shape.plans.map { sbg($0) != nil }
        guard wanted.contains(true) else { return nil }
        var k = 2
        for plan in shape.plans {
            if let (a, b, c) = sbg(plan) { k = max(k, LatentClasses.points(alpha: a, beta: b, c: c, renewals: lastRenewal)) }
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
        weibull = scenario.plans.map { plan in
            if case let .betaDiscreteWeibull(_, _, c) = plan.churn { return c }
            return 1
        }
    }

    /// A class's own probability of leaving at renewal t (monthly billing): its node p for sBG,
    /// 1 - (1 - p)^(t^c - (t - 1)^c) for BdW; with `annual`, the monthly equivalent over the
    /// 12 months ending at renewal t, 1 - (1 - p)^((t^c - (t - 12)^c) / 12).
    @inline(__always) func hazard(node p: Double, plan: Int, renewal t: Int, annual: Bool) -> Double {
        let c = weibull[plan]
        if c == 1 { return p }
        let span = annual ? (_pow(Double(t), c) - _pow(Double(Swift.max(0, t - 12)), c)) / 12
            : _pow(Double(t), c) - _pow(Double(t - 1), c)
        return -expm1(span * log1p(-Swift.min(p, 1)))
    }

    /// The smallest K in 2 ... 32 whose rule reproduces the sBG survival to `tolerance` over
    /// renewals 1 ... `renewals` (32 when none does).
    static func points(alpha: Double, beta: Double, c: Double = 1, renewals: Int) -> Int {
        let horizon = max(1, renewals)
        var exact = [Double](repeating: 1, count: horizon + 1)
        for t in 1...horizon {
            exact[t] = c == 1 ? exact[t - 1] * (1 - ChurnModel.sbgHazard(alpha: alpha, beta: beta, renewal: t))
                : exp(ChurnModel.bdwLogSurvival(alpha: alpha, beta: beta, c: c, t))
        }
        for k in 2...maximumPoints {
            // sBG: exact for t <= 2K - 1, so only later renewals can miss.
            if c == 1 && 2 * k - 1 >= horizon { return k }
            guard let rule = try? GaussJacobi.betaRule(points: k, alpha: alpha, beta: beta) else { continue }
            var worst = 0.0
            var survival = rule.weights
            for t in 1...horizon {
                var s = 0.0
                for i in 0..<k {
                    if c == 1 {
                        survival[i] *= 1 - rule.nodes[i]
                    } else {
                        survival[i] = rule.weights[i] * exp(_pow(Double(t), c) * log1p(-rule.nodes[i]))
                    }
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
        var shape: (Double, Double)? = nil
        switch churn {
        case let .shiftedBetaGeometric(a, b), let .betaDiscreteWeibull(a, b, _): shape = (a, b)
        case .constant: break
        }
        if var (a, b) = shape, a > 0, b > 0, a.isFinite, b.isFinite {
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
        // Survival of tenure renewals: (1 - p)^tenure, (1 - p)^(tenure^c) for BdW.
        let exposure = weibull[p] == 1 ? Double(tenure) : _pow(Double(tenure), weibull[p])
        for l in 0..<L {
            // (1 - p)^tenure by logs: no underflow to a zero total for long tenures.
            w[l] = log(weights[base + l]) + exposure * log1p(-Swift.min(nodes[base + l], 1 - 1e-300))
            total = l == 0 ? w[0] : Swift.max(total, w[l])
        }
        for l in 0..<L { w[l] = exp(w[l] - total) }
        Multinomial.draw(trials: n, weights: UnsafeBufferPointer(rebasing: w[0..<L]),
                         into: UnsafeMutableBufferPointer(rebasing: out[0..<L]), using: g)
    }
}
