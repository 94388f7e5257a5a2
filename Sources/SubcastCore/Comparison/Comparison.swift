/// The entry point for comparing strategies: simulate several variants on common random
/// numbers and summarise every output and every paired comparison.
///
/// ```swift
/// let r = try Comparison.run([Variant(name: "base", scenario: a), Variant(name: "cheaper", scenario: b)],
///                            trials: 2000, seed: 42, threads: 4)
/// let mrr = r.metric("mrr@36")!
/// print(mrr.differences[1]!.mean, mrr.interval(1)!, mrr.beatsBase[1]!.mean)
/// ```
public enum Comparison {
    /// Runs `ComparisonModel(variants, metrics:)` for `trials` trials of root seed `seed`.
    /// Results are identical for any `threads`; each variant's outputs are bit for bit those of
    /// `Simulation.run` of its scenario with the same seed.
    public static func run(_ variants: [Variant], metrics: [ComparisonMetric]? = nil, trials: Int, seed: UInt64,
                           threads: Int, progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> StrategyComparison {
        let model = ComparisonModel(variants, metrics: metrics)
        let reduction = try MonteCarloEngine.reduce(model, trials: trials, seed: seed, threads: threads,
                                                    progress: progress, isCancelled: isCancelled)
        return result(model, seed: seed, reduction: reduction)
    }

    /// The result of a complete reduction of `model`.
    /// `percentiles`: extra percentiles (in per cent) for every summary (`--percentiles`).
    public static func result(_ model: ComparisonModel, seed: UInt64, reduction: Reduction,
                              percentiles percents: [Double] = []) -> StrategyComparison {
        precondition(reduction.width == model.layout.width)
        var summaries = (0..<reduction.width).map {
            Summary(moments: reduction.total[$0], sketch: reduction.sketches[$0], percentiles: percents)
        }
        let names = Set(model.variants.map(\.name))
        for b in model.layout.blocks {
            // `<variant>/<metric>`: a strategy's own series.
            let parts = b.metric.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, names.contains(String(parts[0])), MetricRegistry.isWholeNumber(String(parts[1])) else { continue }
            for k in b.offset..<(b.offset + b.count) { summaries[k] = summaries[k].wholeNumberQuantiles() }
        }
        let metrics = model.metrics.enumerated().map { j, c in
            MetricComparison(metric: c, direction: c.direction,
                             values: model.source[j].map { summaries[$0] },
                             differences: model.variants.indices.map { $0 == 0 ? nil : summaries[model.diffOffset[$0][j]] },
                             beatsBase: model.variants.indices.map { $0 == 0 ? nil : summaries[model.beatsOffset[$0][j]] },
                             best: model.variants.indices.map { summaries[model.bestOffset[$0][j]] })
        }
        var r = StrategyComparison(variants: model.variants, seed: seed, trials: reduction.trials, layout: model.layout,
                                   summaries: summaries, metrics: metrics)
        r.pairs = model.pairs.map { (model.metrics[$0.metric].name, $0.v, $0.w, summaries[$0.offset]) }
        return r
    }
}
