import SubcastStochastics

/// The distribution of one output across trials.
///
/// ```
/// mean = (1/n) sum x_i,   sd = sqrt(sum (x_i - mean)^2 / (n - 1)),   se = sd / sqrt(n)
/// p_q  = linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default)
/// ```
/// computed by GSL (`gsl_stats_mean`, `gsl_stats_sd_m`, `gsl_sort`,
/// `gsl_stats_quantile_from_sorted_data`). `se` is the Monte Carlo standard error of the mean;
/// `quantileSE[k]` that of the quantile at level `levels[k].1`, from the binomial distribution of
/// the number of trials below a quantile:
/// ```
/// se(p_q) = (p_(q + d) - p_(q - d)) / 2,   d = sqrt(q (1 - q) / n)
/// ```
/// (half the distance between the quantiles one binomial standard deviation of rank either side;
/// asymptotically the normal-theory se sqrt(q (1 - q) / n) / density(p_q), without estimating the
/// density).
/// Undefined trial values (NaN) are left out; `n` says how many trials contributed.
/// Deterministic: the same values in the same order give the same bits.
public struct Summary: Sendable, Hashable {
    public var n: Int
    public var mean: Double
    public var sd: Double
    public var se: Double
    public var p5: Double
    public var p25: Double
    public var p50: Double
    public var p75: Double
    public var p95: Double
    /// Monte Carlo standard errors of p5, p25, p50, p75 and p95 (in `levels` order).
    public var quantileSE: [Double]

    /// The quantile levels reported.
    public static let levels: [(String, Double)] = [("p5", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95)]

    /// A percentile asked for beyond the five standard ones (`--percentiles 10,90`).
    public struct Percentile: Sendable, Hashable {
        /// In per cent, as asked for: 10 is the 10th percentile.
        public var percent: Double
        public var value: Double
        /// Its Monte Carlo standard error (as for the standard quantiles).
        public var se: Double
        /// `p10`, `p2.5`, `p99.9`.
        public var name: String { "p" + Summary.plainPercent(percent) }
    }

    /// `P10`, `P2.5`: a percentile's column heading.
    public static func heading(percent: Double) -> String { "P" + plainPercent(percent) }

    /// The requested percentiles that are not among `levels`, in the order asked for.
    public var extra: [Percentile] = []

    static func plainPercent(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.10g", x)
    }

    /// The percentiles (in per cent) that are not among the standard levels, once each, in order.
    public static func extraPercents(_ percents: [Double]) -> [Double] {
        var out: [Double] = []
        for p in percents where !levels.contains(where: { abs($0.1 * 100 - p) < 1e-9 }) && !out.contains(p) { out.append(p) }
        return out
    }

    /// The quantile at `percent` (a standard level or one of `extra`); nil when not summarised.
    public func percentile(_ percent: Double) -> Double? {
        switch percent {
        case 5: return p5
        case 25: return p25
        case 50: return p50
        case 75: return p75
        case 95: return p95
        default: return extra.first { $0.percent == percent }?.value
        }
    }

    /// Summarises `values` with extra percentiles (in per cent, 0 < p < 100).
    public init(_ values: [Double], percentiles: [Double]) {
        self.init(values)
        let percents = Summary.extraPercents(percentiles)
        guard !percents.isEmpty else { return }
        var x = values.filter { !$0.isNaN }
        x.sort()
        let sorted = x
        extra = Summary.percentiles(percents, n: n) { q in sorted.isEmpty ? .nan : SampleStatistics.quantile(sorted: sorted, q) }
    }

    /// Summarises a stream with extra percentiles (from its sketch).
    public init(moments m: Moments, sketch: QuantileSketch, percentiles: [Double]) {
        self.init(moments: m, sketch: sketch)
        let percents = Summary.extraPercents(percentiles)
        guard !percents.isEmpty, n > 0 else { return }
        extra = Summary.percentiles(percents, n: n) { sketch.quantile($0) }
    }

    static func percentiles(_ percents: [Double], n: Int, _ quantile: (Double) -> Double) -> [Percentile] {
        percents.map { pct in
            let q = pct / 100
            let se: Double
            if n > 1 {
                let d = (q * (1 - q) / Double(n)).squareRoot()
                se = (quantile(min(1, q + d)) - quantile(max(0, q - d))) / 2
            } else {
                se = .nan
            }
            return Percentile(percent: pct, value: n > 0 ? quantile(q) : .nan, se: se)
        }
    }

    public init(_ values: [Double]) {
        var x = values.filter { !$0.isNaN }
        n = x.count
        guard n > 0 else {
            mean = .nan; sd = .nan; se = .nan; p5 = .nan; p25 = .nan; p50 = .nan; p75 = .nan; p95 = .nan
            quantileSE = Summary.levels.map { _ in .nan }
            return
        }
        if x.contains(where: { $0.isInfinite }) {
            // GSL's moments are not meaningful with infinities; order statistics still are.
            x.sort()
            mean = x.reduce(0, +) / Double(n)
            sd = .nan
            se = .nan
        } else {
            mean = SampleStatistics.mean(x)
            sd = SampleStatistics.standardDeviation(x, mean: mean)
            se = sd / Double(n).squareRoot()
            SampleStatistics.sort(&x)
        }
        p5 = SampleStatistics.quantile(sorted: x, 0.05)
        p25 = SampleStatistics.quantile(sorted: x, 0.25)
        p50 = SampleStatistics.quantile(sorted: x, 0.50)
        p75 = SampleStatistics.quantile(sorted: x, 0.75)
        p95 = SampleStatistics.quantile(sorted: x, 0.95)
        let sorted = x
        quantileSE = Summary.quantileStandardErrors(n: n) { SampleStatistics.quantile(sorted: sorted, $0) }
    }

    static func quantileStandardErrors(n: Int, _ quantile: (Double) -> Double) -> [Double] {
        levels.map { _, q in
            guard n > 1 else { return .nan }
            let d = (q * (1 - q) / Double(n)).squareRoot()
            return (quantile(min(1, q + d)) - quantile(max(0, q - d))) / 2
        }
    }

    /// The summary of a stream: mean and sd from its moments (exact up to rounding), quantiles
    /// from its sketch (each within the sketch's `currentRelativeAccuracy` of the exact type-7
    /// quantile: 1e-4 unless the series spans so wide a range that the sketch collapsed).
    public init(moments m: Moments, sketch: QuantileSketch) {
        n = m.n
        guard n > 0 else {
            mean = .nan; sd = .nan; se = .nan; p5 = .nan; p25 = .nan; p50 = .nan; p75 = .nan; p95 = .nan
            quantileSE = Summary.levels.map { _ in .nan }
            return
        }
        mean = m.mean
        sd = m.sd
        se = sd / Double(n).squareRoot()
        p5 = sketch.quantile(0.05)
        p25 = sketch.quantile(0.25)
        p50 = sketch.quantile(0.50)
        p75 = sketch.quantile(0.75)
        p95 = sketch.quantile(0.95)
        quantileSE = Summary.quantileStandardErrors(n: n) { sketch.quantile($0) }
    }

    /// The same summary with its quantiles rounded to whole numbers (for a metric whose every
    /// value is one: the sketch's bucket midpoints carry fractions no trial had).
    public func wholeNumberQuantiles() -> Summary {
        var s = self
        s.p5 = p5.rounded(); s.p25 = p25.rounded(); s.p50 = p50.rounded(); s.p75 = p75.rounded(); s.p95 = p95.rounded()
        for k in s.extra.indices { s.extra[k].value.round() }
        return s
    }

    /// The statistics by name, in report order: mean, sd, se, p5, p25, p50, p75, p95, then the
    /// quantiles' standard errors se_p5 ... se_p95, then any extra percentiles (`p10`) and their
    /// standard errors (`se_p10`).
    public var named: [(String, Double)] {
        [("mean", mean), ("sd", sd), ("se", se), ("p5", p5), ("p25", p25), ("p50", p50), ("p75", p75), ("p95", p95)]
            + zip(Summary.levels, quantileSE).map { ("se_" + $0.0.0, $0.1) }
            + extra.map { ($0.name, $0.value) } + extra.map { ("se_" + $0.name, $0.se) }
    }
}

/// The distribution of a per-trial value as equal-width bins between its smallest and largest
/// defined value (GSL's `gsl_histogram`), for charts.
public struct Histogram: Sendable, Hashable {
    /// Bin edges, `counts.count + 1` of them, ascending.
    public var edges: [Double]
    public var counts: [Int]

    /// Bins `values` (NaN left out) into `bins` bins; a single distinct value gives one bin.
    public init(_ values: [Double], bins: Int = 30) {
        let x = values.filter { $0.isFinite }
        guard let lo = x.min(), let hi = x.max() else { edges = []; counts = []; return }
        if lo == hi {
            edges = [lo, hi]
            counts = [x.count]
            return
        }
        (edges, counts) = SampleStatistics.histogram(x, bins: bins, lower: lo, upper: hi)
    }

    /// Bins a sketch: each sketch bucket's count goes to the bin holding its representative value.
    public init(_ sketch: QuantileSketch, bins: Int = 30) {
        guard sketch.count > 0 else { edges = []; counts = []; return }
        let lo = sketch.minimum, hi = sketch.maximum
        if lo == hi {
            edges = [lo, hi]
            counts = [sketch.count]
            return
        }
        let width = (hi - lo) / Double(bins)
        // Values so close together (subnormals) that the bin width underflows: one bin.
        guard width > 0, width.isFinite else {
            edges = [lo, hi]
            counts = [sketch.count]
            return
        }
        edges = (0...bins).map { lo + Double($0) * width }
        edges[bins] = hi
        var c = [Int](repeating: 0, count: bins)
        for (v, n) in sketch.buckets {
            let position = (v - lo) / width
            c[position.isFinite ? min(bins - 1, max(0, Int(position))) : (position > 0 ? bins - 1 : 0)] += n
        }
        counts = c
    }
}
