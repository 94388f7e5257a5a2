import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// The beta-discrete-Weibull churn model: closed forms against direct integration, its c = 1
/// case against sBG, the simulation against the closed form (with and without latent classes),
/// and the fit's recovery of known parameters.
@Suite struct BdWTests {
    /// E[g(p)] for p ~ Beta(a, b), a, b >= 2 (a density that vanishes smoothly at 0 and 1), by Simpson's rule.
    static func expectation(a: Double, b: Double, n: Int = 20_000, _ g: (Double) -> Double) -> Double {
        let logB = lgamma(a) + lgamma(b) - lgamma(a + b)
        func f(_ p: Double) -> Double { p <= 0 || p >= 1 ? 0 : exp((a - 1) * log(p) + (b - 1) * log1p(-p) - logB) * g(p) }
        let h = 1 / Double(n)
        var s = f(0) + f(1)
        for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * f(Double(i) * h) }
        return s * h / 3
    }

    @Test(arguments: [(0.5, 12.0), (1.2, 3.0), (0.2, 0.8), (5.0, 50.0)])
    func cEqualToOneIsSBG(_ a: Double, _ b: Double) {
        let sbg = ChurnModel.shiftedBetaGeometric(alpha: a, beta: b)
        let bdw = ChurnModel.betaDiscreteWeibull(alpha: a, beta: b, c: 1)
        let d = pow(1.1, 1.0 / 12) - 1
        for t in [1, 2, 3, 12, 60, 240] {
            #expect(abs(bdw.churnProbability(atRenewal: t) - sbg.churnProbability(atRenewal: t)) < 1e-12, "h(\(t)), alpha \(a), beta \(b)")
            #expect(abs(bdw.survival(t) - sbg.survival(t)) < 1e-12, "S(\(t))")
            let r1 = bdw.discountedExpectedResidualLifetime(tenure: t, discountPerPeriod: d)
            let r0 = sbg.discountedExpectedResidualLifetime(tenure: t, discountPerPeriod: d)
            #expect(abs(r1 - r0) <= 1e-8 * r0, "DERL at tenure \(t): \(r1) vs \(r0)")
        }
        let l1 = bdw.discountedExpectedLifetime(discountPerMonth: d), l0 = sbg.discountedExpectedLifetime(discountPerMonth: d)
        #expect(abs(l1 - l0) <= 1e-8 * l0)
        let fit = BdWFit.logLikelihood(alpha: a, beta: b, c: 1, data: Self.sample)
        #expect(abs(fit - SBGFit.logLikelihood(alpha: a, beta: b, data: Self.sample)) < 1e-8)
    }

    static var sample: SurvivalData {
        var d = SurvivalData()
        for (t, n) in [(1, 130), (2, 80), (3, 55), (4, 30), (6, 22), (9, 10)] { d.addChurned(periods: t, count: n) }
        for (t, n) in [(3, 40), (5, 70), (8, 90), (12, 200)] { d.addActive(periods: t, count: n) }
        return d
    }

    /// S(t) = E[(1 - p)^(t^c)] and DERL = sum_k S(n - 1 + k) / S(n - 1) x^k, against Simpson's
    /// rule over the Beta density and direct summation.
    @Test(arguments: [(2.0, 6.0, 0.6), (2.0, 20.0, 1.4), (3.0, 3.0, 0.9)])
    func survivalAndDERLAgainstIntegration(_ a: Double, _ b: Double, _ c: Double) {
        let model = ChurnModel.betaDiscreteWeibull(alpha: a, beta: b, c: c)
        var direct: [Double] = []
        for t in 0...2000 {
            let s = Self.expectation(a: a, b: b) { p in pow(1 - p, pow(Double(t), c)) }
            direct.append(s)
            if [0, 1, 2, 5, 12, 36, 120, 400].contains(t) {
                #expect(abs(model.survival(t) - s) <= 1e-7 * s + 1e-9, "S(\(t)) \(model.survival(t)) vs integral \(s) (a \(a), b \(b), c \(c))")
            }
        }
        let d = 0.02, x = 1 / (1 + d)
        for n in [1, 4, 13] {
            var derl = 0.0
            // Truncated at 2,000 renewals: the rest is below x^2000 / (1 - x) = 3e-16.
            for k in 1...(2000 - n + 1) { derl += direct[n - 1 + k] / direct[n - 1] * pow(x, Double(k)) }
            let value = model.discountedExpectedResidualLifetime(tenure: n, discountPerPeriod: d)
            #expect(abs(value - derl) <= 1e-6 * derl, "DERL at tenure \(n): \(value) vs direct \(derl)")
            #expect(abs(model.probabilityActive(tenure: n, afterMore: 3) - direct[n + 2] / direct[n - 1]) < 1e-6)
        }
    }

    static func scenario(churn: String, onboarding: Bool) -> String {
        """
        schema_version: 1
        name: bdw
        horizon_months: 24
        trials: 300
        seed: 11
        plans:
          - {name: p, price_per_month: 10, churn: \(churn)}
        \(onboarding ? """
        acquisition: {new_per_month: 1000}
        onboarding:
          ramp_months: {median: 2, log_sd: 0.8}
          threshold_months: 1
          at_risk_churn_multiplier: 3
        """ : """
        acquisition: {new_per_month: 0}
        existing:
          - {plan: p, count: 20000, tenure_months: 0}
        """)
        """
    }

    /// A cohort's survivors follow n S(t) in expectation: chain-binomial draws of the BdW hazard
    /// (no classes), and the latent classes when a multiplier is present.
    @Test func simulationFollowsTheClosedForm() throws {
        let model = ChurnModel.betaDiscreteWeibull(alpha: 1.2, beta: 9, c: 0.7)
        let scenario = try ScenarioLoader.parse(text: Self.scenario(churn: "{alpha: 1.2, beta: 9, c: 0.7}", onboarding: false), file: "bdw.yaml")
        #expect(scenario.plans[0].churn == model)
        let r = try Simulation.run(scenario, seed: 11, threads: 2)
        for m in [2, 6, 12, 24] {
            let s = try #require(r.summary("active", month: m))
            let expected = 20000 * model.survival(m - 1)
            #expect(abs(s.mean - expected) <= 4 * s.se, "month \(m): \(s.mean) +/- \(s.se) vs \(expected) (seed 11, 300 trials)")
        }
    }

    /// With at-risk customers (multiplier 3 on each one's own BdW hazard) the simulation agrees
    /// with the individual-level expectation: at risk for the first D renewals (D = ceil(R) when
    /// the ramp-up R exceeds the threshold), E[prod_{t <= min(A, D)} (1 - min(1, 3 h_p(t)))
    /// (1 - p)^(A^c - min(A, D)^c)] with h_p(t) = 1 - (1 - p)^(t^c - (t - 1)^c).
    @Test func multipliersActOnEachSubscribersBdWHazard() throws {
        let (a, b, c, x) = (1.2, 9.0, 0.7, 3.0)
        let text = Self.scenario(churn: "{alpha: 1.2, beta: 9, c: 0.7}", onboarding: true)
        let scenario = try ScenarioLoader.parse(text: text, file: "bdw.yaml")
        #expect(ForecastModel(scenario).streamNames.contains(LatentClasses.stream))
        let r = try Simulation.run(scenario, seed: 11, threads: 2)
        func cdf(_ v: Double) -> Double { v <= 0 ? 0 : 0.5 * erfc(-(log(v) - log(2)) / (0.8 * 2.0.squareRoot())) }
        var pD = [cdf(1)]
        for d in 1...200 { let lo = max(Double(d - 1), 1); pD.append(Double(d) > lo ? cdf(Double(d)) - cdf(lo) : 0) }
        pD[200] += 1 - pD.reduce(0, +)
        func alive(_ renewals: Int) -> Double {
            var expected = 0.0
            for (d, w) in pD.enumerated() where w > 1e-12 {
                let k = min(renewals, d)
                expected += w * Self.expectation(a: a, b: b, n: 4000) { p in
                    var s = 1.0
                    for t in stride(from: 1, through: k, by: 1) {
                        let h = 1 - pow(1 - p, pow(Double(t), c) - pow(Double(t - 1), c))
                        s *= 1 - min(1, x * h)
                    }
                    return s * pow(1 - p, pow(Double(renewals), c) - pow(Double(k), c))
                }
            }
            return expected
        }
        for m in [3, 6, 12] {
            // Cohorts of 1,000 arrive every month; the one of month j has made m - j renewals.
            let expected = (1...m).reduce(0.0) { $0 + 1000 * alive(m - $1) }
            let s = try #require(r.summary("active", month: m))
            #expect(abs(s.mean - expected) <= 4 * s.se + 2, "month \(m): simulated \(s.mean) +/- \(s.se), individual-level \(expected) (seed 11)")
        }
    }

    /// Lifetimes drawn subscriber by subscriber from BdW (alpha 0.8, beta 6, c 0.6), censored
    /// at a uniform observation length of 1 ... 36 periods.
    static func generate(alpha: Double, beta: Double, c: Double, n: Int, seed: UInt64) -> SurvivalData {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "bdw-fit"))
        let beta0 = try! Beta(a: alpha, b: beta)
        var d = SurvivalData()
        for _ in 0..<n {
            let p = beta0.sample(using: g)
            let observed = 1 + Int(g.uniform() * 36)
            var t = 1
            while true {
                let h = 1 - pow(1 - p, pow(Double(t), c) - pow(Double(t - 1), c))
                if g.uniform() < h { d.addChurned(periods: t); break }
                if t == observed { d.addActive(periods: t + 1); break }
                t += 1
            }
        }
        return d
    }

    @Test func fitRecoversKnownParametersAndRejectsSBG() throws {
        var covered = 0
        let seeds: [UInt64] = [1, 2, 3, 4, 5, 6]
        for seed in seeds {
            let data = Self.generate(alpha: 0.8, beta: 6, c: 0.6, n: 3000, seed: seed)
            let sbg = try SBGFit.fit(data)
            let w = try BdWFit.fit(data, from: sbg)
            let (lo, hi) = w.interval(2)
            if lo <= 0.6 && 0.6 <= hi { covered += 1 }
            #expect(w.pValue < 0.01, "seed \(seed): LR \(w.likelihoodRatio), p \(w.pValue) should reject sBG (c = \(w.c))")
            #expect(w.aic < w.sbgAIC)
            #expect(abs(log(w.c / 0.6)) < 4 * w.se(2), "seed \(seed): c \(w.c), se(ln c) \(w.se(2))")
        }
        #expect(covered >= 4, "the 95 % interval of c covered 0.6 in \(covered) of \(seeds.count) seeds")
    }

    /// On sBG data (c = 1) the LR test rejects at about its nominal rate.
    @Test func likelihoodRatioIsCalibratedOnSBGData() throws {
        var rejected = 0
        for seed in UInt64(1)...20 {
            let data = Self.generate(alpha: 0.8, beta: 6, c: 1, n: 1500, seed: 100 + seed)
            let w = try BdWFit.fit(data, from: try SBGFit.fit(data))
            if w.pValue < 0.05 { rejected += 1 }
        }
        // Binomial(20, 0.05): P(X >= 5) = 0.016.
        #expect(rejected <= 4, "sBG rejected in \(rejected) of 20 data sets at the 5 % level")
    }

    @Test func scenarioKeys() throws {
        let one = try ScenarioLoader.parse(text: Self.scenario(churn: "{alpha: 1.2, beta: 9, c: 1}", onboarding: false), file: "a.yaml")
        #expect(one.plans[0].churn == .shiftedBetaGeometric(alpha: 1.2, beta: 9))
        let bad = scenarioError(Self.scenario(churn: "{alpha: 1.2, beta: 9, c: 0}", onboarding: false))
        #expect(bad?.description.contains("duration dependence c from 0.01 to 10") == true, "\(String(describing: bad))")
        let lone = scenarioError(Self.scenario(churn: "{mean_per_month: 0.05, heterogeneity: 0.1, c: 2}", onboarding: false))
        #expect(lone?.description.contains("goes with 'alpha' and 'beta'") == true, "\(String(describing: lone))")
        // A fitted sBG-style uncertainty becomes uncertain alpha and beta (c as given).
        let unc = try ScenarioLoader.parseFamily(text: Self.scenario(churn: "{alpha: 1, beta: 9, c: 2, uncertainty: {se_log_alpha: 0.1, se_log_beta: 0.1}}", onboarding: false), file: "u.yaml")
        #expect(unc.inputs.count == 2)
        let drawn = try ScenarioLoader.parseFamily(text: Self.scenario(
            churn: "{alpha: 1.2, beta: 9, c: {distribution: lognormal, median: 0.7, log_sd: 0.1}}", onboarding: false)
            .replacingOccurrences(of: "trials: 300", with: "trials: 20"), file: "c.yaml")
        #expect(!drawn.isFixed)
    }
}
