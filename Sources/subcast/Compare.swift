import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare strategies on common random numbers: a scenario's variants, or several scenario files.",
        discussion: """
        With one file, compares the scenario as written ("base") with each entry of its \
        `variants:` list. With several files, compares the files; the first is the base. Every \
        strategy simulates trial i on the same random streams, so the differences are paired: \
        for each metric the report gives the mean difference from the base with its standard \
        error and 95 % interval, the chance of beating the base and of being the best, and how \
        much of the variance pairing removed. Results hold no timings: the same inputs and seed \
        give byte-identical output for any --threads value.

        Examples:
          subcast compare Scenarios/levers-saas.yaml
          subcast compare Scenarios/levers-saas.yaml --trials 4000 \\
              --metrics mrr,churned@total,cltv
          subcast compare plan-a.yaml plan-b.yaml --format csv --out comparison.csv
        """
    )

    @Argument(help: "A scenario file with `variants:`, or several scenario files (the first is the base).")
    var scenarios: [String]

    @Option(parsing: .unconditional, help: "Number of Monte Carlo trials (default: the base scenario's `trials`).")
    var trials: Int?

    @OptionGroup var common: SimulationOptions

    @OptionGroup var output: OutputFileOptions

    @OptionGroup var percentileOptions: PercentileOptions

    @Option(help: "Also write a self-contained HTML report with charts (value verdicts, cash by strategy, NPV differences) to this file.")
    var report: String?

    @Option(help: "Comma-separated metrics to compare: mrr (at the horizon), mrr@12, churned@total, cltv, ... (default: all; the table shows the main ones).")
    var metrics: String?

    /// Trials and threads after checking the options, and the work bound of all strategies
    /// together (unless --allow-large), as `subcast run` checks one scenario.
    func checkedSize(_ model: ComparisonModel) throws(ScenarioError) -> (trials: Int, threads: Int) {
        let n = try SimulationChecks.trials(trials ?? model.variants[0].scenario.trials)
        let t = try SimulationChecks.threads(common.threads)
        let steps = model.stepsPerTrial
        try SimulationChecks.workBound(trials: n, steps: steps, threads: t, allowLarge: common.allowLarge, file: scenarios[0],
                                       what: "\(n) trials x \(model.variants.count) strategies x "
                                           + "\(steps / max(model.variants.count, 1)) cohort-months",
                                       advice: "use fewer trials or strategies")
        return (n, t)
    }

    /// The strategies and the file each comes from.
    func loadStrategies() throws(ScenarioError) -> (variants: [Variant], files: [String]) {
        if scenarios.count == 1 {
            let variants = try ScenarioLoader.loadVariants(path: scenarios[0])
            if variants.count == 1 {
                throw ScenarioError(file: scenarios[0], keyPath: "variants",
                                    message: "the scenario lists no variants; add a `variants:` list (see README, Comparing strategies) "
                                        + "or give several scenario files to compare")
            }
            return (variants, Array(repeating: scenarios[0], count: variants.count))
        }
        let variants = try ScenarioLoader.loadStrategies(paths: scenarios)
        if !common.quiet {
            for (path, v) in zip(scenarios, variants) where v.scenario.currency != variants[0].scenario.currency {
                note("\(path) is in \(v.scenario.currency), the base in \(variants[0].scenario.currency); amounts are compared as they are")
            }
        }
        return (variants, scenarios)
    }

    /// The comparison metrics chosen with --metrics (nil: all).
    func chosenMetrics(_ models: [ForecastModel]) throws(ScenarioError) -> [ComparisonMetric]? {
        guard let text = metrics else { return nil }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.isEmpty {
            throw ScenarioError(file: "<command line>", keyPath: "--metrics", message: "expected metric names separated by commas, e.g. mrr,cltv")
        }
        var out: [ComparisonMetric] = []
        for name in names {
            guard let c = ComparisonModel.resolve(name, in: models) else {
                let (monthly, scalar) = ComparisonModel.commonMetrics(models)
                let horizon = models[0].layout.block("mrr")?.count ?? 0
                throw ScenarioError(file: "<command line>", keyPath: "--metrics",
                                    message: "'\(name)' is not a metric every strategy reports; monthly metrics (at the horizon, "
                                        + "name@month with month 1 to \(horizon), or name@total): \(monthly.joined(separator: ", ")); "
                                        + "per-trial metrics: \(scalar.joined(separator: ", "))")
            }
            if !out.contains(c) { out.append(c) }
        }
        return out
    }

    func run() throws {
        let variants: [Variant], files: [String]
        do {
            (variants, files) = try loadStrategies()
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        if !common.quiet { for v in variants { for text in v.notes { note("warning: " + text) } } }
        let outputs = try output.plan(inputs: files, report: report)
        let model: ComparisonModel, n: Int, t: Int, percentiles: [Double]
        do {
            percentiles = try percentileOptions.parsed()
            let chosen = try chosenMetrics(variants.map(\.model))
            model = ComparisonModel(variants, metrics: chosen)
            (n, t) = try checkedSize(model)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: variants[0].scenario.seed)

        let start = DispatchTime.now()
        let interruption = Interruption()
        let reduction = try SimulationChecks.simulate(total: n, quiet: common.quiet, interruption: interruption) {
            (progress, isCancelled) throws(SimulationError) in
            try MonteCarloEngine.reduce(model, trials: n, seed: rootSeed, threads: t, progress: progress, isCancelled: isCancelled)
        }
        let result = Comparison.result(model, seed: rootSeed, reduction: reduction, percentiles: percentiles)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !common.quiet {
            note(String(format: "%d trials x %d strategies in %.2f s (%.0f trials/s) on %d thread%@", n, variants.count, seconds,
                        Double(n) / max(seconds, 1e-9), t, t == 1 ? "" : "s"))
        }

        let context = CompareReport.Context(info: RunInfo(scenarioFile: files[0]), files: files, chosenMetrics: metrics != nil)
        let text: String
        switch output.format {
        case .table: text = CompareReport.table(result, context)
        case .csv: text = CompareReport.csv(result, context)
        case .json: text = CompareReport.json(result, context)
        }
        var extra: [String: String] = [:]
        if let path = report { extra[path] = CompareHTMLReport.render(result, context) }
        try output.write(text, plan: outputs, extra: extra, quiet: common.quiet)
    }
}
