import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Sensitivity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Which uncertain input matters for a metric: a tornado and Sobol indices.",
        discussion: """
        The scenario needs uncertain inputs (parameters given a distribution, see \
        Scenarios/README.md). Tornado: each input at its P10 and at its P90 with the others at \
        their medians, each point a run of --trials trials on the same random streams (common \
        random numbers), bars sorted by swing. Sobol indices: the share of the metric's variance \
        across trials that each input explains alone (S) and with interactions (S_T), with 95 % \
        bootstrap intervals, from N = --samples rows (N x (inputs + 3) trials); process noise is \
        analysed as one more input, and 1 - sum S is what no input explains alone (process noise \
        and interactions). Results hold no timings: the same inputs and seed give byte-identical \
        output for any --threads value.

        Examples:
          subcast sensitivity pricing.yaml --metric mrr --month 24
          subcast sensitivity pricing.yaml --metric cltv --samples 2048 --seed 7
          subcast sensitivity pricing.yaml --metric active --out tornado.csv
        """
    )

    @Argument(help: "The scenario file (.yaml, .yml or .json), with some uncertain inputs.")
    var scenario: String

    @Option(help: "The metric to analyse: a monthly metric (mrr, active, ...) or a per-trial one (cltv, ...).")
    var metric: String

    @Option(parsing: .unconditional, help: "The month of a monthly --metric, from 1 (default: the horizon).")
    var month: Int?

    @Option(parsing: .unconditional, help: "Sobol rows N, each costing (inputs + 3) trials; 0 skips the Sobol indices.")
    var samples: Int = Sensitivity.defaultSamples

    @Option(parsing: .unconditional, help: "Trials per tornado point (default: the scenario's `trials`).")
    var trials: Int?

    @OptionGroup var common: SimulationOptions

    @OptionGroup var output: OutputFileOptions

    static let defaultSamples = 512
    static let maximumSamples = 1_000_000

    /// Trials per point, Sobol rows and threads after checking the options, and the work bound of
    /// all points and rows together (unless --allow-large), as `subcast run` checks one scenario.
    func checkedSize(_ analysis: ScenarioSensitivity) throws(ScenarioError) -> (trials: Int, samples: Int, threads: Int) {
        let n = try SimulationChecks.trials(trials ?? analysis.family.base.trials)
        if samples != 0 && !(2...Sensitivity.maximumSamples).contains(samples) {
            throw ScenarioError(file: "<command line>", keyPath: "--samples",
                                message: "expected 0 (no Sobol indices) or a whole number from 2 to \(Sensitivity.maximumSamples), got \(samples)")
        }
        let t = try SimulationChecks.threads(common.threads)
        let steps = max(analysis.stepsPerTrial, 1)
        let total = analysis.trialCount(trials: n, samples: samples)
        try SimulationChecks.workBound(trials: total, steps: steps, threads: t, allowLarge: common.allowLarge, file: scenario,
                                       what: "\(total) trials (\(2 * analysis.dimensions + 1) tornado points x \(n)"
                                           + (samples > 0 ? " + \(samples) Sobol rows x \(analysis.dimensions + 3)" : "")
                                           + ") x \(steps) cohort-months",
                                       advice: "use fewer --trials or --samples")
        return (n, samples, t)
    }

    func run() throws {
        let analysis: ScenarioSensitivity
        do {
            let family = try ScenarioLoader.loadFamily(path: scenario)
            do {
                analysis = try ScenarioSensitivity(family, metric: metric, month: month)
            } catch {
                if case .noUncertainInputs = error { throw ScenarioError(file: scenario, message: error.description) }
                throw ScenarioError(file: "<command line>", keyPath: month != nil && error.isAboutMonth ? "--month" : "--metric",
                                    message: error.description)
            }
        } catch let error as ScenarioError {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let n: Int, samples: Int, t: Int
        do {
            (n, samples, t) = try checkedSize(analysis)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: analysis.family.base.seed)
        let outputs = try output.plan(inputs: [scenario])

        let start = DispatchTime.now()
        let interruption = Interruption()
        let total = analysis.trialCount(trials: n, samples: samples)
        let result = try SimulationChecks.simulate(total: total, quiet: common.quiet, interruption: interruption) {
            (progress, isCancelled) throws(SimulationError) in
            try analysis.run(trials: n, samples: samples, seed: rootSeed, threads: t, progress: progress, isCancelled: isCancelled)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !common.quiet {
            note(String(format: "%d trials (%d inputs) in %.2f s (%.0f trials/s) on %d thread%@", total, analysis.dimensions,
                        seconds, Double(total) / max(seconds, 1e-9), t, t == 1 ? "" : "s"))
        }

        let info = RunInfo(scenarioFile: scenario)
        let text: String
        switch output.format {
        case .table: text = SensitivityReport.table(result, info: info)
        case .csv: text = SensitivityReport.csv(result, info: info)
        case .json: text = SensitivityReport.json(result, info: info)
        }
        try output.write(text, plan: outputs, quiet: common.quiet)
    }
}

extension SensitivityError {
    /// True for mistakes in --month rather than --metric.
    var isAboutMonth: Bool {
        switch self {
        case .monthOutOfRange, .monthOfScalar: true
        case .noUncertainInputs, .unknownMetric: false
        }
    }
}
