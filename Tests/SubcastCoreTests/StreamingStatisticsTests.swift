import Foundation
import Testing
@testable import SubcastCore
@testable import SubcastStochastics

@Suite struct StreamingStatisticsTests {
    /// Deterministic pseudo-random values for property tests (SplitMix64).
    struct Mix { var s: UInt64; mutating func next() -> Double {
        s &+= 0x9E37_79B9_7F4A_7C15; var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53 } }

    @Test(arguments: [(1, 0.0), (7, 0.0), (1000, 0.0), (5000, 1e6), (3000, -50.0)])
    func sketchQuantilesAreWithinTheirRelativeAccuracyOfExactOnes(_ n: Int, _ shift: Double) {
        var g = Mix(s: UInt64(n))
        var values: [Double] = []
        var sketch = QuantileSketch()
        for i in 0..<n {
            let v = i % 50 == 0 ? 0 : shift + 1000 * pow(g.next(), 3) * (g.next() < 0.3 ? -1 : 1)
            values.append(v)
            sketch.add(v)
        }
        let sorted = values.sorted()
        // The accuracy of the level the sketch collapsed to (data spanning many decades), 1e-4
        // at level 0 (the narrow data around 1e6).
        let a = sketch.currentRelativeAccuracy
        if shift == 1e6 { #expect(sketch.level == 0 && a == 1e-4) }
        for k in [0, n / 7, n / 2, n - 1] {
            let exact = sorted[k], approx = sketch.orderStatistic(k)
            #expect(abs(approx - exact) <= a * abs(exact) + 1e-12, "n \(n) shift \(shift) k \(k): \(approx) vs \(exact), level \(sketch.level)")
        }
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let h = q * Double(n - 1), lo = Int(h), hi = min(lo + 1, n - 1)
            let exact = sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
            let bound = a * max(abs(sorted[lo]), abs(sorted[hi])) + 1e-12
            #expect(abs(sketch.quantile(q) - exact) <= bound, "n \(n) q \(q): \(sketch.quantile(q)) vs \(exact)")
        }
        #expect(sketch.minimum == sorted.first && sketch.maximum == sorted.last && sketch.count == n)
    }

    @Test func sketchMergeIsOrderFree() {
        var g = Mix(s: 9)
        let values = (0..<3000).map { _ in 100 + 10 * g.next() }
        var whole = QuantileSketch()
        values.forEach { whole.add($0) }
        var a = QuantileSketch(), b = QuantileSketch(), c = QuantileSketch()
        for (i, v) in values.enumerated() { if i % 3 == 0 { a.add(v) } else if i % 3 == 1 { b.add(v) } else { c.add(v) } }
        var abc = a; abc.merge(b); abc.merge(c)
        var cba = c; cba.merge(b); cba.merge(a)
        #expect(abc == whole && cba == whole)
    }

    /// The batch `add` the engine uses must give the same sketch, bit for bit, as adding the
    /// values one by one, whatever the batch boundaries: NaN, infinities, zeros, tiny values,
    /// negatives and batches that widen the bucket range on either side.
    @Test(arguments: [1, 3, 64, 1000])
    func batchAddIsTheSameSketchAsAddingOneByOne(_ batch: Int) {
        var g = Mix(s: UInt64(batch) &* 77)
        let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e-310, -1e-310, 5e-300]
        var values: [Double] = []
        for i in 0..<5000 {
            if i % 37 == 0 { values.append(special[(i / 37) % special.count]); continue }
            // Drifting scale: later batches reach buckets below and above the earlier ones.
            let scale = pow(10, Double(i % 900) / 100 - 4)
            values.append(scale * g.next() * (g.next() < 0.4 ? -1 : 1))
        }
        var one = QuantileSketch(), many = QuantileSketch()
        values.forEach { one.add($0) }
        values.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(start + batch, all.count)
                many.add(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        #expect(many == one, "batch \(batch): \(many.count) values, \(many.counters) counters vs \(one.counters)")
        #expect(many.encoded == one.encoded, "batch \(batch)")
        var empty = QuantileSketch()
        [Double.nan, .infinity].withUnsafeBufferPointer { empty.add($0) }
        #expect(empty == QuantileSketch(), "non-finite values only leave the sketch empty")
    }

    @Test func momentsMatchTwoPassAndMergeCorrectly() {
        var g = Mix(s: 3)
        let values = (0..<10_000).map { _ in 1e6 + g.next() }     // large offset: Welford's strength
        var m = Moments()
        values.forEach { m.add($0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        #expect(abs(m.mean - mean) < 1e-12 * mean && abs(m.sd * m.sd - variance) < 1e-9 * variance)
        var left = Moments(), right = Moments()
        values[..<3000].forEach { left.add($0) }
        values[3000...].forEach { right.add($0) }
        left.merge(right)
        #expect(left.n == m.n && abs(left.mean - m.mean) < 1e-12 * m.mean && abs(left.m2 - m.m2) < 1e-6 * m.m2)
        var withNaN = Moments(); withNaN.add(.nan); withNaN.add(2)
        #expect(withNaN.n == 1 && withNaN.mean == 2)
    }

    func scenario(trials: Int) -> Scenario {
        var s = benchScenario(trials: trials, lifetimeMonths: 6)
        s.horizonMonths = 12
        s.reportedCohorts = [1, 6]
        s.acquisition.newPerMonth = 200
        return s
    }

    @Test func reductionIsIdenticalForAnyThreadCount() throws {
        let model = CohortModel(scenario(trials: 9000))
        let one = try MonteCarloEngine.reduce(model, trials: 9000, seed: 5, threads: 1)
        for t in [2, 3, 5] {
            let many = try MonteCarloEngine.reduce(model, trials: 9000, seed: 5, threads: t)
            #expect(many.total == one.total, "moments differ, threads 1 vs \(t), seed 5")
            #expect(many.sketches == one.sketches, "sketches differ, threads 1 vs \(t), seed 5")
        }
    }

    @Test func shardsJoinToTheSingleRunBitForBit() throws {
        let trials = 4096 * 3 + 100
        let model = CohortModel(scenario(trials: trials))
        let whole = try MonteCarloEngine.reduce(model, trials: trials, seed: 17, threads: 2)
        for n in [2, 3, 4] {
            let parts = try (0..<n).map { i in
                try MonteCarloEngine.reduce(model, trials: trials, seed: 17, threads: 2,
                                            mergeBlocks: MonteCarloEngine.mergeBlocks(trials: trials, shard: i, of: n),
                                            keepBlocks: true)
            }
            let joined = try #require(Reduction.join(parts.reversed()))
            #expect(joined.total == whole.total && joined.sketches == whole.sketches, "\(n) shards, seed 17")
            #expect(joined.mergeBlocks == 0..<4)
        }
        // Gaps and overlaps are refused.
        let a = try MonteCarloEngine.reduce(model, trials: trials, seed: 17, threads: 1, mergeBlocks: 0..<1, keepBlocks: true)
        let c = try MonteCarloEngine.reduce(model, trials: trials, seed: 17, threads: 1, mergeBlocks: 2..<4, keepBlocks: true)
        #expect(Reduction.join([a, c]) == nil)
        #expect(Reduction.join([a, a]) == nil)
    }

    @Test func streamingSummariesAgreeWithExactOnes() throws {
        let s = scenario(trials: 2000)
        let model = CohortModel(s)
        let matrix = try MonteCarloEngine.run(model, trials: 2000, seed: 23, threads: 2)
        let exact = Simulation.summarise(matrix, threads: 2)
        let streamed = try Simulation.run(s, seed: 23, threads: 2).summaries
        // Each series' quantiles are within its sketch's accuracy at the level it collapsed to.
        let sketches = try MonteCarloEngine.reduce(model, trials: 2000, seed: 23, threads: 2).sketches
        // Whole-number series (counts, months) report whole quantiles: up to 1/2 from the
        // interpolated exact ones, besides the sketch's accuracy.
        var whole = Set<Int>()
        for b in model.layout.blocks where MetricRegistry.isWholeNumber(b.metric) { whole.formUnion(b.offset..<(b.offset + b.count)) }
        #expect(!whole.isEmpty)
        for j in 0..<model.layout.width where exact[j].n > 1 {
            let e = exact[j], t = streamed[j], a = sketches[j].currentRelativeAccuracy
            let rounding = whole.contains(j) ? 0.5 : 0
            #expect(e.n == t.n)
            #expect(abs(e.mean - t.mean) <= 1e-9 * max(abs(e.mean), 1), "series \(j): mean \(t.mean) vs \(e.mean)")
            #expect(abs(e.sd - t.sd) <= 1e-7 * max(e.sd, 1e-9), "series \(j): sd \(t.sd) vs \(e.sd)")
            for (x, y) in [(e.p5, t.p5), (e.p50, t.p50), (e.p95, t.p95)] {
                #expect(abs(x - y) <= a * abs(x) + rounding + 1e-12, "series \(j): quantile \(y) vs exact \(x), level \(sketches[j].level)")
                if whole.contains(j) { #expect(y == y.rounded(), "series \(j): quantile \(y) of a whole-number series") }
            }
        }
    }
}
