import Foundation

/// A mergeable quantile sketch with a relative-error guarantee and a fixed memory budget
/// (DDSketch, Masson et al. 2019, with the uniform collapse of UDDSketch, Epicoco et al. 2020),
/// so quantiles of any number of trials take at most `maximumBucketsPerSide` counters per sign.
///
/// Definition. At collapse level k = 0, 1, 2, ... the sketch buckets with gamma_k = gamma^(2^k),
/// gamma = (1 + a) / (1 - a), a = `relativeAccuracy`. A value x > 0 has the level-0 bucket
/// i = ceil(log(x) / log(gamma)) and the level-k bucket j = ceil(i / 2^k); level-k bucket j holds
/// (gamma_k^(j-1), gamma_k^j], the union of level-(k-1) buckets 2j - 1 and 2j, and its
/// representative 2 gamma_k^j / (gamma_k + 1) is within a relative error
/// a_k = (gamma_k - 1) / (gamma_k + 1) of every value in it. Negative values are bucketed by |x|
/// on a side of their own, values with |x| < 1e-300 are counted as zeros, NaN and infinities are
/// ignored. The exact minimum and maximum are kept too (-0.0 is the minimum and +0.0 the maximum
/// of the two zeros, so that they do not depend on the order of the values either).
///
/// Invariants. Each sign's counters cover exactly its lowest to its highest non-empty bucket (the
/// first and last counters are positive), at most `maximumBucketsPerSide` (2,048) of them; both
/// signs share one level, the canonical level of the values added: the smallest k at which both
/// signs' spans of non-empty buckets fit the budget. Level 0 is the plain DDSketch: while the
/// data fits (on each side, largest / smallest magnitude up to gamma^2047, about 1.5 for the
/// default a), no collapse happens and every result is the DDSketch's, bit for bit. Data that
/// would not fit collapses the sketch to the next level (index j -> ceil(j / 2), the counts of
/// merged buckets add) until it does. One sign's counters never take more than
/// 2,048 x 8 = 16 KiB, a sketch at most 32 KiB plus its headers, whatever the number of values.
///
/// Accuracy. Every order statistic read from the sketch is within a relative error
/// `currentRelativeAccuracy` = a_k = tanh(2^(k-1) log(gamma)) (about 2^k a) of the exact one, and
/// the minimum and maximum are exact; quantiles interpolate between order statistics like
/// Hyndman-Fan type 7 (numpy's default), so each is within a_k max(|lo|, |hi|) of the exact
/// type-7 quantile (lo, hi the two order statistics it interpolates), a_k |q| for same-signed
/// data. With the default a = 1e-4 a side spanning a ratio R needs level
/// k = ceil(log2(ln R / (2047 x 2e-4))) at most: R = 700 fits level 4 (a_4 = 0.16 %), R = 4.9e5
/// level 5 (0.32 %), R = 2.4e11 level 6 (0.64 %), R = 5.8e22 level 7 (1.28 %). `maximumLevel` is
/// the level at which every representable magnitude fits (12 for the default a).
///
/// Reproducibility. The sketch is a function of the multiset of values added, to the bit and in
/// `encoded`, whatever the grouping: value by value, batches of any size, merges of any split in
/// any order. (1) Fitting is monotone in the level: ceil(j / 2) is monotone and never widens a
/// span, so data that fits at level k fits at every higher level. (2) It is monotone in the
/// data: a sub-multiset's non-empty buckets are a subset of the whole's at every level, so its
/// canonical level is no higher. (3) Collapse and merge are linear maps on the integer counts and
/// commute (collapsing a sum is summing the collapses; d collapses at once are d single ones, as
/// ceil(ceil(i / 2^a) / 2^b) = ceil(i / 2^(a+b))). Merging the canonical sketches of A and B, of
/// levels k_A and k_B, brings both to m = max(k_A, k_B), which is at most the level of A + B by
/// (2), and adds them: the level-m counts of A + B by (3); collapsing until the result fits stops
/// at the first fitting level from m up, the canonical level of A + B by (1). Adding values is
/// merging with their sketch. Counts are integers and bucket indices are computed at level 0 and
/// shifted, so no rounding depends on the grouping.
public struct QuantileSketch: Sendable, Hashable {
    public static let defaultRelativeAccuracy = 1e-4
    /// The most counters a sign keeps: 2,048 x 8 bytes = 16 KiB.
    public static let maximumBucketsPerSide = 2048
    /// The most bytes of counters one sketch holds (both signs at the budget), headers apart.
    public static let maximumCounterBytes = 2 * maximumBucketsPerSide * MemoryLayout<Int>.stride

    public let relativeAccuracy: Double
    let logGamma: Double
    /// The collapse level: buckets are those of gamma^(2^level).
    public private(set) var level = 0
    /// Counts of positive buckets `positiveOffset ..< positiveOffset + positive.count`.
    var positive: [Int] = []
    var positiveOffset = 0
    /// Counts of negative values by the bucket of |x|.
    var negative: [Int] = []
    var negativeOffset = 0
    var zeros = 0
    public private(set) var count = 0
    public private(set) var minimum = Double.infinity
    public private(set) var maximum = -Double.infinity

    /// - Precondition: 1e-12 <= relativeAccuracy < 1 (finer accuracies would overflow the bucket
    ///   indices).
    public init(relativeAccuracy: Double = QuantileSketch.defaultRelativeAccuracy) {
        precondition(relativeAccuracy >= 1e-12 && relativeAccuracy < 1)
        self.relativeAccuracy = relativeAccuracy
        logGamma = log((1 + relativeAccuracy) / (1 - relativeAccuracy))
    }

    /// Values smaller than this in magnitude count as zero (far below any reported quantity).
    static let zeroThreshold = 1e-300

    /// The level-0 bucket of a magnitude >= `zeroThreshold`.
    @inline(__always)
    func index(_ magnitude: Double) -> Int { Int((log(magnitude) / logGamma).rounded(.up)) }

    /// ceil(i / 2^d): the bucket that level-l bucket i falls in at level l + d.
    @inline(__always)
    static func shifted(_ i: Int, by d: Int) -> Int { -((-i) >> d) }

    /// log(gamma_level), exact: a power of two times log(gamma).
    var levelLogGamma: Double { logGamma * Double(1 << level) }

    /// The representative 2 gamma_k^i / (gamma_k + 1) of bucket i at the current level. When
    /// gamma_k^i overflows (the top buckets at high levels) it is computed in logs instead, so a
    /// representable representative is never lost to an intermediate infinity.
    func value(ofIndex i: Int) -> Double {
        let g = levelLogGamma
        let v = 2 * exp(Double(i) * g) / (1 + exp(g))
        if v.isFinite { return v }
        return Swift.min(exp(Double(i) * g + log(2 / (1 + exp(g)))), .greatestFiniteMagnitude)
    }

    /// The relative accuracy at the current level, a_k = (gamma_k - 1) / (gamma_k + 1):
    /// `relativeAccuracy` until the sketch first collapses, about doubling with each level.
    public var currentRelativeAccuracy: Double {
        level == 0 ? relativeAccuracy : tanh(levelLogGamma / 2)
    }

    /// The level-0 bucket indices every magnitude from `zeroThreshold` to the largest double
    /// falls in.
    var indexBounds: ClosedRange<Int> { index(QuantileSketch.zeroThreshold)...index(.greatestFiniteMagnitude) }

    /// The level at which every representable magnitude fits the budget: no sketch goes higher.
    public var maximumLevel: Int {
        let b = indexBounds
        var k = 0
        while QuantileSketch.shifted(b.upperBound, by: k) - QuantileSketch.shifted(b.lowerBound, by: k) + 1
                > QuantileSketch.maximumBucketsPerSide { k += 1 }
        return k
    }

    /// The smallest level from `level` up at which sides spanning `p` and `n` (bucket ranges at
    /// `level`, nil for an empty side) fit the budget.
    static func fittingLevel(from level: Int, _ p: ClosedRange<Int>?, _ n: ClosedRange<Int>?) -> Int {
        func fits(_ r: ClosedRange<Int>?, _ d: Int) -> Bool {
            guard let r else { return true }
            return shifted(r.upperBound, by: d) - shifted(r.lowerBound, by: d) + 1 <= maximumBucketsPerSide
        }
        var d = 0
        while !(fits(p, d) && fits(n, d)) { d += 1 }
        return level + d
    }

    /// The bucket range of a side at the current level, nil when empty.
    static func range(_ counts: [Int], _ offset: Int) -> ClosedRange<Int>? {
        counts.isEmpty ? nil : offset...(offset + counts.count - 1)
    }

    /// Moves both sides up to level `k` (>= `level`), adding the counts of merged buckets.
    mutating func collapse(to k: Int) {
        precondition(k >= level)
        if k == level { return }
        let d = k - level
        QuantileSketch.collapse(&positive, &positiveOffset, by: d)
        QuantileSketch.collapse(&negative, &negativeOffset, by: d)
        level = k
    }

    /// Collapses one side d levels: counter of bucket i goes to bucket ceil(i / 2^d). The first and
    /// last buckets stay non-empty, so the result again covers exactly its non-empty range.
    static func collapse(_ counts: inout [Int], _ offset: inout Int, by d: Int) {
        if counts.isEmpty || d == 0 { return }
        let low = shifted(offset, by: d), high = shifted(offset + counts.count - 1, by: d)
        var out = [Int](repeating: 0, count: high - low + 1)
        for (k, c) in counts.enumerated() { out[shifted(offset + k, by: d) - low] += c }
        counts = out
        offset = low
    }

    /// Extends `counts` (with zeros) so that it covers bucket indices `low ... high`, growing the
    /// storage at most to the budget (never by the array's default doubling past it).
    static func cover(_ counts: inout [Int], _ offset: inout Int, _ low: Int, _ high: Int) {
        if counts.isEmpty {
            counts = [Int](repeating: 0, count: high - low + 1)
            offset = low
            return
        }
        let newLow = Swift.min(low, offset), newHigh = Swift.max(high, offset + counts.count - 1)
        let needed = newHigh - newLow + 1
        if needed == counts.count { return }
        precondition(needed <= maximumBucketsPerSide, "a side outgrew the bucket budget")
        if needed > counts.capacity {
            counts.reserveCapacity(Swift.min(maximumBucketsPerSide, Swift.max(needed, 2 * counts.count)))
        }
        if newLow < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - newLow), at: 0)
            offset = newLow
        }
        if newHigh >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: newHigh - offset - counts.count + 1))
        }
    }

    /// Widens `r` to include `low ... high` (nil: empty).
    static func union(_ r: ClosedRange<Int>?, _ low: Int, _ high: Int) -> ClosedRange<Int> {
        guard let r else { return low...high }
        return Swift.min(r.lowerBound, low)...Swift.max(r.upperBound, high)
    }

    /// Updates the exact extremes; of the two zeros, -0.0 is the smaller and +0.0 the larger.
    @inline(__always)
    mutating func extremes(_ x: Double) {
        if x < minimum || (x == minimum && x.sign == .minus) { minimum = x }
        if x > maximum || (x == maximum && x.sign == .plus) { maximum = x }
    }

    /// Adds a finite value (NaN and infinities are ignored).
    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        count += 1
        extremes(x)
        if abs(x) < QuantileSketch.zeroThreshold { zeros += 1; return }
        let i0 = index(abs(x))
        var i = QuantileSketch.shifted(i0, by: level)
        if x > 0 {
            if let r = QuantileSketch.range(positive, positiveOffset), !r.contains(i) {
                let k = QuantileSketch.fittingLevel(from: level, QuantileSketch.union(r, i, i),
                                                    QuantileSketch.range(negative, negativeOffset))
                if k > level { collapse(to: k); i = QuantileSketch.shifted(i0, by: level) }
            }
            QuantileSketch.increment(&positive, &positiveOffset, i, by: 1)
        } else {
            if let r = QuantileSketch.range(negative, negativeOffset), !r.contains(i) {
                let k = QuantileSketch.fittingLevel(from: level, QuantileSketch.range(positive, positiveOffset),
                                                    QuantileSketch.union(r, i, i))
                if k > level { collapse(to: k); i = QuantileSketch.shifted(i0, by: level) }
            }
            QuantileSketch.increment(&negative, &negativeOffset, i, by: 1)
        }
    }

    /// Adds finite values in order (NaN and infinities are ignored): the same sketch, to the bit,
    /// as adding them one by one, but the level and bucket ranges change once per call instead of
    /// being checked per value, and the counts are updated without per-value copy-on-write
    /// checks. The engine's streaming reduction adds each series a sub-block of trials at a time.
    public mutating func add(_ values: UnsafeBufferPointer<Double>) {
        if values.isEmpty { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: values.count) { index in
            // Pass 1: count, extremes, zeros, and the level-0 bucket index of every bucketed value
            // (the finite values not counted as zero; pass 2 selects them by the same test, and
            // the sign of x says which side the index is on).
            var lowP = Int.max, highP = Int.min, lowN = Int.max, highN = Int.min
            for (k, x) in values.enumerated() {
                index[k] = 0
                guard x.isFinite else { continue }
                count += 1
                extremes(x)
                if abs(x) < QuantileSketch.zeroThreshold { zeros += 1; continue }
                if x > 0 {
                    let i = self.index(x)
                    lowP = Swift.min(lowP, i); highP = Swift.max(highP, i)
                    index[k] = i
                } else {
                    let i = self.index(-x)
                    lowN = Swift.min(lowN, i); highN = Swift.max(highN, i)
                    index[k] = i
                }
            }
            if lowP > highP && lowN > highN { return }     // nothing bucketed
            // Pass 2: the level at which the sketch and the batch fit together (the batch's
            // range shifted to the current level first), then each side grown once, then counts.
            var p = QuantileSketch.range(positive, positiveOffset), n = QuantileSketch.range(negative, negativeOffset)
            if lowP <= highP { p = QuantileSketch.union(p, QuantileSketch.shifted(lowP, by: level), QuantileSketch.shifted(highP, by: level)) }
            if lowN <= highN { n = QuantileSketch.union(n, QuantileSketch.shifted(lowN, by: level), QuantileSketch.shifted(highN, by: level)) }
            collapse(to: QuantileSketch.fittingLevel(from: level, p, n))
            let d = level
            if lowP <= highP { QuantileSketch.cover(&positive, &positiveOffset, QuantileSketch.shifted(lowP, by: d), QuantileSketch.shifted(highP, by: d)) }
            if lowN <= highN { QuantileSketch.cover(&negative, &negativeOffset, QuantileSketch.shifted(lowN, by: d), QuantileSketch.shifted(highN, by: d)) }
            let po = positiveOffset, no = negativeOffset
            positive.withUnsafeMutableBufferPointer { pos in
                negative.withUnsafeMutableBufferPointer { neg in
                    for (k, x) in values.enumerated() where x.isFinite && abs(x) >= QuantileSketch.zeroThreshold {
                        let i = QuantileSketch.shifted(index[k], by: d)
                        if x > 0 { pos[i - po] += 1 } else { neg[i - no] += 1 }
                    }
                }
            }
        }
    }

    static func increment(_ counts: inout [Int], _ offset: inout Int, _ i: Int, by c: Int) {
        cover(&counts, &offset, i, i)
        counts[i - offset] += c
    }

    /// Adds another sketch's counts (same relative accuracy), at the level the union needs: the
    /// same sketch, to the bit, as adding the other's values to this one.
    public mutating func merge(_ o: QuantileSketch) {
        precondition(o.relativeAccuracy == relativeAccuracy)
        if o.count == 0 { return }
        if count == 0 {
            // An empty sketch is at level 0 with no buckets: the union is the other sketch (its
            // extremes too, as the zeros' order rule makes them order-free).
            self = o
            return
        }
        let m = Swift.max(level, o.level), d = m - o.level
        collapse(to: m)
        func shiftedRange(_ counts: [Int], _ offset: Int) -> ClosedRange<Int>? {
            QuantileSketch.range(counts, offset).map { QuantileSketch.shifted($0.lowerBound, by: d)...QuantileSketch.shifted($0.upperBound, by: d) }
        }
        let op = shiftedRange(o.positive, o.positiveOffset), on = shiftedRange(o.negative, o.negativeOffset)
        var p = QuantileSketch.range(positive, positiveOffset), n = QuantileSketch.range(negative, negativeOffset)
        if let op { p = QuantileSketch.union(p, op.lowerBound, op.upperBound) }
        if let on { n = QuantileSketch.union(n, on.lowerBound, on.upperBound) }
        collapse(to: QuantileSketch.fittingLevel(from: m, p, n))
        let e = level - o.level
        func add(_ counts: inout [Int], _ offset: inout Int, _ other: [Int], _ otherOffset: Int) {
            if other.isEmpty { return }
            QuantileSketch.cover(&counts, &offset, QuantileSketch.shifted(otherOffset, by: e),
                                 QuantileSketch.shifted(otherOffset + other.count - 1, by: e))
            let base = offset
            counts.withUnsafeMutableBufferPointer { c in
                for (k, x) in other.enumerated() where x > 0 { c[QuantileSketch.shifted(otherOffset + k, by: e) - base] += x }
            }
        }
        add(&positive, &positiveOffset, o.positive, o.positiveOffset)
        add(&negative, &negativeOffset, o.negative, o.negativeOffset)
        zeros += o.zeros
        count += o.count
        extremes(o.minimum)
        extremes(o.maximum)
    }

    /// The k-th smallest value (0-based), within `currentRelativeAccuracy`; the exact minimum and
    /// maximum at the ends.
    public func orderStatistic(_ k: Int) -> Double {
        precondition(k >= 0 && k < count)
        if k == 0 { return minimum }
        if k == count - 1 { return maximum }
        var seen = 0
        // Negative values, most negative first: highest |x| buckets first.
        for j in stride(from: negative.count - 1, through: 0, by: -1) where negative[j] > 0 {
            seen += negative[j]
            if k < seen { return clamp(-value(ofIndex: negativeOffset + j)) }
        }
        seen += zeros
        if k < seen { return 0 }
        for j in 0..<positive.count where positive[j] > 0 {
            seen += positive[j]
            if k < seen { return clamp(value(ofIndex: positiveOffset + j)) }
        }
        return maximum
    }

    private func clamp(_ x: Double) -> Double { Swift.min(Swift.max(x, minimum), maximum) }

    /// The q-quantile, interpolating linearly between order statistics (type 7); NaN when empty.
    public func quantile(_ q: Double) -> Double {
        precondition(q >= 0 && q <= 1)
        if count == 0 { return .nan }
        let h = q * Double(count - 1)
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, count - 1)
        let a = orderStatistic(lo)
        if hi == lo { return a }
        let b = orderStatistic(hi)
        return a + (h - Double(lo)) * (b - a)
    }

    /// The sketch's buckets as (representative value, count), ascending, zeros included.
    public var buckets: [(value: Double, count: Int)] {
        var out: [(Double, Int)] = []
        for j in stride(from: negative.count - 1, through: 0, by: -1) where negative[j] > 0 {
            out.append((clamp(-value(ofIndex: negativeOffset + j)), negative[j]))
        }
        if zeros > 0 { out.append((0, zeros)) }
        for j in 0..<positive.count where positive[j] > 0 { out.append((clamp(value(ofIndex: positiveOffset + j)), positive[j])) }
        return out
    }

    /// Memory held, in counters (at most 2 x `maximumBucketsPerSide`).
    public var counters: Int { positive.count + negative.count }
}

// MARK: - Exact text encoding (for partial results of shards)

extension QuantileSketch {
    /// A one-line exact encoding: accuracy, level, count, zeros, min, max (doubles as bit
    /// patterns in hex), then the positive and negative buckets as offset:counts (at the level).
    public var encoded: String {
        func hex(_ x: Double) -> String { String(x.bitPattern, radix: 16) }
        func run(_ offset: Int, _ counts: [Int]) -> String {
            counts.isEmpty ? "-" : "\(offset):" + counts.map(String.init).joined(separator: ",")
        }
        return [hex(relativeAccuracy), String(level), String(count), String(zeros), hex(minimum), hex(maximum),
                run(positiveOffset, positive), run(negativeOffset, negative)].joined(separator: " ")
    }

    /// Decodes `encoded`; nil if malformed or inconsistent: a field missing (the 7-field encoding
    /// of the unbounded sketch before levels is refused), an accuracy or level out of range, more
    /// counters than the budget (checked before any is allocated), buckets outside the indices a
    /// double can reach, a side whose span is not its non-empty range, negative counts, counts
    /// that do not add up, extremes that contradict the count, or data that does not fit its level.
    public init?(encoded text: Substring) {
        let f = text.split(separator: " ", omittingEmptySubsequences: false)
        func dbl(_ s: Substring) -> Double? { UInt64(s, radix: 16).map { Double(bitPattern: $0) } }
        guard f.count == 8, let a = dbl(f[0]), a >= 1e-12, a < 1, let level = Int(f[1]), let n = Int(f[2]),
              let z = Int(f[3]), let lo = dbl(f[4]), let hi = dbl(f[5]) else { return nil }
        self.init(relativeAccuracy: a)
        guard level >= 0, level <= maximumLevel else { return nil }
        self.level = level
        let bounds = indexBounds
        let lowest = QuantileSketch.shifted(bounds.lowerBound, by: level), highest = QuantileSketch.shifted(bounds.upperBound, by: level)
        func run(_ s: Substring) -> (Int, [Int])? {
            if s == "-" { return (0, []) }
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let o = Int(parts[0]), o >= lowest, o <= highest else { return nil }
            // The number of counters, before allocating them.
            let length = parts[1].utf8.reduce(1) { $0 + ($1 == UInt8(ascii: ",") ? 1 : 0) }
            guard length <= QuantileSketch.maximumBucketsPerSide, o + length - 1 <= highest else { return nil }
            var counts: [Int] = []
            counts.reserveCapacity(length)
            for c in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                guard let c = Int(c), c >= 0 else { return nil }
                counts.append(c)
            }
            guard counts.first! > 0, counts.last! > 0 else { return nil }
            return (o, counts)
        }
        guard let p = run(f[6]), let q = run(f[7]) else { return nil }
        (positiveOffset, positive) = p
        (negativeOffset, negative) = q
        count = n
        zeros = z
        minimum = lo
        maximum = hi
        var total = z
        for c in positive + negative {
            let (s, overflow) = total.addingReportingOverflow(c)
            guard !overflow else { return nil }
            total = s
        }
        guard n >= 0, z >= 0, total == n else { return nil }
        if n == 0 {
            guard level == 0, lo == .infinity, hi == -.infinity else { return nil }
        } else {
            guard lo.isFinite, hi.isFinite, lo <= hi else { return nil }
        }
        // A decoded sketch must be at a level its data fits (it may not be canonical: a finer
        // level that also fits cannot be detected from the collapsed counts).
        guard QuantileSketch.fittingLevel(from: level, QuantileSketch.range(positive, positiveOffset),
                                          QuantileSketch.range(negative, negativeOffset)) == level else { return nil }
    }
}
