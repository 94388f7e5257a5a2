/// Run trials until a statistic is precise enough.
///
/// Trials are added one merge block (`Reduction.mergeBlockSize` = 4,096 trials) at a time; after
/// each block the Monte Carlo standard error of the chosen metric's mean is compared with the
/// target. The stopping point depends only on the seed and the scenario (blocks are simulated and
/// folded exactly as in a one-shot run), so the same seed stops at the same trial count, and the
/// result is byte-identical to a plain run with that many trials.
public struct Precision: Sendable, Hashable {
    /// What to reach.
    public enum Target: Sendable, Hashable {
        /// se <= value (in the metric's units).
        case standardError(Double)
        /// se / |mean| <= value.
        case relativeStandardError(Double)
    }

    public var target: Target
    /// The series: a metric name and, for monthly and tenure metrics, the month (1-based).
    public var metric: String
    public var month: Int?

    public init(target: Target, metric: String, month: Int? = nil) {
        self.target = target
        self.metric = metric
        self.month = month
    }

    /// The column of the series in `layout`, or a message listing what exists.
    public func column(in layout: OutputLayout) -> Result<Int, PrecisionError> {
        guard let block = layout.block(metric) else {
            return .failure(PrecisionError(message: "no metric named '\(metric)'; metrics: "
                                           + layout.blocks.map(\.metric).joined(separator: ", ")))
        }
        if block.kind == .scalar {
            if let m = month, m != 1 {
                return .failure(PrecisionError(message: "'\(metric)' is one value per trial; drop the month"))
            }
            return .success(block.offset)
        }
        let m = month ?? block.count
        guard m >= 1 && m <= block.count else {
            return .failure(PrecisionError(message: "month \(m) is outside 1 ... \(block.count) for '\(metric)'"))
        }
        return .success(block.offset + m - 1)
    }

    /// True when the moments meet the target (never with fewer than two defined values).
    public func isMet(by m: Moments) -> Bool {
        guard m.n >= 2 else { return false }
        let se = m.sd / Double(m.n).squareRoot()
        switch target {
        case let .standardError(x): return se <= x
        case let .relativeStandardError(r): return m.mean != 0 && se / abs(m.mean) <= r
        }
    }
}

/// A precision request that does not fit the model's outputs.
public struct PrecisionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension MonteCarloEngine {
    /// Reduces merge blocks 0, 1, 2, ... of `model` until `precision` is met or `maximumTrials`
    /// are done. Returns the reduction of the trials used (`trials` = that count), equal bit for
    /// bit to `reduce(model, trials: used, ...)`, and whether the target was met.
    public static func reduce<M: TrialModel>(_ model: M, until precision: Precision, column: Int, maximumTrials: Int,
                                             seed: UInt64, threads: Int,
                                             progress: (@Sendable (Int) -> Void)? = nil,
                                             isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError)
        -> (reduction: Reduction, met: Bool) {
        precondition(maximumTrials >= 1 && column >= 0 && column < model.outputWidth)
        let blocks = Reduction.mergeBlockCount(trials: maximumTrials)
        var parts: [Reduction] = []
        var joined: Reduction? = nil
        var met = false
        for b in 0..<blocks {
            let done = b * Reduction.mergeBlockSize
            let part = try reduce(model, trials: maximumTrials, seed: seed, threads: threads, mergeBlocks: b..<(b + 1),
                                  keepBlocks: true, progress: progress.map { p in { @Sendable k in p(done + k) } },
                                  isCancelled: isCancelled)
            parts = [joined ?? part] + (joined == nil ? [] : [part])
            joined = Reduction.join(parts)
            if precision.isMet(by: joined!.total[column]) { met = true; break }
        }
        let r = joined!
        let used = min(r.mergeBlocks.upperBound * Reduction.mergeBlockSize, maximumTrials)
        let reduction = Reduction(trials: used, width: r.width, mergeBlocks: r.mergeBlocks, blockMoments: nil,
                                  total: r.total, sketches: r.sketches)
        return (reduction, met)
    }
}
