import Foundation
import Testing
@testable import SubcastCore

/// The model as a pipeline of processes: common random numbers across processes (a change to
/// one process leaves every metric that does not depend on it identical in every trial), the
/// new processes against closed forms, the rules the subscriber-level reading needs (issue:
/// simultaneous plan moves, seats moving with their MRR, intro discounts by tenure), and the
/// metric registry.
@Suite struct PipelineTests {
    /// Runs two scenarios on the same seed and checks that `metrics` are identical, bit for
    /// bit, in every trial and month; returns whether some other metric differs.
    func expectIdentical(_ a: Scenario, _ b: Scenario, _ metrics: [String], trials: Int = 40, seed: UInt64 = 77,
                         changed: [String] = [], _ what: String) throws {
        let ma = PipelineModel(a), mb = PipelineModel(b)
        let ra = try MonteCarloEngine.run(ma, trials: trials, seed: seed, threads: 2)
        let rb = try MonteCarloEngine.run(mb, trials: trials, seed: seed, threads: 2)
        for name in metrics {
            let x = try #require(ma.layout.block(name), "\(name) missing"), y = try #require(mb.layout.block(name))
            var same = true
            for t in 0..<trials { for j in 0..<x.count where ra[t, x.offset + j].bitPattern != rb[t, y.offset + j].bitPattern { same = false } }
            #expect(same, "\(what): \(name) differs between the variants (seed \(seed), \(trials) trials)")
        }
        for name in changed {
            let x = try #require(ma.layout.block(name)), y = try #require(mb.layout.block(name))
            var differs = false
            for t in 0..<trials { for j in 0..<x.count where ra[t, x.offset + j] != rb[t, y.offset + j] { differs = true } }
            #expect(differs, "\(what): \(name) should change (seed \(seed))")
        }
    }

    /// Every lever but referrals and the licence switch (which start acquisition late).
    static func levers() -> Scenario {
        var s = LeverModelTests.everything(trials: 40)
        s.levers.licenceSwitch = nil
        return s
    }

    @Test func aDunningChangeLeavesAcquisitionAndTrialsIdentical() throws {
        let a = Self.levers()
        var b = a
        b.levers.dunning = Dunning(failureRate: 0.1, recoveryProbability: 0.2)
        try expectIdentical(a, b, ["new", "trial_starts", "trialing"], changed: ["involuntary_churned", "active"], "dunning")
    }

    @Test func aSupportChangeThatNeverBindsChangesNothingButItsCost() throws {
        var a = Self.levers()
        a.levers.support!.agents = 50      // capacity 7,500 a month: never binds
        var b = a
        b.levers.support!.agents = 80
        let model = PipelineModel(a)
        // Costs, cash and value price the agents (ValueTests checks the NPV difference exactly).
        let priced: Set<String> = ["support_cost", "total_costs", "contribution", "operating_cash_flow", "cumulative_cash", "npv",
                                   "cash_trough", "cash_trough_month", "runway_months", "runs_out_of_cash", "break_even_month"]
        let outcomes = model.layout.blocks.map(\.metric).filter { name in
            !priced.contains(name) && !(MetricRegistry.fiscalYearParts(name).map { priced.contains($0.metric) } ?? false)
        }
        try expectIdentical(a, b, outcomes, changed: ["support_cost", "npv"], "support with slack capacity")
    }

    @Test func aUsagePriceChangeLeavesEveryCountIdentical() throws {
        let a = Self.levers()
        var b = a
        b.plans[0].options.usage!.pricePerUnit = 0.05
        try expectIdentical(a, b, ["active", "new", "churned", "tickets", "seats", "plan_moves", "at_risk", "upsells"],
                            changed: ["usage_revenue", "mrr"], "usage price")
    }

    @Test func anOnboardingChangeLeavesAcquisitionIdentical() throws {
        let a = Self.levers()
        var b = a
        b.levers.onboarding!.detectionRate = 0.95
        try expectIdentical(a, b, ["new", "trial_starts"], changed: ["interventions"], "onboarding detection")
    }

    @Test func referralsFollowTheirClosedForm() throws {
        // Constant churn c, an existing base N0, no other sign-ups: E[active_m] = N0 (1 - c + r)^(m - 1).
        var s = LeverModelTests.closedBase(count: 5_000, churn: 0.03, horizon: 12, trials: 400)
        s.levers.referrals = Referrals(perActivePerMonth: 0.02, rewardPerReferral: 40)
        s.lifetimeMonths = 6
        let r = try Simulation.run(s, seed: 31, threads: 2)
        for m in [1, 2, 6, 12] {
            let exact = 5_000 * pow(1 - 0.03 + 0.02, Double(m - 1))
            let (ok, msg) = within(r.summary("active", month: m)!, exact, "active month \(m), referrals 0.02, churn 0.03, seed 31")
            #expect(ok, "\(msg)")
        }
        #expect(r.summary("referred", month: 1)!.mean == 0)
        let (ok, msg) = within(r.summary("referred", month: 2)!, 5_000 * 0.02, "referred month 2, seed 31")
        #expect(ok, "\(msg)")
        // The referred are acquired (CLTV follows them although new_per_month is 0) and cost the reward.
        #expect(r.scalar("acquired")!.mean > 0)
        #expect(r.scalar("cltv")!.n == 400)
        let cost = r.summary("referral_cost", month: 5)!, referred = r.summary("referred", month: 5)!
        #expect(abs(cost.mean - 40 * referred.mean) < 1e-6 * cost.mean)
    }

    @Test func planMovesAreOneSimultaneousStepWhateverThePlanOrder() throws {
        // A (10, moves to B 0.5), B (20, moves to C 0.5), C (40); 1,000 new a month, all on A.
        func scenario(order: [Int]) -> Scenario {
            let plans = [Plan(name: "a", pricePerMonth: 10, churn: .constant(perMonth: 0.0001)),
                         Plan(name: "b", pricePerMonth: 20, churn: .constant(perMonth: 0.0001)),
                         Plan(name: "c", pricePerMonth: 40, churn: .constant(perMonth: 0.0001))]
            var s = Scenario(name: "cascade", horizonMonths: 3, trials: 400, plans: order.map { plans[$0] },
                             acquisition: Acquisition(newPerMonth: 1000, planMix: order.map { $0 == 0 ? 1 : 0 }),
                             lifetimeMonths: 3)
            let index = { (name: String) in order.firstIndex { plans[$0].name == name }! }
            s.plans[index("a")].options.moves = [(plan: index("b"), probability: 0.5)]
            s.plans[index("b")].options.moves = [(plan: index("c"), probability: 0.5)]
            return s
        }
        for order in [[0, 1, 2], [2, 1, 0]] {
            let r = try Simulation.run(scenario(order: order), seed: 8, threads: 2)
            // Month 2: the month-1 cohort (about 999.9 after churn) half moves A -> B; nobody moves twice.
            let survivors = 1000 * (1 - 0.0001)
            let (ok, msg) = within(r.summary("plan_moves", month: 2)!, survivors * 0.5, "plan moves month 2, order \(order), seed 8")
            #expect(ok, "\(msg)")
            let mrr = 1000 * 10 + survivors * (0.5 * 10 + 0.5 * 20)
            let (ok2, msg2) = within(r.summary("mrr", month: 2)!, mrr, "MRR month 2 (24,998.5), order \(order), seed 8")
            #expect(ok2, "\(msg2)")
        }
    }

    @Test func aMoveThatChangesNoPriceOrSeatCountCreatesNoExpansionOrContraction() throws {
        let seats = Seats(pricePerSeat: 7, meanAtSignup: 4)
        var s = Scenario(name: "same-price moves", horizonMonths: 12, trials: 50,
                         plans: [Plan(name: "a", pricePerMonth: 30, churn: .constant(perMonth: 0.02)),
                                 Plan(name: "b", pricePerMonth: 30, churn: .constant(perMonth: 0.02))],
                         acquisition: Acquisition(newPerMonth: 200, planMix: [0.5, 0.5]), lifetimeMonths: 12)
        s.plans[0].options = PlanOptions(seats: seats, moves: [(plan: 1, probability: 0.2)])
        s.plans[1].options = PlanOptions(seats: seats, moves: [(plan: 0, probability: 0.1)])
        let model = PipelineModel(s)
        let m = try MonteCarloEngine.run(model, trials: 50, seed: 4, threads: 2)
        let exp = model.layout.block("expansion_mrr")!, con = model.layout.block("contraction_mrr")!
        let moves = model.layout.block("plan_moves")!
        var moved = 0.0
        for t in 0..<50 {
            for j in 0..<12 {
                #expect(abs(m[t, exp.offset + j]) < 1e-6 && abs(m[t, con.offset + j]) < 1e-6,
                        "trial \(t) month \(j + 1): expansion \(m[t, exp.offset + j]), contraction \(m[t, con.offset + j]), seed 4")
                moved += m[t, moves.offset + j]
            }
        }
        #expect(moved > 0)
    }

    @Test func introDiscountsFollowTenure() throws {
        // 100 existing subscribers of tenure 12 at 20 a month, 50 % off for 2 months: not discounted.
        var s = Scenario(name: "intro", horizonMonths: 4, trials: 20,
                         plans: [Plan(name: "p", pricePerMonth: 20, churn: .constant(perMonth: 0))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 100, tenureMonths: 12)])
        s.plans[0].options.introDiscount = 0.5
        s.plans[0].options.introMonths = 2
        var r = try Simulation.run(s, seed: 2, threads: 1)
        for m in 1...4 {
            #expect(r.summary("mrr", month: m)!.mean == 2_000, "month \(m): MRR \(r.summary("mrr", month: m)!.mean)")
            #expect(r.summary("expansion_mrr", month: m)!.mean == 0)
        }
        // A base of tenure 0 counts as new: discounted in months 1-2, full price from month 3.
        s.existing[0].tenureMonths = 0
        r = try Simulation.run(s, seed: 2, threads: 1)
        #expect(r.summary("mrr", month: 1)!.mean == 1_000)
        #expect(r.summary("mrr", month: 2)!.mean == 1_000)
        #expect(r.summary("mrr", month: 3)!.mean == 2_000)
        #expect(r.summary("expansion_mrr", month: 3)!.mean == 1_000)
    }

    @Test func licenceCustomersLoadSupportAndBadResolutionsCostRenewals() throws {
        var s = Scenario(name: "switch", horizonMonths: 24, trials: 200,
                         plans: [Plan(name: "p", pricePerMonth: 50, churn: .constant(perMonth: 0.02))],
                         acquisition: Acquisition(newPerMonth: 20, planMix: [1]), lifetimeMonths: 12)
        s.levers.support = Support(agents: 1, ticketsPerAgentPerMonth: 100, firstContactResolution: 0.5,
                                   badChurnMultiplier: 3, badMonths: 3)
        s.levers.licenceSwitch = LicenceSwitch(switchMonth: 4, licencesPerMonth: 10, licencePrice: 1000, maintenanceShare: 0.2,
                                               maintenanceRenewal: 0.8, installedBase: 800, migrationPerMonth: 0.03,
                                               migrationPlan: 0)
        let quiet = try Simulation.run(s, seed: 12, threads: 2)
        s.levers.licenceSwitch!.support = LicenceSupport(ticketsPerMonth: 0.3, badLapseMultiplier: 4, badMigrationMultiplier: 0.2)
        let loaded = try Simulation.run(s, seed: 12, threads: 2)
        #expect(quiet.summary("licence_tickets", month: 5) == nil)
        #expect(loaded.summary("licence_tickets", month: 3)!.mean == 0)
        #expect(loaded.summary("licence_tickets", month: 5)!.mean > 100)
        #expect(loaded.summary("backlog", month: 12)!.mean > quiet.summary("backlog", month: 12)!.mean)
        #expect(loaded.summary("licence_detractors", month: 12)!.mean > 0)
        #expect(loaded.summary("maintenance_payers", month: 24)!.mean < quiet.summary("maintenance_payers", month: 24)!.mean - 5)
        // With one-month detractors the multipliers still act in the month of the bad resolution.
        s.levers.support!.badMonths = 1
        s.levers.licenceSwitch!.support!.badMigrationMultiplier = 1
        let oneMonth = try Simulation.run(s, seed: 12, threads: 2)
        #expect(oneMonth.summary("licence_detractors", month: 8)!.mean > 0)
        s.levers.licenceSwitch!.support!.badLapseMultiplier = 1
        s.levers.licenceSwitch!.support!.badMigrationMultiplier = 1
        let neutral = try Simulation.run(s, seed: 12, threads: 2)
        #expect(oneMonth.summary("maintenance_payers", month: 24)!.mean < neutral.summary("maintenance_payers", month: 24)!.mean,
                "one-month detractors with lapse x4 keep fewer payers than with x1, seed 12")
        // Before the switch the paths are one business, loaded or not.
        for m in 1...3 {
            #expect(loaded.summary("maintenance_payers", month: m)!.mean == quiet.summary("maintenance_payers", month: m)!.mean)
        }
    }

    @Test func everyReportedSeriesIsInTheRegistryWithItsProcess() throws {
        var s = LeverModelTests.everything()
        s.levers.referrals = Referrals(perActivePerMonth: 0.01)
        s.levers.licenceSwitch!.support = LicenceSupport(ticketsPerMonth: 0.1)
        let model = PipelineModel(s)
        for block in model.layout.blocks where block.kind == .monthly || block.kind == .scalar {
            let info = try #require(MetricRegistry.info(block.metric), "\(block.metric) is not in the registry")
            #expect((block.kind == .scalar) == (info.kind == .scalar), "\(block.metric): kind \(info.kind)")
        }
        // Every metric of the registry is reported by a scenario with every process on.
        for m in Metric.allCases {
            #expect(model.layout.block(m.name) != nil, "\(m.name) (process \(m.info.process)) is not reported")
        }
        #expect(Set(Metric.allCases.map(\.name)).count == Metric.allCases.count)
        #expect(MetricDirection(metric: "backlog") == .lowerIsBetter)
        #expect(ComparisonMetric.flowMetrics.contains("referred"))
        #expect(!ComparisonMetric.flowMetrics.contains("backlog"))
    }
}

extension PipelineTests {
    @Test func processesListTheProcessesAScenarioRuns() {
        var s = LeverModelTests.everything()
        s.levers.referrals = Referrals(perActivePerMonth: 0.01)
        let p = ForecastModel.processes(of: s)
        for k in [ProcessKind.cohort, .billing, .pricing, .freeTrial, .referrals, .seats, .planMoves, .support, .onboarding,
                  .usage, .dunning, .licence] {
            #expect(p.contains(k), "\(k)")
        }
        #expect(!p.contains(.licenceSupport))
        #expect(ForecastModel.processes(of: benchScenario()) == [.cohort])
    }
}

extension PipelineTests {
    @Test func everyStreamBelongsToExactlyOneProcess() {
        var s = LeverModelTests.everything()
        s.levers.referrals = Referrals(perActivePerMonth: 0.01)
        s.levers.licenceSwitch!.support = LicenceSupport(ticketsPerMonth: 0.1)
        s.plans[1].churnUncertainty = ChurnUncertainty(seLogAlpha: 0.1, seLogBeta: 0.1, correlation: 0)
        let declared = pipelineProcesses.flatMap { $0.streams }
        #expect(Set(declared).count == declared.count, "a stream is declared by two processes: \(declared)")
        let model = PipelineModel(s)
        #expect(Set(model.streamNames) == Set(declared), "model \(model.streamNames) vs declared \(declared)")
        // Every process kind but the cohort core is a process type, and every process type's
        // metrics are in the registry under its kind.
        #expect(Set(pipelineProcesses.map { $0.kind }) == Set(ProcessKind.allCases).subtracting([.cohort]))
    }

    @Test func monthlyValuesReadByMonth() {
        let c = MonthlyValue(3)
        #expect(c(1) == 3 && c(500) == 3 && c.isConstant)
        let ramp = MonthlyValue(byMonth: [1, 2, 4])
        #expect(ramp(1) == 1 && ramp(2) == 2 && ramp(3) == 4 && ramp(40) == 4 && !ramp.isConstant)
    }
}
