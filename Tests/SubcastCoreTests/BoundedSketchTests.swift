import Foundation
import Testing
@testable import SubcastCore
@testable import SubcastStochastics

/// The bounded (collapsing) quantile sketch: canonical whatever the grouping, within its level's
/// relative accuracy, at most the budget of counters, and strict about what it decodes.
@Suite struct BoundedSketchTests {
    /// Deterministic pseudo-random values (SplitMix64).
    struct Mix {
        var s: UInt64
        mutating func bits() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15; var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func next() -> Double { Double(bits() >> 11) * 0x1.0p-53 }
        mutating func below(_ n: Int) -> Int { Int(bits() % UInt64(n)) }
        mutating func normal() -> Double {
            let u = max(next(), 1e-300), v = next()
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
    }

    static let B = QuantileSketch.maximumBucketsPerSide

    /// Heavy-tailed data spanning many decades, so that the sketch collapses.
    enum Data: String, CaseIterable, CustomTestStringConvertible {
        case lognormalSigma4, logUniform1e_3To1e9, mixedSignsAndZeros, narrowThenWide, extremes
        var testDescription: String { rawValue }

        func values(_ n: Int, seed: UInt64) -> [Double] {
            var g = Mix(s: seed)
            switch self {
            case .lognormalSigma4:
                return (0..<n).map { _ in exp(3 + 4 * g.normal()) }
            case .logUniform1e_3To1e9:
                return (0..<n).map { _ in pow(10, -3 + 12 * g.next()) }
            case .mixedSignsAndZeros:
                // Lognormal magnitudes of both signs, exact zeros, signed zeros, tiny values that
                // count as zero, and non-finite values the sketch ignores.
                let special: [Double] = [0, -0.0, 1e-310, -1e-305, .nan, .infinity, -.infinity]
                return (0..<n).map { i in
                    if i % 23 == 0 { return special[(i / 23) % special.count] }
                    let m = exp(2 + 3.5 * g.normal())
                    return g.next() < 0.35 ? -m : m
                }
            case .narrowThenWide:
                // A level-0 stretch, then values that force collapses part-way through.
                return (0..<n).map { i in i < n / 3 ? 100 + g.next() : 100 * exp(6 * g.normal()) }
            case .extremes:
                // The whole representable range: the deepest levels.
                return (0..<n).map { _ in (g.next() < 0.5 ? -1 : 1) * pow(10, -299 + 607 * g.next()) }
            }
        }
    }

    func oneByOne(_ values: [Double]) -> QuantileSketch {
        var s = QuantileSketch()
        values.forEach { s.add($0) }
        return s
    }

    func batched(_ values: ArraySlice<Double>, sizes: (inout Mix) -> Int, _ g: inout Mix) -> QuantileSketch {
        var s = QuantileSketch()
        values.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(start + max(1, sizes(&g)), all.count)
                s.add(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        return s
    }

    /// The canonical level and counts computed directly from the definition: level-0 indices,
    /// the smallest level at which both sides' shifted spans fit, counts at that level.
    func reference(_ values: [Double]) -> (level: Int, positive: [Int: Int], negative: [Int: Int]) {
        let s = QuantileSketch()
        var p: [Int] = [], n: [Int] = []
        for x in values where x.isFinite && abs(x) >= QuantileSketch.zeroThreshold {
            if x > 0 { p.append(s.index(x)) } else { n.append(s.index(-x)) }
        }
        func fits(_ ix: [Int], _ k: Int) -> Bool {
            guard let lo = ix.min(), let hi = ix.max() else { return true }
            return QuantileSketch.shifted(hi, by: k) - QuantileSketch.shifted(lo, by: k) + 1 <= Self.B
        }
        var k = 0
        while !(fits(p, k) && fits(n, k)) { k += 1 }
        func counts(_ ix: [Int]) -> [Int: Int] { ix.reduce(into: [:]) { $0[QuantileSketch.shifted($1, by: k), default: 0] += 1 } }
        return (k, counts(p), counts(n))
    }

    func counts(_ c: [Int], _ offset: Int) -> [Int: Int] {
        var out: [Int: Int] = [:]
        for (k, x) in c.enumerated() where x > 0 { out[offset + k] = x }
        return out
    }

    @Test(arguments: Data.allCases)
    func collapsedSketchIsACanonicalFunctionOfTheValues(_ data: Data) throws {
        let seed: UInt64 = 0x5EED_0000 + UInt64(data.rawValue.utf8.count)
        let values = data.values(20_000, seed: seed)
        let one = oneByOne(values)
        let ref = reference(values)
        #expect(one.level == ref.level && one.level > 0, "\(data) seed \(seed): level \(one.level) vs definition \(ref.level)")
        #expect(counts(one.positive, one.positiveOffset) == ref.positive && counts(one.negative, one.negativeOffset) == ref.negative,
                "\(data) seed \(seed): counts differ from the definition at level \(ref.level)")
        #expect(one.positive.count <= Self.B && one.negative.count <= Self.B, "\(data): \(one.counters) counters")
        #expect(one.level <= one.maximumLevel)
        // Batches of fixed and random sizes.
        var g = Mix(s: seed &+ 1)
        for size in [1, 2, 7, 64, 1000, values.count] {
            let s = batched(values[...], sizes: { _ in size }, &g)
            #expect(s == one && s.encoded == one.encoded, "\(data) seed \(seed): batches of \(size) differ")
        }
        let random = batched(values[...], sizes: { $0.below(300) + 1 }, &g)
        #expect(random == one && random.encoded == one.encoded, "\(data) seed \(seed): random batches differ")
        // Random splits (values dealt to parts at random, each part added in random batches),
        // merged in random orders, sequentially and as a tree.
        for trial in 0..<6 {
            let parts = 2 + g.below(6)
            var groups = [[Double]](repeating: [], count: parts)
            for v in values { groups[g.below(parts)].append(v) }
            var sketches = groups.map { batched($0[...], sizes: { $0.below(100) + 1 }, &g) }
            for i in stride(from: sketches.count - 1, to: 0, by: -1) { sketches.swapAt(i, g.below(i + 1)) }
            var merged = QuantileSketch()
            for s in sketches { merged.merge(s) }
            #expect(merged == one && merged.encoded == one.encoded,
                    "\(data) seed \(seed) split \(trial): \(parts) parts merged in sequence differ (level \(merged.level) vs \(one.level))")
            var tree = sketches
            while tree.count > 1 {
                var next: [QuantileSketch] = []
                for i in stride(from: 0, to: tree.count, by: 2) {
                    if i + 1 < tree.count { var a = tree[i + 1]; a.merge(tree[i]); next.append(a) } else { next.append(tree[i]) }
                }
                tree = next
            }
            #expect(tree[0] == one && tree[0].encoded == one.encoded, "\(data) seed \(seed) split \(trial): tree merge differs")
        }
    }

    /// Every order statistic, and type-7 quantiles on a grid, within the current level's relative
    /// accuracy of the exact ones (numpy's type 7 on the sorted finite values).
    @Test(arguments: Data.allCases)
    func collapsedQuantilesAreWithinTheLevelsRelativeAccuracy(_ data: Data) {
        let seed: UInt64 = 0xACC0_0000 + UInt64(data.rawValue.utf8.count)
        let values = data.values(12_000, seed: seed)
        let sketch = oneByOne(values)
        let sorted = values.filter(\.isFinite).sorted()
        let a = sketch.currentRelativeAccuracy
        let expected = sketch.level == 0 ? sketch.relativeAccuracy : tanh(Double(1 << sketch.level) * sketch.logGamma / 2)
        #expect(sketch.level > 0 && a == expected && a > sketch.relativeAccuracy, "\(data): level \(sketch.level), accuracy \(a)")
        // Values below 1e-300 in magnitude count as zero: an absolute error below that.
        let slack = 1 + 1e-9, tiny = 1e-300
        #expect(sketch.count == sorted.count && sketch.minimum == sorted.first && sketch.maximum == sorted.last)
        var worst = 0.0
        var failures = 0
        // Walk the buckets once to read every order statistic (the same values orderStatistic
        // returns, checked against it on a stride below).
        var k = 0
        for (v, c) in sketch.buckets {
            for _ in 0..<c {
                let exact = sorted[k]
                let approx = k == 0 ? sketch.minimum : k == sorted.count - 1 ? sketch.maximum : v
                let err = abs(approx - exact)
                if exact != 0 { worst = max(worst, err / abs(exact)) }
                if err > a * slack * abs(exact) + tiny {
                    failures += 1
                    if failures <= 5 { Issue.record("\(data) seed \(seed) k \(k): \(approx) vs exact \(exact), level \(sketch.level) accuracy \(a)") }
                }
                k += 1
            }
        }
        #expect(k == sorted.count && failures == 0, "\(data) seed \(seed): \(failures) order statistics off; worst relative error \(worst) vs \(a)")
        for k in stride(from: 0, to: sorted.count, by: 97) {
            let exact = sorted[k], approx = sketch.orderStatistic(k)
            #expect(abs(approx - exact) <= a * slack * abs(exact) + tiny, "\(data) seed \(seed) k \(k): \(approx) vs \(exact)")
        }
        let n = sorted.count
        for q in stride(from: 0.0, through: 1.0, by: 0.005) {
            let h = q * Double(n - 1), lo = Int(h), hi = min(lo + 1, n - 1)
            let exact = sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
            let bound = a * slack * max(abs(sorted[lo]), abs(sorted[hi])) + tiny
            #expect(abs(sketch.quantile(q) - exact) <= bound, "\(data) seed \(seed) q \(q): \(sketch.quantile(q)) vs \(exact)")
        }
    }

    /// Data that fits level 0 is bucketed exactly as the uncollapsed DDSketch: bucket
    /// ceil(log(x) / log(gamma)), representative 2 gamma^i / (gamma + 1), accuracy 1e-4.
    @Test func levelZeroIsThePlainDDSketch() {
        var g = Mix(s: 77)
        // Ratio 1.4 on the positive side, 1.2 on the negative side: under gamma^2047 = 1.506.
        let values = (0..<5000).map { i in i % 5 == 0 ? -(50 + 10 * g.next()) : 100 + 40 * g.next() }
        let s = oneByOne(values)
        #expect(s.level == 0 && s.currentRelativeAccuracy == QuantileSketch.defaultRelativeAccuracy)
        let lg = log((1 + 1e-4) / (1 - 1e-4))
        var p: [Int: Int] = [:], n: [Int: Int] = [:]
        for x in values {
            let i = Int((log(abs(x)) / lg).rounded(.up))
            if x > 0 { p[i, default: 0] += 1 } else { n[i, default: 0] += 1 }
        }
        #expect(counts(s.positive, s.positiveOffset) == p && counts(s.negative, s.negativeOffset) == n)
        #expect(s.positive.count == p.keys.max()! - p.keys.min()! + 1 && s.positiveOffset == p.keys.min()!)
        #expect(s.value(ofIndex: 1234) == 2 * exp(1234 * lg) / (1 + exp(lg)))
        // The collapse map is ceil(i / 2^d), so level-k bucket j is (gamma_k^(j-1), gamma_k^j].
        for i in -300...300 {
            for d in 0...6 { #expect(QuantileSketch.shifted(i, by: d) == Int((Double(i) / Double(1 << d)).rounded(.up)), "i \(i) d \(d)") }
        }
    }

    /// Merging sketches of different levels brings the finer one up, from either side.
    @Test func mergeOfDifferentLevelsBringsTheFinerOneUp() {
        var g = Mix(s: 4242)
        let narrow = (0..<3000).map { _ in 1000 + 100 * g.next() }               // level 0
        let middle = (0..<3000).map { _ in pow(10, 3 * g.next()) }               // level 5
        let wide = (0..<3000).map { _ in -pow(10, -2 + 14 * g.next()) }          // level 7, negative side
        let a = oneByOne(narrow), b = oneByOne(middle), c = oneByOne(wide)
        #expect(a.level == 0 && b.level == 5 && c.level == 7, "levels \(a.level) \(b.level) \(c.level)")
        let all = oneByOne(narrow + middle + wide)
        for order in [[a, b, c], [c, b, a], [b, a, c], [a, c, b]] {
            var m = order[0]
            for s in order.dropFirst() { m.merge(s) }
            #expect(m == all && m.encoded == all.encoded, "merge order \(order.map(\.level))")
        }
        var ab = a; ab.merge(b)
        #expect(ab.level == 5 && ab == oneByOne(narrow + middle))
    }

    @Test func countersStayWithinTheBudget() {
        var g = Mix(s: 9)
        var s = QuantileSketch()
        // A range that keeps widening, value by value, on both sides.
        for i in 0..<50_000 {
            let x = pow(10, Double(i % 600) / 2 - 150) * (1 + g.next())
            s.add(i % 2 == 0 ? x : -x)
            if i % 997 == 0 {
                #expect(s.positive.count <= Self.B && s.negative.count <= Self.B, "value \(i): \(s.counters) counters")
                // The storage too, up to the allocator's rounding of one block.
                #expect(s.positive.capacity <= Self.B + 8 && s.negative.capacity <= Self.B + 8,
                        "value \(i): capacity \(s.positive.capacity), \(s.negative.capacity)")
            }
        }
        #expect(s.level > 0 && s.level <= s.maximumLevel)
        #expect(QuantileSketch().maximumLevel == 12)
        // The whole representable range on both signs fits at the maximum level.
        var e = QuantileSketch()
        for x in [1e-300, 1.7976931348623157e308, -1e-300, -1.7976931348623157e308, 1, -1] { e.add(x) }
        #expect(e.level <= e.maximumLevel && e.positive.count <= Self.B)
        #expect(QuantileSketch.maximumCounterBytes == 32768)
        #expect(MonteCarloEngine.bytesPerSeriesPerWorker >= QuantileSketch.maximumCounterBytes)
    }

    @Test func encodingRoundTripsAndRefusesInconsistentData() throws {
        let values = Data.mixedSignsAndZeros.values(5000, seed: 31)
        let s = oneByOne(values)
        #expect(s.level > 0)
        let text = s.encoded
        let back = try #require(QuantileSketch(encoded: text[...]))
        #expect(back == s && back.encoded == text)
        #expect(QuantileSketch(encoded: QuantileSketch().encoded[...]) == QuantileSketch())
        let f = text.split(separator: " ").map(String.init)
        func with(_ i: Int, _ v: String) -> String { var g = f; g[i] = v; return g.joined(separator: " ") }
        let pos = f[6].split(separator: ":").map(String.init)
        let posCounts = pos[1].split(separator: ",").map(String.init)
        func counts(_ c: [String], offset: String = pos[0]) -> String { offset + ":" + c.joined(separator: ",") }
        let bad: [(String, String)] = [
            ("the 7-field encoding without a level", f.enumerated().filter { $0.offset != 1 }.map(\.element).joined(separator: " ")),
            ("a negative level", with(1, "-1")),
            ("a level above the maximum", with(1, String(s.maximumLevel + 1))),
            ("a huge level", with(1, "99999999999")),
            ("a negative count", with(6, counts(["-1"] + posCounts.dropFirst()))),
            ("a zero first counter", with(6, counts(["0"] + posCounts))),
            ("a zero last counter", with(6, counts(posCounts + ["0"]))),
            ("more counters than the budget", with(6, counts([String](repeating: "1", count: Self.B + 1)))),
            ("a million counters", with(6, counts([String](repeating: "1", count: 1_000_000)))),
            ("an absurd offset", with(6, counts(posCounts, offset: "1000000000000000000"))),
            ("an offset past the last bucket", with(6, counts(posCounts, offset: String(QuantileSketch.shifted(QuantileSketch().indexBounds.upperBound, by: s.level))))),
            ("a negative absurd offset", with(6, counts(posCounts, offset: "-9223372036854775807"))),
            ("counts that do not add up", with(2, String(s.count + 1))),
            ("negative zeros", with(3, "-1")),
            ("an accuracy of 0", with(0, String(0.0.bitPattern, radix: 16))),
            ("an accuracy of 1", with(0, String(1.0.bitPattern, radix: 16))),
            ("minimum above maximum", with(4, String(1e300.bitPattern, radix: 16))),
            ("an empty run", with(6, pos[0] + ":")),
            ("a trailing field", text + " 0"),
            ("an empty sketch at level 1", QuantileSketch().encoded.replacingOccurrences(of: " 0 0 0 ", with: " 1 0 0 ")),
        ]
        for (what, t) in bad {
            #expect(QuantileSketch(encoded: t[...]) == nil, "\(what) must be refused")
        }
    }

    /// The engine's reductions collapse (wide-ranging series) and stay identical across thread
    /// counts and shard splits.
    @Test func collapsedReductionsAreIdenticalAcrossThreadsAndShards() throws {
        var s = benchScenario(trials: 9000, lifetimeMonths: 6)
        s.horizonMonths = 12
        s.reportedCohorts = [1, 6]
        s.acquisition.newPerMonth = 200
        let trials = 4096 * 2 + 300
        let model = CohortModel(s)
        let one = try MonteCarloEngine.reduce(model, trials: trials, seed: 11, threads: 1)
        let levels = one.sketches.map(\.level)
        #expect(levels.contains { $0 > 0 }, "levels \(Set(levels).sorted()), seed 11")
        for t in [2, 3] {
            let many = try MonteCarloEngine.reduce(model, trials: trials, seed: 11, threads: t)
            #expect(many.sketches == one.sketches && many.sketches.map(\.encoded) == one.sketches.map(\.encoded),
                    "threads 1 vs \(t), seed 11")
        }
        let parts = try (0..<3).map { i in
            try MonteCarloEngine.reduce(model, trials: trials, seed: 11, threads: 2,
                                        mergeBlocks: MonteCarloEngine.mergeBlocks(trials: trials, shard: i, of: 3), keepBlocks: true)
        }
        let joined = try #require(Reduction.join(parts.reversed()))
        #expect(joined.sketches.map(\.encoded) == one.sketches.map(\.encoded), "3 shards, seed 11")
    }
}
