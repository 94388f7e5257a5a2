import Foundation
import Testing
@testable import SubcastCore

/// The business levers: each against a closed form, an invariant or its direction; all off
/// against the core model bit for bit.
@Suite struct LeverModelTests {
    static let seed: UInt64 = 20_261_130

    /// A closed base of `count` subscribers on one plan with constant churn, no arrivals.
    static func closedBase(count: Int = 20_000, churn: Double = 0.02, horizon: Int = 12, trials: Int = 400) -> Scenario {
        Scenario(name: "closed", horizonMonths: horizon, trials: trials,
                 plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: churn))],
                 acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                 existing: [ExistingCohort(plan: 0, count: count, tenureMonths: 0)])
    }

    /// Every lever on, two plans, an existing base.
    static func everything(trials: Int = 60) -> Scenario {
        var s = Scenario(name: "all", horizonMonths: 30, trials: trials,
                         plans: [Plan(name: "basic", pricePerMonth: 20, churn: .shiftedBetaGeometric(alpha: 0.6, beta: 9)),
                                 Plan(name: "team", pricePerMonth: 80, churn: .shiftedBetaGeometric(alpha: 0.4, beta: 12))],
                         acquisition: Acquisition(newPerMonth: 400, growthPerMonth: 0.02, planMix: [0.7, 0.3]),
                         existing: [ExistingCohort(plan: 1, count: 900, tenureMonths: 5)],
                         economics: Economics(grossMargin: 0.8, discountRatePerYear: 0.1, cacPerSubscriber: 200),
                         lifetimeMonths: 40)
        s.plans[0].options = PlanOptions(annualShare: 0.3, annualDiscount: 0.15, introDiscount: 0.5, introMonths: 2,
                                         usage: Usage(pricePerUnit: 0.01, meanUnitsPerMonth: 500, cv: 0.7, growthPerMonth: 0.01),
                                         moves: [(plan: 1, probability: 0.01)], ticketsPerMonth: 0.3, upsellTo: 1)
        s.plans[1].options = PlanOptions(annualShare: 0.2, seats: Seats(pricePerSeat: 9, meanAtSignup: 4, expansionPerMonth: 0.1,
                                                                       contractionPerMonth: 0.03),
                                         moves: [(plan: 0, probability: 0.005)], ticketsPerMonth: 0.5)
        s.levers = Levers(support: Support(agents: 2, ticketsPerAgentPerMonth: 150, costPerAgentPerMonth: 4000,
                                           firstContactResolution: 0.7, backlogPenalty: 0.5, waitingChurnMultiplier: 1.5,
                                           badChurnMultiplier: 3, badMonths: 3, goodChurnMultiplier: 0.5, goodMonths: 4,
                                           upsellProbability: 0.1),
                          onboarding: Onboarding(rampMedianMonths: 1.5, rampLogSD: 0.7, thresholdMonths: 2.5,
                                                 atRiskChurnMultiplier: 2.5, detectionRate: 0.6, successRate: 0.5,
                                                 costPerIntervention: 120, capacityPerMonth: 30),
                          priceEvents: [PriceEvent(month: 10, plan: 0, newPricePerMonth: 24, churnShock: 0.04),
                                        PriceEvent(month: 18, plan: 1, newPricePerMonth: 90, churnShock: 0.05, grandfather: true)],
                          priceElasticity: -1.1, freeTrial: FreeTrial(months: 1, conversion: 0.6),
                          dunning: Dunning(failureRate: 0.04, recoveryProbability: 0.6),
                          licenceSwitch: LicenceSwitch(switchMonth: 4, licencesPerMonth: 30, licencePrice: 900,
                                                       maintenanceShare: 0.2, maintenanceRenewal: 0.8, installedBase: 500,
                                                       migrationPerMonth: 0.05, migrationPlan: 1, migrationPricePerMonth: 60))
        return s
    }

    func run(_ s: Scenario, seed: UInt64 = LeverModelTests.seed) throws -> SimulationResult {
        try Simulation.run(s, seed: seed, threads: 2)
    }

    @Test func allLeversOffReproducesTheCoreModelBitForBit() throws {
        var s = benchScenario(trials: 70, lifetimeMonths: 30)
        s.horizonMonths = 24
        s.plans.append(Plan(name: "pro", pricePerMonth: 120, churn: .shiftedBetaGeometric(alpha: 0.3, beta: 8),
                            churnUncertainty: ChurnUncertainty(seLogAlpha: 0.1, seLogBeta: 0.2, correlation: 0.5)))
        s.acquisition = Acquisition(newPerMonth: 300, growthPerMonth: 0.02, planMix: [0.6, 0.4])
        s.existing = [ExistingCohort(plan: 1, count: 800, tenureMonths: 7), ExistingCohort(plan: 0, count: 50, tenureMonths: 0)]
        s.reportedCohorts = [1, 6, 24]
        #expect(!s.usesLevers)
        let core = CohortModel(s), lever = PipelineModel(s)
        #expect(core.streamNames == lever.streamNames)
        let a = try MonteCarloEngine.run(core, trials: 70, seed: 11, threads: 2)
        let b = try MonteCarloEngine.run(lever, trials: 70, seed: 11, threads: 1)
        for block in core.layout.blocks {
            let other = try #require(lever.layout.block(block.metric), "\(block.metric) missing from PipelineModel")
            #expect(other.count == block.count)
            var same = true
            for t in 0..<70 {
                for j in 0..<block.count where a[t, block.offset + j].bitPattern != b[t, other.offset + j].bitPattern {
                    same = false
                }
            }
            #expect(same, "\(block.metric) differs between CohortModel and PipelineModel with levers off, seed 11")
        }
    }

    @Test func subscribersConservedAndMRRBridgeExactWithEveryLever() throws {
        let s = Self.everything()
        let model = PipelineModel(s)
        let m = try MonteCarloEngine.run(model, trials: 60, seed: 5, threads: 2)
        func col(_ name: String) -> OutputLayout.Block { model.layout.block(name)! }
        let active = col("active"), new = col("new"), churned = col("churned"), migrated = col("migrated")
        let mrr = col("mrr"), newMRR = col("new_mrr"), churnedMRR = col("churned_mrr")
        let exp = col("expansion_mrr"), con = col("contraction_mrr")
        var sawExpansion = false, sawContraction = false
        for t in 0..<60 {
            for j in 0..<(s.horizonMonths - 1) {
                let next = m[t, active.offset + j] - m[t, churned.offset + j] + m[t, new.offset + j + 1] + m[t, migrated.offset + j + 1]
                #expect(m[t, active.offset + j + 1] == next, "trial \(t) month \(j + 2): subscribers not conserved, seed 5")
                let bridged = m[t, mrr.offset + j] - m[t, churnedMRR.offset + j] + m[t, newMRR.offset + j + 1]
                    + m[t, exp.offset + j + 1] - m[t, con.offset + j + 1]
                #expect(abs(m[t, mrr.offset + j + 1] - bridged) <= 1e-9 * max(1, bridged),
                        "trial \(t) month \(j + 2): MRR bridge off by \(m[t, mrr.offset + j + 1] - bridged), seed 5")
                if m[t, exp.offset + j + 1] > 0 { sawExpansion = true }
                if m[t, con.offset + j + 1] > 0 { sawContraction = true }
            }
        }
        #expect(sawExpansion && sawContraction)
    }

    @Test func sameBitsForAnyThreadCountWithEveryLever() throws {
        let model = PipelineModel(Self.everything())
        let one = try MonteCarloEngine.run(model, trials: 70, seed: 9, threads: 1)
        let two = try MonteCarloEngine.run(model, trials: 70, seed: 9, threads: 3)
        var same = true
        for t in 0..<70 { for j in 0..<model.layout.width where one[t, j].bitPattern != two[t, j].bitPattern { same = false } }
        #expect(same, "threads 1 vs 3, seed 9")
    }

    @Test func badResolutionsWithoutBacklogMatchTheirClosedForm() throws {
        // Unlimited capacity, fixed quality: month-1 bad resolutions ~ Binomial(N, (1 - e^-r)(1 - fcr)).
        var s = Self.closedBase(count: 10_000, churn: 0.02, horizon: 3, trials: 500)
        s.plans[0].options.ticketsPerMonth = 0.25
        s.levers.support = Support(agents: 100, ticketsPerAgentPerMonth: 1000, firstContactResolution: 0.8,
                                   badChurnMultiplier: 3, badMonths: 2)
        let r = try run(s)
        let q = (1 - exp(-0.25)) * 0.2
        let (ok, msg) = within(r.summary("bad_resolutions", month: 1)!, 10_000 * q, "bad resolutions month 1, seed \(Self.seed)")
        #expect(ok, "\(msg)")
        let (ok2, msg2) = within(r.summary("detractors", month: 1)!, 10_000 * q, "detractors month 1")
        #expect(ok2, "\(msg2)")
        // Detractors churn at 3 x 2 %: E[churned in month 1] = N (0.02 + q (0.06 - 0.02)).
        let (ok3, msg3) = within(r.summary("churned", month: 1)!, 10_000 * (0.02 + q * 0.04), "churn month 1")
        #expect(ok3, "\(msg3)")
        #expect(r.summary("backlog", month: 1)!.mean == 0)
    }

    @Test func moreAgentsMeanFewerBadResolutionsAndLessChurn() throws {
        var s = Self.closedBase(count: 20_000, churn: 0.02, horizon: 12, trials: 200)
        s.plans[0].options.ticketsPerMonth = 0.3
        var support = Support(agents: 3, ticketsPerAgentPerMonth: 1000, firstContactResolution: 0.85, backlogPenalty: 1,
                              waitingChurnMultiplier: 1.5, badChurnMultiplier: 3, badMonths: 3)
        s.levers.support = support
        let few = try run(s)
        support.agents = 6
        s.levers.support = support
        let many = try run(s)
        let badFew = few.summary("bad_resolutions", month: 12)!, badMany = many.summary("bad_resolutions", month: 12)!
        #expect(few.summary("backlog", month: 12)!.mean > many.summary("backlog", month: 12)!.mean)
        #expect(badMany.mean + 4 * badMany.se < badFew.mean, "bad resolutions: \(badMany.mean) with 6 agents vs \(badFew.mean) with 3")
        let activeFew = few.summary("active", month: 12)!, activeMany = many.summary("active", month: 12)!
        #expect(activeMany.mean - 4 * activeMany.se > activeFew.mean, "active month 12: \(activeMany.mean) vs \(activeFew.mean)")
        #expect(many.summary("support_cost", month: 1)!.mean == 0)
    }

    @Test func annualBillingRenewsOnlyOnceAYearWithTheSBGCount() throws {
        // All subscribers annual: a cohort of n keeps n S(12 k) until its k-th annual renewal.
        let churn = ChurnModel.shiftedBetaGeometric(alpha: 0.7, beta: 6)
        var s = Scenario(name: "annual", horizonMonths: 37, trials: 300,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: churn, options: PlanOptions(annualShare: 1, annualDiscount: 0.2))],
                         acquisition: Acquisition(newPerMonth: 200, planMix: [1]), lifetimeMonths: 1)
        s.reportedCohorts = [1]
        let r = try run(s)
        for (m, expected) in [(12, 200.0), (13, 200 * churn.survival(12)), (25, 200 * churn.survival(24)), (37, 200 * churn.survival(36))] {
            let (ok, msg) = within(r.summary("retention_cohort_1", month: m)!, expected / 200, "cohort 1 tenure month \(m)")
            #expect(ok, "\(msg)")
        }
        // Active in month m: sum over cohorts c of 200 S(12 floor((m - c) / 12)).
        let m = 30
        var expected = 0.0
        for c in 1...m { expected += 200 * churn.survival(12 * ((m - c) / 12)) }
        let (ok, msg) = within(r.summary("active", month: m)!, expected, "active month \(m), annual billing")
        #expect(ok, "\(msg)")
        // MRR recognises a twelfth of the annual price; cash arrives up front.
        let (ok2, msg2) = within(r.summary("mrr", month: 1)!, 200 * 10 * 0.8, "mrr month 1")
        #expect(ok2, "\(msg2)")
        let (ok3, msg3) = within(r.summary("billings", month: 1)!, 200 * 10 * 0.8 * 12, "cash month 1")
        #expect(ok3, "\(msg3)")
    }

    @Test func dunningAddsInvoluntaryChurnAtItsClosedFormRate() throws {
        var s = Self.closedBase(count: 20_000, churn: 0.03, horizon: 6)
        s.levers.dunning = Dunning(failureRate: 0.05, recoveryProbability: 0.7)
        let r = try run(s)
        let keep = (1 - 0.03) * (1 - 0.05 * 0.3)
        for m in [2, 6] {
            let (ok, msg) = within(r.summary("active", month: m)!, 20_000 * pow(keep, Double(m - 1)), "active month \(m) with dunning")
            #expect(ok, "\(msg)")
        }
        let (ok, msg) = within(r.summary("involuntary_churned", month: 1)!, 20_000 * 0.97 * 0.05 * 0.3, "involuntary month 1")
        #expect(ok, "\(msg)")
    }

    @Test func onboardingAtRiskShareIsTheLognormalTail() throws {
        var s = Scenario(name: "onboarding", horizonMonths: 3, trials: 400,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 0.05))],
                         acquisition: Acquisition(newPerMonth: 1000, planMix: [1]), lifetimeMonths: 1)
        s.levers.onboarding = Onboarding(rampMedianMonths: 2, rampLogSD: 0.8, thresholdMonths: 3, atRiskChurnMultiplier: 2)
        let r = try run(s)
        let q = 0.5 * erfc((log(3) - log(2)) / (0.8 * sqrt(2)))   // P(R > 3)
        let (ok, msg) = within(r.summary("at_risk", month: 1)!, 1000 * q, "at risk month 1, q \(q)")
        #expect(ok, "\(msg)")
        // Churn in month 1: healthy at 5 %, at risk at 10 %.
        let (ok2, msg2) = within(r.summary("churned", month: 1)!, 1000 * (0.05 + q * 0.05), "churn month 1")
        #expect(ok2, "\(msg2)")
    }

    @Test func interventionsSaveAtRiskSubscribers() throws {
        var s = Scenario(name: "onboarding", horizonMonths: 12, trials: 200,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 0.05))],
                         acquisition: Acquisition(newPerMonth: 1000, planMix: [1]), lifetimeMonths: 1)
        var o = Onboarding(rampMedianMonths: 2, rampLogSD: 0.8, thresholdMonths: 3, atRiskChurnMultiplier: 3)
        s.levers.onboarding = o
        let none = try run(s)
        o.detectionRate = 0.8; o.successRate = 0.6; o.costPerIntervention = 50
        s.levers.onboarding = o
        let some = try run(s)
        // Month 1: detected ~ Binomial(at risk, 0.8), saved ~ Binomial(detected, 0.6).
        let (ok, msg) = within(some.summary("saves", month: 1)!, 1000 * 0.5 * erfc(log(1.5) / (0.8 * sqrt(2))) * 0.8 * 0.6, "saves month 1")
        #expect(ok, "\(msg)")
        let a = some.summary("active", month: 12)!, b = none.summary("active", month: 12)!
        #expect(a.mean - 4 * a.se > b.mean, "interventions should keep more subscribers: \(a.mean) vs \(b.mean)")
        let cost = some.summary("intervention_cost", month: 1)!.mean, count = some.summary("interventions", month: 1)!.mean
        #expect(abs(cost - 50 * count) <= 1e-9 * cost)
    }

    @Test func freeTrialsConvertAtTheirRate() throws {
        var s = Scenario(name: "trial", horizonMonths: 6, trials: 300,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 0.05))],
                         acquisition: Acquisition(newPerMonth: 500, planMix: [1]), lifetimeMonths: 1)
        s.levers.freeTrial = FreeTrial(months: 2, conversion: 0.3)
        let r = try run(s)
        #expect(r.summary("new", month: 2)!.mean == 0)
        let (ok, msg) = within(r.summary("new", month: 3)!, 150, "conversions month 3")
        #expect(ok, "\(msg)")
        let (ok2, msg2) = within(r.summary("trialing", month: 4)!, 1000, "trialing month 4")
        #expect(ok2, "\(msg2)")
    }

    @Test func priceEventShockAndGrandfathering() throws {
        var s = Self.closedBase(count: 20_000, churn: 0.02, horizon: 6)
        s.levers.priceEvents = [PriceEvent(month: 3, plan: 0, newPricePerMonth: 12, churnShock: 0.05)]
        let r = try run(s)
        let before = 20_000.0 * 0.98 * 0.98
        let (ok, msg) = within(r.summary("price_shock_churned", month: 3)!, before * 0.98 * 0.05, "shock month 3")
        #expect(ok, "\(msg)")
        #expect(r.summary("arpu", month: 3)!.mean == 12)
        #expect(r.summary("arpu", month: 2)!.mean == 10)
        s.levers.priceEvents[0].grandfather = true
        let g = try run(s)
        #expect(g.summary("arpu", month: 6)!.mean == 10)
        #expect(g.series("price_shock_churned") == nil)
    }

    @Test func elasticityScalesAcquisition() throws {
        var s = Scenario(name: "elastic", horizonMonths: 4, trials: 300,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 0.05))],
                         acquisition: Acquisition(newPerMonth: 1000, planMix: [1]), lifetimeMonths: 1)
        s.levers.priceEvents = [PriceEvent(month: 3, plan: 0, newPricePerMonth: 12.5, grandfather: true)]
        s.levers.priceElasticity = -1.5
        let r = try run(s)
        let (ok, msg) = within(r.summary("new", month: 2)!, 1000, "new month 2")
        #expect(ok, "\(msg)")
        let (ok2, msg2) = within(r.summary("new", month: 3)!, 1000 * pow(1.25, -1.5), "new month 3 at +25 % price")
        #expect(ok2, "\(msg2)")
    }

    @Test func seatsAndUsageHaveTheirAggregateMoments() throws {
        var s = Self.closedBase(count: 5000, churn: 0.1, horizon: 3)
        s.plans[0].options.seats = Seats(pricePerSeat: 5, meanAtSignup: 3, expansionPerMonth: 0.2, contractionPerMonth: 0.1)
        s.plans[0].options.usage = Usage(pricePerUnit: 0.02, meanUnitsPerMonth: 100, cv: 0.5, growthPerMonth: 0.1)
        let r = try run(s)
        // Seats per subscriber: month 1: 3; month 2: 1 + 2 x 0.9 + 0.2 (survivors alike).
        let (ok, msg) = within(r.summary("seats", month: 1)!, 5000 * 3, "seats month 1")
        #expect(ok, "\(msg)")
        let (ok2, msg2) = within(r.summary("seats", month: 2)!, 5000 * 0.9 * (1 + 2 * 0.9 + 0.2), "seats month 2")
        #expect(ok2, "\(msg2)")
        let (ok3, msg3) = within(r.summary("usage_revenue", month: 2)!, 5000 * 0.9 * 0.02 * 100 * 1.1, "usage month 2")
        #expect(ok3, "\(msg3)")
        let (ok4, msg4) = within(r.summary("mrr", month: 1)!, 5000 * (10 + 5 * 3 + 2), "mrr month 1")
        #expect(ok4, "\(msg4)")
    }

    @Test func planMovesFollowTheirProbabilities() throws {
        var s = Scenario(name: "moves", horizonMonths: 3, trials: 300,
                         plans: [Plan(name: "a", pricePerMonth: 10, churn: .constant(perMonth: 0)),
                                 Plan(name: "b", pricePerMonth: 30, churn: .constant(perMonth: 0))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1, 0]),
                         existing: [ExistingCohort(plan: 0, count: 10_000, tenureMonths: 0)])
        s.plans[0].options.moves = [(plan: 1, probability: 0.1)]
        let r = try run(s)
        #expect(r.summary("plan_moves", month: 1)!.mean == 0)
        let (ok, msg) = within(r.summary("plan_moves", month: 2)!, 1000, "moves month 2")
        #expect(ok, "\(msg)")
        // Upgrades show as expansion: 20 per mover.
        let (ok2, msg2) = within(r.summary("expansion_mrr", month: 2)!, 20_000, "expansion month 2")
        #expect(ok2, "\(msg2)")
    }

    @Test func licencePathMatchesItsClosedFormAndThePathsAgreeBeforeTheSwitch() throws {
        let l = LicenceSwitch(switchMonth: 7, licencesPerMonth: 20, licencePrice: 1000, maintenanceShare: 0.24,
                              maintenanceRenewal: 0.8, installedBase: 300, migrationPerMonth: 0.05, migrationPlan: 0)
        var s = Scenario(name: "switch", horizonMonths: 36, trials: 300,
                         plans: [Plan(name: "p", pricePerMonth: 50, churn: .constant(perMonth: 0.02))],
                         acquisition: Acquisition(newPerMonth: 25, planMix: [1]), lifetimeMonths: 12)
        s.levers.licenceSwitch = l
        let r = try run(s)
        let surv = pow(0.8, 1.0 / 12)
        for m in [1, 6, 7, 20, 36] {
            var payers = 300 * pow(surv, Double(m - 1))
            for k in stride(from: 1, to: m, by: 1) { payers += 20 * pow(surv, Double(m - 1 - k)) }
            let expected = 20 * 1000 + payers * 20
            let (ok, msg) = within(r.summary("licence_path_revenue", month: m)!, expected, "licence path month \(m)")
            #expect(ok, "\(msg)")
        }
        for m in 1...6 {
            #expect(r.summary("licence_path_revenue", month: m)!.mean == r.summary("subscription_path_revenue", month: m)!.mean)
            #expect(r.summary("new", month: m)!.mean == 0)
        }
        let (ok, msg) = within(r.summary("migrated", month: 7)!, 0.05 * (300 * pow(surv, 6) + 20 * (1 - pow(surv, 6)) / (1 - surv)),
                               "migrated month 7")
        #expect(ok, "\(msg)")
        let overtake = r.scalar("overtakes_in_horizon")!
        #expect(overtake.mean >= 0 && overtake.mean <= 1)
        #expect(r.scalar("valley_depth")!.mean > 0)
        #expect(r.scalar("licence_customer_value")!.sd == 0)
    }
}
