import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

/// `variants:` in scenario files: overrides applied to the document, decoded like the base, and
/// every mistake reported with the variant's name and the override's line.
@Suite struct VariantLoaderTests {
    /// A base with support and two plans. Line numbers matter to the error tests:
    ///
    ///      1 schema_version: 1
    ///      2 name: strategies
    ///      3 horizon_months: 12
    ///      4 trials: 50
    ///      5 seed: 7
    ///      6 plans:
    ///      7   - name: starter
    ///      8     price_per_month: 29
    ///      9     churn: {mean_per_month: 0.05, heterogeneity: 0.2}
    ///     10   - name: team
    ///     11     price_per_month: 99
    ///     12     churn: {alpha: 1, beta: 20}
    ///     13 acquisition:
    ///     14   new_per_month: 100
    ///     15   mix: {starter: 0.7, team: 0.3}
    ///     16 support:
    ///     17   agents: 2
    ///     18   tickets_per_agent_per_month: 300
    ///     19   first_contact_resolution: 0.7
    ///     20   tickets_per_month: 0.2
    ///     21 variants:
    static let base = """
        schema_version: 1
        name: strategies
        horizon_months: 12
        trials: 50
        seed: 7
        plans:
          - name: starter
            price_per_month: 29
            churn: {mean_per_month: 0.05, heterogeneity: 0.2}
          - name: team
            price_per_month: 99
            churn: {alpha: 1, beta: 20}
        acquisition:
          new_per_month: 100
          mix: {starter: 0.7, team: 0.3}
        support:
          agents: 2
          tickets_per_agent_per_month: 300
          first_contact_resolution: 0.7
          tickets_per_month: 0.2
        variants:

        """

    static func load(_ variants: String) throws(ScenarioError) -> [Variant] {
        try ScenarioLoader.parseVariants(text: base + variants, file: "strategies.yaml")
    }

    static func error(_ variants: String) -> ScenarioError? {
        do {
            _ = try load(variants)
            return nil
        } catch {
            return error
        }
    }

    @Test func variantsApplyTheirOverridesToTheBase() throws {
        let v = try VariantLoaderTests.load("""
              - name: two-more-agents
                description: hire two support agents
                set:
                  support.agents: 4
              - name: price-up-10
                set:
                  plans.starter.price_per_month: 32
                  pricing.events: [{month: 7, plan: team, price_per_month: 109, grandfather: true}]
              - name: trial
                set:
                  free_trial.months: 1
                  free_trial.conversion: 0.3
                  plans.team.billing: {annual_share: 0.4, annual_discount: 0.1}
            """)
        #expect(v.map(\.name) == ["base", "two-more-agents", "price-up-10", "trial"])
        #expect(v[0].description == nil && v[1].description == "hire two support agents")
        let base = v[0].scenario
        #expect(base.levers.support?.agents == 2 && base.plans[0].pricePerMonth == 29)
        #expect(base == (try ScenarioLoader.parseVariants(text: VariantLoaderTests.base, file: "b.yaml"))[0].scenario,
                "an empty variants list is no variant")
        #expect(v[1].scenario.levers.support?.agents == 4)
        var expected = base
        expected.levers.support?.agents = 4
        #expect(v[1].scenario == expected, "only the overridden value changes")
        #expect(v[2].scenario.plans[0].pricePerMonth == 32 && v[2].scenario.plans[1].pricePerMonth == 99)
        #expect(v[2].scenario.levers.priceEvents == [PriceEvent(month: 7, plan: 1, newPricePerMonth: 109, grandfather: true)])
        #expect(v[3].scenario.levers.freeTrial == FreeTrial(months: 1, conversion: 0.3), "a missing section is created")
        #expect(v[3].scenario.plans[1].options.annualShare == 0.4 && v[3].scenario.plans[0].options.annualShare == 0)
        #expect(v.allSatisfy { $0.scenario.horizonMonths == 12 && $0.scenario.seed == 7 && $0.scenario.trials == 50 })
    }

    @Test func aWholePlanCanBeReplacedOrAdded() throws {
        let v = try VariantLoaderTests.load("""
              - name: enterprise
                set:
                  plans.enterprise: {price_per_month: 499, churn: {alpha: 1, beta: 60}}
                  acquisition.mix: {starter: 0.6, team: 0.3, enterprise: 0.1}
              - name: cheaper-team
                set:
                  plans.team: {name: team, price_per_month: 79, churn: {alpha: 1, beta: 20}}
            """)
        #expect(v[1].scenario.plans.map(\.name) == ["starter", "team", "enterprise"])
        #expect(v[1].scenario.plans[2].pricePerMonth == 499 && v[1].scenario.acquisition.planMix == [0.6, 0.3, 0.1])
        #expect(v[2].scenario.plans.map(\.pricePerMonth) == [29, 79])
    }

    @Test func aFileWithoutVariantsIsItsBase() throws {
        let text = VariantLoaderTests.base.replacingOccurrences(of: "variants:\n", with: "")
        let v = try ScenarioLoader.parseVariants(text: text, file: "plain.yaml")
        #expect(v.count == 1 && v[0].name == "base")
        #expect(v[0].scenario == (try ScenarioLoader.parse(text: text, file: "plain.yaml")))
    }

    @Test func anUnknownKeyIsReportedByTheDecoderAtTheOverridesLine() throws {
        let e = try #require(VariantLoaderTests.error("""
              - name: typo
                set:
                  support.agentz: 4
            """))
        #expect(e.file == "strategies.yaml" && e.line == 24, "\(e)")
        #expect(e.keyPath == "support.agentz", "\(e)")
        #expect(e.message.contains("in variant 'typo'") && e.message.contains("unknown key 'agentz'")
                && e.message.contains("did you mean 'agents'"), "\(e)")
        #expect(e.message.contains("line 24"), "\(e)")
    }

    @Test func aBadValueIsReportedAtItsLine() throws {
        let e = try #require(VariantLoaderTests.error("""
              - name: ok
                set:
                  support.agents: 3
              - name: negative-price
                set:
                  plans.team.price_per_month: -5
            """))
        #expect(e.line == 27 && e.keyPath == "plans[1].price_per_month", "\(e)")
        #expect(e.message.contains("in variant 'negative-price'") && e.message.contains("a price from 0 to 1e18"), "\(e)")
    }

    @Test func anIncompleteCreatedSectionNamesTheVariant() throws {
        let e = try #require(VariantLoaderTests.error("""
              - name: half-trial
                set:
                  free_trial.months: 1
            """))
        #expect(e.message.contains("in variant 'half-trial'") && e.message.contains("missing required key 'conversion'"), "\(e)")
        #expect(e.message.contains("line 24"), "\(e)")
    }

    @Test(arguments: [
        ("""
              - name: a
                set: {support.agents: 3}
              - name: a
                set: {support.agents: 4}
            """, 24, "used twice"),
        ("""
              - name: nothing
                set: {}
            """, 23, "changes nothing"),
        ("""
              - name: no-set
            """, 22, "missing required key 'set'"),
        ("""
              - name: ""
                set: {support.agents: 3}
            """, 22, "non-empty variant name"),
        ("""
              - name: base
                set: {support.agents: 3}
            """, 22, "'base' names the scenario as written"),
        ("""
              - name: two words
                set: {support.agents: 3}
            """, 22, "letters, digits"),
        ("""
              - name: longer
                set: {horizon_months: 24}
            """, 23, "share the base's horizon"),
        ("""
              - name: more-trials
                set: {trials: 500}
            """, 23, "base's trials and seed"),
        ("""
              - name: ghost
                set: {plans.premium.price_per_month: 5}
            """, 23, "no plan named 'premium'"),
        ("""
              - name: deep
                set: {plans.team.price_per_month.amount: 5}
            """, 23, "not a mapping"),
        ("""
              - name: dots
                set: {support..agents: 5}
            """, 23, "not a key path"),
        ("""
              - name: extra
                sett: {support.agents: 5}
            """, 23, "unknown key 'sett'"),
    ] as [(String, Int, String)])
    func malformedVariantsAreRejected(_ text: String, _ line: Int, _ phrase: String) throws {
        let e = try #require(VariantLoaderTests.error(text), "accepted: \(text)")
        #expect(e.line == line && e.message.contains(phrase), "expected line \(line) and '\(phrase)', got \(e)")
    }

    @Test func variantsMustBeAListOfMappings() throws {
        let e = try #require(VariantLoaderTests.error("  two-more-agents: {support.agents: 4}\n"))
        #expect(e.keyPath == "variants" && e.message.contains("expected a list"), "\(e)")
    }

    @Test func filesAreComparedByTheirBaseAndMustShareTheHorizon() throws {
        let dir = try TempDir("variants")
        defer { dir.cleanup() }
        let a = try dir.write("plan-a.yaml", VariantLoaderTests.base + "  - name: x\n    set: {support.agents: 3}\n")
        let b = try dir.write("plan-b.yaml", VariantLoaderTests.base.replacingOccurrences(of: "price_per_month: 29", with: "price_per_month: 35"))
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        try dir.write("sub/plan-a.yaml", VariantLoaderTests.base)
        let v = try ScenarioLoader.loadStrategies(paths: [a, b, dir.file("sub/plan-a.yaml")])
        #expect(v.map(\.name) == ["plan-a", "plan-b", "plan-a-2"])
        #expect(v[0].scenario.levers.support?.agents == 2, "a file's variants are not used when comparing files")
        #expect(v[1].scenario.plans[0].pricePerMonth == 35)

        let long = try dir.write("long.yaml", VariantLoaderTests.base.replacingOccurrences(of: "horizon_months: 12", with: "horizon_months: 24"))
        do {
            _ = try ScenarioLoader.loadStrategies(paths: [a, long])
            Issue.record("different horizons accepted")
        } catch {
            #expect(error.file == long && error.keyPath == "horizon_months" && error.message.contains("share the horizon"), "\(error)")
        }
    }

    @Test func theDecoderIgnoresVariantsWhenLoadingTheBase() throws {
        let text = VariantLoaderTests.base + "  - name: x\n    set: {support.agents: 3}\n"
        let plain = try ScenarioLoader.parse(text: text, file: "v.yaml")
        #expect(plain == (try ScenarioLoader.parseVariants(text: text, file: "v.yaml"))[0].scenario)
    }
}
