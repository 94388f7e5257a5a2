import Dispatch
import SubcastStochastics

/// The public entry point: simulate a scenario and summarise every output.
///
/// ```swift
/// let result = try Simulation.run(scenario, trials: 2000, seed: 42, threads: 2)
/// print(result.summary("mrr", month: 12)!.mean)
/// ```
public enum Simulation {
    /// The Subcast version recorded in every output.
    public static let version = "0.4.1"
    /// The model's draw layout, recorded with the generator in every output: it changes when the
    /// same scenario and seed give other numbers on purpose. `pipeline-2`: the model as a
    /// pipeline of processes with a stream per process (2026-12-01); lever scenarios give other
    /// bits than `levers-1` (0.1.0), scenarios without levers the same. `pipeline-3` (0.3.0):
    /// costs, cash and value, schedules, fiscal years and the churn response to price; the draws
    /// of 0.2.0 scenarios are unchanged, but lever outputs gain the value metrics and `cash` /
    /// `cumulative_cash` are renamed `billings` / `cumulative_billings` (`cumulative_cash` is
    /// now opening cash + operating cash flow), so partials of 0.2.0 do not merge with 0.3.0.
    /// `pipeline-4` (0.3.1): the sBG hazard alpha / (alpha + beta + (t - 1)) is summed in that
    /// order (it was (alpha + beta + t) - 1, which rounds differently for some shapes and loses
    /// shapes below 1e-16 entirely), so sBG scenarios whose alpha + beta is not exactly
    /// representable after adding t may differ in the last bits of their hazards and so in draws;
    /// hypergeometric draws of more than 2,000 items use Stadlober's ratio of uniforms (cost
    /// independent of the counts) instead of GSL's item-by-item draw, so lever scenarios with
    /// large compartments give other bits (the same distribution). `pipeline-5` (0.3.2):
    /// condition multipliers act on each subscriber's own propensity through latent classes
    /// (`LatentClasses`), so lever scenarios with heterogeneous churn and a multiplier other than
    /// 1 give other numbers on purpose; interventions draw a cohort's detections before its saves,
    /// so onboarding scenarios with several plans or annual billing give other bits too.
    public static let modelVersion = "pipeline-5"

    public static func run(_ scenario: Scenario, trials: Int? = nil, seed: UInt64, threads: Int,
                           progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> SimulationResult {
        let model = ForecastModel(scenario)
        let n = trials ?? scenario.trials
        let reduction = try MonteCarloEngine.reduce(model, trials: n, seed: seed, threads: threads, progress: progress,
                                                    isCancelled: isCancelled)
        return result(scenario, seed: seed, reduction: reduction)
    }

    /// The result of a complete reduction (all merge blocks of `reduction.trials`), e.g. one
    /// joined from shards.
    public static func result(_ scenario: Scenario, seed: UInt64, reduction: Reduction) -> SimulationResult {
        result(scenario, layout: ForecastModel(scenario).layout, closedForm: ClosedForm(scenario), seed: seed,
               reduction: reduction)
    }

    /// Summaries of every series of a complete reduction of a model with `layout`, and a
    /// histogram of every per-trial scalar.
    static func result(_ scenario: Scenario, layout: OutputLayout, closedForm: ClosedForm, seed: UInt64,
                       reduction: Reduction) -> SimulationResult {
        precondition(reduction.width == layout.width
                     && reduction.mergeBlocks == 0..<Reduction.mergeBlockCount(trials: reduction.trials))
        let moments = reduction.total
        let percents = scenario.reportPercentiles
        var summaries = (0..<reduction.width).map {
            Summary(moments: moments[$0], sketch: reduction.sketches[$0], percentiles: percents)
        }
        for b in layout.blocks where MetricRegistry.isWholeNumber(b.metric) {
            for k in b.offset..<(b.offset + b.count) { summaries[k] = summaries[k].wholeNumberQuantiles() }
        }
        var histograms: [String: Histogram] = [:]
        for b in layout.blocks where b.kind == .scalar {
            histograms[b.metric] = Histogram(reduction.sketches[b.offset])
        }
        return SimulationResult(scenario: scenario, seed: seed, trials: reduction.trials, layout: layout,
                                summaries: summaries, closedForm: closedForm, histograms: histograms)
    }

    /// Exact summaries of a full trial matrix (type-7 quantiles of the stored values), for
    /// small runs and tests; columns are independent, so this runs in parallel and its result
    /// does not depend on `threads`.
    static func summarise(_ matrix: TrialMatrix, threads: Int) -> [Summary] {
        let out = SummaryBuffer(count: matrix.width)
        let workers = max(1, min(threads, matrix.width))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var j = w
            while j < matrix.width {
                out.set(j, Summary(matrix.column(j)))
                j += workers
            }
        }
        return out.values
    }
}

/// Results written by index from several workers: a raw buffer, so concurrent writes to
/// distinct indices do not trip Swift's exclusivity checks on a class property.
final class SummaryBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Summary>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: Summary([]))
    }
    deinit { storage.deallocate() }
    func set(_ i: Int, _ s: Summary) { storage[i] = s }
    var values: [Summary] { Array(storage) }
}

/// Everything a report needs: the inputs, the seed, and a summary per output series.
public struct SimulationResult: Sendable {
    public let scenario: Scenario
    public let seed: UInt64
    public let trials: Int
    public let layout: OutputLayout
    public let summaries: [Summary]
    /// Exact expectations for comparison with the simulated means.
    public let closedForm: ClosedForm
    /// Distributions of the per-trial scalar metrics (cltv, ltv_cac, ...), for charts.
    public let histograms: [String: Histogram]
    /// The uncertain inputs the trials drew (their distributions and scenario paths); empty for
    /// a fixed scenario. Their draws are the `input:<name>` scalars.
    public internal(set) var inputs: [UncertainInput] = []

    /// The summaries of one metric's block, in index order.
    public func series(_ metric: String) -> [Summary]? {
        guard let b = layout.block(metric) else { return nil }
        return Array(summaries[b.offset..<(b.offset + b.count)])
    }

    /// One monthly (or tenure-month) value, months from 1.
    public func summary(_ metric: String, month: Int) -> Summary? {
        guard let s = series(metric), month >= 1, month <= s.count else { return nil }
        return s[month - 1]
    }

    /// A scalar metric.
    public func scalar(_ metric: String) -> Summary? { series(metric)?.first }
}
