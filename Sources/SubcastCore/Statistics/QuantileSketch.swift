import Foundation

/// A mergeable quantile sketch with a relative-error guarantee (DDSketch, Masson et al. 2019),
/// so quantiles of any number of trials take bounded memory.
///
/// Values x > 0 fall in bucket i = ceil(log(x) / log(gamma)) with gamma = (1 + a) / (1 - a); the
/// bucket's representative 2 gamma^i / (gamma + 1) is within a relative error a of every value
/// in it. Negative values are mirrored, zeros counted apart. Every order statistic read from the
/// sketch is therefore within a relative error a of the exact one (a = `relativeAccuracy`,
/// 1e-4 by default: 0.01 %), and quantiles interpolate between order statistics like
/// Hyndman-Fan type 7 (numpy's default), keeping that bound for same-signed data.
/// Merging adds integer counts: exact, associative and commutative, so sketches merge in any
/// order to the same bits. The exact minimum and maximum are kept too.
public struct QuantileSketch: Sendable, Hashable {
    public static let defaultRelativeAccuracy = 1e-4

    public let relativeAccuracy: Double
    let logGamma: Double
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

    public init(relativeAccuracy: Double = QuantileSketch.defaultRelativeAccuracy) {
        precondition(relativeAccuracy > 0 && relativeAccuracy < 1)
        self.relativeAccuracy = relativeAccuracy
        logGamma = log((1 + relativeAccuracy) / (1 - relativeAccuracy))
    }

    /// Values smaller than this in magnitude count as zero (far below any reported quantity).
    static let zeroThreshold = 1e-300

    @inline(__always)
    func index(_ magnitude: Double) -> Int { Int((log(magnitude) / logGamma).rounded(.up)) }

    func value(ofIndex i: Int) -> Double { 2 * exp(Double(i) * logGamma) / (1 + exp(logGamma)) }

    /// Adds a finite value (NaN and infinities are ignored).
    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        count += 1
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
        if abs(x) < QuantileSketch.zeroThreshold { zeros += 1; return }
        if x > 0 {
            QuantileSketch.increment(&positive, &positiveOffset, index(x), by: 1)
        } else {
            QuantileSketch.increment(&negative, &negativeOffset, index(-x), by: 1)
        }
    }

    /// Adds finite values in order (NaN and infinities are ignored): the same sketch, to the bit,
    /// as adding them one by one, but the bucket ranges grow once per call instead of being
    /// checked per value, and the counts are updated without per-value copy-on-write checks.
    /// The engine's streaming reduction adds each series a sub-block of trials at a time.
    public mutating func add(_ values: UnsafeBufferPointer<Double>) {
        if values.isEmpty { return }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: values.count) { index in
            // Pass 1: count, extremes, zeros, and the bucket index of every bucketed value (the
            // finite values not counted as zero; pass 2 selects them by the same test, and the
            // sign of x says which side the index is on).
            var lowP = Int.max, highP = Int.min, lowN = Int.max, highN = Int.min
            for (k, x) in values.enumerated() {
                index[k] = 0
                guard x.isFinite else { continue }
                count += 1
                if x < minimum { minimum = x }
                if x > maximum { maximum = x }
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
            // Pass 2: grow each side once to cover this batch, then count.
            if lowP <= highP { QuantileSketch.cover(&positive, &positiveOffset, lowP, highP) }
            if lowN <= highN { QuantileSketch.cover(&negative, &negativeOffset, lowN, highN) }
            let po = positiveOffset, no = negativeOffset
            positive.withUnsafeMutableBufferPointer { pos in
                negative.withUnsafeMutableBufferPointer { neg in
                    for (k, x) in values.enumerated() where x.isFinite && abs(x) >= QuantileSketch.zeroThreshold {
                        if x > 0 { pos[index[k] - po] += 1 } else { neg[index[k] - no] += 1 }
                    }
                }
            }
        }
    }

    /// Extends `counts` (with zeros) so that it covers bucket indices `low ... high`.
    static func cover(_ counts: inout [Int], _ offset: inout Int, _ low: Int, _ high: Int) {
        if counts.isEmpty {
            counts = [Int](repeating: 0, count: high - low + 1)
            offset = low
            return
        }
        if low < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - low), at: 0)
            offset = low
        }
        if high >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: high - offset - counts.count + 1))
        }
    }

    static func increment(_ counts: inout [Int], _ offset: inout Int, _ i: Int, by c: Int) {
        cover(&counts, &offset, i, i)
        counts[i - offset] += c
    }

    /// Adds another sketch's counts (same relative accuracy).
    public mutating func merge(_ o: QuantileSketch) {
        precondition(o.relativeAccuracy == relativeAccuracy)
        if o.count == 0 { return }
        for (k, c) in o.positive.enumerated() where c > 0 { QuantileSketch.increment(&positive, &positiveOffset, o.positiveOffset + k, by: c) }
        for (k, c) in o.negative.enumerated() where c > 0 { QuantileSketch.increment(&negative, &negativeOffset, o.negativeOffset + k, by: c) }
        zeros += o.zeros
        count += o.count
        minimum = Swift.min(minimum, o.minimum)
        maximum = Swift.max(maximum, o.maximum)
    }

    /// The k-th smallest value (0-based), within the relative accuracy; the exact minimum and
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

    /// Memory held, in counters.
    public var counters: Int { positive.count + negative.count }
}

// MARK: - Exact text encoding (for partial results of shards)

extension QuantileSketch {
    /// A one-line exact encoding: accuracy, count, zeros, min, max (doubles as bit patterns in
    /// hex), then the positive and negative buckets as offset:counts.
    public var encoded: String {
        func hex(_ x: Double) -> String { String(x.bitPattern, radix: 16) }
        func run(_ offset: Int, _ counts: [Int]) -> String {
            counts.isEmpty ? "-" : "\(offset):" + counts.map(String.init).joined(separator: ",")
        }
        return [hex(relativeAccuracy), String(count), String(zeros), hex(minimum), hex(maximum),
                run(positiveOffset, positive), run(negativeOffset, negative)].joined(separator: " ")
    }

    /// Decodes `encoded`; nil if malformed or inconsistent.
    public init?(encoded text: Substring) {
        let f = text.split(separator: " ", omittingEmptySubsequences: false)
        func dbl(_ s: Substring) -> Double? { UInt64(s, radix: 16).map { Double(bitPattern: $0) } }
        func run(_ s: Substring) -> (Int, [Int])? {
            if s == "-" { return (0, []) }
            let parts = s.split(separator: ":")
            guard parts.count == 2, let o = Int(parts[0]) else { return nil }
            let counts = parts[1].split(separator: ",").map { Int($0) }
            guard counts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            return (o, counts.map { $0! })
        }
        guard f.count == 7, let a = dbl(f[0]), a > 0, a < 1, let n = Int(f[1]), let z = Int(f[2]),
              let lo = dbl(f[3]), let hi = dbl(f[4]), let p = run(f[5]), let q = run(f[6]) else { return nil }
        self.init(relativeAccuracy: a)
        count = n
        zeros = z
        minimum = lo
        maximum = hi
        (positiveOffset, positive) = p
        (negativeOffset, negative) = q
        guard n >= 0, z >= 0, z + positive.reduce(0, +) + negative.reduce(0, +) == n else { return nil }
    }
}
