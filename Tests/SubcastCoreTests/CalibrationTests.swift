import Foundation
import Testing
@testable import SubcastCore

@Suite struct CalibrationTests {
    /// Fader & Hardie (2007), "How to project customer retention", Journal of Interactive
    /// Marketing 21(1): the "High End" and "Regular" cohorts, with their published estimates.
    @Test(arguments: [
        ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806, -1611.158),
        ([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182, -1680.265),
    ])
    func reproducesPublishedEstimates(_ alive: [Int], _ alpha: Double, _ beta: Double, _ ll: Double) throws {
        let fit = try SBGFit.fit(CohortRetention(label: "c", alive: alive).survivalData())
        #expect(abs(fit.alpha - alpha) < 0.0006, "alpha \(fit.alpha) vs published \(alpha)")
        #expect(abs(fit.beta - beta) < 0.0006, "beta \(fit.beta) vs published \(beta)")
        #expect(abs(fit.logLikelihood - ll) < 0.001, "LL \(fit.logLikelihood) vs \(ll)")
        // The maximum: every nearby point has a lower likelihood.
        let data = CohortRetention(label: "c", alive: alive).survivalData()
        for (da, db) in [(0.01, 0.0), (-0.01, 0.0), (0.0, 0.01), (0.0, -0.01)] {
            #expect(SBGFit.logLikelihood(alpha: fit.alpha + da, beta: fit.beta + db, data: data) < fit.logLikelihood)
        }
    }

    @Test func standardErrorsMatchAnIndependentComputation() throws {
        // scipy Nelder-Mead + central-difference Hessian on the "Regular" cohort:
        // se(ln alpha) 0.09317, se(ln beta) 0.12899, correlation 0.88892.
        let fit = try SBGFit.fit(CohortRetention(label: "r", alive: [1000, 631, 468, 382, 326, 289, 262, 241]).survivalData())
        #expect(abs(fit.seLogAlpha - 0.09317) < 2e-4, "\(fit.seLogAlpha)")
        #expect(abs(fit.seLogBeta - 0.12899) < 2e-4, "\(fit.seLogBeta)")
        #expect(abs(fit.correlation - 0.88892) < 2e-3, "\(fit.correlation)")
        #expect(fit.alphaInterval.lower < fit.alpha && fit.alpha < fit.alphaInterval.upper)
    }

    @Test func logLikelihoodByHandOnAThreePeriodTable() {
        // Cohort 1000 -> 631 -> 468 -> 382: 369 churn at renewal 1, 163 at 2, 86 at 3, 382 censored.
        let (a, b) = (0.7, 1.2)
        let p1 = a / (a + b)
        let p2 = b / (a + b) * a / (a + b + 1)
        let p3 = b / (a + b) * (b + 1) / (a + b + 1) * a / (a + b + 2)
        let s3 = b / (a + b) * (b + 1) / (a + b + 1) * (b + 2) / (a + b + 2)
        let hand = 369 * log(p1) + 163 * log(p2) + 86 * log(p3) + 382 * log(s3)
        let data = CohortRetention(label: "x", alive: [1000, 631, 468, 382]).survivalData()
        let ll = SBGFit.logLikelihood(alpha: a, beta: b, data: data)
        #expect(abs(ll - hand) < 1e-9, "\(ll) vs hand \(hand)")
        #expect(abs(ll - -1242.681947102981) < 1e-8, "\(ll) vs scipy")   // independent implementation
    }

    /// Simulate retention tables with Subcast's own engine for known (alpha, beta), fit each, and
    /// check that the 95 % intervals cover the truth at the expected rate.
    @Test func recoversKnownParametersWithCalibratedIntervals() throws {
        let (alpha, beta) = (0.7, 1.2)
        let trials = 300, periods = 8, seed: UInt64 = 424_242
        let s = Scenario(name: "recovery", horizonMonths: periods, trials: trials,
                         plans: [Plan(name: "p", pricePerMonth: 1, churn: .shiftedBetaGeometric(alpha: alpha, beta: beta))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 1000, tenureMonths: 0)], lifetimeMonths: 1)
        let model = CohortModel(s)
        let m = try MonteCarloEngine.run(model, trials: trials, seed: seed, threads: 2)
        let active = model.layout.block("active")!
        var coverA = 0, coverB = 0, sumA = 0.0, sumB = 0.0
        for t in 0..<trials {
            let alive = (0..<periods).map { Int(m[t, active.offset + $0]) }
            let fit = try SBGFit.fit(CohortRetention(label: "t\(t)", alive: alive).survivalData())
            if fit.alphaInterval.lower <= alpha && alpha <= fit.alphaInterval.upper { coverA += 1 }
            if fit.betaInterval.lower <= beta && beta <= fit.betaInterval.upper { coverB += 1 }
            sumA += log(fit.alpha); sumB += log(fit.beta)
        }
        // Coverage ~ Binomial(300, 0.95): sd 1.26 %; accept 95 % +/- 4 sd.
        let lo = 0.95 - 4 * (0.95 * 0.05 / Double(trials)).squareRoot(), hi = 0.95 + 4 * (0.95 * 0.05 / Double(trials)).squareRoot()
        let ca = Double(coverA) / Double(trials), cb = Double(coverB) / Double(trials)
        #expect(ca >= lo && ca <= min(hi, 1), "alpha coverage \(ca) outside [\(lo), \(hi)], seed \(seed), alpha \(alpha), beta \(beta), 1000 x \(periods)")
        #expect(cb >= lo && cb <= min(hi, 1), "beta coverage \(cb) outside [\(lo), \(hi)], seed \(seed)")
        // The estimates centre on the truth (log scale, within 4 standard errors of the mean).
        let typicalSE = try SBGFit.fit(CohortRetention(label: "e", alive: (0..<periods).map { k in
            Int((1000 * ChurnModel.shiftedBetaGeometric(alpha: alpha, beta: beta).survival(k)).rounded()) }).survivalData())
        #expect(abs(sumA / Double(trials) - log(alpha)) < 4 * typicalSE.seLogAlpha / Double(trials).squareRoot(), "mean ln alpha \(sumA / Double(trials)), seed \(seed)")
        #expect(abs(sumB / Double(trials) - log(beta)) < 4 * typicalSE.seLogBeta / Double(trials).squareRoot(), "mean ln beta \(sumB / Double(trials)), seed \(seed)")
    }

    @Test func cohortTriangleAndHoldout() throws {
        let table = RetentionTable(cohorts: [
            CohortRetention(label: "a", alive: [1000, 631, 468, 382, 326, 289, 262, 241]),
            CohortRetention(label: "b", alive: [800, 500, 370]),
        ], period: .month)
        let d = table.survivalData()
        #expect(d.subscribers == 1800)
        #expect(d.churned[1] == 369 + 300 && d.churned[2] == 163 + 130 && d.active[3] == 370 && d.active[8] == 241)
        let held = table.survivalData(holdout: 2)
        #expect(held.subscribers == 1800)
        #expect(held.active[6] == 289 && held.active[1] == 800 && held.maxPeriods == 6)
    }

    @Test func degenerateDataGiveClearErrors() {
        #expect(throws: SBGFit.FitError.self) { try SBGFit.fit(SurvivalData()) }
        #expect(throws: SBGFit.FitError.self) { try SBGFit.fit(CohortRetention(label: "n", alive: [100, 100, 100]).survivalData()) }
        #expect(throws: SBGFit.FitError.self) { try SBGFit.fit(CohortRetention(label: "o", alive: [100, 60]).survivalData()) }
        // Homogeneous (geometric) data have no interior maximum: alpha, beta -> infinity.
        // 5^9 (4/5)^k = 4^k 5^(9-k): exactly geometric counts with churn 0.2.
        let geometric = (0..<10).map { k in (0..<k).reduce(1) { r, _ in r * 4 } * (0..<(9 - k)).reduce(1) { r, _ in r * 5 } }
        do {
            _ = try SBGFit.fit(CohortRetention(label: "g", alive: geometric).survivalData())
            Issue.record("exactly geometric data should not give a finite sBG fit")
        } catch {
            #expect(error.message.contains("homogeneous"), "\(error)")
            #expect(error.message.contains("alpha, beta -> infinity") && error.message.contains("0.2 per period"), "\(error)")
        }
    }

    /// A sharp first-renewal drop and no churn after it: the supremum is the polarised limit
    /// alpha, beta -> 0 (not the homogeneous one), and the suggested setting comes close to it.
    @Test(arguments: [(10_000, 5_000, 12), (1_000, 700, 6), (500, 20, 4)])
    func aFirstRenewalDropIsDiagnosedAsPolarised(_ size: Int, _ stay: Int, _ periods: Int) throws {
        let data = CohortRetention(label: "drop", alive: [size] + Array(repeating: stay, count: periods)).survivalData()
        do {
            let fit = try SBGFit.fit(data)
            Issue.record("a finite fit \(fit.alpha), \(fit.beta) for data without later churn")
        } catch {
            let q = Double(size - stay) / Double(size)
            #expect(error.message.contains("alpha, beta -> 0") && error.message.contains("polarised"), "\(error)")
            #expect(error.message.contains(String(format: "%.4g", q)), "\(error)")
            #expect(!error.message.contains("homogeneous"), "\(error)")
            // The limit's log-likelihood, d ln q + s ln(1 - q), is in the message and beats every interior point.
            let limit = Double(size - stay) * log(q) + Double(stay) * log1p(-q)
            #expect(error.message.contains(String(format: "%.3f", limit)), "\(error)")
            for (a, b) in [(0.01, 0.01), (0.1, 0.1), (1, 1), (q, 1 - q)] {
                #expect(SBGFit.logLikelihood(alpha: a, beta: b, data: data) < limit)
            }
            // heterogeneity 0.999 at mean q comes within 1 % of the limit's log-likelihood per subscriber.
            if case let .shiftedBetaGeometric(a, b) = ChurnModel(meanPerMonth: q, heterogeneity: 0.999) {
                #expect(SBGFit.logLikelihood(alpha: a, beta: b, data: data) > limit - 0.01 * Double(size))
            }
        }
    }

    @Test func derlAgainstDirectSummation() {
        for (a, b, tenure, d) in [(0.704, 1.182, 1, 0.1), (0.704, 1.182, 5, 0.1), (0.668, 3.806, 3, 0.02), (2.0, 10.0, 12, 0.01)] {
            let model = ChurnModel.shiftedBetaGeometric(alpha: a, beta: b)
            var direct = 0.0
            for k in 1..<100_000 {
                let term = model.survival(tenure + k - 1) / model.survival(tenure - 1) * pow(1 + d, -Double(k))
                direct += term
                if term < 1e-16 { break }
            }
            let derl = model.discountedExpectedResidualLifetime(tenure: tenure, discountPerPeriod: d)
            #expect(abs(derl - direct) < 1e-7 * max(direct, 1), "alpha \(a) beta \(b) tenure \(tenure) d \(d): \(derl) vs \(direct)")
            // Fader-Hardie's form: x beta'/(alpha+beta') 2F1(1, beta'+1; alpha+beta'+1; x) by its own series.
            let bp = b + Double(tenure - 1), x = 1 / (1 + d)
            var series = 0.0, term = 1.0, k = 0.0
            while term > 1e-18 { series += term; term *= (bp + 1 + k) / (a + bp + 1 + k) * x; k += 1 }
            #expect(abs(derl - x * bp / (a + bp) * series) < 1e-7 * max(derl, 1))
        }
        let c = ChurnModel.constant(perMonth: 0.1)
        #expect(abs(c.discountedExpectedResidualLifetime(tenure: 7, discountPerPeriod: 0.05) - (0.9 / 1.05) / (1 - 0.9 / 1.05)) < 1e-12)
    }

    @Test func tenureConditionalQuantities() {
        let m = ChurnModel.shiftedBetaGeometric(alpha: 0.704, beta: 1.182)
        // Retention rises with tenure under heterogeneity.
        #expect(m.retentionRate(tenure: 1) < m.retentionRate(tenure: 2) && m.retentionRate(tenure: 2) < m.retentionRate(tenure: 10))
        #expect(abs(m.retentionRate(tenure: 3) - (1.182 + 2) / (0.704 + 1.182 + 2)) < 1e-15)
        // P(active k more | tenure n) is the product of the next k retention rates.
        var product = 1.0
        for j in 0..<6 { product *= m.retentionRate(tenure: 4 + j) }
        #expect(abs(m.probabilityActive(tenure: 4, afterMore: 6) - product) < 1e-12)
    }
}

@Suite struct ChurnUncertaintyTests {
    func scenario(_ u: ChurnUncertainty?) -> Scenario {
        Scenario(name: "u", horizonMonths: 12, trials: 600,
                 plans: [Plan(name: "p", pricePerMonth: 10, churn: .shiftedBetaGeometric(alpha: 0.7, beta: 1.2), churnUncertainty: u)],
                 acquisition: Acquisition(newPerMonth: 500, planMix: [1]), lifetimeMonths: 12)
    }

    @Test func zeroUncertaintyReproducesKnownParametersBitForBit() throws {
        let a = try MonteCarloEngine.run(CohortModel(scenario(nil)), trials: 100, seed: 11, threads: 2)
        let model = CohortModel(scenario(ChurnUncertainty(seLogAlpha: 0, seLogBeta: 0, correlation: 0)))
        #expect(model.streamNames == ["acquisition", "churn", "parameters"])
        let b = try MonteCarloEngine.run(model, trials: 100, seed: 11, threads: 2)
        var same = true
        for t in 0..<100 { for j in 0..<model.layout.width where a[t, j].bitPattern != b[t, j].bitPattern { same = false } }
        #expect(same, "se 0 must equal no uncertainty, seed 11")
    }

    @Test func parameterUncertaintyWidensAndCentresOnTheIntegratedClosedForm() throws {
        let u = ChurnUncertainty(seLogAlpha: 0.2, seLogBeta: 0.25, correlation: 0.9)
        let fixed = try Simulation.run(scenario(nil), seed: 12, threads: 2)
        let r = try Simulation.run(scenario(u), seed: 12, threads: 2)
        #expect(r.closedForm.atPointEstimates && !fixed.closedForm.atPointEstimates)
        let m12 = r.summary("active", month: 12)!, f12 = fixed.summary("active", month: 12)!
        #expect(m12.sd > 3 * f12.sd, "sd with parameter uncertainty \(m12.sd) vs without \(f12.sd), seed 12")
        // E[active in month 12] integrated over the bivariate normal of (ln alpha, ln beta) by
        // a 2-D Gauss-Hermite-like grid (midpoint rule over +/- 6 sd, 121 x 121 points).
        var expected = 0.0, weight = 0.0
        let g = 121, span = 6.0
        for i in 0..<g {
            for j in 0..<g {
                let z1 = -span + 2 * span * (Double(i) + 0.5) / Double(g)
                let z2 = -span + 2 * span * (Double(j) + 0.5) / Double(g)
                let rho = u.correlation
                let density = exp(-(z1 * z1 - 2 * rho * z1 * z2 + z2 * z2) / (2 * (1 - rho * rho)))
                let a = 0.7 * exp(u.seLogAlpha * z1), b = 1.2 * exp(u.seLogBeta * z2)
                let c = ChurnModel.shiftedBetaGeometric(alpha: a, beta: b)
                expected += density * 500 * (0..<12).reduce(0.0) { $0 + c.survival($1) }
                weight += density
            }
        }
        expected /= weight
        #expect(abs(m12.mean - expected) <= 4 * m12.se, "active month 12: \(m12.mean) (se \(m12.se)) vs integrated \(expected), seed 12")
    }
}
