import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and summarise MRR, subscribers, retention and CLTV.",
        discussion: """
        Results hold no timings, so the same scenario and seed give byte-identical output for any
        --threads value; timings go to stderr.

        Examples:
          subcast run Scenarios/b2b-saas.yaml
          subcast run Scenarios/bench-sbg-cohorts.yaml --format json > bench.json
          subcast run Scenarios/established-business.yaml --trials 10000 \\
              --seed 7 --out results/
          subcast run Scenarios/b2b-saas.yaml --until-rel-se 0.001 \\
              --metric mrr --month 36

        With --until-se or --until-rel-se, trials are added 4,096 at a time until the standard error
        of the chosen metric's mean (at --month, default the horizon) meets the target, or --trials
        (default 1,000,000, kept within the work bound) are done; the trials used are printed, and
        the output is byte-identical to a plain run with that many trials.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The scenario file (.yaml, .yml or .json).")
    var scenario: String

    @Option(parsing: .unconditional, help: "Number of Monte Carlo trials (default: the scenario's `trials`).")
    var trials: Int?

    @OptionGroup var common: SimulationOptions

    @OptionGroup var percentileOptions: PercentileOptions

    @Option(name: .customLong("csv-layout"), help: "The CSV's shape: long (month,metric,statistic,value rows) or wide (one row per month, one column per metric and statistic).")
    var csvLayout: CSVLayout = .long

    @Option(help: "Output format on stdout: table, csv or json.")
    var format: Format = .table

    @Option(name: .customLong("per-trial"), help: "Also write one CSV row per trial to this file: the --per-trial-metrics and every drawn uncertain input (a second pass over the same trials).")
    var perTrial: String?

    @Option(name: .customLong("per-trial-metrics"),
            help: "The metrics of --per-trial, comma-separated: per-trial metrics, name@month, name@total (default: every per-trial metric, and mrr, active and cumulative_revenue at the horizon).")
    var perTrialMetrics: String?

    @Option(help: "Also write summary.txt, summary.csv and summary.json into this directory.")
    var out: String?

    @Option(help: "Write a self-contained HTML report with charts to this file.")
    var report: String?

    @Option(help: "Simulate only shard I of N (I from 0): whole blocks of 4096 trials, for job arrays. Needs --partial.")
    var shard: String?

    @Option(help: "Write this run's mergeable partial result to FILE instead of printing results (see `subcast merge`).")
    var partial: String?

    @Flag(name: .customLong("separate-uncertainty"),
          help: "Also run with every uncertain input at its median (same seed) and report how much of each key metric's spread comes from the inputs and how much from process noise.")
    var separateUncertainty = false

    @Option(name: .customLong("until-se"), parsing: .unconditional, help: "Add trials until the metric's standard error is at most this (its units).")
    var untilSE: Double?

    @Option(name: .customLong("until-rel-se"), parsing: .unconditional, help: "Add trials until the metric's standard error over |mean| is at most this (0.001 = 0.1 %).")
    var untilRelativeSE: Double?

    @Option(help: "The metric that --until-se / --until-rel-se watch (e.g. mrr, active, cltv).")
    var metric: String?

    @Option(parsing: .unconditional, help: "The month of a monthly --metric (default: the horizon).")
    var month: Int?

    /// The most values (trials x columns) a --per-trial file may hold (about 2 GB of CSV).
    static let maximumPerTrialValues = 100_000_000

    /// Default maximum of trials for --until-se / --until-rel-se.
    static let defaultMaximumTrials = 1_000_000

    /// Trials and threads after checking the options against the scenario, and the work bound
    /// (unless --allow-large): runs that would take hours are refused with an estimate. Shared by
    /// the one-process and the MPI paths; `processes` is the number of MPI ranks.
    func checkedSize(_ scenario: Scenario, processes: Int = 1) throws(ScenarioError) -> (trials: Int, threads: Int) {
        var n = trials ?? scenario.trials
        if precision != nil && trials == nil {
            // The default maximum, kept within the work bound unless --allow-large.
            let steps = max(ForecastModel(scenario).stepsPerTrial, 1)
            n = common.allowLarge ? Run.defaultMaximumTrials : max(1, min(Run.defaultMaximumTrials, SimulationChecks.drawLimit / steps))
        }
        n = try SimulationChecks.trials(n)
        let t = try SimulationChecks.threads(common.threads)
        let steps = ForecastModel(scenario).stepsPerTrial
        try SimulationChecks.workBound(trials: n, steps: steps, threads: t, processes: processes, allowLarge: common.allowLarge,
                                       file: self.scenario, what: "\(n) trials x \(steps) cohort-months",
                                       advice: "use fewer trials or a shorter horizon or lifetime")
        return (n, t)
    }

    /// The columns of --per-trial: the --per-trial-metrics (checked against the model), then every
    /// drawn input (`input:NAME`).
    func perTrialColumns(_ model: ForecastModel) throws(ScenarioError) -> [ComparisonMetric] {
        guard perTrial != nil || perTrialMetrics != nil else { return [] }
        if perTrial == nil {
            throw ScenarioError(file: "<command line>", keyPath: "--per-trial-metrics", message: "goes with --per-trial FILE.csv")
        }
        let (monthly, scalar) = ComparisonModel.commonMetrics([model])
        let inputs = scalar.filter { $0.hasPrefix("input:") }
        var texts: [String]
        if let list = perTrialMetrics {
            texts = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            texts = scalar.filter { !$0.hasPrefix("input:") }
                + ["mrr", "active", "cumulative_revenue"].filter { monthly.contains($0) }
        }
        var out: [ComparisonMetric] = []
        for text in texts {
            guard let c = ComparisonModel.resolve(text, in: [model]) else {
                let names = monthly + scalar.filter { !$0.hasPrefix("input:") }
                var message = "'\(text)' is not a metric the scenario reports"
                if let s = ScenarioLoader.closestName(to: text, in: names) { message += "; did you mean '\(s)'?" }
                throw ScenarioError(file: "<command line>", keyPath: "--per-trial-metrics",
                                    message: message + " (per-trial metrics: \(scalar.filter { !$0.hasPrefix("input:") }.joined(separator: ", ")); "
                                        + "monthly metrics as name@month, name@total or name for the horizon month)")
            }
            if !out.contains(c) { out.append(c) }
        }
        for name in inputs where !out.contains(ComparisonMetric(metric: name)) { out.append(ComparisonMetric(metric: name)) }
        return out
    }

    /// The precision target of --until-se / --until-rel-se, checked against the options.
    var precision: Precision? {
        if let x = untilSE { return Precision(target: .standardError(x), metric: metric ?? "", month: month) }
        if let r = untilRelativeSE { return Precision(target: .relativeStandardError(r), metric: metric ?? "", month: month) }
        return nil
    }

    func validatePrecision() throws(ScenarioError) {
        func bad(_ key: String, _ message: String) -> ScenarioError {
            ScenarioError(file: "<command line>", keyPath: key, message: message)
        }
        if untilSE != nil && untilRelativeSE != nil { throw bad("--until-se", "give either --until-se or --until-rel-se, not both") }
        if let x = untilSE, !(x > 0 && x.isFinite) { throw bad("--until-se", "expected a standard error > 0, got \(x)") }
        if let r = untilRelativeSE, !(r > 0 && r < 1) { throw bad("--until-rel-se", "expected a relative standard error between 0 and 1 (0.001 = 0.1 %), got \(r)") }
        if precision == nil {
            if metric != nil || month != nil { throw bad("--metric", "--metric and --month go with --until-se or --until-rel-se") }
            return
        }
        if metric == nil { throw bad("--metric", "--until-se and --until-rel-se need --metric (e.g. --metric mrr --month 36)") }
        if shard != nil || partial != nil { throw bad("--until-se", "a precision target decides the number of trials, so it cannot be split into --shard/--partial runs") }
    }

    func run() throws {
        do {
            try validatePrecision()
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        #if MPI
        // Built with `--traits MPI`: under mpirun with several ranks they split the trials (MPIRun.swift).
        let mpi = MPIWorld.start()
        defer { mpi.finish() }
        if mpi.size > 1 { return try runDistributed(mpi) }
        #endif
        let family: ScenarioFamily
        do {
            family = try ScenarioLoader.loadFamily(path: self.scenario).reporting(percentiles: try percentileOptions.parsed())
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let scenario = family.base
        let n: Int, t: Int
        do {
            (n, t) = try checkedSize(scenario)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        var precisionColumn: Int? = nil
        if let precision {
            switch precision.column(in: ForecastModel(family).layout) {
            case let .success(c): precisionColumn = c
            case let .failure(e):
                throw fail(ScenarioError(file: "<command line>", keyPath: "--metric", message: e.message).description,
                           code: ExitStatus.badInput)
            }
        }
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: scenario.seed)

        var shardIndex = 0, shardCount = 1
        if let text = shard {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let c = Int(parts[1]), c >= 1, c <= 100_000, i >= 0, i < c else {
                throw fail(ScenarioError(file: "<command line>", keyPath: "--shard",
                                         message: "expected I/N with 0 <= I < N (e.g. 0/4 ... 3/4), got '\(text)'").description,
                           code: ExitStatus.badInput)
            }
            guard partial != nil else {
                throw fail(ScenarioError(file: "<command line>", keyPath: "--shard",
                                         message: "a shard's result is partial; give --partial FILE and combine the files with `subcast merge`").description,
                           code: ExitStatus.badInput)
            }
            (shardIndex, shardCount) = (i, c)
        }
        if partial != nil && (out != nil || report != nil) {
            throw fail(ScenarioError(file: "<command line>", keyPath: "--partial",
                                     message: "a partial result is written instead of results; use --out and --report with `subcast merge`").description,
                       code: ExitStatus.badInput)
        }

        let perTrialValues: [ComparisonMetric]
        do throws(ScenarioError) {
            perTrialValues = try perTrialColumns(ForecastModel(family))
            // The rows are held in memory until the file is written: refuse before simulating.
            let values = Double(n) * Double(perTrialValues.count)
            if perTrial != nil && values > Double(Run.maximumPerTrialValues) {
                throw ScenarioError(file: "<command line>", keyPath: "--per-trial",
                                    message: "\(n) trials x \(perTrialValues.count) columns are \(Int(values)) values; at most "
                                        + "\(Run.maximumPerTrialValues) (use fewer trials or --per-trial-metrics)")
            }
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        if perTrial != nil && partial != nil {
            throw fail(ScenarioError(file: "<command line>", keyPath: "--per-trial",
                                     message: "a shard writes a partial result; run --per-trial without --shard/--partial").description,
                       code: ExitStatus.badInput)
        }
        // Every output is checked before simulating (OutputPlan): a bad path costs no simulation.
        var plan = try resultPlan(inputs: [self.scenario], out: out, report: report, partial: partial)
        if let path = perTrial {
            do {
                try plan.add(file: path, role: "--per-trial")
            } catch {
                throw fail(error.description, code: ExitStatus.runtimeFailure)
            }
        }
        let start = DispatchTime.now()
        let interruption = Interruption()
        if let partialPath = partial {
            let blocks = MonteCarloEngine.mergeBlocks(trials: n, shard: shardIndex, of: shardCount)
            let reduction = try SimulationChecks.simulate(total: n, quiet: common.quiet, interruption: interruption) {
                (progress, isCancelled) throws(SimulationError) in
                try MonteCarloEngine.reduce(ForecastModel(family), trials: n, seed: rootSeed, threads: t, mergeBlocks: blocks,
                                            keepBlocks: true, progress: progress, isCancelled: isCancelled)
            }
            guard let text = try? String(contentsOfFile: self.scenario, encoding: .utf8) else {
                throw fail("\(self.scenario): cannot re-read the scenario text", code: ExitStatus.runtimeFailure)
            }
            let p = PartialResult(info: RunInfo(scenarioFile: self.scenario), scenarioText: text, seed: rootSeed, trials: n,
                                  shardIndex: shardIndex, shardCount: shardCount, reduction: reduction)
            do {
                try plan.commit([partialPath: p.encoded()])
            } catch {
                throw fail(error.description, code: ExitStatus.runtimeFailure)
            }
            if !common.quiet {
                let trialsHere = max(0, min(blocks.upperBound * Reduction.mergeBlockSize, n) - blocks.lowerBound * Reduction.mergeBlockSize)
                note("shard \(shardIndex)/\(shardCount): \(trialsHere) of \(n) trials (blocks \(blocks.lowerBound)..<\(blocks.upperBound)) written to \(partialPath)")
            }
            return
        }
        let result: SimulationResult
        var trialsUsed = n
        if let precision, let column = precisionColumn {
            let model = ForecastModel(family)
            let (reduction, met) = try SimulationChecks.simulate(total: n, quiet: common.quiet, interruption: interruption) {
                (progress, isCancelled) throws(SimulationError) in
                try MonteCarloEngine.reduce(model, until: precision, column: column, maximumTrials: n, seed: rootSeed,
                                            threads: t, progress: progress, isCancelled: isCancelled)
            }
            trialsUsed = reduction.trials
            result = Simulation.result(family, seed: rootSeed, reduction: reduction)
            let m = reduction.total[column]
            let se = m.sd / Double(max(m.n, 1)).squareRoot()
            let what = "\(precision.metric)\(model.layout.block(precision.metric)!.kind == .scalar ? "" : " month \(precision.month ?? model.layout.block(precision.metric)!.count)")"
            let target: String
            switch precision.target {
            case let .standardError(x): target = "se <= \(x)"
            case let .relativeStandardError(r): target = "se / |mean| <= \(r)"
            }
            if met {
                note("reached \(target) for \(what) after \(trialsUsed) trials (mean \(m.mean), se \(se))")
            } else {
                note("stopped at the maximum of \(trialsUsed) trials before reaching \(target) for \(what) (mean \(m.mean), se \(se)); raise --trials")
            }
        } else {
            result = try SimulationChecks.simulate(total: n, quiet: common.quiet, interruption: interruption) {
                (progress, isCancelled) throws(SimulationError) in
                try Simulation.run(family, trials: n, seed: rootSeed, threads: t, progress: progress, isCancelled: isCancelled)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !common.quiet {
            note(String(format: "%d trials in %.2f s (%.0f trials/s) on %d thread%@", trialsUsed, seconds,
                        Double(trialsUsed) / max(seconds, 1e-9), t, t == 1 ? "" : "s"))
        }

        var extra: [String: String] = [:]
        if let path = perTrial {
            // The same trials again (the same streams), keeping only the chosen columns.
            let model = CandidatesModel([ForecastModel(family)], values: perTrialValues)
            let matrix = try SimulationChecks.simulate(total: trialsUsed, quiet: true, interruption: interruption) {
                (_, isCancelled) throws(SimulationError) in
                try MonteCarloEngine.run(model, trials: trialsUsed, seed: rootSeed, threads: t, isCancelled: isCancelled)
            }
            extra[path] = PerTrialCSV.render(matrix, names: perTrialValues.map(\.name))
        }
        try emit(result, info: RunInfo(scenarioFile: self.scenario), format: format, out: out, report: report, plan: plan,
                 quiet: common.quiet, csvLayout: csvLayout, extra: extra)
        if separateUncertainty {
            guard !family.isFixed else {
                note("--separate-uncertainty: the scenario has no uncertain inputs, so all of its spread is process noise")
                return
            }
            // The second run shows no progress bar (quiet), as before; Ctrl-C still stops it.
            let fixed = try SimulationChecks.simulate(total: trialsUsed, quiet: true, interruption: interruption) {
                (_, isCancelled) throws(SimulationError) in
                try Simulation.run(family.fixedAtMedians, trials: trialsUsed, seed: rootSeed, threads: t, isCancelled: isCancelled)
            }
            var metrics: [(String, Int?)] = [("mrr", nil), ("active", nil), ("cumulative_revenue", nil), ("cltv", nil)]
            if let m = metric, !metrics.contains(where: { $0.0 == m }) { metrics.append((m, month)) }
            let text = VarianceSplitReport.render(VarianceSplit.compute(total: result, fixed: fixed, metrics: metrics),
                                                  inputs: family.inputs.inputs.count, trials: trialsUsed)
            if format == .table {
                try writeStandardOutput("\n" + text)
            } else {
                StandardStreams.writeError(text)
            }
        }
    }
}

/// Renders a result in every format, writes the requested files atomically (all rendering
/// first, so a failure writes nothing) and prints the chosen format. Shared by `run` and `merge`.
func emit(_ result: SimulationResult, info: RunInfo, format: Run.Format, out: String?, report: String?, plan: OutputPlan,
          quiet: Bool, csvLayout: CSVLayout = .long, extra: [String: String] = [:]) throws {
    let html = report.map { _ in HTMLReport.render(result, info: info) }
    let rendered: [Run.Format: String] = [
        .table: TableReport.render(result, info: info),
        .csv: csvLayout == .wide ? CSVReport.renderWide(result, info: info) : CSVReport.render(result, info: info),
        .json: JSONReport.render(result, info: info),
    ]
    var contents: [String: String] = [:]
    if let dir = out {
        for (name, f) in [("summary.txt", Run.Format.table), ("summary.csv", .csv), ("summary.json", .json)] {
            contents[(dir as NSString).appendingPathComponent(name)] = rendered[f]!
        }
    }
    if let path = report, let html { contents[path] = html }
    for (path, text) in extra { contents[path] = text }
    do {
        try plan.commit(contents)
    } catch {
        throw fail(error.description, code: ExitStatus.runtimeFailure)
    }
    if !quiet, let dir = out { note("wrote summary.txt, summary.csv and summary.json to \(dir)") }
    if !quiet, let path = report { note("wrote the report \(path)") }
    if !quiet { for path in extra.keys.sorted() { note("wrote \(path)") } }
    try writeStandardOutput(rendered[format]!)
}

/// `--csv-layout`: the CSV's shape.
enum CSVLayout: String, ExpressibleByArgument, CaseIterable {
    /// `month,metric,statistic,value` rows (the default).
    case long
    /// One row per month, one column per metric and statistic.
    case wide
}

/// The outputs of `run` and `merge` (`--out` directory, `--report`, `--partial`), checked
/// against each other and the command's inputs before any work (exit 1 when refused, as any write failure).
func resultPlan(inputs: [String], out: String?, report: String?, partial: String?) throws -> OutputPlan {
    var plan = OutputPlan(inputs: inputs)
    do {
        if let dir = out { try plan.add(directory: dir, names: ["summary.txt", "summary.csv", "summary.json"], role: "--out") }
        if let path = report { try plan.add(file: path, role: "--report") }
        if let path = partial { try plan.add(file: path, role: "--partial") }
    } catch {
        throw fail(error.description, code: ExitStatus.runtimeFailure)
    }
    return plan
}

/// Writes to standard output; a closed pipe or a full disk exits 1 with a message.
func writeStandardOutput(_ text: String) throws {
    do {
        try StandardStreams.writeOut(text)
    } catch {
        throw fail(error.description, code: ExitStatus.runtimeFailure)
    }
}
