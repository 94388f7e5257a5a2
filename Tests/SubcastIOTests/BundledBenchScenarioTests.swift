import Foundation
import Testing
@testable import SubcastCore
@testable import SubcastIO

/// `Scenarios/bench-sbg-cohorts.yaml` must be exactly the model of benchmark-model.md, so that
/// `subcast run Scenarios/bench-sbg-cohorts.yaml --format json` is held to its closed forms.
@Suite struct BundledBenchScenarioTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scenarios/bench-sbg-cohorts.yaml").path

    @Test func benchFileIsTheBenchmarkModel() throws {
        let s = try ScenarioLoader.load(path: Self.path)
        #expect(s.horizonMonths == 60)
        #expect(s.plans.count == 1)
        #expect(s.plans[0].pricePerMonth == 50)
        #expect(s.plans[0].churn == .shiftedBetaGeometric(alpha: 0.5, beta: 12))
        #expect(s.acquisition.newPerMonth == 1000 && s.acquisition.growthPerMonth == 0)
        #expect(s.existing.isEmpty)
        #expect(s.economics.grossMargin == 1 && s.economics.discountRatePerYear == 0.10)
        #expect(s.lifetimeMonths == 120)
        let c = ClosedForm(s)
        #expect(abs(c.cltv - 1959.905) < 1e-3, "closed-form CLTV \(c.cltv)")
        #expect(abs(c.mrr[59] - 1_743_755.271) < 1e-2, "closed-form MRR month 60 \(c.mrr[59])")
    }

    @Test func benchFileSimulatesToTheClosedForms() throws {
        let s = try ScenarioLoader.load(path: Self.path)
        let seed = s.seed ?? 1
        let r = try Simulation.run(s, trials: 400, seed: seed, threads: 2)
        for (m, exact) in [(1, 1000.0), (12, 10_061.4618), (36, 24_130.4916), (60, 34_875.1054)] {
            let a = r.summary("active", month: m)!
            #expect(abs(a.mean - exact) <= 4 * a.se, "month \(m): \(a.mean) (se \(a.se)) vs \(exact), seed \(seed), 400 trials")
        }
        let cltv = r.scalar("cltv")!
        #expect(abs(cltv.mean - 1959.905) <= 4 * cltv.se, "cltv \(cltv.mean) (se \(cltv.se)) vs 1959.905, seed \(seed)")
    }
}
