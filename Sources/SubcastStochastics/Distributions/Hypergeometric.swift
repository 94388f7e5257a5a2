import CGSL
import Foundation

/// The hypergeometric distribution: the number of marked items in a sample of t drawn without
/// replacement from n1 marked and n2 unmarked items; mean t n1 / (n1 + n2),
/// variance t n1 n2 (n1 + n2 - t) / ((n1 + n2)^2 (n1 + n2 - 1)).
///
/// Drawing Hypergeometric(n_i, N - n_i, t) for each group i in turn (with N and t reduced by what
/// earlier groups took) allocates t items over the groups exactly as drawing them one by one
/// without replacement (the multivariate hypergeometric distribution).
///
/// Small draws use GSL's `gsl_ran_hypergeometric`, which inspects the items one by one (one
/// uniform per item of min(t, n1 + n2 - t)). Where that would be more than
/// `sequentialLimit` items, and beyond GSL's `unsigned int`, the draw is exact by Stadlober's
/// ratio-of-uniforms rejection (H2PE/HRUA, Stadlober 1989, 1990; the variant numpy uses, with
/// Frohne's correction), whose expected cost does not depend on the counts: two uniforms and a
/// few log-factorials (GSL's `gsl_sf_lngamma`) per attempt, about 1.3 attempts on average.
public struct Hypergeometric: Sendable, Hashable {
    public let marked: Int
    public let unmarked: Int
    public let sample: Int

    public init(marked: Int, unmarked: Int, sample: Int) throws(DistributionError) {
        let limit = Int(UInt32.max)
        try DistributionError.require(marked >= 0 && marked <= limit, "Hypergeometric", "marked", Double(marked),
                                      "an integer in [0, 4294967295]")
        try DistributionError.require(unmarked >= 0 && unmarked <= limit && marked + unmarked <= limit,
                                      "Hypergeometric", "unmarked", Double(unmarked),
                                      "an integer >= 0 with marked + unmarked <= 4294967295")
        try DistributionError.require(sample >= 0 && sample <= marked + unmarked, "Hypergeometric", "sample",
                                      Double(sample), "an integer from 0 to marked + unmarked")
        self.marked = marked
        self.unmarked = unmarked
        self.sample = sample
    }

    public var mean: Double {
        marked + unmarked == 0 ? 0 : Double(sample) * Double(marked) / Double(marked + unmarked)
    }

    public func sample(using g: RandomGenerator) -> Int {
        Hypergeometric.draw(marked: marked, unmarked: unmarked, sample: sample, using: g)
    }

    /// Unchecked draw for hot loops whose caller has validated the parameters.
    @inlinable
    public static func draw(marked: Int, unmarked: Int, sample: Int, using g: RandomGenerator) -> Int {
        if sample == 0 || marked == 0 { return 0 }
        if unmarked == 0 { return sample }
        if sample >= marked + unmarked { return marked }
        let total = marked + unmarked
        if min(sample, total - sample) > sequentialLimit || total > Int(UInt32.max) {
            return ratioOfUniforms(marked: marked, unmarked: unmarked, sample: sample, using: g)
        }
        return Int(gsl_ran_hypergeometric(g.rng, UInt32(marked), UInt32(unmarked), UInt32(sample)))
    }

    /// The largest min(t, n1 + n2 - t) drawn item by item with GSL.
    public static let sequentialLimit = 2000

    /// ln k! as GSL's ln Gamma(k + 1).
    @usableFromInline static func logFactorial(_ k: Int) -> Double { gsl_sf_lngamma(Double(k) + 1) }

    /// Stadlober's HRUA: the ratio-of-uniforms method with a table mountain hat centred at the
    /// mean. With m = min(n1, n2), M = max(n1, n2), s = min(t, N - t), p = m / N:
    /// ```
    /// a = s p + 1/2,  c = sqrt(var + 1/2),  h = D1 c + D2   (D1 = 2 sqrt(2/e), D2 = 3 - 2 sqrt(3/e))
    /// mode = floor((s + 1)(m + 1) / (N + 2)),  g = ln f(mode) up to the common constant
    /// X = a + h (V - 1/2) / U for uniforms U, V; K = floor(X), accepted if 2 ln U <= g - ln f(K)
    /// ```
    /// (with squeezes), then mapped back: K -> s - K if n1 > n2, and K -> n1 - K if s < t.
    @usableFromInline
    static func ratioOfUniforms(marked: Int, unmarked: Int, sample: Int, using g: RandomGenerator) -> Int {
        let d1 = 1.7155277699214135, d2 = 0.8989161620588988
        let popsize = marked + unmarked
        let s = min(sample, popsize - sample)
        let small = min(marked, unmarked), large = max(marked, unmarked)
        let N = Double(popsize)
        let p = Double(small) / N, q = Double(large) / N
        let mu = Double(s) * p
        let a = mu + 0.5
        let variance = (N - Double(s)) * Double(s) * p * q / (N - 1)
        let c = (variance + 0.5).squareRoot()
        let h = d1 * c + d2
        let mode = Int((Double(s + 1) * Double(small + 1) / (N + 2)).rounded(.down))
        let top = logFactorial(mode) + logFactorial(small - mode) + logFactorial(s - mode) + logFactorial(large - s + mode)
        let b = min(Double(min(s, small) + 1), (a + 16 * c).rounded(.down))
        var k = 0
        while true {
            let u = g.uniform(), v = g.uniform()
            if u == 0 { continue }
            let x = a + h * (v - 0.5) / u
            if x < 0 || x >= b { continue }
            k = Int(x.rounded(.down))
            let t = top - (logFactorial(k) + logFactorial(small - k) + logFactorial(s - k) + logFactorial(large - s + k))
            if u * (4 - u) - 3 <= t { break }          // squeeze: accept
            if u * (u - t) >= 1 { continue }           // squeeze: reject
            if 2 * Foundation.log(u) <= t { break }
        }
        if marked > unmarked { k = s - k }
        if s < sample { k = marked - k }
        return k
    }
}
