import Foundation
import SubcastStochastics

/// The condition a customer is in at a renewal, as the simulation's support and onboarding
/// processes define it (`Conditions`): healthy, at risk (not yet productive past the onboarding
/// threshold), waiting on an open ticket, detractor (for some months after a badly resolved
/// ticket), promoter (after a well resolved one).
public enum ChurnCondition: Int, CaseIterable, Sendable, Hashable, Comparable {
    case healthy = 0, atRisk, waiting, detractor, promoter

    /// The scenario key of its churn multiplier.
    public var key: String {
        switch self {
        case .healthy: "healthy"
        case .atRisk: "at_risk"
        case .waiting: "waiting"
        case .detractor: "detractor"
        case .promoter: "promoter"
        }
    }

    public static func < (a: ChurnCondition, b: ChurnCondition) -> Bool { a.rawValue < b.rawValue }
}

/// One customer's renewals: the condition at each renewal observed, and whether the last one
/// was a churn (otherwise the customer is still active, right-censored after them).
public struct CustomerHistory: Sendable, Hashable {
    public var id: String
    /// Index of the customer's group (plan) in the fit.
    public var group: Int
    /// Conditions at renewals 1 ... n: renewed at all of them, except the last when `churned`.
    public var conditions: [ChurnCondition]
    public var churned: Bool
    /// When the conditions are not known for sure: the other reading and the probability of
    /// `conditions` (the likelihood is the mixture w L(conditions) + (1 - w) L(alternative)).
    public var alternative: [ChurnCondition]?
    public var weight: Double

    public init(id: String, group: Int, conditions: [ChurnCondition], churned: Bool,
                alternative: [ChurnCondition]? = nil, weight: Double = 1) {
        self.id = id
        self.group = group
        self.conditions = conditions
        self.churned = churned
        self.alternative = alternative
        self.weight = weight
    }
}

/// Churn with condition multipliers fitted to customer histories: the model the simulation
/// runs with latent classes.
///
/// Each customer of group g has their own churn probability p ~ Beta(alpha_g, beta_g) and, at a
/// renewal in condition k, leaves with min(1, x_k p) (x_healthy = 1). Their likelihood, with n_0
/// renewals survived healthy, n_k survived in condition k, and churn in condition e (or none),
/// ```
/// L = E[(1 - p)^n_0 prod_k (1 - min(1, x_k p))^n_k min(1, x_e p)^churned]
///   = B(alpha, beta + n_0) / B(alpha, beta) E'[prod_k (1 - min(1, x_k p))^n_k min(1, x_e p)^churned]
/// ```
/// with E' under the Beta(alpha, beta + n_0) posterior, computed by its 12-point Gauss-Jacobi
/// rule (`GaussJacobi`; exact while the cap does not bind and the product has degree <= 23).
/// Customers with only healthy renewals use the closed forms, so without conditions this is
/// exactly the sBG likelihood (`SBGFit`). The order of renewals does not matter, so customers
/// are aggregated by (group, n_0, n_k, e): the cost grows with distinct histories, not customers.
///
/// Maximised over theta = (ln alpha_g, ln beta_g for every group, ln x_k for every condition
/// observed at some renewal) by `MaximumLikelihood` from the groups' sBG fits and x = 1; ln x_k
/// is kept within +-ln(100), the range a scenario takes. Each multiplier gets a
/// likelihood-ratio test of x_k = 1 (the fit repeated without it; chi-squared, 1 df).
public struct CovariateFit: Sendable {
    public var groups: [String?]
    public var alpha: [Double], beta: [Double]
    /// The estimated multipliers (conditions observed at some renewal), ascending by condition.
    public var conditions: [ChurnCondition]
    public var multipliers: [Double]
    /// Names of theta's coordinates: alpha/beta per group, then the multipliers' keys.
    public var parameterNames: [String]
    /// theta (logarithms) and their covariance, the inverse observed information.
    public var theta: [Double]
    public var covariance: [[Double]]
    public var logLikelihood: Double
    /// Per estimated multiplier: (2 (LL - LL with x = 1), p-value).
    public var tests: [(likelihoodRatio: Double, pValue: Double)]
    /// Renewals observed in each condition (ChurnCondition order) and churns among them.
    public var renewals: [Int], churns: [Int]
    public var customers: Int

    public func standardError(_ i: Int) -> Double { covariance[i][i].squareRoot() }
    public func correlation(_ i: Int, _ j: Int) -> Double {
        let d = (covariance[i][i] * covariance[j][j]).squareRoot()
        return d > 0 ? covariance[i][j] / d : 0
    }
    /// The multiplier of a condition (1 when healthy or not estimated).
    public func multiplier(_ c: ChurnCondition) -> Double {
        conditions.firstIndex(of: c).map { multipliers[$0] } ?? 1
    }
    public func churnModel(group g: Int) -> ChurnModel { .shiftedBetaGeometric(alpha: alpha[g], beta: beta[g]) }

    /// The log-likelihood of one customer's renewals at the estimates.
    public func logLikelihood(group g: Int, conditions: [ChurnCondition], churned: Bool) -> Double {
        let h = CustomerHistory(id: "", group: g, conditions: conditions, churned: churned)
        let x = ChurnCondition.allCases.map { multiplier($0) }
        return CovariateFit.logLikelihood(CovariateFit.aggregate([h], groups: groups.count), alpha: alpha, beta: beta, x: x)
    }

    static let points = 12
    static let maximumLogMultiplier = log(100.0)

    struct Signature: Hashable {
        var group: Int
        var healthy: Int
        var counts: [Int]          // survived renewals per condition 1 ... 4
        var outcome: Int           // -1 censored, else the condition at churn
    }

    /// Aggregated histories, and the mixtures (w, primary, alternative) of uncertain ones.
    struct Data {
        var signatures: [(Signature, Int)]
        var groups: Int
        var mixtures: [(weight: Double, Signature, Signature)] = []
    }

    static func signature(_ conditions: [ChurnCondition], group: Int, churned: Bool) -> Signature {
        var s = Signature(group: group, healthy: 0, counts: [0, 0, 0, 0], outcome: -1)
        for (i, c) in conditions.enumerated() {
            if churned && i == conditions.count - 1 { s.outcome = c.rawValue; continue }
            if c == .healthy { s.healthy += 1 } else { s.counts[c.rawValue - 1] += 1 }
        }
        return s
    }

    static func aggregate(_ histories: [CustomerHistory], groups: Int) -> Data {
        var counts: [Signature: Int] = [:]
        var mixtures: [(weight: Double, Signature, Signature)] = []
        for h in histories {
            let s = signature(h.conditions, group: h.group, churned: h.churned)
            if let alt = h.alternative, h.weight < 1 {
                let a = signature(alt, group: h.group, churned: h.churned)
                if a != s { mixtures.append((max(0, h.weight), s, a)); continue }
            }
            counts[s, default: 0] += 1
        }
        // A deterministic order (the sum's rounding must not depend on hashing).
        let sorted = counts.sorted { a, b in
            let (x, y) = (a.key, b.key)
            if x.group != y.group { return x.group < y.group }
            if x.healthy != y.healthy { return x.healthy < y.healthy }
            if x.counts != y.counts { return x.counts.lexicographicallyPrecedes(y.counts) }
            return x.outcome < y.outcome
        }
        return Data(signatures: sorted.map { ($0.key, $0.value) }, groups: groups, mixtures: mixtures)
    }

    /// The signatures laid out flat for the likelihood: distinct (group, healthy renewals) keys,
    /// and per term (the signatures, then both sides of every mixture) its key, counts and outcome.
    struct Compiled {
        var keyGroup: [Int] = [], keyHealthy: [Int] = [], keyNeedsRule: [Bool] = []
        var termKey: [Int] = [], termCounts: [Int] = [], termOutcome: [Int] = []
        var termsPlain: Int = 0

        init(_ d: Data) {
            var index: [Int: Int] = [:]
            func add(_ s: Signature) {
                let k = s.group &* 1_000_003 &+ s.healthy
                let i: Int
                if let j = index[k] { i = j } else {
                    i = keyGroup.count
                    index[k] = i
                    keyGroup.append(s.group); keyHealthy.append(s.healthy); keyNeedsRule.append(false)
                }
                if s.counts.contains(where: { $0 > 0 }) || s.outcome > 0 { keyNeedsRule[i] = true }
                termKey.append(i)
                termCounts += s.counts
                termOutcome.append(s.outcome)
            }
            for (s, _) in d.signatures { add(s) }
            termsPlain = termKey.count
            for (_, s, t) in d.mixtures { add(s); add(t) }
        }
    }

    /// The log-likelihood of the aggregated data at per-group (alpha, beta) and multipliers
    /// x[condition] (index 0 = healthy = 1).
    static func logLikelihood(_ data: Data, alpha: [Double], beta: [Double], x: [Double]) -> Double {
        logLikelihood(data, Compiled(data), alpha: alpha, beta: beta, x: x)
    }

    static func logLikelihood(_ data: Data, _ c: Compiled, alpha: [Double], beta: [Double], x: [Double]) -> Double {
        let K = points
        var lnB0 = [Double](repeating: 0, count: data.groups)
        for g in 0..<data.groups {
            guard alpha[g] > 0, beta[g] > 0, alpha[g].isFinite, beta[g].isFinite,
                  let v = try? SpecialFunctions.logBeta(alpha[g], beta[g]) else { return -.infinity }
            lnB0[g] = v
        }
        // Per key: ln B(alpha, beta + n_0) - ln B(alpha, beta), and the posterior's rule.
        let keys = c.keyGroup.count
        var lnB = [Double](repeating: 0, count: keys), mean = [Double](repeating: 0, count: keys)
        var nodes = [Double](repeating: 0, count: keys * K), weights = [Double](repeating: 0, count: keys * K)
        for k in 0..<keys {
            let a = alpha[c.keyGroup[k]], b = beta[c.keyGroup[k]] + Double(c.keyHealthy[k])
            guard let v = try? SpecialFunctions.logBeta(a, b) else { return -.infinity }
            lnB[k] = v - lnB0[c.keyGroup[k]]
            mean[k] = a / (a + b)
            if c.keyNeedsRule[k] {
                guard a >= 1e-6, b >= 1e-6, a <= 1e6, b <= 1e6,
                      let r = try? GaussJacobi.betaRule(points: K, alpha: a, beta: b) else { return -.infinity }
                for i in 0..<K { nodes[k * K + i] = r.nodes[i]; weights[k * K + i] = r.weights[i] }
            }
        }
        func logValue(_ t: Int) -> Double {
            let k = c.termKey[t], outcome = c.termOutcome[t], o = 4 * t
            var value = lnB[k]
            let n1 = c.termCounts[o], n2 = c.termCounts[o + 1], n3 = c.termCounts[o + 2], n4 = c.termCounts[o + 3]
            if n1 == 0 && n2 == 0 && n3 == 0 && n4 == 0 && (outcome <= 0 || x[outcome] == 1) {
                // E'[p] = a / (a + b) for a churn at multiplier 1; nothing for a censored customer.
                if outcome >= 0 { value += log(mean[k]) }
                return value
            }
            let x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], xe = outcome >= 0 ? x[outcome] : 0
            var e = 0.0
            for i in 0..<K {
                let p = nodes[k * K + i]
                var f = weights[k * K + i]
                if n1 > 0 { let q = 1 - Swift.min(1, x1 * p); for _ in 0..<n1 { f *= q } }
                if n2 > 0 { let q = 1 - Swift.min(1, x2 * p); for _ in 0..<n2 { f *= q } }
                if n3 > 0 { let q = 1 - Swift.min(1, x3 * p); for _ in 0..<n3 { f *= q } }
                if n4 > 0 { let q = 1 - Swift.min(1, x4 * p); for _ in 0..<n4 { f *= q } }
                if outcome >= 0 { f *= Swift.min(1, xe * p) }
                e += f
            }
            return e > 0 ? value + log(e) : -.infinity
        }
        var ll = 0.0
        for (t, (_, n)) in data.signatures.enumerated() { ll += Double(n) * logValue(t) }
        for (m, (w, _, _)) in data.mixtures.enumerated() {
            let u = logValue(c.termsPlain + 2 * m), v = logValue(c.termsPlain + 2 * m + 1)
            let top = max(u, v)
            guard top.isFinite else { return -.infinity }
            ll += top + log(w * exp(u - top) + (1 - w) * exp(v - top))
        }
        return ll
    }

    /// Fits the model. `groups` names the groups (nil: all customers); every history's `group`
    /// indexes it.
    /// - Parameters:
    ///   - from: a start for theta (e.g. the previous fit's), else the groups' sBG fits and x = 1;
    ///   - tests: whether to run the likelihood-ratio tests (one more fit per multiplier).
    public static func fit(_ histories: [CustomerHistory], groups: [String?], from: [Double]? = nil,
                           tests runTests: Bool = true) throws(SBGFit.FitError) -> CovariateFit {
        let G = groups.count
        guard G >= 1, !histories.isEmpty else { throw SBGFit.FitError(message: "no customers to fit") }
        let data = aggregate(histories, groups: G)
        let compiled = Compiled(data)
        var renewals = [Int](repeating: 0, count: 5), churns = [Int](repeating: 0, count: 5)
        var survival = [SurvivalData](repeating: SurvivalData(), count: G)
        for h in histories {
            for (i, c) in h.conditions.enumerated() {
                renewals[c.rawValue] += 1
                if h.churned && i == h.conditions.count - 1 { churns[c.rawValue] += 1 }
            }
            if h.churned { survival[h.group].addChurned(periods: h.conditions.count) }
            else { survival[h.group].addActive(periods: h.conditions.count + 1) }
        }
        var starts: [SBGFit] = []
        for g in 0..<G {
            do { starts.append(try SBGFit.fit(survival[g])) } catch {
                throw SBGFit.FitError(message: "\(groups[g].map { "plan '\($0)': " } ?? "")\(error.message)")
            }
        }
        let estimated = ChurnCondition.allCases.filter { $0 != .healthy && renewals[$0.rawValue] > 0 }
        let names = (0..<G).flatMap { g in
            let suffix = groups[g].map { "[\($0)]" } ?? ""
            return ["alpha" + suffix, "beta" + suffix]
        } + estimated.map(\.key)

        func unpack(_ th: [Double], fixed: ChurnCondition? = nil) -> ([Double], [Double], [Double])? {
            var a = [Double](), b = [Double]()
            for g in 0..<G { a.append(exp(th[2 * g])); b.append(exp(th[2 * g + 1])) }
            var x = [Double](repeating: 1, count: 5)
            var i = 2 * G
            for c in estimated where c != fixed {
                guard abs(th[i]) <= maximumLogMultiplier else { return nil }
                x[c.rawValue] = exp(th[i])
                i += 1
            }
            return (a, b, x)
        }
        func maximise(start: [Double], fixed: ChurnCondition?) throws(SBGFit.FitError) -> MaximumLikelihood.Estimate {
            do {
                return try MaximumLikelihood.maximise(start: start, step: start.map { _ in 0.3 }, tolerance: 1e-5, h: 5e-3) { th in
                    guard let (a, b, x) = unpack(th, fixed: fixed) else { return -.infinity }
                    return logLikelihood(data, compiled, alpha: a, beta: b, x: x)
                }
            } catch {
                throw SBGFit.FitError(message: "the optimiser failed (churn with conditions\(fixed.map { ", \($0.key) fixed at 1" } ?? "")): \(error)")
            }
        }
        let start = starts.flatMap { [log($0.alpha), log($0.beta)] } + estimated.map { _ in 0.0 }
        if estimated.isEmpty {
            // No conditions: the sBG fits themselves.
            var cov = [[Double]](repeating: [Double](repeating: 0, count: 2 * G), count: 2 * G)
            for g in 0..<G {
                for i in 0..<2 { for j in 0..<2 { cov[2 * g + i][2 * g + j] = starts[g].logCovariance[i][j] } }
            }
            return CovariateFit(groups: groups, alpha: starts.map(\.alpha), beta: starts.map(\.beta), conditions: [], multipliers: [],
                                parameterNames: names, theta: start, covariance: cov,
                                logLikelihood: starts.reduce(0) { $0 + $1.logLikelihood }, tests: [],
                                renewals: renewals, churns: churns, customers: histories.count)
        }
        let full = try maximise(start: from.flatMap { $0.count == start.count ? $0 : nil } ?? start, fixed: nil)
        guard let (a, b, x) = unpack(full.theta), full.logLikelihood.isFinite else {
            throw SBGFit.FitError(message: "the covariate likelihood has no finite maximum")
        }
        guard let cov = full.covariance else {
            let atBound = estimated.enumerated().filter { abs(full.theta[2 * G + $0.offset]) > maximumLogMultiplier - 0.05 }.map(\.element.key)
            throw SBGFit.FitError(message: "the observed information is not positive definite: the data do not pin down every parameter"
                                  + (atBound.isEmpty ? "" : " (the multipliers of \(atBound.joined(separator: ", ")) run to the bound 1/100 or 100)"))
        }
        var tests: [(Double, Double)] = []
        for (i, c) in estimated.enumerated() where runTests {
            var s = full.theta
            s.remove(at: 2 * G + i)
            let restricted = try maximise(start: s, fixed: c)
            let lr = max(0, 2 * (full.logLikelihood - restricted.logLikelihood))
            tests.append((lr, SpecialFunctions.chiSquaredSurvival(lr, degrees: 1)))
        }
        return CovariateFit(groups: groups, alpha: a, beta: b, conditions: estimated, multipliers: estimated.map { x[$0.rawValue] },
                            parameterNames: names, theta: full.theta, covariance: cov, logLikelihood: full.logLikelihood,
                            tests: tests, renewals: renewals, churns: churns, customers: histories.count)
    }
}
