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

        With --breach "METRIC < VALUE", a reverse stress test instead: the probability of the \
        breach over --trials trials, and for each uncertain input its distribution in the \
        breaching trials against all trials, ranked by the Kolmogorov-Smirnov distance between \
        breaching and other trials (which input regions lead to the breach).

        Examples:
          subcast sensitivity pricing.yaml --metric mrr --month 24
          subcast sensitivity pricing.yaml --metric cltv --samples 2048 --seed 7
          subcast sensitivity pricing.yaml --metric active --out tornado.csv
          subcast sensitivity pricing.yaml --breach "cash_trough < -200000"
        """
    )

    @Argument(help: "The scenario file (.yaml, .yml or .json), with some uncertain inputs.")
    var scenario: String

    @Option(help: "The metric to analyse: a monthly metric (mrr, active, ...) or a per-trial one (cltv, ...); not needed with --breach.")
    var metric: String?

    @Option(help: "A reverse stress test instead: \"METRIC[@MONTH] < VALUE\" (or <=, >, >=), e.g. \"cash_trough < -200000\": how likely the breach is and which inputs lead to it.")
    var breach: String?

    @Option(parsing: .unconditional, help: "The month of a monthly --metric, from 1 (default: the horizon).")
    var month: Int?

    @Option(parsing: .unconditional, help: "Sobol rows N, each costing (inputs + 3) trials; 0 skips the Sobol indices.")
    var samples: Int = Sensitivity.defaultSamples

    @Option(parsing: .unconditional, help: "Trials per tornado point (default: the scenario's `trials`).")
    var trials: Int?

    @OptionGroup var common: SimulationOptions

    @OptionGroup var output: OutputFileOptions

    @Option(help: "Also write a self-contained HTML report (a tornado chart and the Sobol indices as bars) to this file.")
    var report: String?

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

    /// `cash_trough < -200000`, `mrr@24 >= 1e6`.
    static func parseBreach(_ text: String, models: [ForecastModel]) throws(ScenarioError) -> StressTest.Breach {
        func bad(_ why: String) -> ScenarioError {
            ScenarioError(file: "<command line>", keyPath: "--breach", message: why + "; expected \"METRIC[@MONTH] < VALUE\" (or <=, >, >=), e.g. \"cash_trough < 0\"")
        }
        let operators: [(String, StressTest.Breach.Comparison)] = [("<=", .atMost), (">=", .atLeast), ("<", .below), (">", .above)]
        for (symbol, comparison) in operators {
            guard let r = text.range(of: symbol) else { continue }
            let left = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let right = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard let value = Double(right), value.isFinite else { throw bad("'\(right)' is not a number") }
            guard let metric = ComparisonModel.resolve(left, in: models) else {
                let (monthly, scalar) = ComparisonModel.commonMetrics(models)
                throw bad("'\(left)' is not a metric the scenario reports (per-trial: \(scalar.joined(separator: ", ")); monthly, "
                          + "as name@month: \(monthly.filter { !$0.hasPrefix("input:") }.joined(separator: ", ")))")
            }
            return StressTest.Breach(metric: metric, comparison: comparison, value: value)
        }
        throw bad("no comparison in '\(text)'")
    }

    func runStressTest(_ breachText: String) throws {
        let family: ScenarioFamily, breach: StressTest.Breach, n: Int, t: Int
        do throws(ScenarioError) {
            family = try ScenarioLoader.loadFamily(path: scenario)
            if family.inputs.inputs.isEmpty {
                throw ScenarioError(file: scenario, message: "the scenario has no uncertain inputs, so no input can lead to the breach; "
                                    + "give some parameters a distribution (Scenarios/README.md, Uncertain inputs)")
            }
            breach = try Self.parseBreach(breachText, models: [ForecastModel(family)])
            n = try SimulationChecks.trials(trials ?? family.base.trials)
            t = try SimulationChecks.threads(common.threads)
            try SimulationChecks.workBound(trials: n, steps: max(ForecastModel(family).stepsPerTrial, 1), threads: t,
                                           allowLarge: common.allowLarge, file: scenario, what: "\(n) trials", advice: "use fewer trials")
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: family.base.seed)
        let outputs = try output.plan(inputs: [scenario])
        let interruption = Interruption()
        let result = try SimulationChecks.simulate(total: n, quiet: common.quiet, interruption: interruption) {
            (progress, isCancelled) throws(SimulationError) in
            try StressTest.run(family, breach: breach, trials: n, seed: rootSeed, threads: t, progress: progress, isCancelled: isCancelled)
        }
        let info = RunInfo(scenarioFile: scenario)
        let text: String
        switch output.format {
        case .table: text = SensitivityReport.stressTable(result, info: info, scenarioName: family.base.name, seed: rootSeed)
        case .csv: text = SensitivityReport.stressCSV(result)
        case .json: text = SensitivityReport.stressJSON(result, info: info, scenarioName: family.base.name, seed: rootSeed)
        }
        try output.write(text, plan: outputs, quiet: common.quiet)
    }

    func validate() throws {
        if metric == nil && breach == nil {
            throw ValidationError("Missing expected argument '--metric <metric>' (the metric to analyse), or give --breach for a stress test.")
        }
    }

    func run() throws {
        if let breach { return try runStressTest(breach) }
        guard let metric else { return }
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
        let outputs = try output.plan(inputs: [scenario], report: report)

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
        var extra: [String: String] = [:]
        if let path = report { extra[path] = SensitivityHTMLReport.render(result, info: info) }
        try output.write(text, plan: outputs, extra: extra, quiet: common.quiet)
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
