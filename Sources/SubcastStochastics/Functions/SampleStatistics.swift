import CGSL

/// Descriptive statistics of a sample, computed by GSL.
public enum SampleStatistics {
    /// The arithmetic mean (`gsl_stats_mean`); NaN for an empty sample.
    public static func mean(_ x: [Double]) -> Double {
        if x.isEmpty { return .nan }
        return x.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// The sample standard deviation with divisor n - 1 (`gsl_stats_sd_m`); 0 for n < 2.
    public static func standardDeviation(_ x: [Double], mean: Double) -> Double {
        if x.count < 2 { return 0 }
        return x.withUnsafeBufferPointer { gsl_stats_sd_m($0.baseAddress, 1, $0.count, mean) }
    }

    /// Sorts in place ascending (`gsl_sort`). NaNs must have been removed.
    public static func sort(_ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
    }

    /// The quantile q of sorted data by linear interpolation between order statistics
    /// (`gsl_stats_quantile_from_sorted_data`; Hyndman-Fan type 7, numpy's default).
    public static func quantile(sorted x: [Double], _ q: Double) -> Double {
        precondition(q >= 0 && q <= 1)
        if x.isEmpty { return .nan }
        return x.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, q) }
    }

    /// Counts of `x` in `bins` equal-width bins over [lower, upper) (`gsl_histogram_set_ranges_uniform`,
    /// `gsl_histogram_increment`); values outside the range are not counted. Returns the bin edges
    /// (bins + 1) and counts.
    public static func histogram(_ x: [Double], bins: Int, lower: Double, upper: Double) -> (edges: [Double], counts: [Int]) {
        precondition(bins >= 1 && lower.isFinite && upper.isFinite && lower < upper)
        GSL.initialize()
        let h = gsl_histogram_alloc(bins)!
        defer { gsl_histogram_free(h) }
        gsl_histogram_set_ranges_uniform(h, lower, upper)
        for v in x where v.isFinite {
            // The upper edge itself belongs to the last bin.
            _ = gsl_histogram_increment(h, v == upper ? h.pointee.range[bins - 1] : v)
        }
        let edges = (0...bins).map { h.pointee.range[$0] }
        let counts = (0..<bins).map { Int(gsl_histogram_get(h, $0)) }
        return (edges, counts)
    }
}
