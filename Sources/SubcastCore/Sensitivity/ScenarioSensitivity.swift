import SubcastStochastics

/// Which uncertain input of a scenario matters for one metric: a tornado and Sobol indices.
///
/// The simulation at input values x is the family's model (`ForecastModel`) compiled from
/// `family.make(x)` with the family's shape: the shape fixes the layout and the streams, so every
/// point reports the same series.
///
/// 1. Tornado (`tornado`): the base point (every input at its median) and, per input, the
///    points with that input at its P10 and at its P90 and the others at their medians. Each
///    point is a run of `trials` trials with root seed `seed` (`MonteCarloEngine.reduce`), so
///    trial t of every point draws from the same streams (seed, t, name): common random numbers,
///    and the difference between two points is the inputs' effect, not noise. Reports the
///    metric's mean and its standard error at each point (the engine reduces only the metric's
///    column, the same bits as that column of a full run).
/// 2. Sobol indices (`sobol`): `SobolAnalysis` with one evaluation = ONE trial's metric value
///    at input values x_i = F_i^-1(u_i) (the inputs' quantile functions, u clamped to
///    [1e-6, 1 - 1e-6] as for draws), its process noise keyed (seed, noise key, name) with the
///    noise keys of `SobolAnalysis` (A-side points of row j share key 2j, the B point has 2j + 1).
///    The indices are shares of the metric's total variance across trials, process noise
///    included; the noise is analysed as one more input (`processNoise`), and
///    1 - sum S_i is what no input explains alone: process noise and interactions.
///
/// Inputs are treated as independent: requested correlations are ignored (Sobol indices are
/// defined for independent inputs; a tornado moves one input at a time anyway), and
/// `correlationsIgnored` says so. Trials in which the metric is undefined (NaN, e.g. a payback
/// month never reached) are left out of the means, and Sobol rows with such a trial are dropped.
///
/// Reproducibility: the same family, metric, sizes and seed give the same bits for any thread count.
///
/// ```swift
/// let s = try ScenarioSensitivity(family, metric: "mrr", month: 24)
/// let result = try s.run(trials: 500, samples: 512, seed: 42, threads: 4)
/// print(result.tornado.bars[0].name, result.sobol!.inputs[0].total)
/// ```
public struct ScenarioSensitivity: Sendable {
    /// The quantiles a tornado moves each input to.
    public static let lowLevel = 0.1, highLevel = 0.9

    public let family: ScenarioFamily
    public let metric: SensitivityMetric
    /// The layout of every point's simulation.
    public let layout: OutputLayout
    /// The model's stream names (of the family's shape).
    public let streamNames: [String]
    /// True when the points run on the lever pipeline.
    let levers: Bool

    /// The model at input values x.
    func model(_ x: [Double]) -> ForecastModel {
        ForecastModel.member(family.make(x), shape: family.shape, levers: levers)
    }

    /// Compartment-month steps of one trial at the medians (the work bound's unit).
    public var stepsPerTrial: Int { ForecastModel.member(family.base, shape: family.shape, levers: levers).stepsPerTrial }

    /// - Throws: `SensitivityError` when the family has no uncertain input or the metric (and
    ///   month) is not one of its outputs.
    public init(_ family: ScenarioFamily, metric: String, month: Int?) throws(SensitivityError) {
        guard !family.isFixed else { throw .noUncertainInputs }
        levers = ForecastModel.usesLevers(family)
        let model = ForecastModel.member(family.base, shape: family.shape, levers: levers)
        self.family = family
        layout = model.layout
        streamNames = model.streamNames
        self.metric = try SensitivityMetric(name: metric, month: month, in: layout)
    }

    /// Number of uncertain inputs d.
    public var dimensions: Int { family.inputs.count }

    /// Simulated trials of a tornado ((2d + 1) x trials) and of Sobol indices (N (d + 3)).
    public func trialCount(trials: Int, samples: Int) -> Int {
        (2 * dimensions + 1) * trials
            + (samples > 0 ? SobolAnalysis.evaluations(dimensions: dimensions, samples: samples, processNoise: true) : 0)
    }

    /// The input values for uniforms u (each clamped to [1e-6, 1 - 1e-6]), inputs independent.
    public func values(uniforms u: [Double]) -> [Double] {
        let c = UncertainInputs.clamp
        return zip(family.inputs.inputs, u).map { $0.distribution.quantile(min(max($1, c), 1 - c)) }
    }

    /// The tornado of the metric's mean; `progress` gets the trials finished in this tornado.
    public func tornado(trials: Int, seed: UInt64, threads: Int, progress: (@Sendable (Int) -> Void)? = nil,
                        isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> Tornado {
        precondition(trials >= 1 && threads >= 1)
        let medians = values(uniforms: .init(repeating: 0.5, count: dimensions))
        let lows = values(uniforms: .init(repeating: Self.lowLevel, count: dimensions))
        let highs = values(uniforms: .init(repeating: Self.highLevel, count: dimensions))
        let inputs = family.inputs.inputs.indices.map { i in
            Tornado.Input(name: family.inputs.inputs[i].name, low: lows[i], base: medians[i], high: highs[i])
        }
        let column = metric.column
        var pointsDone = 0
        return try Tornado.run(inputs) { (x: [Double]) throws(SimulationError) -> Tornado.Point in
            let model = ColumnModel(self.model(x), column: column)
            let offset = pointsDone * trials
            let reduction = try MonteCarloEngine.reduce(model, trials: trials, seed: seed, threads: threads,
                                                        progress: progress.map { p in { @Sendable done in p(offset + done) } },
                                                        isCancelled: isCancelled)
            pointsDone += 1
            let m = reduction.total[0]
            return Tornado.Point(mean: m.n > 0 ? m.mean : .nan, se: m.n > 1 ? m.sd / Double(m.n).squareRoot() : .nan)
        }
    }

    /// Sobol indices of the metric (process noise analysed as one more input); `progress` gets
    /// the trials (evaluations) finished.
    public func sobol(samples: Int, seed: UInt64, threads: Int, resamples: Int = 500,
                      progress: (@Sendable (Int) -> Void)? = nil,
                      isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> SobolAnalysis {
        let names = streamNames, width = layout.width, column = metric.column
        let this = self
        return try SobolAnalysis.run(dimensions: dimensions, samples: samples, seed: seed, threads: threads, processNoise: true,
                                     resamples: resamples, progress: progress, isCancelled: isCancelled, makeEvaluator: {
            let streams = names.map { RandomGenerator(StreamKey(seed: seed, trial: 0, name: $0)) }
            var row = [Double](repeating: .nan, count: width)
            return { (u: [Double], key: Int) -> Double in
                let model = this.model(this.values(uniforms: u))
                var scratch = model.makeScratch()
                for (g, name) in zip(streams, names) { g.reseed(StreamKey(seed: seed, trial: UInt64(key), name: name)) }
                row.withUnsafeMutableBufferPointer {
                    model.simulate(trial: key, seed: seed, streams: streams, scratch: &scratch, into: $0)
                }
                return row[column]
            }
        })
    }

    /// Tornado, then (with `samples` > 0) Sobol indices; `progress` gets the trials finished out
    /// of `trialCount(trials:samples:)`.
    public func run(trials: Int, samples: Int, seed: UInt64, threads: Int, resamples: Int = 500,
                    progress: (@Sendable (Int) -> Void)? = nil,
                    isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> SensitivityResult {
        let t = try tornado(trials: trials, seed: seed, threads: threads, progress: progress, isCancelled: isCancelled)
        let offset = (2 * dimensions + 1) * trials
        let s = samples > 0
            ? try sobol(samples: samples, seed: seed, threads: threads, resamples: resamples,
                        progress: progress.map { p in { @Sendable done in p(offset + done) } }, isCancelled: isCancelled)
            : nil
        return SensitivityResult(scenario: family.base, inputs: family.inputs.inputs, metric: metric, seed: seed,
                                 trialsPerPoint: trials, tornado: t, sobol: s,
                                 correlationsIgnored: !family.inputs.correlations.isEmpty)
    }
}

/// Everything a sensitivity report needs.
public struct SensitivityResult: Sendable {
    /// The scenario at the inputs' medians.
    public let scenario: Scenario
    /// The uncertain inputs, in the order of `sobol.inputs` (the tornado's bars are sorted).
    public let inputs: [UncertainInput]
    public let metric: SensitivityMetric
    public let seed: UInt64
    /// Trials per tornado point.
    public let trialsPerPoint: Int
    public let tornado: Tornado
    /// Nil when no Sobol samples were asked for.
    public let sobol: SobolAnalysis?
    /// True when the scenario correlates some inputs (both analyses treat them as independent).
    public let correlationsIgnored: Bool

    public init(scenario: Scenario, inputs: [UncertainInput], metric: SensitivityMetric, seed: UInt64, trialsPerPoint: Int,
                tornado: Tornado, sobol: SobolAnalysis?, correlationsIgnored: Bool) {
        self.scenario = scenario
        self.inputs = inputs
        self.metric = metric
        self.seed = seed
        self.trialsPerPoint = trialsPerPoint
        self.tornado = tornado
        self.sobol = sobol
        self.correlationsIgnored = correlationsIgnored
    }
}

/// A model reduced to one of its output columns, so that the engine keeps statistics of that
/// column only (bit for bit the column's statistics in a full run).
struct ColumnModel<Inner: TrialModel>: TrialModel {
    let inner: Inner
    let column: Int

    init(_ inner: Inner, column: Int) {
        precondition(column >= 0 && column < inner.outputWidth)
        self.inner = inner
        self.column = column
    }

    var streamNames: [String] { inner.streamNames }
    var outputWidth: Int { 1 }

    struct Scratch {
        var inner: Inner.Scratch
        var row: [Double]
    }

    func makeScratch() -> Scratch { Scratch(inner: inner.makeScratch(), row: .init(repeating: .nan, count: inner.outputWidth)) }

    func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        simulate(trial: 0, seed: 0, streams: streams, scratch: &scratch, into: out)
    }

    func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                  into out: UnsafeMutableBufferPointer<Double>) {
        scratch.row.withUnsafeMutableBufferPointer { row in
            inner.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch.inner, into: row)
        }
        out[0] = scratch.row[column]
    }
}
