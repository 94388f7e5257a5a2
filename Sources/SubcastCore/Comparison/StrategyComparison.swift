/// The statistics of a comparison: every variant's outputs and, per comparison metric, the
/// paired differences against the base and the chances of beating it and of being best.
///
/// For a metric x and variant v, over the n trials in which the values are defined:
/// ```
/// d_i = x_v,i - x_base,i                          paired difference in trial i
/// mean d, se = sd(d) / sqrt(n)                    difference and its Monte Carlo standard error
/// 95 % interval = mean d -/+ 1.96 se              (normal approximation)
/// P(v beats base) = mean of 1[x_v,i better than x_base,i]      (strictly better)
/// P(v is best)    = mean of 1[v best of all variants in trial i] (ties: the earliest variant)
/// variance removed by pairing = 1 - var(d) / (var(x_v) + var(x_base))
/// ```
/// var(x_v) + var(x_base) is the variance of the difference of two independent runs, so the
/// last line is the share of the variance that common random numbers removed (0 when the
/// variants share no randomness, near 1 when they move together; negative when they move in
/// opposite directions, which pairing cannot help). All of these are means
/// and variances of the comparison model's outputs, folded in bounded memory by the engine's
/// reduction, so they are identical for any number of threads.
public struct StrategyComparison: Sendable {
    public let variants: [Variant]
    public let seed: UInt64
    public let trials: Int
    /// The comparison model's layout (`ComparisonModel`).
    public let layout: OutputLayout
    /// One summary per output series of `layout`.
    public let summaries: [Summary]
    /// One entry per comparison metric, in the model's order.
    public let metrics: [MetricComparison]
    /// Strategy against strategy (`ComparisonModel.pairs`): the paired difference x_v - x_w.
    public var pairs: [(metric: String, v: Int, w: Int, difference: Summary)] = []

    /// The summaries of one block of `layout` (e.g. `base/mrr` or `diff/v/mrr@36`).
    public func series(_ name: String) -> [Summary]? {
        guard let b = layout.block(name) else { return nil }
        return Array(summaries[b.offset..<(b.offset + b.count)])
    }

    /// The comparison of one metric by its name (`mrr@36`, `cltv`).
    public func metric(_ name: String) -> MetricComparison? { metrics.first { $0.metric.name == name } }

    public var horizonMonths: Int { variants[0].scenario.horizonMonths }
}

/// One metric compared across the variants of a `StrategyComparison` (index 0 is the base).
public struct MetricComparison: Sendable {
    public let metric: ComparisonMetric
    public let direction: MetricDirection
    /// Per variant: the distribution of the metric.
    public let values: [Summary]
    /// Per variant: the paired difference variant - base (nil for the base).
    public let differences: [Summary?]
    /// Per variant: P(variant strictly better than the base) (nil for the base).
    public let beatsBase: [Summary?]
    /// Per variant: P(variant is the best of all variants).
    public let best: [Summary]

    /// The 95 % interval of the mean difference, mean -/+ 1.96 se (nil for the base or when undefined).
    public func interval(_ v: Int) -> (lower: Double, upper: Double)? {
        guard let d = differences[v], d.n > 0, d.se.isFinite else { return nil }
        return (d.mean - 1.96 * d.se, d.mean + 1.96 * d.se)
    }

    /// 1 - var(diff) / (var(variant) + var(base)): the share of the variance of the difference
    /// that pairing removed compared with independent runs. Nil for the base, NaN when the two
    /// variances are 0 (nothing to remove).
    /// True when variant v equals the base in every trial (a paired difference of exactly 0):
    /// reports say "no difference" instead of probabilities.
    public func noDifference(_ v: Int) -> Bool {
        guard let d = differences[v], d.n > 0 else { return false }
        return d.mean == 0 && d.sd == 0 && d.p5 == 0 && d.p95 == 0
    }

    /// True when every variant has the same value in every trial.
    public var allIdentical: Bool { differences.indices.dropFirst().allSatisfy(noDifference) }

    public func varianceRemoved(_ v: Int) -> Double? {
        guard let d = differences[v] else { return nil }
        let independent = values[v].sd * values[v].sd + values[0].sd * values[0].sd
        guard independent > 0, d.n > 1 else { return .nan }
        return 1 - d.sd * d.sd / independent
    }
}
