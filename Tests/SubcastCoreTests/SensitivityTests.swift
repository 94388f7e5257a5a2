import Foundation
import SubcastStochastics
import Testing
@testable import SubcastCore

/// Sobol indices and tornados against functions with known answers.
@Suite struct SensitivityTests {
    /// Ishigami (a = 7, b = 0.1), x_i ~ U(-pi, pi): f = sin x1 + a sin^2 x2 + b x3^4 sin x1.
    static func ishigami(_ u: [Double]) -> Double {
        let x = u.map { -Double.pi + 2 * Double.pi * $0 }
        return sin(x[0]) + 7 * pow(sin(x[1]), 2) + 0.1 * pow(x[2], 4) * sin(x[0])
    }

    /// Exact indices of Ishigami (a = 7, b = 0.1): (S_i, S_Ti).
    static let ishigamiExact: [(Double, Double)] = [(0.3139, 0.5576), (0.4424, 0.4424), (0, 0.2437)]

    /// Checks the estimate and the exact value against the interval, and the interval's width.
    func check(_ est: Double, _ ci: SobolAnalysis.Interval, exact: Double, maxWidth: Double, _ what: String) {
        #expect(ci.contains(est), "\(what): estimate \(est) outside its interval \(ci)")
        #expect(ci.contains(exact), "\(what): exact \(exact) outside the interval \(ci) (estimate \(est))")
        #expect(ci.width < maxWidth, "\(what): interval \(ci) wider than \(maxWidth)")
        #expect(abs(est - exact) < maxWidth, "\(what): estimate \(est) vs exact \(exact)")
    }

    @Test func ishigamiIndices() throws {
        let seed: UInt64 = 20_260_101, n = 20_000
        let r = try SobolAnalysis.run(dimensions: 3, samples: n, seed: seed, threads: 4) { u, _ in Self.ishigami(u) }
        #expect(r.evaluations == 5 * n && r.usableSamples == n && r.processNoise == nil)
        // V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.8446.
        #expect(abs(r.variance - 13.8446) < 0.3, "V \(r.variance), seed \(seed), N \(n)")
        for (i, (s, st)) in Self.ishigamiExact.enumerated() {
            let at = "Ishigami x\(i + 1), seed \(seed), N \(n)"
            check(r.inputs[i].firstOrder, r.inputs[i].firstOrderInterval, exact: s, maxWidth: 0.08, "S_\(i + 1) \(at)")
            check(r.inputs[i].total, r.inputs[i].totalInterval, exact: st, maxWidth: 0.08, "S_T\(i + 1) \(at)")
        }
        // Unexplained by single inputs: the x1-x3 interaction, 1 - 0.3139 - 0.4424 = 0.2437.
        check(r.unexplained, r.unexplainedInterval, exact: 0.2437, maxWidth: 0.1, "unexplained, seed \(seed), N \(n)")
    }

    @Test func linearModelIndices() throws {
        // f = sum c_i u_i, u_i ~ U(0, 1): S_i = S_Ti = c_i^2 / sum c^2, no interactions.
        let c = [1.0, 2.0, 3.0, 0.0]
        let total = c.map { $0 * $0 }.reduce(0, +)
        let seed: UInt64 = 77, n = 8192
        let r = try SobolAnalysis.run(dimensions: 4, samples: n, seed: seed, threads: 2) { u, _ in
            zip(c, u).map { $0 * $1 }.reduce(0, +)
        }
        #expect(abs(r.variance - total / 12) < 0.05 * total / 12, "V \(r.variance), seed \(seed), N \(n)")
        for i in 0..<4 {
            let exact = c[i] * c[i] / total, at = "linear c = \(c), input \(i + 1), seed \(seed), N \(n)"
            check(r.inputs[i].firstOrder, r.inputs[i].firstOrderInterval, exact: exact, maxWidth: 0.06, "S \(at)")
            check(r.inputs[i].total, r.inputs[i].totalInterval, exact: exact, maxWidth: 0.06, "S_T \(at)")
        }
        // An input f ignores has S_T exactly 0 (f(A) = f(A_B^(4)) in every row).
        #expect(r.inputs[3].total == 0 && r.inputs[3].totalInterval == .init(lower: 0, upper: 0))
        check(r.unexplained, r.unexplainedInterval, exact: 0, maxWidth: 0.15, "unexplained (a sum of four estimates), seed \(seed), N \(n)")
    }

    @Test func noisyLinearModelSharesIncludeTheNoise() throws {
        // f = u1 + 2 u2 + e, e ~ N(0, 5/12) keyed by the noise key: V = 1/12 + 4/12 + 5/12, so
        // S_1 = 0.1, S_2 = 0.4, and the noise explains the remaining 0.5, alone.
        let seed: UInt64 = 4242, n = 16_384
        let noise = try Normal(mean: 0, standardDeviation: (5.0 / 12).squareRoot())
        let r = try SobolAnalysis.run(dimensions: 2, samples: n, seed: seed, threads: 3, processNoise: true, makeEvaluator: {
            let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "noise"))
            return { u, key in
                g.reseed(StreamKey(seed: seed, trial: UInt64(key), name: "noise"))
                return u[0] + 2 * u[1] + noise.sample(using: g)
            }
        })
        #expect(r.evaluations == 5 * n)
        let at = "noisy linear, seed \(seed), N \(n)"
        check(r.inputs[0].firstOrder, r.inputs[0].firstOrderInterval, exact: 0.1, maxWidth: 0.06, "S_1 \(at)")
        check(r.inputs[1].firstOrder, r.inputs[1].firstOrderInterval, exact: 0.4, maxWidth: 0.06, "S_2 \(at)")
        check(r.inputs[0].total, r.inputs[0].totalInterval, exact: 0.1, maxWidth: 0.06, "S_T1 \(at)")
        check(r.inputs[1].total, r.inputs[1].totalInterval, exact: 0.4, maxWidth: 0.06, "S_T2 \(at)")
        let e = try #require(r.processNoise)
        check(e.firstOrder, e.firstOrderInterval, exact: 0.5, maxWidth: 0.06, "S_noise \(at)")
        check(e.total, e.totalInterval, exact: 0.5, maxWidth: 0.06, "S_Tnoise \(at)")
        check(r.unexplained, r.unexplainedInterval, exact: 0.5, maxWidth: 0.06, "unexplained \(at)")
        // Common random numbers: A_j and A_B^(i)_j share their noise, so S_T is estimated
        // from differences free of noise and its interval is much narrower than S's.
        #expect(r.inputs[0].totalInterval.width < 0.5 * r.inputs[0].firstOrderInterval.width, "\(at): \(r.inputs[0])")
    }

    /// Every number of a result, as bit patterns.
    func bits(_ r: SobolAnalysis) -> [UInt64] {
        var x = [r.unexplained, r.unexplainedInterval.lower, r.unexplainedInterval.upper, r.mean, r.variance]
        for i in r.inputs + (r.processNoise.map { [$0] } ?? []) {
            x += [i.firstOrder, i.total, i.firstOrderInterval.lower, i.firstOrderInterval.upper,
                  i.totalInterval.lower, i.totalInterval.upper]
        }
        return x.map(\.bitPattern) + [UInt64(r.usableSamples), UInt64(r.evaluations)]
    }

    @Test func sameResultForAnyThreadCount() throws {
        let seed: UInt64 = 9, n = 1000
        // A noisy function that is undefined in some evaluations (NaN rows are left out).
        let run = { (threads: Int) throws -> SobolAnalysis in
            try SobolAnalysis.run(dimensions: 3, samples: n, seed: seed, threads: threads, processNoise: true, resamples: 200,
                                  makeEvaluator: {
                let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "noise"))
                return { u, key in
                    g.reseed(StreamKey(seed: seed, trial: UInt64(key), name: "noise"))
                    let e = g.uniform()
                    return e < 0.01 ? .nan : Self.ishigami(u) + e
                }
            })
        }
        let one = try run(1), three = try run(3), seven = try run(7)
        #expect(bits(one) == bits(three), "1 vs 3 threads, seed \(seed), N \(n)")
        #expect(bits(one) == bits(seven), "1 vs 7 threads, seed \(seed), N \(n)")
        #expect(one.usableSamples < n && one.usableSamples > n * 9 / 10, "usable \(one.usableSamples) of \(n)")
        let other = try SobolAnalysis.run(dimensions: 3, samples: n, seed: seed + 1, threads: 2, resamples: 200) { u, _ in Self.ishigami(u) }
        #expect(other.inputs[0].firstOrder != one.inputs[0].firstOrder, "another seed gives other rows")
    }

    @Test func matricesAreKeyedByRow() throws {
        // The first N rows of a larger N are the same rows: the A-point values agree.
        let seen = Recorder()
        _ = try SobolAnalysis.run(dimensions: 2, samples: 40, seed: 5, threads: 3, resamples: 10) { u, key in
            seen.record(key, u); return u[0]
        }
        let small = seen.values
        let seen2 = Recorder()
        _ = try SobolAnalysis.run(dimensions: 2, samples: 80, seed: 5, threads: 1, resamples: 10) { u, key in
            seen2.record(key, u); return u[0]
        }
        for (key, points) in small {
            #expect(seen2.values[key] == points, "noise key \(key), seed 5")
            for p in points { #expect(p.allSatisfy { $0 > 0 && $0 < 1 }) }
        }
        // Per row: A and its d mixed points on key 2j, B on key 2j + 1.
        #expect(small[0]?.count == 3 && small[1]?.count == 1)
        let pointsA = small[0]!, b = small[1]![0]
        let a = pointsA.first { p in pointsA.contains([b[0], p[1]]) && pointsA.contains([p[0], b[1]]) && p != [b[0], p[1]] }
        #expect(a != nil, "row 0: A_B^(i) is A with column i from B; A-side points \(pointsA), B \(b)")
    }

    @Test func cancellationThrows() {
        #expect(throws: SimulationError.self) {
            _ = try SobolAnalysis.run(dimensions: 2, samples: 100, seed: 1, threads: 2, isCancelled: { true }) { u, _ in u[0] }
        }
    }

    @Test func tornadoOfALinearFunctionHasExactSwings() {
        // f = 3 x1 - 5 x2 + 0.5 x3 + 10: swing_i = |c_i| (high_i - low_i).
        let inputs = [Tornado.Input(name: "x1", low: 1, base: 2, high: 4),
                      Tornado.Input(name: "x2", low: 0.5, base: 1, high: 1.5),
                      Tornado.Input(name: "x3", low: -10, base: 0, high: 30)]
        let c = [3.0, -5.0, 0.5]
        var calls = 0
        let t = Tornado.run(inputs) { x in
            calls += 1
            return Tornado.Point(mean: zip(c, x).map { $0 * $1 }.reduce(10, +), se: 0.1)
        }
        #expect(calls == 7)
        #expect(t.base == Tornado.Point(mean: 3 * 2 - 5 + 10, se: 0.1))
        #expect(t.bars.map(\.name) == ["x3", "x1", "x2"])
        #expect(t.bars.map(\.swing) == [20, 9, 5])
        #expect(t.bars[2].atLow.mean == 6 - 2.5 + 10 && t.bars[2].atHigh.mean == 6 - 7.5 + 10)
        #expect(t.bars.map(\.index) == [2, 0, 1])
    }

    @Test func tornadoTiesAndUndefinedSwings() {
        let inputs = ["a", "b", "c", "d"].map { Tornado.Input(name: $0, low: 0, base: 1, high: 2) }
        let t = Tornado.run(inputs) { x in
            Tornado.Point(mean: x[0] == 2 ? .nan : x[1] + x[2] + 2 * x[3], se: 0)
        }
        #expect(t.bars.map(\.name) == ["d", "b", "c", "a"])
    }
}

/// Sensitivity of simulated scenarios: a small family with a price, arrivals and CAC uncertain.
@Suite struct ScenarioSensitivityTests {
    /// One plan, 12 months; inputs: price U(40, 60), new per month triangular(150, 200, 300),
    /// CAC U(50, 150) (which no MRR depends on).
    static func family(correlated: Bool = false) throws -> ScenarioFamily {
        let base = Scenario(name: "sensitivity-small", horizonMonths: 12, trials: 100,
                            plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: 1, beta: 12))],
                            acquisition: Acquisition(newPerMonth: 200, planMix: [1]),
                            existing: [ExistingCohort(plan: 0, count: 500, tenureMonths: 6)],
                            economics: Economics(cacPerSubscriber: 100), lifetimeMonths: 12)
        let inputs = try UncertainInputs([
            UncertainInput(name: "price", path: "plans[0].price_per_month", distribution: .uniform(min: 40, max: 60)),
            UncertainInput(name: "arrivals", path: "acquisition.new_per_month",
                           distribution: .triangular(min: 150, mode: 200, max: 300)),
            UncertainInput(name: "cac", path: "economics.cac_per_subscriber", distribution: .uniform(min: 50, max: 150)),
        ], correlations: correlated ? [InputCorrelation("price", "arrivals", rho: -0.5)] : [])
        return ScenarioFamily(base: base, inputs: inputs) { x in
            var s = base
            s.plans[0].pricePerMonth = x[0]
            s.acquisition.newPerMonth = x[1]
            s.economics.cacPerSubscriber = x[2]
            return s
        }
    }

    @Test func userMistakesAreClearErrors() throws {
        let f = try Self.family()
        #expect(throws: SensitivityError.noUncertainInputs) { _ = try ScenarioSensitivity(ScenarioFamily(f.base), metric: "mrr", month: nil) }
        do {
            _ = try ScenarioSensitivity(f, metric: "revenue", month: nil)
            Issue.record("an unknown metric was accepted")
        } catch {
            #expect(error.description.contains("no metric named 'revenue'") && error.description.contains("mrr, "), "\(error)")
        }
        #expect(throws: SensitivityError.monthOutOfRange("mrr", month: 13, months: 12)) { _ = try ScenarioSensitivity(f, metric: "mrr", month: 13) }
        #expect(throws: SensitivityError.monthOfScalar("cltv", month: 3)) { _ = try ScenarioSensitivity(f, metric: "cltv", month: 3) }
        #expect(SensitivityError.noUncertainInputs.description
                == "no uncertain inputs: give some parameter a distribution, see Scenarios/README.md")
        let s = try ScenarioSensitivity(f, metric: "mrr", month: nil)
        #expect(s.metric.month == 12 && s.metric.description == "mrr month 12")
        #expect(try ScenarioSensitivity(f, metric: "cltv", month: nil).metric.month == nil)
    }

    @Test func tornadoRunsEveryPointOnTheSameStreams() throws {
        let seed: UInt64 = 31, trials = 200
        let s = try ScenarioSensitivity(try Self.family(), metric: "mrr", month: 12)
        let t = try s.tornado(trials: trials, seed: seed, threads: 2)
        #expect(Set(t.bars.prefix(2).map(\.name)) == ["price", "arrivals"] && t.bars[2].name == "cac", "seed \(seed): \(t.bars)")
        // Price moves no draw, so with common random numbers MRR scales exactly with it.
        let price = try #require(t.bars.first { $0.name == "price" })
        #expect(price.input.low == 42 && price.input.high == 58)
        #expect(abs(price.atHigh.mean / price.atLow.mean - 58.0 / 42) < 1e-12, "seed \(seed): \(price)")
        #expect(abs(t.base.mean / price.atLow.mean - 50.0 / 42) < 1e-12)
        // CAC moves nothing MRR depends on: the same numbers at both ends, bit for bit.
        #expect(t.bars[2].swing == 0 && t.bars[2].atLow == t.base && t.bars[2].atHigh == t.base)
        // The base point is a run of the scenario at the medians.
        let model = PipelineModel(s.family.make(s.values(uniforms: [0.5, 0.5, 0.5])), shape: s.family.shape)
        let direct = try MonteCarloEngine.reduce(model, trials: trials, seed: seed, threads: 1).total[s.metric.column]
        #expect(t.base.mean == direct.mean && t.base.se == direct.sd / Double(trials).squareRoot())
        #expect(t.base.se > 0)
    }

    @Test func sobolOfASimulatedMetric() throws {
        let seed: UInt64 = 2026, n = 256
        let s = try ScenarioSensitivity(try Self.family(), metric: "mrr", month: 12)
        let r = try s.sobol(samples: n, seed: seed, threads: 3, resamples: 200)
        let at = "seed \(seed), N \(n)"
        #expect(r.evaluations == 6 * n && r.usableSamples == n)
        // CAC: f(A) = f(A_B^cac) in every row (same noise, MRR does not depend on it).
        #expect(r.inputs[2].total == 0 && r.inputs[2].totalInterval == .init(lower: 0, upper: 0), "\(at): \(r.inputs[2])")
        // Price (+-10 % uniform) and arrivals matter; process noise is a small share.
        #expect(r.inputs[0].firstOrder > 0.2 && r.inputs[1].firstOrder > 0.2, "\(at): \(r.inputs)")
        let noise = try #require(r.processNoise)
        #expect(noise.total > 0 && noise.total < 0.2, "\(at): noise \(noise)")
        #expect(r.unexplainedInterval.contains(r.unexplained))
        // Same bits for any thread count.
        let one = try s.sobol(samples: n, seed: seed, threads: 1, resamples: 200)
        #expect(one.inputs == r.inputs && one.processNoise == r.processNoise && one.variance == r.variance, "\(at)")
    }

    @Test func runCombinesBothAndFlagsCorrelations() throws {
        let s = try ScenarioSensitivity(try Self.family(correlated: true), metric: "active", month: 6)
        let progress = Recorder()
        let r = try s.run(trials: 64, samples: 16, seed: 5, threads: 2, resamples: 50, progress: { progress.record($0, []) })
        #expect(r.correlationsIgnored && r.sobol != nil && r.trialsPerPoint == 64)
        #expect(s.trialCount(trials: 64, samples: 16) == 7 * 64 + 6 * 16)
        #expect(progress.values.keys.max() == 7 * 64 + 6 * 16)
        let tornadoOnly = try s.run(trials: 64, samples: 0, seed: 5, threads: 2)
        #expect(tornadoOnly.sobol == nil && tornadoOnly.tornado.base == r.tornado.base)
    }
}

/// Records the uniforms each noise key was evaluated at (thread-safe).
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int: [[Double]]] = [:]
    func record(_ key: Int, _ u: [Double]) {
        lock.lock(); defer { lock.unlock() }
        seen[key, default: []].append(u)
    }
    var values: [Int: [[Double]]] {
        lock.lock(); defer { lock.unlock() }
        return seen.mapValues { $0.sorted { $0.lexicographicallyPrecedes($1) } }
    }
}
