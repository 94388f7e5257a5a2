import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

/// Three plans, 15 lines; lines matter to the error cases:
///
///      1 name: levers
///      2 horizon_months: 24
///      3 plans:
///      4   - name: starter
///      5     price_per_month: 29
///      6     churn: {alpha: 1, beta: 5}
///      7   - name: team
///      8     price_per_month: 99
///      9     churn: {alpha: 1, beta: 9}
///         (team: extra plan keys go here, from line 10)
///     10   - name: enterprise
///     11     price_per_month: 499
///     12     churn: {alpha: 1, beta: 20}
///     13 acquisition:
///     14   new_per_month: 50
///     15   mix: {starter: 0.6, team: 0.3, enterprise: 0.1}
///         (top: extra top-level lines, from line 16 plus the team lines)
private func levers(team: String? = nil, top: String? = nil) -> String {
    var lines = [
        "name: levers",
        "horizon_months: 24",
        "plans:",
        "  - name: starter",
        "    price_per_month: 29",
        "    churn: {alpha: 1, beta: 5}",
        "  - name: team",
        "    price_per_month: 99",
        "    churn: {alpha: 1, beta: 9}",
    ]
    if let team { lines.append(team) }
    lines += [
        "  - name: enterprise",
        "    price_per_month: 499",
        "    churn: {alpha: 1, beta: 20}",
        "acquisition:",
        "  new_per_month: 50",
        "  mix: {starter: 0.6, team: 0.3, enterprise: 0.1}",
    ]
    if let top { lines.append(top) }
    return lines.joined(separator: "\n") + "\n"
}

/// A valid support section (one line) for cases that need one.
private let support = "support: {agents: 2, tickets_per_agent_per_month: 300, first_contact_resolution: 0.8}"

let leverBadCases: [BadCase] = [
    // Out of range.
    BadCase("first_contact_resolution 1.5", levers(top: "support: {agents: 2, tickets_per_agent_per_month: 300, first_contact_resolution: 1.5}"),
            line: 16, keyPath: "support.first_contact_resolution", "expected a probability from 0 to 1", "got 1.5"),
    BadCase("tickets_per_agent_per_month 0", levers(top: "support:\n  agents: 2\n  tickets_per_agent_per_month: 0\n  first_contact_resolution: 0.8"),
            line: 18, keyPath: "support.tickets_per_agent_per_month", "a number of tickets > 0", "got 0"),
    BadCase("bad_resolution months 25", levers(top: String(support.dropLast()) + ", bad_resolution: {months: 25}}"),
            line: 16, keyPath: "support.bad_resolution.months", "a whole number from 1 to 24, got 25"),
    BadCase("intro months 0", levers(team: "    intro_discount: {fraction: 0.5, months: 0}"), line: 10,
            keyPath: "plans[1].intro_discount.months", "a whole number from 1 to 120, got 0"),
    BadCase("annual_discount 1", levers(team: "    billing: {annual_share: 0.3, annual_discount: 1}"), line: 10,
            keyPath: "plans[1].billing.annual_discount", "up to, not including, 1", "got 1"),
    BadCase("seats mean_at_signup 0.5", levers(team: "    seats:\n      price_per_seat: 10\n      mean_at_signup: 0.5"), line: 12,
            keyPath: "plans[1].seats.mean_at_signup", "from 1 to 100000", "got 0.5"),
    BadCase("usage cv 0", levers(team: "    usage: {price_per_unit: 0.01, mean_units_per_month: 100, cv: 0}"), line: 10,
            keyPath: "plans[1].usage.cv", "coefficient of variation > 0", "got 0"),
    BadCase("usage growth -1", levers(team: "    usage: {price_per_unit: 0.01, mean_units_per_month: 100, cv: 1, growth_per_month: -1}"),
            line: 10, keyPath: "plans[1].usage.growth_per_month", "growth rate > -1", "got -1"),
    BadCase("reference_price 0", levers(team: "    reference_price: 0"), line: 10, keyPath: "plans[1].reference_price",
            "a reference price from 1e-6 to 1e18, got 0"),
    BadCase("move probability 1.5", levers(team: "    moves: {starter: 1.5}"), line: 10, keyPath: "plans[1].moves.starter",
            "a monthly probability from 0 to 1", "got 1.5"),
    BadCase("price event beyond the horizon", levers(top: "pricing:\n  events:\n    - {month: 25, plan: team, price_per_month: 120}"),
            line: 18, keyPath: "pricing.events[0].month", "a whole number from 1 to 24, got 25"),
    BadCase("elasticity -21", levers(top: "pricing: {elasticity: -21}"), line: 16, keyPath: "pricing.elasticity",
            "a price elasticity from -20 to 20", "got -21"),
    BadCase("churn_shock negative", levers(top: "pricing:\n  events:\n    - {month: 3, plan: team, price_per_month: 120, churn_shock: -0.1}"),
            line: 18, keyPath: "pricing.events[0].churn_shock", "from 0 to 1", "got -0.1"),
    BadCase("onboarding capacity 2.5",
            levers(top: "onboarding:\n  ramp_months: {median: 1, log_sd: 0.5}\n  threshold_months: 3\n  at_risk_churn_multiplier: 2\n  intervention: {capacity_per_month: 2.5}"),
            line: 20, keyPath: "onboarding.intervention.capacity_per_month", "a whole number from 0 to 4000000000", "got 2.5"),
    BadCase("ramp log_sd 0", levers(top: "onboarding:\n  ramp_months: {median: 1, log_sd: 0}\n  threshold_months: 3\n  at_risk_churn_multiplier: 2"),
            line: 17, keyPath: "onboarding.ramp_months.log_sd", "a log standard deviation > 0 and at most 5", "got 0"),
    BadCase("free trial 25 months", levers(top: "free_trial: {months: 25, conversion: 0.3}"), line: 16, keyPath: "free_trial.months",
            "from 1 to 24, got 25"),
    BadCase("switch month beyond the horizon", levers(top: "licence_switch: {switch_month: 30, licences_per_month: 5, licence_price: 900}"),
            line: 16, keyPath: "licence_switch.switch_month", "from 1 to 24, got 30"),
    BadCase("fractional installed base", levers(top: "licence_switch: {switch_month: 3, licences_per_month: 5, licence_price: 900, installed_base: 10.5}"),
            line: 16, keyPath: "licence_switch.installed_base", "whole number", "got 10.5"),
    BadCase("maintenance_renewal 1.1", levers(top: "licence_switch:\n  switch_month: 3\n  licences_per_month: 5\n  licence_price: 900\n  maintenance_renewal: 1.1"),
            line: 20, keyPath: "licence_switch.maintenance_renewal", "a yearly renewal probability from 0 to 1", "got 1.1"),

    // Missing required keys.
    BadCase("support without agents", levers(top: "support: {tickets_per_agent_per_month: 300, first_contact_resolution: 0.8}"),
            line: 16, keyPath: "support.agents", "missing required key 'agents'"),
    BadCase("intro_discount without months", levers(team: "    intro_discount: {fraction: 0.5}"), line: 10,
            keyPath: "plans[1].intro_discount.months", "missing required key 'months'"),
    BadCase("dunning without recovery", levers(top: "dunning: {failure_rate: 0.03}"), line: 16, keyPath: "dunning.recovery",
            "missing required key 'recovery'"),
    BadCase("price event without plan", levers(top: "pricing:\n  events:\n    - {month: 3, price_per_month: 120}"), line: 18,
            keyPath: "pricing.events[0].plan", "missing required key 'plan'"),

    // Unknown keys, with suggestions.
    BadCase("agent", levers(top: "support: {agent: 2}"), line: 16, keyPath: "support.agent",
            "unknown key 'agent' in support", "did you mean 'agents'?"),
    BadCase("upsel_to", levers(team: "    upsel_to: enterprise"), line: 10, keyPath: "plans[1].upsel_to",
            "unknown key 'upsel_to' in plans[1]", "did you mean 'upsell_to'?"),
    BadCase("license_switch (US spelling)", levers(top: "license_switch: {switch_month: 3}"), line: 16, keyPath: "license_switch",
            "unknown key 'license_switch'", "did you mean 'licence_switch'?"),
    BadCase("grandfathered", levers(top: "pricing:\n  events:\n    - {month: 3, plan: team, price_per_month: 120, grandfathered: true}"),
            line: 18, keyPath: "pricing.events[0].grandfathered", "did you mean 'grandfather'?"),
    BadCase("good_resolution upsell", levers(top: "support:\n  agents: 1\n  tickets_per_agent_per_month: 300\n  first_contact_resolution: 0.8\n  good_resolution: {upsell_probabilty: 0.1}"), line: 20,
            keyPath: "support.good_resolution.upsell_probabilty", "did you mean 'upsell_probability'?"),

    // Unknown plan names.
    BadCase("move to an unknown plan", levers(team: "    moves: {entreprise: 0.01}"), line: 10, keyPath: "plans[1].moves.entreprise",
            "no plan named 'entreprise'; did you mean 'enterprise'?", "(plans: starter, team, enterprise)"),
    BadCase("upsell to an unknown plan", levers(team: "    upsell_to: premium", top: support), line: 10, keyPath: "plans[1].upsell_to",
            "no plan named 'premium'", "(plans: starter, team, enterprise)"),
    BadCase("price event for an unknown plan", levers(top: "pricing:\n  events:\n    - {month: 3, plan: teams, price_per_month: 120}"),
            line: 18, keyPath: "pricing.events[0].plan", "no plan named 'teams'; did you mean 'team'?"),
    BadCase("migration to an unknown plan",
            levers(top: "licence_switch: {switch_month: 3, licences_per_month: 5, licence_price: 900, migration_plan: startr}"),
            line: 16, keyPath: "licence_switch.migration_plan", "no plan named 'startr'; did you mean 'starter'?"),

    // Plans referring to themselves, totals.
    BadCase("move to itself", levers(team: "    moves:\n      starter: 0.01\n      team: 0.02"), line: 12, keyPath: "plans[1].moves.team",
            "a plan cannot move to itself"),
    BadCase("upsell to itself", levers(team: "    upsell_to: team", top: support), line: 10, keyPath: "plans[1].upsell_to",
            "a plan cannot upsell to itself"),
    BadCase("moves total above 1", levers(team: "    moves: {starter: 0.6, enterprise: 0.5}"), line: 10, keyPath: "plans[1].moves",
            "add up to at most 1, got a total of 1.1"),

    // Keys that need the support section.
    BadCase("tickets_per_month without support", levers(team: "    tickets_per_month: 0.3"), line: 10,
            keyPath: "plans[1].tickets_per_month", "tickets_per_month needs the top-level 'support' section"),
    BadCase("upsell_to without support", levers(team: "    upsell_to: enterprise"), line: 10, keyPath: "plans[1].upsell_to",
            "upsell_to needs the top-level 'support' section"),
    BadCase("tickets_per_month 101", levers(team: "    tickets_per_month: 101", top: support), line: 10,
            keyPath: "plans[1].tickets_per_month", "from 0 to 100", "got 101"),

    // Price events.
    BadCase("duplicate price event",
            levers(top: "pricing:\n  events:\n    - {month: 13, plan: team, price_per_month: 120}\n    - {month: 6, plan: team, price_per_month: 110}\n    - {month: 13, plan: team, price_per_month: 130}"),
            line: 20, keyPath: "pricing.events[2]", "plan 'team' already has a price event in month 13",
            "pricing.events[0], line 18", "at most one event per plan and month"),
    BadCase("grandfather yes", levers(top: "pricing:\n  events:\n    - {month: 3, plan: team, price_per_month: 120, grandfather: yes}"),
            line: 18, keyPath: "pricing.events[0].grandfather", "expected true or false, got 'yes'"),
    BadCase("grandfather 1", levers(top: "pricing:\n  events:\n    - month: 3\n      plan: team\n      price_per_month: 120\n      grandfather: 1"),
            line: 21, keyPath: "pricing.events[0].grandfather", "expected true or false, got '1'"),
    BadCase("grandfather quoted", levers(top: "pricing:\n  events:\n    - {month: 3, plan: team, price_per_month: 120, grandfather: \"true\"}"),
            line: 18, keyPath: "pricing.events[0].grandfather", "expected true or false, got the string \"true\""),
    BadCase("events not a list", levers(top: "pricing:\n  events: {month: 3}"), line: 17, keyPath: "pricing.events", "expected a list"),
]

@Suite struct LeverScenarioTests {
    static let fullYAML = """
        schema_version: 1
        name: every-lever
        currency: EUR
        horizon_months: 36
        trials: 200
        seed: 11
        plans:
          - name: starter
            price_per_month: 29
            churn: {mean_per_month: 0.06, heterogeneity: 0.1}
            billing: {annual_share: 0.2, annual_discount: 0.1}
            intro_discount: {fraction: 0.5, months: 3}
            usage: {price_per_unit: 0.01, mean_units_per_month: 1000, cv: 0.8, growth_per_month: 0.01}
            moves: {team: 0.02}
            reference_price: 25
          - name: team
            price_per_month: 99
            churn: {mean_per_month: 0.03, heterogeneity: 0.1}
            billing: {annual_share: 0.3, annual_discount: 0.15}
            seats: {price_per_seat: 12, mean_at_signup: 4, expansion_per_month: 0.1, contraction_per_month: 0.02}
            moves: {enterprise: 0.01, starter: 0.005}     # stored in plan order
            tickets_per_month: 0.3
            upsell_to: enterprise
            reference_price: 99
          - name: enterprise
            price_per_month: 499
            churn: {alpha: 0.5, beta: 40}
        acquisition:
          new_per_month: 60
          mix: {starter: 0.7, team: 0.25, enterprise: 0.05}
        support:
          agents: 2.5
          tickets_per_agent_per_month: 400
          cost_per_agent_per_month: 4500
          first_contact_resolution: 0.75
          backlog_penalty: 0.5
          waiting_churn_multiplier: 1.5
          tickets_per_month: 0.2
          bad_resolution: {churn_multiplier: 3, months: 3}
          good_resolution: {churn_multiplier: 0.6, months: 6, upsell_probability: 0.05}
        onboarding:
          ramp_months: {median: 1.5, log_sd: 0.6}
          threshold_months: 3
          at_risk_churn_multiplier: 2.5
          intervention: {detection_rate: 0.6, success_rate: 0.5, cost: 150, capacity_per_month: 40}
        pricing:
          elasticity: -1.2
          events:
            - {month: 13, plan: starter, price_per_month: 35, churn_shock: 0.03, grandfather: false}
            - {month: 6, plan: team, price_per_month: 109, grandfather: true}
            - {month: 13, plan: team, price_per_month: 119}
        free_trial: {months: 1, conversion: 0.25}
        dunning: {failure_rate: 0.03, recovery: 0.6}
        licence_switch:
          switch_month: 7
          licences_per_month: 20
          licence_price: 1200
          maintenance_share: 0.2
          maintenance_renewal: 0.85
          installed_base: 400
          migration_per_month: 0.05
          migration_plan: team
          migration_price_per_month: 79
        """

    static let expectedLevers = Levers(
        support: Support(agents: 2.5, ticketsPerAgentPerMonth: 400, costPerAgentPerMonth: 4500, firstContactResolution: 0.75,
                         backlogPenalty: 0.5, waitingChurnMultiplier: 1.5, badChurnMultiplier: 3, badMonths: 3,
                         goodChurnMultiplier: 0.6, goodMonths: 6, upsellProbability: 0.05),
        onboarding: Onboarding(rampMedianMonths: 1.5, rampLogSD: 0.6, thresholdMonths: 3, atRiskChurnMultiplier: 2.5,
                               detectionRate: 0.6, successRate: 0.5, costPerIntervention: 150, capacityPerMonth: 40),
        priceEvents: [
            PriceEvent(month: 6, plan: 1, newPricePerMonth: 109, churnShock: 0, grandfather: true),
            PriceEvent(month: 13, plan: 0, newPricePerMonth: 35, churnShock: 0.03, grandfather: false),
            PriceEvent(month: 13, plan: 1, newPricePerMonth: 119, churnShock: 0, grandfather: false),
        ],
        priceElasticity: -1.2,
        freeTrial: FreeTrial(months: 1, conversion: 0.25),
        dunning: Dunning(failureRate: 0.03, recoveryProbability: 0.6),
        licenceSwitch: LicenceSwitch(switchMonth: 7, licencesPerMonth: 20, licencePrice: 1200, maintenanceShare: 0.2,
                                     maintenanceRenewal: 0.85, installedBase: 400, migrationPerMonth: 0.05,
                                     migrationPlan: 1, migrationPricePerMonth: 79))

    static let expectedOptions = [
        PlanOptions(annualShare: 0.2, annualDiscount: 0.1, introDiscount: 0.5, introMonths: 3,
                    usage: Usage(pricePerUnit: 0.01, meanUnitsPerMonth: 1000, cv: 0.8, growthPerMonth: 0.01),
                    moves: [(plan: 1, probability: 0.02)], ticketsPerMonth: 0.2, referencePrice: 25),
        PlanOptions(annualShare: 0.3, annualDiscount: 0.15,
                    seats: Seats(pricePerSeat: 12, meanAtSignup: 4, expansionPerMonth: 0.1, contractionPerMonth: 0.02),
                    moves: [(plan: 0, probability: 0.005), (plan: 2, probability: 0.01)],
                    ticketsPerMonth: 0.3, upsellTo: 2, referencePrice: 99),
        PlanOptions(ticketsPerMonth: 0.2),
    ]

    @Test func everyLeverParses() throws {
        let s = try ScenarioLoader.parse(text: Self.fullYAML, file: "levers.yaml")
        #expect(s.plans.map(\.name) == ["starter", "team", "enterprise"])
        #expect(s.plans.map(\.pricePerMonth) == [29, 99, 499])
        #expect(s.levers.support == Self.expectedLevers.support)
        #expect(s.levers.support?.capacity == 1000)
        #expect(s.levers.onboarding == Self.expectedLevers.onboarding)
        #expect(s.levers.priceEvents == Self.expectedLevers.priceEvents, "events sorted by month, file order within a month")
        #expect(s.levers.priceElasticity == -1.2)
        #expect(s.levers.freeTrial == FreeTrial(months: 1, conversion: 0.25))
        #expect(s.levers.dunning == Dunning(failureRate: 0.03, recoveryProbability: 0.6))
        #expect(s.levers.licenceSwitch == Self.expectedLevers.licenceSwitch)
        #expect(s.levers == Self.expectedLevers)
        for (i, expected) in Self.expectedOptions.enumerated() {
            #expect(s.plans[i].options == expected, "plans[\(i)]: \(s.plans[i].options)")
        }
        #expect(s.plans[1].options.moves.map(\.plan) == [0, 2], "moves are stored in plan order")
        #expect(s.plans[1].options.moves.map(\.probability) == [0.005, 0.01])
        #expect(s.usesLevers)
    }

    @Test func jsonFormParsesIdentically() throws {
        let json = """
            {"name": "j", "horizon_months": 12,
             "plans": [{"name": "a", "price_per_month": 10, "churn": {"alpha": 1, "beta": 5},
                        "moves": {"b": 0.1}, "tickets_per_month": 0.5, "upsell_to": "b"},
                       {"name": "b", "price_per_month": 20, "churn": {"alpha": 1, "beta": 9}}],
             "support": {"agents": 1, "tickets_per_agent_per_month": 100, "first_contact_resolution": 0.9},
             "pricing": {"events": [{"month": 2, "plan": "b", "price_per_month": 25, "grandfather": true}]}}
            """
        let yaml = """
            name: j
            horizon_months: 12
            plans:
              - {name: a, price_per_month: 10, churn: {alpha: 1, beta: 5}, moves: {b: 0.1}, tickets_per_month: 0.5, upsell_to: b}
              - {name: b, price_per_month: 20, churn: {alpha: 1, beta: 9}}
            support: {agents: 1, tickets_per_agent_per_month: 100, first_contact_resolution: 0.9}
            pricing: {events: [{month: 2, plan: b, price_per_month: 25, grandfather: true}]}
            """
        let j = try ScenarioLoader.parse(text: json, file: "j.json")
        #expect(j == (try ScenarioLoader.parse(text: yaml, file: "j.yaml")))
        #expect(j.levers.priceEvents == [PriceEvent(month: 2, plan: 1, newPricePerMonth: 25, grandfather: true)])
        #expect(j.plans[0].options.upsellTo == 1)
    }

    @Test func noLeversMeansEverythingOff() throws {
        let s = try ScenarioLoader.parse(text: levers(), file: "plain.yaml")
        #expect(s.levers == Levers())
        #expect(s.levers.isEmpty)
        #expect(s.plans.allSatisfy { $0.options == PlanOptions() })
        #expect(!s.usesLevers)
    }

    @Test func optionalKeysTakeTheirDefaults() throws {
        let text = levers(team: "    billing: {}\n    seats: {price_per_seat: 10, mean_at_signup: 2}\n"
                                + "    usage: {price_per_unit: 0.5, mean_units_per_month: 20, cv: 1}", top: """
            support: {agents: 0, tickets_per_agent_per_month: 300, first_contact_resolution: 0.8, bad_resolution: {}, good_resolution: {}}
            onboarding:
              ramp_months: {median: 2, log_sd: 0.5}
              threshold_months: 4
              at_risk_churn_multiplier: 0
              intervention: {}
            pricing:
              events:
                - {month: 24, plan: enterprise, price_per_month: 0}
            licence_switch: {switch_month: 1, licences_per_month: 0, licence_price: 0}
            """)
        let s = try ScenarioLoader.parse(text: text, file: "defaults.yaml")
        #expect(s.levers.support == Support(agents: 0, ticketsPerAgentPerMonth: 300, costPerAgentPerMonth: 0, firstContactResolution: 0.8,
                                            backlogPenalty: 0, waitingChurnMultiplier: 1, badChurnMultiplier: 1, badMonths: 1,
                                            goodChurnMultiplier: 1, goodMonths: 1, upsellProbability: 0))
        #expect(s.levers.onboarding == Onboarding(rampMedianMonths: 2, rampLogSD: 0.5, thresholdMonths: 4, atRiskChurnMultiplier: 0,
                                                  detectionRate: 0, successRate: 0, costPerIntervention: 0, capacityPerMonth: nil))
        #expect(s.levers.priceElasticity == 0)
        #expect(s.levers.priceEvents == [PriceEvent(month: 24, plan: 2, newPricePerMonth: 0, churnShock: 0, grandfather: false)])
        #expect(s.levers.licenceSwitch == LicenceSwitch(switchMonth: 1, licencesPerMonth: 0, licencePrice: 0, maintenanceShare: 0,
                                                        maintenanceRenewal: 1, installedBase: 0, migrationPerMonth: 0,
                                                        migrationPlan: 0, migrationPricePerMonth: nil))
        #expect(s.levers.freeTrial == nil && s.levers.dunning == nil)
        // Support without a default ticket rate: every plan raises 0 tickets.
        #expect(s.plans.map(\.options.ticketsPerMonth) == [0, 0, 0])
        let team = s.plans[1].options
        #expect(team.annualShare == 0 && team.annualDiscount == 0 && team.introDiscount == 0 && team.introMonths == 0)
        #expect(team.seats == Seats(pricePerSeat: 10, meanAtSignup: 2, expansionPerMonth: 0, contractionPerMonth: 0))
        #expect(team.usage == Usage(pricePerUnit: 0.5, meanUnitsPerMonth: 20, cv: 1, growthPerMonth: 0))
        #expect(team.moves.isEmpty && team.upsellTo == nil && team.referencePrice == nil)
    }

    @Test func ticketRateDefaultsToTheSupportSection() throws {
        let text = levers(team: "    tickets_per_month: 0", top: String(support.dropLast()) + ", tickets_per_month: 0.4}")
        let s = try ScenarioLoader.parse(text: text, file: "tickets.yaml")
        #expect(s.plans.map(\.options.ticketsPerMonth) == [0.4, 0, 0.4], "a plan's own rate (even 0) wins over support's")
        // Without support no plan raises tickets.
        let none = try ScenarioLoader.parse(text: levers(top: "dunning: {failure_rate: 0.1, recovery: 0.5}"), file: "none.yaml")
        #expect(none.plans.map(\.options.ticketsPerMonth) == [0, 0, 0])
        #expect(none.plans.allSatisfy { $0.options.isEmpty })
    }

    @Test func explicitNullsTakeDefaults() throws {
        let text = levers(team: "    moves: ~\n    upsell_to:\n    tickets_per_month: null", top: "pricing: {elasticity: ~, events: ~}")
        let s = try ScenarioLoader.parse(text: text, file: "nulls.yaml")
        #expect(s.plans[1].options == PlanOptions())
        #expect(s.levers == Levers())
    }

    @Test(arguments: [("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false)])
    func grandfatherTakesCoreSchemaBooleans(_ text: String, _ value: Bool) throws {
        let s = try ScenarioLoader.parse(text: levers(top: "pricing: {events: [{month: 2, plan: team, price_per_month: 1, grandfather: \(text)}]}"),
                                         file: "bool.yaml")
        #expect(s.levers.priceEvents.first?.grandfather == value)
    }

    @Test func movesMayAddUpToExactlyOne() throws {
        let s = try ScenarioLoader.parse(text: levers(team: "    moves: {starter: 0.1, enterprise: 0.2}\n    billing: {annual_share: 1}"), file: "m.yaml")
        #expect(s.plans[1].options.moves.map(\.probability) == [0.1, 0.2])
        let t = try ScenarioLoader.parse(text: levers(team: "    moves: {starter: 0.7, enterprise: 0.3}"), file: "m.yaml")
        #expect(t.plans[1].options.moves.map(\.probability).reduce(0, +) == 1)
    }

    @Test(arguments: leverBadCases)
    func badLeverIsRejected(_ c: BadCase) {
        guard let e = scenarioError(c.text, file: "bad/levers.yaml") else {
            Issue.record("\(c.label): parsed without an error:\n\(c.text)")
            return
        }
        #expect(e.line == c.line, "\(c.label): line; error was \(e)")
        #expect(e.keyPath == c.keyPath, "\(c.label): key path; error was \(e)")
        for f in c.fragments {
            #expect(e.message.contains(f), "\(c.label): message should contain \"\(f)\"; error was \(e)")
        }
        if e.line > 0 { #expect(e.column > 0, "\(c.label): a known line has a column; error was \(e)") }
    }

    /// Every bundled lever example parses and switches on what its comments say.
    @Test func bundledLeverExamplesParse() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios")
        let saas = try ScenarioLoader.load(path: dir.appendingPathComponent("levers-saas.yaml").path)
        #expect(saas.horizonMonths == 36 && saas.trials == 1000 && saas.seed != nil)
        #expect(saas.levers.support != nil && saas.levers.onboarding?.detectionRate ?? 0 > 0)
        #expect(saas.levers.priceEvents.contains { $0.grandfather } && saas.levers.priceElasticity != 0)
        #expect(saas.levers.freeTrial != nil && saas.levers.dunning != nil && saas.levers.licenceSwitch == nil)
        #expect(saas.plans.contains { $0.options.annualShare > 0 })
        #expect(saas.plans.contains { $0.options.introMonths > 0 })
        #expect(saas.plans.contains { $0.options.seats != nil } && saas.plans.contains { $0.options.usage != nil })
        #expect(saas.plans.contains { !$0.options.moves.isEmpty } && saas.plans.contains { $0.options.upsellTo != nil })
        #expect(saas.levers.referrals?.perActivePerMonth == 0.003 && saas.levers.referrals?.rewardPerReferral == 50)

        let sw = try ScenarioLoader.load(path: dir.appendingPathComponent("switch-to-subscription.yaml").path)
        #expect(sw.horizonMonths == 60)
        let l = try #require(sw.levers.licenceSwitch)
        #expect(l.switchMonth == 7 && l.licencePrice == 1200 && l.maintenanceShare == 0.2)
        #expect(l.migrationPerMonth == 0.04 && l.migrationPricePerMonth != nil)
        #expect(sw.plans.count == 2 && sw.plans[0].pricePerMonth == 39)
        #expect(sw.levers.support != nil && sw.levers.onboarding != nil)
        #expect(l.support?.ticketsPerMonth == 0.05 && l.support?.badMigrationMultiplier == 0.5)
    }

    @Test func referralsAndLicenceSupportDecodeWithLocatedErrors() throws {
        let base = """
        schema_version: 1
        name: r
        horizon_months: 12
        trials: 10
        plans:
          - {name: a, price_per_month: 10, churn: {mean_per_month: 0.05, heterogeneity: 0.1}}
          - {name: b, price_per_month: 20, churn: {mean_per_month: 0.05, heterogeneity: 0.1}}
        acquisition: {new_per_month: 10, mix: {a: 0.5, b: 0.5}}

        """
        let ok = try ScenarioLoader.parse(text: base + "referrals: {per_active_per_month: 0.01, extra_per_promoter_per_month: 0.02, reward: 5, mix: {a: 1}}\n", file: "r.yaml")
        let r = try #require(ok.levers.referrals)
        #expect(r.perActivePerMonth == 0.01 && r.extraPerPromoterPerMonth == 0.02 && r.rewardPerReferral == 5 && r.planMix == [1, 0])
        for (extra, key) in [("referrals: {per_active_per_month: -1}\n", "referrals.per_active_per_month"),
                             ("referrals: {rate: 0.1}\n", "referrals"),
                             ("referrals: {per_active_per_month: 0.1, mix: {a: 0.3}}\n", "referrals.mix"),
                             ("licence_switch: {switch_month: 3, licences_per_month: 1, licence_price: 10, support: {tickets_per_month: 0.1}}\n",
                              "licence_switch.support")] {
            do {
                _ = try ScenarioLoader.parse(text: base + extra, file: "r.yaml")
                Issue.record("accepted \(extra)")
            } catch {
                #expect(error.keyPath.hasPrefix(key), "\(extra): \(error)")
                #expect(error.line > 0, "\(extra): no line in \(error)")
            }
        }
    }
}
