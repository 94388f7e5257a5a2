/// Count, mean and sum of squared deviations of a stream of values (Welford), mergeable (Chan et
/// al.): the basis of mean, sd and se in bounded memory.
///
/// ```
/// add x:        n += 1; d = x - mean; mean += d / n; m2 += d (x - mean)
/// merge (a, b): n = na + nb; d = mean_b - mean_a; mean = mean_a + d nb / n; m2 = m2a + m2b + d^2 na nb / n
/// ```
/// Floating-point merging is not associative, so Subcast always folds in one fixed order (trials
/// within a block, blocks in index order): the same bits for any thread count or shard split.
/// NaN values are skipped (they mean "undefined in this trial").
public struct Moments: Sendable, Hashable {
    public var n: Int = 0
    public var mean: Double = 0
    public var m2: Double = 0

    public init() {}

    public init(n: Int, mean: Double, m2: Double) {
        self.n = n
        self.mean = mean
        self.m2 = m2
    }

    @inline(__always)
    public mutating func add(_ x: Double) {
        if x.isNaN { return }
        n += 1
        let d = x - mean
        mean += d / Double(n)
        m2 += d * (x - mean)
    }

    public mutating func merge(_ o: Moments) {
        if o.n == 0 { return }
        if n == 0 { self = o; return }
        let total = n + o.n
        let d = o.mean - mean
        mean += d * Double(o.n) / Double(total)
        m2 += o.m2 + d * d * Double(n) * Double(o.n) / Double(total)
        n = total
    }

    /// Sample standard deviation (divisor n - 1); 0 for n < 2.
    public var sd: Double { n < 2 ? 0 : (max(m2, 0) / Double(n - 1)).squareRoot() }
}

extension Moments {
    /// Exact text encoding `n mean m2` with the doubles as hex bit patterns.
    public var encoded: String { "\(n) \(String(mean.bitPattern, radix: 16)) \(String(m2.bitPattern, radix: 16))" }

    public init?<S: StringProtocol>(n: S, mean: S, m2: S) {
        guard let count = Int(n), count >= 0, let a = UInt64(mean, radix: 16), let b = UInt64(m2, radix: 16) else { return nil }
        self.init(n: count, mean: Double(bitPattern: a), m2: Double(bitPattern: b))
    }
}
