import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct GoalSeekCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goal-seek",
        abstract: "Find the value of one input at which a statistic of a metric reaches a target.",
        discussion: """
        Varies --vary KEY (any key a variant may set) inside --between LOW HIGH until the statistic \
        of the metric given by --target equals its value, with GSL's Brent root finder. Every \
        evaluation simulates the same trials on the same random streams, so the statistic is a \
        fixed function of the input; the report gives the value found, its Monte Carlo standard \
        error (the statistic's standard error over its slope) and the statistic reached. \
        --target is STAT:METRIC=VALUE with STAT mean, a percentile pNN or probability_above(X) \
        (the share of trials with METRIC > X), and METRIC a per-trial metric, name@month or \
        name@total (STAT: may be left out for the mean).

        Examples:
          subcast goal-seek plan.yaml --vary plans.basic.churn.mean_per_month \\
              --target p50:arr@36=2000000 --between 0.01 0.1
          subcast goal-seek plan.yaml --vary acquisition.new_per_month \\
              --target "probability_above(0):cash_trough=0.9" --between 10 500
          subcast goal-seek plan.yaml --vary support.agents \\
              --target mean:npv=1000000 --between 1 10 --format json
          subcast goal-seek plan.yaml --vary acquisition.new_per_month \\
              --target active@12=5000 --between 100 1000 --report goal.html
        """
    )

    @Argument(help: "The scenario file.")
    var scenario: String

    @Option(help: "The key to vary, e.g. acquisition.new_per_month.")
    var vary: String

    @Option(help: "STAT:METRIC[@MONTH]=VALUE, e.g. p50:arr@36=2000000 or probability_above(0):cash_trough=0.9.")
    var target: String

    @Option(parsing: .upToNextOption,
            help: "The bracket LOW HIGH searched; the statistic must cross the target inside it (a negative LOW as --between=-5 10).")
    var between: [String]

    @Option(parsing: .unconditional, help: "Trials of every evaluation (default: the scenario's `trials`).")
    var trials: Int?

    @OptionGroup var common: SimulationOptions

    @OptionGroup var output: OutputFileOptions

    @Option(help: "Also write a self-contained HTML report (the answer in words, the statistic over the input, the evaluations) to this file.")
    var report: String?

    static func parseTarget(_ text: String, models: [ForecastModel]) throws(ScenarioError) -> GoalSeek.Target {
        func bad(_ why: String) -> ScenarioError {
            ScenarioError(file: "<command line>", keyPath: "--target", message: why + "; expected STAT:METRIC=VALUE, e.g. p50:arr@36=2000000")
        }
        guard let eq = text.lastIndex(of: "=") else { throw bad("no '=VALUE' in '\(text)'") }
        let valueText = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        guard let value = Double(valueText), value.isFinite else { throw bad("'\(valueText)' is not a number") }
        let left = text[..<eq]
        var statText = "mean", metricText = String(left)
        if let colon = left.firstIndex(of: ":") {
            statText = left[..<colon].trimmingCharacters(in: .whitespaces)
            metricText = left[left.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let statistic: OptimizationProblem.Statistic
        if statText == "mean" {
            statistic = .mean
        } else if statText.hasPrefix("probability_above(") && statText.hasSuffix(")"),
                  let x = Double(statText.dropFirst("probability_above(".count).dropLast()), x.isFinite {
            statistic = .probabilityAbove(x)
        } else if statText.hasPrefix("p"), let q = Double(statText.dropFirst()), q > 0, q < 100 {
            statistic = .quantile(q / 100)
        } else {
            throw bad("unknown statistic '\(statText)' (mean, p1 ... p99 or probability_above(X))")
        }
        guard let metric = ComparisonModel.resolve(metricText, in: models) else {
            let (monthly, scalar) = ComparisonModel.commonMetrics(models)
            throw bad("'\(metricText)' is not a metric the scenario reports (per-trial: \(scalar.joined(separator: ", ")); "
                      + "monthly, as name@month or name@total: \(monthly.joined(separator: ", ")))")
        }
        return GoalSeek.Target(metric: metric, statistic: statistic, value: value)
    }

    func run() throws {
        let base: ScenarioLoader.Base, goal: GoalSeek.Target, lower: Double, upper: Double, n: Int, t: Int
        var wholeNumbers = false
        do throws(ScenarioError) {
            base = try ScenarioLoader.loadBase(path: scenario)
            let ends = between.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map { Double($0) }
            guard ends.count == 2, let lo = ends[0], let hi = ends[1], lo.isFinite, hi.isFinite, lo < hi else {
                throw ScenarioError(file: "<command line>", keyPath: "--between",
                                    message: "expected two numbers LOW HIGH with LOW < HIGH, got '\(between.joined(separator: " "))'")
            }
            (lower, upper) = (lo, hi)
            // Both ends must be valid values of the key (checked like a variant's override).
            let endVariants = [try ScenarioLoader.variant(of: base, setting: vary, to: lower, option: "--vary"),
                               try ScenarioLoader.variant(of: base, setting: vary, to: upper, option: "--vary")]
            goal = try Self.parseTarget(target, models: endVariants.map(\.model))
            // A key that takes whole numbers only refuses a value between two (agents may be
            // fractional; months, counts and seats are not): then the search stays on whole numbers.
            let between = lower + (upper - lower) * 0.3719
            if between != between.rounded() {
                do throws(ScenarioError) { _ = try ScenarioLoader.variant(of: base, setting: vary, to: between, option: "--vary") } catch {
                    if error.message.contains("whole number") { wholeNumbers = true } else { throw error }
                }
            }
            n = try SimulationChecks.trials(trials ?? base.family.base.trials)
            if n < 2 { throw ScenarioError(file: "<command line>", keyPath: "--trials", message: "expected at least 2 trials, got \(n)") }
            t = try SimulationChecks.threads(common.threads)
            try SimulationChecks.workBound(trials: n * 30, steps: endVariants[0].model.stepsPerTrial, threads: t, allowLarge: common.allowLarge,
                                           file: scenario, what: "about 30 evaluations x \(n) trials", advice: "use fewer trials")
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let outputs = try output.plan(inputs: [scenario], report: report)
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: base.family.base.seed)
        let interruption = Interruption()
        let key = vary
        var invalid: ScenarioError? = nil
        let result: GoalSeek.Result
        do throws(GoalSeek.Failure) {
            result = try GoalSeek.run(target: goal, lower: lower, upper: upper, trials: n, seed: rootSeed, threads: t,
                                      wholeNumbers: wholeNumbers, model: { x in
                                          do throws(ScenarioError) { return try ScenarioLoader.variant(of: base, setting: key, to: x, option: "--vary").model }
                                          catch { invalid = error; return nil }
                                      }, isCancelled: { interruption.isRequested })
        } catch {
            switch error {
            case let .notBracketed(lo, atLo, hi, atHi):
                throw fail("goal-seek: the \(goal.statistic) of \(goal.metric.name) is \(OptimizeReport.plainValue(atLo)) at \(key) = "
                           + "\(OptimizationProblem.plain(lo)) and \(OptimizeReport.plainValue(atHi)) at \(OptimizationProblem.plain(hi)); "
                           + "the target \(OptimizationProblem.plain(goal.value)) is not between them: widen --between", code: ExitStatus.badInput)
            case let .invalidValue(x):
                throw fail(invalid?.description ?? "\(key) = \(x) is not a valid value", code: ExitStatus.badInput)
            case let .simulation(e):
                throw fail(e.description, code: e.exitStatus)
            }
        }
        let info = RunInfo(scenarioFile: scenario)
        let text: String
        switch output.format {
        case .table: text = OptimizeReport.goalSeekTable(result, key: key, info: info, scenarioName: base.family.base.name, seed: rootSeed)
        case .csv: text = OptimizeReport.goalSeekCSV(result, key: key)
        case .json: text = OptimizeReport.goalSeekJSON(result, key: key, info: info, scenarioName: base.family.base.name, seed: rootSeed)
        }
        var extra: [String: String] = [:]
        if let path = report {
            extra[path] = GoalSeekHTMLReport.render(result, key: key, info: info, scenarioName: base.family.base.name,
                                                    currency: base.family.base.currency, seed: rootSeed)
        }
        try output.write(text, plan: outputs, extra: extra, quiet: common.quiet)
    }
}
