import Foundation
import Testing
import SubcastStochastics
@testable import SubcastCore

/// `--until-se`: where it stops, and that it gives the bytes of a plain run; quantile standard errors.
@Suite struct ConvergenceTests {
    @Test func untilSEStopsAtTheFirstBlockThatMeetsTheTargetWithThePlainRunsBits() throws {
        var s = benchScenario(trials: 1, lifetimeMonths: 2)
        s.horizonMonths = 6
        s.acquisition.newPerMonth = 50
        let model = ForecastModel(s)
        let column = try Precision(target: .standardError(0), metric: "active", month: 6).column(in: model.layout).get()
        // The se of mean active in month 6 after 1, 2, 3 blocks of 4096 trials, from plain runs.
        var se: [Double] = []
        for blocks in 1...3 {
            let r = try MonteCarloEngine.reduce(model, trials: blocks * 4096, seed: 41, threads: 2)
            se.append(r.total[column].sd / Double(r.total[column].n).squareRoot())
        }
        #expect(se[0] > se[1] && se[1] > se[2])
        // A target between the 2-block and the 1-block se stops after exactly 2 blocks.
        let target = Precision(target: .standardError((se[0] + se[1]) / 2), metric: "active", month: 6)
        let (r, met) = try MonteCarloEngine.reduce(model, until: target, column: column, maximumTrials: 100_000, seed: 41, threads: 2)
        #expect(met)
        #expect(r.trials == 8192, "stopped after \(r.trials) trials; se by blocks \(se), seed 41")
        let plain = try MonteCarloEngine.reduce(model, trials: 8192, seed: 41, threads: 1)
        for j in 0..<model.outputWidth {
            #expect(r.total[j] == plain.total[j], "series \(j): moments differ from a plain 8192-trial run, seed 41")
        }
        #expect(r.sketches == plain.sketches)
        // An unreachable target stops at the maximum, unmet, with a partial last block.
        let never = Precision(target: .standardError(se[2] / 100), metric: "active", month: 6)
        let (r2, met2) = try MonteCarloEngine.reduce(model, until: never, column: column, maximumTrials: 5000, seed: 41, threads: 2)
        #expect(!met2 && r2.trials == 5000)
        let plain2 = try MonteCarloEngine.reduce(model, trials: 5000, seed: 41, threads: 2)
        #expect(r2.total[column] == plain2.total[column])
    }

    @Test func relativeTargetsAndBadMetricsAreReported() throws {
        let model = ForecastModel(benchScenario(trials: 1, lifetimeMonths: 2))
        #expect(throws: PrecisionError.self) { try Precision(target: .standardError(1), metric: "nope").column(in: model.layout).get() }
        #expect(throws: PrecisionError.self) { try Precision(target: .standardError(1), metric: "mrr", month: 61).column(in: model.layout).get() }
        #expect(throws: PrecisionError.self) { try Precision(target: .standardError(1), metric: "cltv", month: 3).column(in: model.layout).get() }
        var m = Moments()
        for x in [10.0, 11, 9, 10] { m.add(x) }
        // se = sd / 2 = 0.408; relative 0.0408
        #expect(Precision(target: .relativeStandardError(0.05), metric: "mrr").isMet(by: m))
        #expect(!Precision(target: .relativeStandardError(0.03), metric: "mrr").isMet(by: m))
    }

    @Test func quantileStandardErrorsMatchNormalTheory() throws {
        // For N(0, 1) samples of size n: se(p_q) = sqrt(q (1 - q) / n) / phi(z_q).
        let n = 40_000, seed: UInt64 = 12
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "quantile-se"))
        let normal = try Normal(mean: 0, standardDeviation: 1)
        let x = (0..<n).map { _ in normal.sample(using: g) }
        let exact = Summary(x)
        var moments = Moments(), sketch = QuantileSketch()
        for v in x { moments.add(v); sketch.add(v) }
        let streamed = Summary(moments: moments, sketch: sketch)
        // The sketch's se is the exact one up to its two quantiles' error: each within the
        // sketch's accuracy at its level (N(0, 1) spans many decades near 0, so it collapses and
        // its buckets are then a sizeable fraction of the se).
        let a = sketch.currentRelativeAccuracy, sorted = x.sorted()
        for (k, (_, q)) in Summary.levels.enumerated() {
            let z = [-1.6448536269514722, -0.6744897501960817, 0, 0.6744897501960817, 1.6448536269514722][k]
            let theory = (q * (1 - q) / Double(n)).squareRoot() / (exp(-z * z / 2) / (2 * Double.pi).squareRoot())
            #expect(abs(exact.quantileSE[k] / theory - 1) < 0.2, "level \(q): se \(exact.quantileSE[k]) vs \(theory), n \(n), seed \(seed)")
            let d = (q * (1 - q) / Double(n)).squareRoot()
            let span = max(abs(SampleStatistics.quantile(sorted: sorted, min(1, q + d))),
                           abs(SampleStatistics.quantile(sorted: sorted, max(0, q - d))))
            #expect(abs(streamed.quantileSE[k] - exact.quantileSE[k]) <= a * span * (1 + 1e-9) + 1e-12,
                    "sketch level \(q): se \(streamed.quantileSE[k]) vs exact \(exact.quantileSE[k]), sketch level \(sketch.level) accuracy \(a)")
        }
    }
}
