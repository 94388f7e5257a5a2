import SubcastStochastics

/// Several strategies (`Variant`s) simulated on common random numbers: trial i of every
/// variant draws from the same streams, so the per-trial difference between two strategies is
/// the effect of what they change, not of luck.
///
/// Streams: the comparison's stream names are the union of the variants' (in order of first
/// use); the engine keys each by (seed, trial, name) as for a single run, and each variant draws
/// from the streams it names. Before simulating a variant the streams are restored to the state
/// they had when the trial began (a 32-byte checkpoint per stream, the same as re-keying them),
/// so every variant starts trial i from the same random numbers. A variant's outputs are
/// therefore bit for bit those of `subcast run` of that variant with the same seed, and two
/// identical variants differ by exactly 0 in every trial. How much pairing helps depends on how
/// much of the variants' randomness they share: a lever that draws from its own stream leaves
/// every other stream, and so every other process, untouched.
///
/// Output layout, per trial (V variants, the first the base, M comparison metrics):
/// 1. for each variant v, every block of its model's layout, renamed `<v>/<metric>`, then a
///    scalar `<v>/<metric>@total` for each horizon total among the comparison metrics;
/// 2. for each variant v but the base, for each metric m: `diff/<v>/<m>` = x_v - x_base and
///    `beats/<v>/<m>` = 1 if x_v is strictly better than x_base (`MetricDirection`), else 0;
/// 3. for each variant v, for each metric m: `best/<v>/<m>` = 1/k if v is one of the k variants
///    that share the best value (ties share the credit: two identical variants get 1/2 each), else 0;
/// 4. with three or more variants, for each value metric (`valueMetricNames`) and each pair of
///    strategies w < v other than the base: `pair/<v>/<w>/<m>` = x_v - x_w (strategy against
///    strategy).
/// An indicator is NaN ("undefined in this trial", left out of its statistics) when a value it
/// compares is NaN, and so is a difference. Means over trials then give the paired difference
/// and its standard error, P(v beats base) and P(v is best) (see `StrategyComparison`).
///
/// ```swift
/// let model = ComparisonModel([Variant(name: "base", scenario: a), Variant(name: "b", scenario: b)])
/// let reduction = try MonteCarloEngine.reduce(model, trials: 1000, seed: 42, threads: 4)
/// ```
/// Reproducibility: identical bits for any number of threads, like every model on the engine.
public struct ComparisonModel: TrialModel {
    public let variants: [Variant]
    /// One model per variant (`variant.model`).
    public let models: [ForecastModel]
    /// The values compared, in output order.
    public let metrics: [ComparisonMetric]
    public let layout: OutputLayout
    public let streamNames: [String]

    /// Per variant: indices into `streamNames` of the streams its model expects, in its order.
    let streamIndex: [[Int]]
    /// Per variant: the offset of its model's outputs.
    let variantOffset: [Int]
    /// Per variant: the horizon sums it writes (first column of the monthly block, months, target column).
    let totalColumns: [[(from: Int, count: Int, to: Int)]]
    /// Per metric, per variant: the column of the compared value.
    let source: [[Int]]
    /// Per metric: true when lower is better.
    let lowerIsBetter: [Bool]
    /// Per variant (the base's entry unused), per metric.
    let diffOffset: [[Int]], beatsOffset: [[Int]]
    /// Per variant, per metric.
    let bestOffset: [[Int]]
    /// Strategy-against-strategy differences: (metric index, v, w, offset of x_v - x_w).
    public let pairs: [(metric: Int, v: Int, w: Int, offset: Int)]

    /// The metrics compared strategy against strategy as well as against the base, when present.
    public static let valueMetricNames = ["npv", "contribution@total", "cash_trough"]

    /// - Parameters:
    ///   - variants: at least one; the first is the base. Names unique, all horizons equal
    ///     (preconditions: the scenario loader reports these as user errors).
    ///   - metrics: the values to compare, each reported by every variant (a precondition; see
    ///     `commonMetrics(_:)` and `resolve(_:in:)`); repeats are dropped; nil for `defaultMetrics(_:)`.
    public init(_ variants: [Variant], metrics: [ComparisonMetric]? = nil) {
        precondition(!variants.isEmpty, "a comparison needs at least one variant")
        precondition(Set(variants.map(\.name)).count == variants.count, "variant names must be unique")
        let horizon = variants[0].scenario.horizonMonths
        precondition(variants.allSatisfy { $0.scenario.horizonMonths == horizon }, "variants must share the horizon")
        self.variants = variants
        let models = variants.map(\.model)
        self.models = models
        var unique: [ComparisonMetric] = []
        for c in metrics ?? ComparisonModel.defaultMetrics(models) where !unique.contains(c) { unique.append(c) }
        let metrics = unique
        self.metrics = metrics

        var names: [String] = []
        var index: [[Int]] = []
        for m in models {
            index.append(m.streamNames.map { name in
                if let i = names.firstIndex(of: name) { return i }
                names.append(name)
                return names.count - 1
            })
        }
        streamNames = names
        streamIndex = index

        var l = OutputLayout()
        var offsets: [Int] = []
        var totals: [[(from: Int, count: Int, to: Int)]] = []
        var sources = [[Int]](repeating: [], count: metrics.count)
        for (v, m) in zip(variants, models) {
            let start = l.width
            offsets.append(start)
            for b in m.layout.blocks { l.add("\(v.name)/\(b.metric)", b.kind, count: b.count) }
            var sums: [(from: Int, count: Int, to: Int)] = []
            for (j, c) in metrics.enumerated() {
                let b = m.layout.block(c.metric)
                switch (c.point, b?.kind) {
                case (.scalar, .scalar?):
                    sources[j].append(start + b!.offset)
                case let (.month(month), .monthly?) where month <= b!.count:
                    sources[j].append(start + b!.offset + month - 1)
                case (.total, .monthly?):
                    let to = l.add("\(v.name)/\(c.name)", .scalar, count: 1)
                    sums.append((start + b!.offset, b!.count, to))
                    sources[j].append(to)
                default:
                    preconditionFailure("\(c.name) is not a value of variant \(v.name)")
                }
            }
            totals.append(sums)
        }
        variantOffset = offsets
        totalColumns = totals
        source = sources
        lowerIsBetter = metrics.map { $0.direction == .lowerIsBetter }
        var diff = [[Int]](repeating: [], count: variants.count)
        var beats = [[Int]](repeating: [], count: variants.count)
        for v in variants.indices.dropFirst() {
            for c in metrics {
                diff[v].append(l.add("diff/\(variants[v].name)/\(c.name)", .scalar, count: 1))
                beats[v].append(l.add("beats/\(variants[v].name)/\(c.name)", .scalar, count: 1))
            }
        }
        diffOffset = diff
        beatsOffset = beats
        bestOffset = variants.map { v in metrics.map { c in l.add("best/\(v.name)/\(c.name)", .scalar, count: 1) } }
        var pairs: [(metric: Int, v: Int, w: Int, offset: Int)] = []
        if variants.count >= 3 {
            for name in ComparisonModel.valueMetricNames {
                guard let j = metrics.firstIndex(where: { $0.name == name }) else { continue }
                for v in 2..<variants.count {
                    for w in 1..<v {
                        pairs.append((j, v, w, l.add("pair/\(variants[v].name)/\(variants[w].name)/\(name)", .scalar, count: 1)))
                    }
                }
            }
        }
        self.pairs = pairs
        layout = l
    }

    /// The comparison values every variant reports: each monthly metric at the horizon month
    /// (in the base's layout order), the horizon totals of the monthly flows
    /// (`ComparisonMetric.flowMetrics`), then each scalar metric. Retention curves are left out.
    public static func defaultMetrics(_ models: [ForecastModel]) -> [ComparisonMetric] {
        let (monthly, scalar) = commonMetrics(models)
        let horizon = horizonMonths(models)
        return monthly.map { ComparisonMetric(metric: $0, .month(horizon)) }
            + monthly.filter(ComparisonMetric.flowMetrics.contains).map { ComparisonMetric(metric: $0, .total) }
            + scalar.map { ComparisonMetric(metric: $0) }
    }

    /// The monthly and scalar metrics that every model reports, in the first model's order.
    public static func commonMetrics(_ models: [ForecastModel]) -> (monthly: [String], scalar: [String]) {
        guard let first = models.first else { return ([], []) }
        func common(_ kind: OutputLayout.Kind) -> [String] {
            first.layout.blocks.filter { $0.kind == kind }.map(\.metric).filter { metric in
                models.allSatisfy { $0.layout.block(metric)?.kind == kind }
            }
        }
        return (common(.monthly), common(.scalar))
    }

    /// Reads a metric as a user writes it: `metric@month` (a monthly metric, month 1 ... horizon),
    /// `metric@total` (a monthly metric summed over the horizon), a scalar metric, or a monthly
    /// metric alone (its value at the horizon). Nil when the models do not all report it.
    public static func resolve(_ text: String, in models: [ForecastModel]) -> ComparisonMetric? {
        guard let c = ComparisonMetric(text), !models.isEmpty else { return nil }
        let (monthly, scalar) = commonMetrics(models)
        let horizon = horizonMonths(models)
        switch c.point {
        case let .month(m): return monthly.contains(c.metric) && m <= horizon ? c : nil
        case .total: return monthly.contains(c.metric) ? c : nil
        case .scalar:
            if scalar.contains(c.metric) { return c }
            return monthly.contains(c.metric) ? ComparisonMetric(metric: c.metric, .month(horizon)) : nil
        }
    }

    /// The reporting months of the models (the length of their monthly series).
    static func horizonMonths(_ models: [ForecastModel]) -> Int {
        models.first?.layout.blocks.first { $0.kind == .monthly }?.count ?? 0
    }

    /// The variants' scratch, the stream checkpoint and each variant's view of the streams.
    public struct Scratch {
        var models: [ForecastModel.Scratch]
        var streams = CommonStreams()
        var values: [Double]
    }

    public var outputWidth: Int { layout.width }

    public var bytesPerWorker: Int { models.reduce(0) { $0 &+ $1.bytesPerWorker } }

    /// Compartment-month steps of one trial of all variants, the unit of the work bound.
    public var stepsPerTrial: Int { models.reduce(0) { $0 + $1.stepsPerTrial } }

    public func makeScratch() -> Scratch {
        Scratch(models: models.map { $0.makeScratch() }, values: [Double](repeating: 0, count: models.count))
    }

    public func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        simulateVariants(streams: streams, scratch: &scratch, into: out) { v, s, vs, o in
            models[v].simulate(streams: s, scratch: &vs, into: o)
        }
    }

    /// Passes `trial` and `seed` on to each variant's model (for models that use them).
    public func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        simulateVariants(streams: streams, scratch: &scratch, into: out) { v, s, vs, o in
            models[v].simulate(trial: trial, seed: seed, streams: s, scratch: &vs, into: o)
        }
    }

    /// Simulates every variant from the streams' state at entry, then writes the comparisons.
    @inline(__always)
    func simulateVariants(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>,
                          _ run: (Int, [RandomGenerator], inout ForecastModel.Scratch, UnsafeMutableBufferPointer<Double>) -> Void) {
        precondition(streams.count == streamNames.count && out.count == layout.width)
        scratch.streams.begin(streams, index: streamIndex)
        for v in models.indices {
            if v > 0 { scratch.streams.restore() }
            let start = variantOffset[v]
            let rows = UnsafeMutableBufferPointer(rebasing: out[start..<(start + models[v].outputWidth)])
            run(v, scratch.streams.subsets[v], &scratch.models[v], rows)
            for t in totalColumns[v] {
                var sum = 0.0
                for k in t.from..<(t.from + t.count) { sum += out[k] }
                out[t.to] = sum
            }
        }
        for (j, columns) in source.enumerated() {
            for v in columns.indices { scratch.values[v] = out[columns[v]] }
            let lower = lowerIsBetter[j]
            let base = scratch.values[0]
            var best = 0
            var defined = !base.isNaN
            for v in columns.indices.dropFirst() {
                let x = scratch.values[v]
                if x.isNaN { defined = false }
                out[diffOffset[v][j]] = x - base
                out[beatsOffset[v][j]] = x.isNaN || base.isNaN ? .nan : ((lower ? x < base : x > base) ? 1 : 0)
                if lower ? x < scratch.values[best] : x > scratch.values[best] { best = v }
            }
            // Ties share the credit.
            let top = scratch.values[best]
            var ties = 0
            for v in columns.indices where scratch.values[v] == top { ties += 1 }
            let credit = 1 / Double(max(ties, 1))
            for v in columns.indices { out[bestOffset[v][j]] = defined ? (scratch.values[v] == top ? credit : 0) : .nan }
        }
        for p in pairs {
            out[p.offset] = out[source[p.metric][p.v]] - out[source[p.metric][p.w]]
        }
    }
}

/// Common random numbers for several models in one trial: each model's view of the engine's
/// streams (by the indices of the streams it names), and the streams' states at the start of the
/// trial, restored before every model after the first so that all start from the same numbers.
struct CommonStreams {
    var checkpoint: [PCG64] = []
    /// The generators `subsets` were built from (the engine passes the same ones every trial).
    var source: [RandomGenerator] = []
    var subsets: [[RandomGenerator]] = []

    /// Records the trial's starting states (and builds the views when the generators changed).
    mutating func begin(_ streams: [RandomGenerator], index: [[Int]]) {
        if source.count != streams.count || !zip(source, streams).allSatisfy({ $0 === $1 }) {
            source = streams
            subsets = index.map { $0.map { streams[$0] } }
        }
        checkpoint.removeAll(keepingCapacity: true)
        for g in streams { checkpoint.append(g.state) }
    }

    /// Puts every stream back to its state at the start of the trial.
    func restore() {
        for (g, state) in zip(source, checkpoint) { g.state = state }
    }
}
