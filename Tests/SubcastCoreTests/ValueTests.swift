import Foundation
import Testing
@testable import SubcastCore

/// Costs, cash and value (`CostsProcess`), schedules, fiscal years and the churn response to
/// price, against closed forms and exact identities.
@Suite struct ValueTests {
    static let seed: UInt64 = 4242

    /// One plan at 40 a month, sBG churn, 300 sign-ups a month, explicit costs.
    static func costed(trials: Int = 400) -> Scenario {
        var s = Scenario(name: "costed", horizonMonths: 24, trials: trials,
                         plans: [Plan(name: "p", pricePerMonth: 40, churn: .shiftedBetaGeometric(alpha: 0.8, beta: 10))],
                         acquisition: Acquisition(newPerMonth: 300, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 1000, tenureMonths: 6)],
                         economics: Economics(grossMargin: 0.9, discountRatePerYear: 0.12, cacPerSubscriber: 60),
                         lifetimeMonths: 36)
        s.levers.costs = Costs(servingPerSubscriber: 3, paymentFeeShare: 0.03, fixedPerMonth: Schedule(constant: 20_000),
                               openingCash: 50_000)
        return s
    }


    static func offset(_ layout: OutputLayout, _ name: String, month: Int = 1) throws -> Int {
        let b = try #require(layout.block(name), "\(name) missing")
        return b.offset + month - 1
    }

    @Test func contributionCashAndNPVFollowTheClosedFormActiveCounts() throws {
        let s = Self.costed()
        var plain = s
        plain.levers = Levers()
        let cf = ClosedForm(plain)
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        let price = 40.0, fee = 0.03, serving = 3.0, margin = 0.9, cac = 60.0, fixed = 20_000.0
        let d = s.discountPerMonth
        var npv = 0.0, cash = 50_000.0
        for m in 1...24 {
            let active = cf.active[m - 1], new = cf.new[m - 1]
            let revenue = price * active
            let gm = revenue - (1 - margin) * revenue - serving * active - fee * revenue
            let contribution = gm - cac * new
            let flow = contribution - fixed
            npv += flow / pow(1 + d, Double(m - 1))
            cash += flow
            for (name, exact) in [("gross_margin_amount", gm), ("contribution", contribution), ("operating_cash_flow", flow),
                                  ("cumulative_cash", cash)] {
                let (ok, message) = within(r.summary(name, month: m)!, exact, "\(name) month \(m), seed \(Self.seed), 400 trials")
                #expect(ok, "\(message)")
            }
        }
        let (ok, message) = within(r.scalar("npv")!, npv, "npv, seed \(Self.seed)")
        #expect(ok, "\(message)")
    }

    @Test func twoMoreAgentsWithSlackCapacityCostExactlyTheirDiscountedPay() throws {
        // The founder's case: capacity never binds, so the agents change no count, and the NPV of
        // the variant is the base's minus the discounted agents' pay, in every trial.
        var a = LeverModelTests.everything(trials: 30)
        a.levers.support!.agents = 50
        a.levers.support!.costPerAgentPerMonth = 4000
        var b = a
        b.levers.support!.agents = 52
        let ma = PipelineModel(a), mb = PipelineModel(b)
        let ra = try MonteCarloEngine.run(ma, trials: 30, seed: Self.seed, threads: 2)
        let rb = try MonteCarloEngine.run(mb, trials: 30, seed: Self.seed, threads: 2)
        let d = a.discountPerMonth, H = a.horizonMonths
        let discountedPay = (1...H).reduce(0.0) { $0 + 2 * 4000 / pow(1 + d, Double($1 - 1)) }
        let npvA = try Self.offset(ma.layout, "npv"), npvB = try Self.offset(mb.layout, "npv")
        let mrrA = try Self.offset(ma.layout, "mrr", month: H), mrrB = try Self.offset(mb.layout, "mrr", month: H)
        for t in 0..<30 {
            #expect(ra[t, mrrA] == rb[t, mrrB], "trial \(t): MRR must not change with slack capacity")
            let diff = rb[t, npvB] - ra[t, npvA]
            #expect(abs(diff + discountedPay) <= 1e-9 * abs(ra[t, npvA]) + 1e-6,
                    "seed \(Self.seed) trial \(t): NPV difference \(diff), expected \(-discountedPay)")
        }
    }

    @Test func aStepScheduleEqualsTheTwoScenariosSplicedAtTheStep() throws {
        var a = LeverModelTests.everything(trials: 20)
        a.levers.licenceSwitch = nil
        a.levers.support!.agents = 2
        var b = a
        b.levers.support!.agents = 4
        var stepped = a
        stepped.levers.support!.agentsSchedule = Schedule(steps: [(1, 2), (10, 4)])
        let ma = PipelineModel(a), mb = PipelineModel(b), ms = PipelineModel(stepped)
        let ra = try MonteCarloEngine.run(ma, trials: 20, seed: Self.seed, threads: 2)
        let rb = try MonteCarloEngine.run(mb, trials: 20, seed: Self.seed, threads: 2)
        let rs = try MonteCarloEngine.run(ms, trials: 20, seed: Self.seed, threads: 2)
        for name in ["active", "mrr", "backlog", "tickets", "support_cost", "operating_cash_flow"] {
            for m in 1...9 {
                let i = try Self.offset(ma.layout, name, month: m), j = try Self.offset(ms.layout, name, month: m)
                for t in 0..<20 { #expect(ra[t, i].bitPattern == rs[t, j].bitPattern, "\(name) month \(m) trial \(t) before the step") }
            }
        }
        for m in 10...a.horizonMonths {
            let i = try Self.offset(mb.layout, "support_cost", month: m), j = try Self.offset(ms.layout, "support_cost", month: m)
            for t in 0..<20 { #expect(rb[t, i] == rs[t, j], "support cost month \(m) from the step on") }
        }
    }

    @Test func theMemoryBoundCountsTheModelsOwnTables() throws {
        // 2,000 existing-base groups (and 600 cohorts) x 50 plans x 51 conditions: about 170 MB of compartment table
        // per worker, which the statistics alone would not show.
        var s = Scenario(name: "tables", horizonMonths: 600, trials: 1,
                         plans: (0..<50).map { Plan(name: "p\($0)", pricePerMonth: 10, churn: .constant(perMonth: 0.05)) },
                         acquisition: Acquisition(newPerMonth: 0, planMix: [Double](repeating: 0.02, count: 50)),
                         existing: (0..<2000).map { ExistingCohort(plan: $0 % 50, count: 10, tenureMonths: $0 % 40) })
        s.levers.support = Support(agents: 2, ticketsPerAgentPerMonth: 100, firstContactResolution: 0.8, badMonths: 24, goodMonths: 24)
        let model = PipelineModel(s)
        let perWorker = model.bytesPerWorker
        #expect(perWorker > 2000 * 50 * 51 * 8, "bytes per worker \(perWorker)")
        let workers = MonteCarloEngine.maximumStatisticsBytes / perWorker + 1
        #expect(throws: SimulationError.self) {
            _ = try MonteCarloEngine.reduce(model, trials: workers * Reduction.subBlockSize, seed: 1, threads: workers)
        }
        var small = s
        small.existing = [ExistingCohort(plan: 0, count: 10, tenureMonths: 0)]
        #expect(PipelineModel(small).bytesPerWorker < perWorker / 3, "the base groups are most of the table")
    }

    @Test func schedulesReadStepsAndRamps() {
        let steps = Schedule(steps: [(1, 2), (10, 4)])
        #expect(steps.value(month: 1) == 2 && steps.value(month: 9) == 2 && steps.value(month: 10) == 4 && steps.value(month: 99) == 4)
        let ramp = Schedule(ramp: [(1, 40), (12, 120)])
        #expect(ramp.value(month: 1) == 40 && ramp.value(month: 12) == 120 && ramp.value(month: 30) == 120)
        #expect(abs(ramp.value(month: 6) - (40 + 5.0 / 11 * 80)) < 1e-12)
        var scaled = ramp
        scaled.scale = 1.5
        #expect(scaled.value(month: 12) == 180)
        let late = Schedule(ramp: [(4, 10), (6, 20)])
        #expect(late.value(month: 1) == 10 && late.value(month: 5) == 15 && late.value(month: 7) == 20)
    }

    @Test func aMarketingRampDrivesSignUps() throws {
        var s = Self.costed(trials: 300)
        s.acquisition.schedule = Schedule(ramp: [(1, 40), (12, 120)])
        s.acquisition.newPerMonth = 120
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        for m in [1, 6, 12, 20] {
            let (ok, message) = within(r.summary("new", month: m)!, s.acquisition.schedule!.value(month: m), "new month \(m)")
            #expect(ok, "\(message)")
        }
    }

    @Test func cacAndPaySchedulesPriceEachMonth() throws {
        var s = Self.costed(trials: 10)
        s.economics.cacSchedule = Schedule(steps: [(1, 60), (13, 90)])
        s.economics.cacPerSubscriber = 90
        s.levers.support = Support(agents: 3, ticketsPerAgentPerMonth: 1000, costPerAgentPerMonth: 4000, firstContactResolution: 0.8)
        s.levers.support!.costPerAgentSchedule = Schedule(ramp: [(1, 4000), (24, 5150)])
        s.levers.support!.ticketsPerAgentSchedule = Schedule(steps: [(1, 1000), (12, 1500)])
        s.levers.costs!.servingPerSubscriberSchedule = Schedule(steps: [(1, 3), (7, 2)])
        let model = PipelineModel(s)
        let run = try MonteCarloEngine.run(model, trials: 10, seed: Self.seed, threads: 2)
        let cltv = try Self.offset(model.layout, "cltv"), ratio = try Self.offset(model.layout, "ltv_cac")
        let acquired = try Self.offset(model.layout, "acquired")
        for t in 0..<10 {
            var spend = 0.0
            for m in 1...24 {
                let new = run[t, try Self.offset(model.layout, "new", month: m)]
                let cost = run[t, try Self.offset(model.layout, "acquisition_cost", month: m)]
                #expect(cost == (m < 13 ? 60 : 90) * new, "trial \(t) month \(m)")
                spend += cost
                let pay = run[t, try Self.offset(model.layout, "support_cost", month: m)]
                #expect(abs(pay - 3 * (4000 + 50 * Double(m - 1))) < 1e-6, "trial \(t) month \(m): support cost \(pay)")
                let active = run[t, try Self.offset(model.layout, "active", month: m)]
                let revenue = run[t, try Self.offset(model.layout, "revenue", month: m)]
                let serving = run[t, try Self.offset(model.layout, "serving_cost", month: m)]
                let expectedServing = (1 - 0.9) * revenue + (m < 7 ? 3 : 2) * active
                #expect(abs(serving - expectedServing) <= 1e-9 * expectedServing, "trial \(t) month \(m): serving \(serving)")
            }
            let expected = run[t, cltv] / (spend / run[t, acquired])
            #expect(abs(run[t, ratio] - expected) <= 1e-9 * expected, "trial \(t): LTV:CAC \(run[t, ratio]) vs \(expected)")
        }
    }

    @Test func fiscalYearTotalsAreSumsOfTheirMonths() throws {
        var s = Self.costed(trials: 20)
        s.horizonMonths = 30
        s.calendar = ReportingCalendar(startYear: 2027, startMonth: 2, fiscalYearStartMonth: 4)
        let years = s.fiscalYears
        #expect(years.map(\.label) == ["FY2027", "FY2028", "FY2029", "FY2030"])
        #expect(years.map(\.months) == [1...2, 3...14, 15...26, 27...30])
        #expect(years.map(\.complete) == [false, true, true, false])
        let model = PipelineModel(s)
        let run = try MonteCarloEngine.run(model, trials: 20, seed: Self.seed, threads: 2)
        for y in years {
            for metric in MetricRegistry.fiscalYearMetrics {
                let total = try Self.offset(model.layout, "\(y.stem)_\(metric.name)")
                for t in 0..<20 {
                    var sum = 0.0
                    for m in y.months { sum += run[t, try Self.offset(model.layout, metric.name, month: m)] }
                    let expected = metric.info.kind == .flow ? sum : run[t, try Self.offset(model.layout, metric.name, month: y.months.upperBound)]
                    #expect(abs(run[t, total] - expected) <= 1e-9 * abs(expected), "\(y.stem) \(metric.name) trial \(t)")
                }
            }
        }
        #expect(ReportingCalendar(start: "2027-13") == nil && ReportingCalendar(start: "27-01") == nil)
        #expect(ReportingCalendar(start: "2027-01")!.label(month: 13) == "2028-01")
    }

    @Test func theCashTroughRunwayAndBreakEvenOfDeterministicCosts() throws {
        // No customers: operating cash flow is minus the fixed costs, exactly.
        var s = Scenario(name: "costs only", horizonMonths: 12, trials: 5,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 0.1))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]))
        s.levers.costs = Costs(fixedPerMonth: Schedule(steps: [(1, 1000), (6, 3000)]), openingCash: 10_000)
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        // Cash: 9,000 ... 6,000 after month 4, 5,000 after 5, then -3,000 a month: 2,000 after 6, -1,000 after 7.
        #expect(r.summary("cumulative_cash", month: 7)!.mean == -1000)
        #expect(r.scalar("cash_trough")!.mean == 10_000 - 5 * 1000 - 7 * 3000)
        #expect(r.scalar("cash_trough_month")!.mean == 12)
        #expect(r.scalar("runway_months")!.mean == 6)
        #expect(r.scalar("runs_out_of_cash")!.mean == 1)
        #expect(r.scalar("break_even_month")!.n == 0)
        let d = s.discountPerMonth
        let npv = (1...12).reduce(0.0) { $0 - (($1 < 6) ? 1000 : 3000) / pow(1 + d, Double($1 - 1)) }
        #expect(abs(r.scalar("npv")!.mean - npv) < 1e-6)
    }

    @Test func priceAboveTheReferenceMultipliesChurnByItsElasticity() throws {
        // One cohort on geometric churn 2 %, billed 12 against a reference of 10, elasticity 2:
        // hazard 0.02 x 1.2^2, so E[active_m] = n (1 - 0.0288)^(m - 1).
        var s = Scenario(name: "price churn", horizonMonths: 18, trials: 400,
                         plans: [Plan(name: "p", pricePerMonth: 12, churn: .constant(perMonth: 0.02),
                                      options: PlanOptions(referencePrice: 10))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 5000, tenureMonths: 3)])
        s.levers.priceChurn = PriceChurn(elasticity: 2)
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        let h = 0.02 * 1.44
        for m in [2, 6, 12, 18] {
            let (ok, message) = within(r.summary("active", month: m)!, 5000 * pow(1 - h, Double(m - 1)),
                                       "active month \(m), hazard \(h), seed \(Self.seed)")
            #expect(ok, "\(message)")
        }
        // At or below the reference nothing changes.
        var cheap = s
        cheap.plans[0].pricePerMonth = 9
        let rc = try Simulation.run(cheap, seed: Self.seed, threads: 2)
        let (ok, message) = within(rc.summary("active", month: 12)!, 5000 * pow(0.98, 11), "below the reference")
        #expect(ok, "\(message)")
    }

    @Test func theTerminalValueIsTheDiscountedMarginOfTheBaseAfterTheHorizon() throws {
        // An existing base on geometric churn p: E[active_m] = n (1 - p)^(m - 1) for every m, so the
        // terminal value is sum_{m = H+1}^{H+L} price x margin x n (1 - p)^(m - 1) / (1 + d)^(m - 1).
        var s = Scenario(name: "terminal", horizonMonths: 12, trials: 300,
                         plans: [Plan(name: "p", pricePerMonth: 30, churn: .constant(perMonth: 0.05))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 2000, tenureMonths: 0)],
                         economics: Economics(grossMargin: 0.8, discountRatePerYear: 0.1), lifetimeMonths: 24)
        s.levers.costs = Costs(terminalValue: true)
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        let d = s.discountPerMonth
        let exact = (13...36).reduce(0.0) { $0 + 30 * 0.8 * 2000 * pow(0.95, Double($1 - 1)) / pow(1 + d, Double($1 - 1)) }
        let (ok, message) = within(r.scalar("terminal_value")!, exact, "terminal value, seed \(Self.seed)")
        #expect(ok, "\(message)")
        var off = s
        off.levers.costs = Costs()
        let r0 = try Simulation.run(off, seed: Self.seed, threads: 2)
        #expect(abs(r.scalar("npv")!.mean - r0.scalar("npv")!.mean - r.scalar("terminal_value")!.mean) < 1e-6 * exact)
    }

    @Test func theTerminalValueOfAnnualPlansCountsNoPrepaidYearTwice() throws {
        // Sign-ups in month 1 only, all on annual billing, churn near 0: they prepay 12 x 10 in
        // month 1 (inside the 6-month horizon) and again in month 13 (inside the terminal months
        // 7 ... 18), so the terminal value is one year's payment and NPV (no discounting) two.
        var s = Scenario(name: "annual terminal", horizonMonths: 6, trials: 200,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .constant(perMonth: 1e-9),
                                      options: PlanOptions(annualShare: 1))],
                         acquisition: Acquisition(newPerMonth: 100, planMix: [1]),
                         economics: Economics(grossMargin: 1, discountRatePerYear: 0), lifetimeMonths: 12)
        s.acquisition.schedule = Schedule(steps: [(1, 100), (2, 0)])
        s.levers.costs = Costs(terminalValue: true)
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        let tv = r.scalar("terminal_value")!, npv = r.scalar("npv")!
        let (ok, message) = within(tv, 100 * 12 * 10, "terminal value of annual prepayers, seed \(Self.seed)")
        #expect(ok, "\(message)")
        #expect(abs(npv.mean - 2 * tv.mean) < 1e-6 * tv.mean, "NPV \(npv.mean) vs twice the terminal value \(tv.mean)")
    }

    @Test func cacPerSignUpCountsEveryTrialist() throws {
        var s = Self.costed(trials: 200)
        s.levers.freeTrial = FreeTrial(months: 1, conversion: 0.5)
        s.economics.cacBasis = .signUp
        let r = try Simulation.run(s, seed: Self.seed, threads: 2)
        let (ok, message) = within(r.summary("acquisition_cost", month: 6)!, 60 * 300, "CAC x sign-ups")
        #expect(ok, "\(message)")
        s.economics.cacBasis = .payingSubscriber
        let rp = try Simulation.run(s, seed: Self.seed, threads: 2)
        let (ok2, message2) = within(rp.summary("acquisition_cost", month: 6)!, 60 * 150, "CAC x paying")
        #expect(ok2, "\(message2)")
        // LTV:CAC divides by the same spend per acquired subscriber: twice as much per sign-up.
        let ratio = rp.scalar("ltv_cac")!.mean / r.scalar("ltv_cac")!.mean
        #expect(abs(ratio - 2) < 0.1, "LTV:CAC per paying / per sign-up = \(ratio)")
    }
}
