import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// Heterogeneity under condition multipliers: latent classes of churn propensity against the
/// sBG closed form and against the individual-level reading (each subscriber's own p ~ Beta,
/// multiplied while at risk, capped at 1).
@Suite struct LatentClassTests {
    /// sBG survival S(t) = B(alpha, beta + t) / B(alpha, beta).
    static func survival(alpha a: Double, beta b: Double, _ t: Int) -> Double {
        exp(lgamma(b + Double(t)) + lgamma(a + b) - lgamma(b) - lgamma(a + b + Double(t)))
    }

    /// The rule's classes reproduce the sBG survival: exactly for t <= 2K - 1, and within the
    /// stated tolerance up to the last renewal for the K `points` chooses.
    @Test(arguments: [(0.5, 12.0), (1.0, 8.0), (0.05, 0.5), (2.0, 30.0), (10.0, 200.0), (0.3, 3.0), (0.01, 0.2), (1.5, 20.0)])
    func classesReproduceTheSBGSurvival(_ alpha: Double, _ beta: Double) throws {
        let horizon = 145
        let k = LatentClasses.points(alpha: alpha, beta: beta, renewals: horizon)
        #expect(k >= 2 && k <= LatentClasses.maximumPoints)
        let rule = try GaussJacobi.betaRule(points: k, alpha: alpha, beta: beta)
        #expect(abs(rule.weights.reduce(0, +) - 1) < 1e-12 && rule.nodes.allSatisfy { $0 >= 0 && $0 <= 1 })
        var worst = 0.0
        for t in 0...horizon {
            var classes = 0.0
            for i in 0..<k { classes += rule.weights[i] * pow(1 - rule.nodes[i], Double(t)) }
            let exact = Self.survival(alpha: alpha, beta: beta, t)
            if t <= 2 * k - 1 { #expect(abs(classes - exact) < 1e-10, "alpha \(alpha), beta \(beta), K \(k): t \(t) \(classes) vs \(exact)") }
            worst = max(worst, abs(classes - exact))
        }
        #expect(worst <= LatentClasses.tolerance, "alpha \(alpha), beta \(beta): K \(k) misses S(t) by \(worst)")
    }

    static let onboarding = """
        schema_version: 1
        name: latent-onboarding
        horizon_months: 24
        trials: 400
        seed: 7
        plans:
          - {name: p, price_per_month: 10, churn: {alpha: 1.5, beta: 20}}
        acquisition: {new_per_month: 1000}
        onboarding:
          ramp_months: {median: 2, log_sd: 0.8}
          threshold_months: 1
          at_risk_churn_multiplier: 4
        """

    /// The individual-level expectation of subscribers alive after A renewals: ramp-up R ~
    /// lognormal, at risk at age a while R > max(threshold, a) (D = ceil(R) at-risk renewals when
    /// R > threshold, else 0), each renewal leaving with min(1, x p) at risk, p otherwise,
    /// p ~ Beta(alpha, beta): E[(1 - min(1, x p))^min(A, D) (1 - p)^(A - min(A, D))], by Simpson
    /// integration over p (split at the kink p = 1/x) and a sum over D.
    static func alive(_ renewals: Int, alpha: Double, beta: Double, x: Double, median: Double, logSD: Double, threshold: Double) -> Double {
        func cdf(_ r: Double) -> Double { r <= 0 ? 0 : 0.5 * erfc(-(log(r) - log(median)) / (logSD * 2.0.squareRoot())) }
        let logB = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta)
        func density(_ p: Double) -> Double {
            p <= 0 || p >= 1 ? 0 : exp((alpha - 1) * log(p) + (beta - 1) * log1p(-p) - logB)
        }
        func integrate(_ f: (Double) -> Double, _ a: Double, _ b: Double, _ n: Int = 4000) -> Double {
            let h = (b - a) / Double(n)
            var s = f(a) + f(b)
            for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * f(a + Double(i) * h) }
            return s * h / 3
        }
        var total = 0.0
        var pD = [cdf(threshold)]
        for d in 1...400 {
            let lo = max(Double(d - 1), threshold), hi = Double(d)
            pD.append(hi > lo ? cdf(hi) - cdf(lo) : 0)
        }
        pD[400] += 1 - pD.reduce(0, +)
        for (d, w) in pD.enumerated() where w > 1e-15 {
            let k = min(renewals, d)
            let f: (Double) -> Double = { p in pow(1 - min(1, x * p), Double(k)) * pow(1 - p, Double(renewals - k)) * density(p) }
            total += w * (integrate(f, 0, 1 / x) + integrate(f, 1 / x, 1))
        }
        return total
    }

    /// Active subscribers agree with the individual-level reading within 4 standard errors (the
    /// cohort-hazard reading misses it by many).
    @Test func onboardingMultipliersActOnEachSubscribersPropensity() throws {
        let scenario = try ScenarioLoader.parse(text: Self.onboarding, file: "latent.yaml")
        let model = ForecastModel(scenario)
        #expect(model.streamNames.contains(LatentClasses.stream))
        let r = try Simulation.run(scenario, seed: 7, threads: 2)
        for m in [6, 12, 24] {
            let expected = (1...m).reduce(0.0) { sum, j in
                sum + 1000 * Self.alive(m - j, alpha: 1.5, beta: 20, x: 4, median: 2, logSD: 0.8, threshold: 1)
            }
            let s = try #require(r.summary("active", month: m))
            #expect(abs(s.mean - expected) <= 4 * s.se,
                    "month \(m): simulated \(s.mean) +/- \(s.se), individual-level \(expected) (seed 7, 400 trials)")
        }
    }

    /// The existing base splits over the classes by its tenure (the survivors of tau renewals):
    /// with a multiplier present (classes on) but nobody in a condition, the base's active
    /// subscribers follow the conditional sBG survival S(tau + m - 1) / S(tau) exactly in
    /// expectation.
    @Test func theExistingBaseIsTiltedByItsTenure() throws {
        let text = Self.onboarding.replacingOccurrences(of: "acquisition: {new_per_month: 1000}",
                                                          with: "acquisition: {new_per_month: 0}\nexisting:\n  - {plan: p, count: 20000, tenure_months: 12}")
        let scenario = try ScenarioLoader.parse(text: text, file: "base.yaml")
        #expect(ForecastModel(scenario).streamNames.contains(LatentClasses.stream))
        let r = try Simulation.run(scenario, seed: 3, threads: 2)
        for m in [1, 6, 12, 24] {
            let expected = 20000 * Self.survival(alpha: 1.5, beta: 20, 12 + m - 1) / Self.survival(alpha: 1.5, beta: 20, 12)
            let s = try #require(r.summary("active", month: m))
            #expect(abs(s.mean - expected) <= 4 * max(s.se, 1e-9) + 1e-6,
                    "month \(m): simulated \(s.mean) +/- \(s.se), closed form \(expected) (seed 3)")
        }
    }

    /// Without a multiplier (or with constant churn) nothing changes: no class stream, the
    /// cohort path.
    @Test func noMultiplierNoClasses() throws {
        let one = Self.onboarding.replacingOccurrences(of: "at_risk_churn_multiplier: 4", with: "at_risk_churn_multiplier: 1")
        #expect(!ForecastModel(try ScenarioLoader.parse(text: one, file: "a.yaml")).streamNames.contains(LatentClasses.stream))
        let constant = Self.onboarding.replacingOccurrences(of: "churn: {alpha: 1.5, beta: 20}",
                                                            with: "churn: {mean_per_month: 0.05, heterogeneity: 0}")
        #expect(!ForecastModel(try ScenarioLoader.parse(text: constant, file: "b.yaml")).streamNames.contains(LatentClasses.stream))
    }

    /// An uncertain multiplier whose median is 1: the classes are decided by the family's shape,
    /// so every trial (drawing 1 or 2) and the base share one set of classes and streams.
    @Test func anUncertainMultiplierWithMedianOneRunsWithClasses() throws {
        let text = Self.onboarding.replacingOccurrences(of: "at_risk_churn_multiplier: 4",
                                                          with: "at_risk_churn_multiplier: {distribution: discrete, values: [1, 2], weights: [0.6, 0.4]}")
            .replacingOccurrences(of: "trials: 400", with: "trials: 60")
        let family = try ScenarioLoader.parseFamily(text: text, file: "uncertain.yaml")
        #expect(!family.isFixed)
        #expect(ForecastModel(family).streamNames.contains(LatentClasses.stream))
        let one = try Simulation.run(family, trials: 60, seed: 5, threads: 1)
        let two = try Simulation.run(family, trials: 60, seed: 5, threads: 2)
        #expect(one.summary("active", month: 24) == two.summary("active", month: 24))
        #expect((one.summary("active", month: 24)?.mean ?? 0) > 0)
    }
}
