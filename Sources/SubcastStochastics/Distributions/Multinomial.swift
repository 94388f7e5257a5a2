import CGSL

/// The multinomial distribution: n trials spread over K categories with probabilities
/// p_1 ... p_K; count k has mean n p_k, variance n p_k (1 - p_k).
///
/// The corresponding GSL function is `gsl_ran_multinomial` (conditional binomials).
/// The weights need not sum to 1; they are normalised.
public struct Multinomial: Sendable, Hashable {
    public let trials: Int
    public let weights: [Double]

    public init(trials: Int, weights: [Double]) throws(DistributionError) {
        try DistributionError.require(trials >= 0 && trials <= Int(UInt32.max),
                                      "Multinomial", "trials", Double(trials), "an integer in [0, 4294967295]")
        try DistributionError.require(!weights.isEmpty, "Multinomial", "weights.count", 0, "at least one category")
        for w in weights {
            try DistributionError.require(w.isFinite && w >= 0, "Multinomial", "weight", w, "a finite number >= 0")
        }
        let total = weights.reduce(0, +)
        try DistributionError.require(total > 0, "Multinomial", "sum of weights", total, "a positive sum")
        self.trials = trials
        self.weights = weights
    }

    public func sample(using g: RandomGenerator) -> [Int] {
        var out = [Int](repeating: 0, count: weights.count)
        Multinomial.draw(trials: trials, weights: weights, into: &out, using: g)
        return out
    }

    /// Unchecked draw from and into buffers (`counts` at least as long as `weights`) for hot
    /// loops that keep their tables in flat buffers; the same draws as the array version.
    @inlinable
    public static func draw(trials: Int, weights: UnsafeBufferPointer<Double>, into counts: UnsafeMutableBufferPointer<Int>,
                            using g: RandomGenerator) {
        let k = weights.count
        if k == 1 { counts[0] = trials; return }
        if trials > Binomial.gslLimit {
            // GSL's own method (a binomial per category, conditional on the ones before), with
            // binomials that stay exact for any n (`Binomial.gslLimit`) at a cost growing with log n.
            var total = 0.0
            for i in 0..<k { total += weights[i] }
            var left = trials, norm = 0.0
            var last = k - 1
            while last > 0 && !(weights[last] > 0) { last -= 1 }
            for i in 0..<k {
                if i == last {
                    // The last category with weight takes the rest (exactly what remains).
                    counts[i] = left
                } else if weights[i] > 0 && left > 0 {
                    counts[i] = Binomial.drawAnySize(trials: left, probability: Swift.min(1, weights[i] / (total - norm)), using: g)
                } else {
                    counts[i] = 0
                }
                norm += weights[i]
                left -= counts[i]
            }
            return
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: k) { buf in
            gsl_ran_multinomial(g.rng, k, UInt32(trials), weights.baseAddress, buf.baseAddress)
            for i in 0..<k { counts[i] = Int(buf[i]) }
        }
    }

    /// Unchecked draw into `counts` (same length as `weights`) for hot loops.
    @inlinable
    public static func draw(trials: Int, weights: [Double], into counts: inout [Int], using g: RandomGenerator) {
        let k = weights.count
        if k == 1 { counts[0] = trials; return }
        weights.withUnsafeBufferPointer { w in
            counts.withUnsafeMutableBufferPointer { c in draw(trials: trials, weights: w, into: c, using: g) }
        }
    }
}
