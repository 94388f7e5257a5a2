import Foundation
import Testing
@testable import SubcastCore

@Suite struct EngineTests {
    static let seed: UInt64 = 20_261_124

    @Test func benchModelMeansMatchClosedForm() throws {
        let scenario = benchScenario(trials: 1000)
        let r = try Simulation.run(scenario, seed: Self.seed, threads: 2)
        let table: [(Int, Double)] = [(1, 1000), (2, 1960), (3, 2884.4444), (12, 10_061.4618),
                                      (24, 17_708.3074), (36, 24_130.4916), (60, 34_875.1054)]
        for (m, expected) in table {
            let (ok, msg) = within(r.summary("active", month: m)!, expected, "active month \(m), seed \(Self.seed), sbg-cohorts")
            #expect(ok, "\(msg)")
            let (ok2, msg2) = within(r.summary("mrr", month: m)!, 50 * expected, "mrr month \(m), seed \(Self.seed)")
            #expect(ok2, "\(msg2)")
            #expect(abs(r.closedForm.active[m - 1] - expected) < 1e-4)
        }
        let (ok, msg) = within(r.scalar("cltv")!, 1959.905, "cltv L=120, seed \(Self.seed)")
        #expect(ok, "\(msg)")
        #expect(abs(r.closedForm.cltv - 1959.905) < 1e-3)
        #expect(abs(r.closedForm.cltvUnlimited - 2516.643) < 1e-3)
    }

    @Test func retentionCurvesMatchSurvival() throws {
        let scenario = benchScenario(trials: 400, lifetimeMonths: 1)
        let r = try Simulation.run(scenario, seed: Self.seed + 1, threads: 2)
        let churn = scenario.plans[0].churn
        for a in [0, 1, 5, 11, 30, 59] {
            let (ok, msg) = within(r.summary("retention_cohort_1", month: a + 1)!, churn.survival(a), "cohort 1 age \(a)")
            #expect(ok, "\(msg)")
            let (ok2, msg2) = within(r.summary("retention", month: a + 1)!, churn.survival(a), "pooled age \(a)")
            #expect(ok2, "\(msg2)")
        }
    }

    @Test func subscribersAreConservedInEveryTrial() throws {
        var s = benchScenario(trials: 50, lifetimeMonths: 24)
        s.plans.append(Plan(name: "pro", pricePerMonth: 120, churn: .constant(perMonth: 0.03)))
        s.acquisition = Acquisition(newPerMonth: 300, growthPerMonth: 0.02, planMix: [0.6, 0.4])
        s.existing = [ExistingCohort(plan: 1, count: 800, tenureMonths: 7)]
        let model = CohortModel(s)
        let m = try MonteCarloEngine.run(model, trials: 50, seed: 3, threads: 2)
        let active = model.layout.block("active")!, new = model.layout.block("new")!
        let churned = model.layout.block("churned")!, mrr = model.layout.block("mrr")!
        let cum = model.layout.block("cumulative_revenue")!
        let newMRR = model.layout.block("new_mrr")!, churnedMRR = model.layout.block("churned_mrr")!
        for t in 0..<50 {
            #expect(m[t, active.offset] == 800 + m[t, new.offset], "trial \(t) month 1")
            var total = 0.0
            for j in 0..<(s.horizonMonths - 1) {
                let next = m[t, active.offset + j] - m[t, churned.offset + j] + m[t, new.offset + j + 1]
                #expect(m[t, active.offset + j + 1] == next, "trial \(t) month \(j + 2): conservation, seed 3")
                #expect(m[t, churned.offset + j] <= m[t, active.offset + j])
                total += m[t, mrr.offset + j]
                #expect(abs(m[t, cum.offset + j] - total) <= 1e-9 * total)
                // MRR bridge: start - churned + new = end, exactly up to rounding.
                let bridged = m[t, mrr.offset + j] - m[t, churnedMRR.offset + j] + m[t, newMRR.offset + j + 1]
                #expect(abs(m[t, mrr.offset + j + 1] - bridged) <= 1e-9 * bridged, "trial \(t) month \(j + 2): MRR bridge, seed 3")
            }
        }
    }

    @Test func identicalBitsForAnyThreadCount() throws {
        var s = benchScenario(trials: 300, lifetimeMonths: 30)
        s.horizonMonths = 24
        s.reportedCohorts = [1, 12]
        let model = CohortModel(s)
        let one = try MonteCarloEngine.run(model, trials: 300, seed: 77, threads: 1)
        for threads in [2, 3, 8] {
            let many = try MonteCarloEngine.run(model, trials: 300, seed: 77, threads: threads)
            var same = true
            for t in 0..<300 { for j in 0..<model.layout.width where one[t, j].bitPattern != many[t, j].bitPattern { same = false } }
            #expect(same, "threads 1 vs \(threads), seed 77")
        }
    }

    @Test func existingBaseAndPlanMixMatchClosedForm() throws {
        let s = Scenario(
            name: "mixed", horizonMonths: 24, trials: 1500,
            plans: [Plan(name: "basic", pricePerMonth: 29, churn: .init(meanPerMonth: 0.06, heterogeneity: 0.25)),
                    Plan(name: "pro", pricePerMonth: 99, churn: .shiftedBetaGeometric(alpha: 1.2, beta: 30))],
            acquisition: Acquisition(newPerMonth: 150, growthPerMonth: 0.03, planMix: [0.7, 0.3]),
            existing: [ExistingCohort(plan: 0, count: 2000, tenureMonths: 10),
                       ExistingCohort(plan: 1, count: 500, tenureMonths: 0)],
            economics: Economics(grossMargin: 0.8, discountRatePerYear: 0.12, cacPerSubscriber: 400),
            lifetimeMonths: 60)
        let r = try Simulation.run(s, seed: 99, threads: 2)
        for m in [1, 2, 6, 12, 24] {
            let (ok, msg) = within(r.summary("mrr", month: m)!, r.closedForm.mrr[m - 1], "mixed mrr month \(m), seed 99")
            #expect(ok, "\(msg)")
            let (ok2, msg2) = within(r.summary("active", month: m)!, r.closedForm.active[m - 1], "mixed active month \(m)")
            #expect(ok2, "\(msg2)")
            let (ok3, msg3) = within(r.summary("new", month: m)!, r.closedForm.new[m - 1], "mixed new month \(m)")
            #expect(ok3, "\(msg3)")
        }
        let (ok, msg) = within(r.scalar("cltv")!, r.closedForm.cltv, "mixed cltv, seed 99")
        #expect(ok, "\(msg)")
        // Independent check of the closed form itself, by direct summation of the hazards.
        var direct = 0.0
        let d = pow(1.12, 1.0 / 12) - 1
        for (p, share) in [(0, 0.7), (1, 0.3)] {
            var surv = 1.0
            for a in 0..<60 {
                direct += share * s.plans[p].pricePerMonth * 0.8 * surv / pow(1 + d, Double(a))
                surv *= 1 - s.plans[p].churn.churnProbability(atRenewal: a + 1)
            }
        }
        #expect(abs(direct - r.closedForm.cltv) < 1e-9 * direct)
    }

    @Test func churnOfAClosedBaseHasBinomialMoments() throws {
        // No arrivals, 10,000 subscribers with constant churn 0.1: active in month 2 ~ Binomial(10000, 0.9).
        let s = Scenario(name: "closed", horizonMonths: 2, trials: 4000,
                         plans: [Plan(name: "p", pricePerMonth: 1, churn: .constant(perMonth: 0.1))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 10_000, tenureMonths: 3)], lifetimeMonths: 12)
        let r = try Simulation.run(s, seed: 5, threads: 2)
        let a2 = r.summary("active", month: 2)!
        let (ok, msg) = within(a2, 9000, "closed base month 2, seed 5")
        #expect(ok, "\(msg)")
        // sd of the sample sd is about sd / sqrt(2 (n - 1)).
        let exactSD = (10_000 * 0.9 * 0.1).squareRoot()
        #expect(abs(a2.sd - exactSD) <= 4 * exactSD / (2.0 * 3999).squareRoot(), "sd \(a2.sd) vs \(exactSD), seed 5")
    }

    @Test func poissonArrivalsHavePoissonMoments() throws {
        let s = Scenario(name: "arrivals", horizonMonths: 1, trials: 5000,
                         plans: [Plan(name: "p", pricePerMonth: 1, churn: .constant(perMonth: 0.1))],
                         acquisition: Acquisition(newPerMonth: 250, planMix: [1]), lifetimeMonths: 1)
        let r = try Simulation.run(s, seed: 8, threads: 2)
        let n = r.summary("new", month: 1)!
        let (ok, msg) = within(n, 250, "arrivals, seed 8")
        #expect(ok, "\(msg)")
        #expect(abs(n.sd - 250.0.squareRoot()) <= 4 * 250.0.squareRoot() / (2.0 * 4999).squareRoot(), "sd \(n.sd)")
    }

    @Test func matrixLimitIsAnErrorNotACrash() {
        let s = benchScenario(trials: 1)
        #expect(throws: SimulationError.self) {
            _ = try MonteCarloEngine.run(CohortModel(s), trials: 1 << 40, seed: 1, threads: 1)
        }
    }
}
