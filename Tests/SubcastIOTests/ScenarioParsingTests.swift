import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

@Suite struct ScenarioParsingTests {
    static let fullYAML = """
        # every key of schema version 1
        schema_version: 1
        name: full-example
        description: >-
          A scenario that sets every key, so the parser's mapping of each one is checked.
        currency: EUR
        horizon_months: 24
        trials: 500
        seed: 18446744073709551615      # the largest seed, parsed exactly

        plans:
          - name: starter
            price_per_month: 29.5
            churn:
              mean_per_month: 0.06
              heterogeneity: 0.1
          - name: team
            price_per_month: 99
            churn:
              alpha: 0.27
              beta: 8.73
          - name: flat
            price_per_month: 5
            churn: {mean_per_month: 0.05, heterogeneity: 0}

        acquisition:
          new_per_month: 60
          growth_per_month: 0.04
          mix:                          # deliberately not in plan order
            flat: 0.1
            starter: 0.6
            team: 0.3

        existing:
          - plan: team
            count: 120
            tenure_months: 7
          - plan: starter
            count: 1_000

        economics:
          gross_margin: 0.82
          discount_rate_per_year: 0.12
          cac_per_subscriber: 350

        cltv:
          lifetime_months: 60

        report:
          cohorts: [12, 1, 6]
        """

    static let fullJSON = """
        {
          "schema_version": 1,
          "name": "full-example",
          "description": "A scenario that sets every key, so the parser's mapping of each one is checked.",
          "currency": "EUR",
          "horizon_months": 24,
          "trials": 500,
          "seed": 18446744073709551615,
          "plans": [
            {"name": "starter", "price_per_month": 29.5, "churn": {"mean_per_month": 0.06, "heterogeneity": 0.1}},
            {"name": "team", "price_per_month": 99, "churn": {"alpha": 0.27, "beta": 8.73}},
            {"name": "flat", "price_per_month": 5, "churn": {"mean_per_month": 0.05, "heterogeneity": 0}}
          ],
          "acquisition": {"new_per_month": 60, "growth_per_month": 0.04, "mix": {"flat": 0.1, "starter": 0.6, "team": 0.3}},
          "existing": [
            {"plan": "team", "count": 120, "tenure_months": 7},
            {"plan": "starter", "count": 1000}
          ],
          "economics": {"gross_margin": 0.82, "discount_rate_per_year": 0.12, "cac_per_subscriber": 350},
          "cltv": {"lifetime_months": 60},
          "report": {"cohorts": [12, 1, 6]}
        }
        """

    static let expectedFull = Scenario(
        name: "full-example", currency: "EUR", horizonMonths: 24, trials: 500, seed: UInt64.max,
        plans: [
            Plan(name: "starter", pricePerMonth: 29.5, churn: ChurnModel(meanPerMonth: 0.06, heterogeneity: 0.1)),
            Plan(name: "team", pricePerMonth: 99, churn: .shiftedBetaGeometric(alpha: 0.27, beta: 8.73)),
            Plan(name: "flat", pricePerMonth: 5, churn: .constant(perMonth: 0.05)),
        ],
        acquisition: Acquisition(newPerMonth: 60, growthPerMonth: 0.04, planMix: [0.6, 0.3, 0.1]),
        existing: [ExistingCohort(plan: 1, count: 120, tenureMonths: 7), ExistingCohort(plan: 0, count: 1000, tenureMonths: 0)],
        economics: Economics(grossMargin: 0.82, discountRatePerYear: 0.12, cacPerSubscriber: 350),
        lifetimeMonths: 60, reportedCohorts: [1, 6, 12])

    @Test func fullYAMLScenarioParsesEveryKey() throws {
        let s = try ScenarioLoader.parse(text: Self.fullYAML, file: "full.yaml")
        #expect(s.name == "full-example")
        #expect(s.currency == "EUR")
        #expect(s.horizonMonths == 24)
        #expect(s.trials == 500)
        #expect(s.seed == UInt64.max)
        #expect(s.plans.map(\.name) == ["starter", "team", "flat"])
        #expect(s.plans.map(\.pricePerMonth) == [29.5, 99, 5])
        // mean 0.06, heterogeneity 0.1: alpha = 0.06 * 0.9 / 0.1 = 0.54, beta = 0.94 * 0.9 / 0.1 = 8.46.
        guard case let .shiftedBetaGeometric(a, b) = s.plans[0].churn else {
            Issue.record("starter churn should be sBG, got \(s.plans[0].churn)"); return
        }
        #expect(abs(a - 0.54) < 1e-12 && abs(b - 8.46) < 1e-12, "alpha \(a), beta \(b)")
        #expect(abs(s.plans[0].churn.churnProbability(atRenewal: 1) - 0.06) < 1e-12)
        #expect(s.plans[1].churn == .shiftedBetaGeometric(alpha: 0.27, beta: 8.73))
        #expect(s.plans[2].churn == .constant(perMonth: 0.05), "heterogeneity 0 is the homogeneous limit")
        #expect(s.acquisition.newPerMonth == 60)
        #expect(s.acquisition.growthPerMonth == 0.04)
        #expect(s.acquisition.planMix == [0.6, 0.3, 0.1], "mix is by plan name, stored in plan order")
        #expect(s.existing == [ExistingCohort(plan: 1, count: 120, tenureMonths: 7),
                               ExistingCohort(plan: 0, count: 1000, tenureMonths: 0)])
        #expect(s.economics == Economics(grossMargin: 0.82, discountRatePerYear: 0.12, cacPerSubscriber: 350))
        #expect(s.lifetimeMonths == 60)
        #expect(s.reportedCohorts == [1, 6, 12], "cohorts are sorted")
        #expect(s == Self.expectedFull)
    }

    @Test func jsonScenarioParsesIdentically() throws {
        let yaml = try ScenarioLoader.parse(text: Self.fullYAML, file: "full.yaml")
        let json = try ScenarioLoader.parse(text: Self.fullJSON, file: "full.json")
        #expect(json == yaml)
        #expect(json == Self.expectedFull)
        // The JSON text is also valid for Foundation's parser: it is real JSON, not YAML that looks like it.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(Self.fullJSON.utf8)) }
    }

    @Test func loadReadsYAMLAndJSONFiles() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let y = try dir.write("full.yaml", Self.fullYAML)
        let j = try dir.write("full.json", Self.fullJSON)
        #expect(try ScenarioLoader.load(path: y) == Self.expectedFull)
        #expect(try ScenarioLoader.load(path: j) == Self.expectedFull)
        #expect(try ScenarioLoader.parse(data: Data(Self.fullYAML.utf8), file: "x") == Self.expectedFull)
    }

    @Test func defaultsApplyWhenOptionalSectionsAreAbsent() throws {
        let text = """
            name: minimal
            horizon_months: 30
            plans:
              - name: only
                price_per_month: 12
                churn: {alpha: 2, beta: 30}
            """
        let s = try ScenarioLoader.parse(text: text, file: "minimal.yaml")
        #expect(s.trials == 1000)
        #expect(s.currency == "USD")
        #expect(s.seed == nil)
        #expect(s.economics.grossMargin == 1)
        #expect(s.economics.discountRatePerYear == 0.10)
        #expect(s.economics.cacPerSubscriber == 0)
        #expect(s.lifetimeMonths == 120)
        #expect(s.existing.isEmpty)
        #expect(s.acquisition == Acquisition(newPerMonth: 0, growthPerMonth: 0, planMix: [1]))
        #expect(s.reportedCohorts == [1, 2, 3, 6, 12, 24])
        #expect(s == Scenario(name: "minimal", horizonMonths: 30, trials: 1000,
                              plans: [Plan(name: "only", pricePerMonth: 12, churn: .shiftedBetaGeometric(alpha: 2, beta: 30))],
                              acquisition: Acquisition(newPerMonth: 0, planMix: [1])))
    }

    @Test func explicitNullsAndPartialSectionsTakeDefaults() throws {
        let text = """
            name: partial
            currency: ~
            seed: null
            horizon_months: 5
            plans:
              - {name: a, price_per_month: 1, churn: {alpha: 1, beta: 1}}
              - {name: b, price_per_month: 2, churn: {alpha: 1, beta: 2}}
            economics:
              cac_per_subscriber: 10
            cltv: {}
            report: {}
            """
        let s = try ScenarioLoader.parse(text: text, file: "partial.yaml")
        #expect(s.currency == "USD")
        #expect(s.seed == nil)
        #expect(s.economics == Economics(grossMargin: 1, discountRatePerYear: 0.10, cacPerSubscriber: 10))
        #expect(s.lifetimeMonths == 120)
        #expect(s.reportedCohorts == [1, 2, 3])
        // Two plans and no acquisition: nobody arrives, so the mix is only a placeholder.
        #expect(s.acquisition.newPerMonth == 0)
        #expect(s.acquisition.planMix == [0.5, 0.5])
    }

    @Test func baseFixtureIsValid() throws {
        let s = try ScenarioLoader.parse(text: baseText, file: "base.yaml")
        #expect(s.name == "base" && s.horizonMonths == 12 && s.trials == 100)
        #expect(s.plans == [Plan(name: "basic", pricePerMonth: 10, churn: .shiftedBetaGeometric(alpha: 1, beta: 5))])
    }
}
