import Foundation
import Testing
import SubcastCore
@testable import SubcastIO

/// `subcast optimize`'s search against known answers.
@Suite struct OptimizeTests {
    /// Constant churn, serving cost c per subscriber-month, sign-ups proportional to price^e
    /// (e < -1): NPV is proportional to (p - c) p^e, maximal at p* = c e / (1 + e).
    static func priceProblem(serving c: Double, elasticity e: Double, from: Double, to: Double, step: Double,
                             extra: String = "") -> String {
        """
        schema_version: 1
        name: price-optimum
        horizon_months: 24
        trials: 100
        seed: 5
        plans:
          - {name: p, price_per_month: 20, churn: {mean_per_month: 0.05, heterogeneity: 0}}
        acquisition: {new_per_month: 2000}
        pricing: {elasticity: \(e)}
        economics: {gross_margin: 1, discount_rate_per_year: 0.1, cac_per_subscriber: 0}
        costs: {serving_per_subscriber: \(c)}
        decisions:
          - {key: plans.p.price_per_month, range: {from: \(from), to: \(to), step: \(step)}}
        objective: {maximize: npv, statistic: mean}
        \(extra)
        """
    }

    @Test(arguments: [(10.0, -2.0, 2.0), (6.0, -3.0, 1.0), (20.0, -1.5, 5.0)])
    func theNPVMaximisingPriceIsFound(_ c: Double, _ e: Double, _ step: Double) throws {
        let optimum = c * e / (1 + e)
        let text = Self.priceProblem(serving: c, elasticity: e, from: max(step, optimum - 5 * step), to: optimum + 5 * step, step: step)
        let (problem, candidates) = try ScenarioLoader.parseOptimization(text: text, file: "price.yaml")
        #expect(candidates.count == 11)
        let r = try Optimizer.run(problem, models: candidates.map(\.model), trials: 100, maxTrials: 800, seed: 5, threads: 2)
        let best = try #require(r.best)
        let price = r.candidates[best].values[0]
        #expect(abs(price - optimum) <= step + 1e-9,
                "c \(c), e \(e): chose \(price), optimum \(optimum) (grid step \(step)), seed 5, PCS \(r.probabilityCorrect)")
        #expect(r.probabilityCorrect >= 0 && r.probabilityCorrect <= 1)
    }

    @Test func theSameSeedGivesTheSameAnswerOnAnyThreadCount() throws {
        let text = Self.priceProblem(serving: 10, elasticity: -2, from: 14, to: 26, step: 2,
                                     extra: "constraints:\n  - {metric: cash_trough, statistic: p5, at_least: 0}")
        let (problem, candidates) = try ScenarioLoader.parseOptimization(text: text, file: "price.yaml")
        let one = try Optimizer.run(problem, models: candidates.map(\.model), trials: 50, maxTrials: 400, seed: 9, threads: 1)
        let two = try Optimizer.run(problem, models: candidates.map(\.model), trials: 50, maxTrials: 400, seed: 9, threads: 2)
        let context = OptimizeReport.Context(info: RunInfo(scenarioFile: "price.yaml"), scenarioName: "p", currency: "EUR", seed: 9)
        #expect(OptimizeReport.json(one, context) == OptimizeReport.json(two, context))
        #expect(OptimizeReport.table(one, context) == OptimizeReport.table(two, context))
    }

    /// Three candidates whose mean of active@12 is known exactly (proportional to the sign-ups):
    /// over 20 seeds the search picks the truly best at least at about the promised 95 % rate.
    @Test func rankingAndSelectionPicksTheTrulyBestAtThePromisedRate() throws {
        let text = """
        schema_version: 1
        name: selection
        horizon_months: 12
        trials: 40
        plans:
          - {name: p, price_per_month: 10, churn: {alpha: 0.5, beta: 12}}
        acquisition: {new_per_month: 1000}
        decisions:
          - {key: acquisition.new_per_month, values: [1000, 1004, 1008]}
        objective: {maximize: active@12, statistic: mean}
        """
        let (problem, candidates) = try ScenarioLoader.parseOptimization(text: text, file: "selection.yaml")
        let models = candidates.map(\.model)
        var correct = 0, claimed = 0.0
        let seeds: [UInt64] = Array(1...20)
        for seed in seeds {
            let r = try Optimizer.run(problem, models: models, trials: 40, maxTrials: 40 * 64, seed: seed, threads: 2)
            if r.best == 2 { correct += 1 }
            claimed += r.probabilityCorrect
        }
        // 95 % promised: 20 seeds give at least 16 correct with probability > 0.98 at that rate.
        #expect(correct >= 16, "correct in \(correct) of \(seeds.count) seeds; mean claimed PCS \(claimed / Double(seeds.count))")
    }

    @Test(arguments: [
        ("decisions:\n  - {key: support.agents}\nobjective: {maximize: npv}", "values"),
        ("decisions:\n  - {key: plans.p.price_per_month, values: [1, 2]}\nobjective: {maximize: nosuch}", "nosuch"),
        ("decisions:\n  - {key: plans.p.price_per_month, values: [1, 2]}\nobjective: {maximize: cltv, statistic: p120}", "statistic"),
        ("decisions:\n  - {key: plans.p.price_per_month, range: {from: 1, to: 1e9, step: 1}}\nobjective: {maximize: npv}", "at most"),
        ("decisions:\n  - {key: plans.nosuch.price_per_month, values: [1, 2]}\nobjective: {maximize: npv}", "nosuch"),
        ("decisions:\n  - {key: plans.p.price_per_month, values: [-1, 2]}\nobjective: {maximize: npv}", "price"),
        ("objective: {maximize: npv}", "decisions"),
        ("decisions:\n  - {key: plans.p.price_per_month, values: [1, 2]}", "objective"),
        ("decisions:\n  - {key: trials, values: [1, 2]}\nobjective: {maximize: npv}", "trials"),
    ])
    func badProblemsGetLocatedErrors(_ extra: String, _ says: String) {
        let text = """
        schema_version: 1
        name: bad
        horizon_months: 12
        trials: 20
        plans:
          - {name: p, price_per_month: 10, churn: {alpha: 0.5, beta: 12}}
        acquisition: {new_per_month: 100}
        \(extra)
        """
        do {
            _ = try ScenarioLoader.parseOptimization(text: text, file: "bad.yaml")
            Issue.record("accepted: \(extra)")
        } catch {
            #expect(error.file == "bad.yaml" && error.description.contains(says), "\(error)")
        }
    }

    /// A scenario with decisions still runs, validates and compares as before (the sections are
    /// read only by `optimize`).
    @Test func decisionsDoNotChangeTheScenario() throws {
        let text = Self.priceProblem(serving: 10, elasticity: -2, from: 14, to: 26, step: 2)
        let withDecisions = try ScenarioLoader.parse(text: text, file: "a.yaml")
        let without = try ScenarioLoader.parse(text: String(text[..<text.range(of: "decisions:")!.lowerBound]), file: "b.yaml")
        #expect(withDecisions == without)
    }
}
