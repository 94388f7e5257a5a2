import Foundation
import Testing
import SubcastCore
@testable import SubcastIO

/// The `costs` section, schedules, the calendar and the churn response to price as scenario
/// files write them, their errors, and what the reports say about cash and value.
@Suite struct ValueScenarioTests {
    static func bundled(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios").appendingPathComponent(name).path
    }

    static let head = """
        schema_version: 1
        name: value
        horizon_months: 24
        plans:
          - {name: basic, price_per_month: 20, churn: {mean_per_month: 0.04, heterogeneity: 0.2}}
          - {name: pro, price_per_month: 60, churn: {mean_per_month: 0.02, heterogeneity: 0.2}}
        acquisition: {new_per_month: 100, mix: {basic: 0.7, pro: 0.3}}

        """

    @Test func costsScheduleAndCalendarAreRead() throws {
        let s = try ScenarioLoader.parse(text: Self.head + """
            start: 2027-01
            fiscal_year_start_month: 4
            economics: {cac_per_subscriber: 50, cac_basis: sign_up}
            support: {agents: {1: 2, 10: 4}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}
            pricing: {churn_elasticity: 1.5}
            costs:
              serving_per_subscriber: 2
              payment_fee_share: 0.03
              fixed_per_month: {ramp: {1: 10000, 12: 16000}}
              opening_cash: 50000
              terminal_value: true
            """, file: "v.yaml")
        let c = try #require(s.levers.costs)
        #expect(c.servingPerSubscriber == 2 && c.paymentFeeShare == 0.03 && c.openingCash == 50_000 && c.terminalValue)
        #expect(c.fixedPerMonth.form == .ramp && c.fixedPerMonth.value(month: 12) == 16_000)
        #expect(s.economics.cacBasis == .signUp)
        #expect(s.levers.support!.agents == 2 && s.levers.support!.agentsSchedule!.value(month: 10) == 4)
        #expect(s.levers.priceChurn == PriceChurn(elasticity: 1.5))
        #expect(s.calendar == ReportingCalendar(startYear: 2027, startMonth: 1, fiscalYearStartMonth: 4))
    }

    @Test func aPriceScheduleBecomesPriceEventsAndARampAMarketingPlan() throws {
        let s = try ScenarioLoader.parse(text: """
            name: paths
            horizon_months: 12
            plans:
              - {name: basic, price_per_month: {1: 20, 7: 25}, churn: {mean_per_month: 0.04, heterogeneity: 0.2}}
            acquisition: {new_per_month: {ramp: {1: 40, 12: 120}}}
            """, file: "p.yaml")
        #expect(s.plans[0].pricePerMonth == 20)
        #expect(s.levers.priceEvents == [PriceEvent(month: 7, plan: 0, newPricePerMonth: 25)])
        #expect(s.acquisition.meanArrivals(month: 1) == 40 && s.acquisition.meanArrivals(month: 12) == 120)
        #expect(s.acquisition.newPerMonth == 120)
    }

    @Test(arguments: [
        ("support: {agents: {1: 2, 30: 4}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}", "support.agents.30",
         "from 1 to the horizon (24)"),
        ("support: {agents: {1: 2, 10: 4, 5: 3}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}", "support.agents.5",
         "must increase"),
        ("support: {agents: {3: 2}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}", "support.agents",
         "starts at month 1"),
        ("support: {agents: {1: -2}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}", "support.agents.1",
         "a number of agents"),
        ("support: {agents: 2, tickets_per_agent_per_month: 100, first_contact_resolution: {1: 0.8}}",
         "support.first_contact_resolution", "cannot change over time"),
        ("costs: {fixed_per_month: {ramp: {1: 10, 6: 20}, steps: {1: 5}}}", "costs.fixed_per_month", "not both"),
        ("costs: {payment_fee_share: 1}", "costs.payment_fee_share", "not including, 1"),
        ("costs: {terminal_value: yes}", "costs.terminal_value", "true or false"),
        ("costs: {fixed_per_mnth: 100}", "costs.fixed_per_mnth", "did you mean 'fixed_per_month'"),
        ("economics: {cac_basis: trial}", "economics.cac_basis", "paying_subscriber"),
        ("start: 2027-13", "start", "YYYY-MM"),
        ("fiscal_year_start_month: 4", "fiscal_year_start_month", "needs 'start'"),
        ("pricing: {churn_elasticity: -1}", "pricing.churn_elasticity", "from 0 to 20"),
    ])
    func badValueInputsAreLocatedErrors(_ text: String, _ path: String, _ says: String) throws {
        let e = try #require(scenarioError(Self.head + text), "\(text) should be an error")
        #expect(e.keyPath == path, "\(text): key path \(e.keyPath)")
        #expect(e.message.contains(says), "\(text): \(e.message)")
        #expect(e.line > 0)
    }

    @Test func anUncertainScaleScalesTheWholeSchedule() throws {
        let f = try ScenarioLoader.parseFamily(text: Self.head + """
            support:
              agents: {steps: {1: 2, 10: 4}, scale: {distribution: uniform, min: 0.5, max: 1.5}}
              tickets_per_agent_per_month: 100
              first_contact_resolution: 0.8
            """, file: "u.yaml")
        #expect(f.inputs.inputs.map(\.path) == ["support.agents.scale"])
        let s = f.scenario(values: [1.5])
        #expect(s.levers.support!.agentsSchedule!.value(month: 10) == 6 && s.levers.support!.agents == 3)
        #expect(f.base.levers.support!.agentsSchedule!.value(month: 10) == 4)
        let e = try #require(scenarioError(Self.head + """
            support: {agents: {1: {distribution: uniform, min: 1, max: 2}}, tickets_per_agent_per_month: 100, first_contact_resolution: 0.8}
            """))
        #expect(e.message.contains("give it a 'scale'"), "\(e.message)")
    }

    @Test func aFreeBasePlanOrAScaledScheduleStillLoads() throws {
        let free = """
            name: free
            horizon_months: 12
            plans:
              - {name: basic, price_per_month: 0, churn: {mean_per_month: 0.04, heterogeneity: 0.2}}
            acquisition: {new_per_month: 100}
            pricing: {elasticity: -1}
            variants:
              - {name: paid, set: {plans.basic.price_per_month: 5}}
            """
        let v = try ScenarioLoader.parseVariants(text: free, file: "f.yaml")
        #expect(v[1].scenario.plans[0].pricePerMonth == 5 && v[1].scenario.plans[0].options.referencePrice == nil)
        // Each value is checked as scaled when a scale is given: 2e6 x 0.5 agents is within range.
        let s = try ScenarioLoader.parse(text: Self.head + """
            support: {agents: {steps: {1: 2000000}, scale: 0.5}, tickets_per_agent_per_month: 1, first_contact_resolution: 0.8}
            """, file: "s.yaml")
        #expect(s.levers.support!.agents == 1e6)
        #expect(scenarioError(Self.head + """
            support: {agents: {1: 2000000}, tickets_per_agent_per_month: 1, first_contact_resolution: 0.8}
            """)?.keyPath == "support.agents.1")
    }

    @Test func aVariantThatChangesAPriceKeepsTheBasesReferenceOrIsWarnedAbout() throws {
        let withElasticity = Self.head + """
            pricing: {elasticity: -1, churn_elasticity: 1}
            variants:
              - {name: cheaper, set: {plans.basic.price_per_month: 15}}
            """
        let v = try ScenarioLoader.parseVariants(text: withElasticity, file: "e.yaml")
        #expect(v[1].scenario.plans[0].pricePerMonth == 15 && v[1].scenario.plans[0].options.referencePrice == 20)
        #expect(v[1].notes.isEmpty && v[0].scenario.plans[0].options.referencePrice == nil)
        let without = Self.head + """
            variants:
              - {name: cheaper, set: {plans.basic.price_per_month: 15}}
            """
        let w = try ScenarioLoader.parseVariants(text: without, file: "w.yaml")
        #expect(w[1].scenario.plans[0].options.referencePrice == nil)
        #expect(w[1].notes.count == 1 && w[1].notes[0].contains("cheaper") && w[1].notes[0].contains("basic"))
    }

    @Test func theSwitchExampleAnswersCashBreakEvenAndHiringInWords() throws {
        var s = try ScenarioLoader.load(path: Self.bundled("switch-to-subscription.yaml"))
        s.trials = 60
        let r = try Simulation.run(s, seed: 1, threads: 2)
        let table = TableReport.render(r, info: RunInfo(scenarioFile: "switch-to-subscription.yaml"))
        #expect(table.contains("How much cash:") && table.contains("Break-even:") && table.contains("Worth: the net present value"))
        #expect(table.contains("Fiscal years") && table.contains("FY2028") && table.contains("6 (2027-06)"))
        let html = HTMLReport.render(r, info: RunInfo(scenarioFile: "switch-to-subscription.yaml"))
        #expect(html.contains("How much cash:") && HTMLReport.chartIDs(for: r).contains("cash") && html.contains("Cumulative cash by month"))
        let variants = try ScenarioLoader.loadVariants(path: Self.bundled("switch-to-subscription.yaml"))
        let c = try Comparison.run(variants, trials: 40, seed: 1, threads: 2)
        let text = CompareReport.table(c, CompareReport.Context(info: RunInfo(scenarioFile: "s.yaml"), files: variants.map { _ in "s.yaml" }))
        #expect(text.contains("What each strategy is worth against the base"))
        #expect(text.contains("hire-before-switch: NPV -") && text.contains("it loses money"))
        #expect(text.contains("npv, strategy against strategy"))
    }
}
