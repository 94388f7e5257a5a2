import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Fit on the data before a cut-off date, forecast the months after it and set the actual active subscribers and MRR against the forecast.",
        discussion: """
        The data as they stood on the cut-off date (later subscriptions, ends, tickets, resolutions and activations unknown) are fitted as `subcast fit` does; the fitted scenario forecasts the whole months from the cut-off to the as-of date, estimation uncertainty included; each month's actual active subscribers and MRR are set against the forecast's P5 ... P95: coverage, the log score and a chart.

        Examples:
          subcast backtest subscriptions.csv --as-of 2026-10-31 --cutoff 2025-10-31 \\
              --tickets tickets.csv --activations activations.csv --report backtest.html
        """
    )

    @Argument(help: "A subscriptions export (id, start, end (empty if active), optional plan and amount).")
    var file: String

    @Option(name: .customLong("as-of"), help: "The date the exports were taken (YYYY-MM-DD): the end of the backtest.")
    var asOf: String?

    @Option(help: "The cut-off date (YYYY-MM-DD): fit on what was known then, forecast from there.")
    var cutoff: String?

    @Flag(name: .customLong("by-plan"), help: "Fit each plan's churn separately.")
    var byPlan = false

    @OptionGroup var customer: CustomerDataOptions

    @Option(help: "Monte Carlo trials of the forecast.")
    var trials: Int = 1000

    @Option(help: "Root seed of the forecast.")
    var seed: UInt64 = 1

    @Option(help: "Worker threads (default: all cores); the results do not depend on it.")
    var threads: Int?

    @Option(help: "Write the month-by-month comparison as CSV to this file.")
    var out: String?

    @Option(help: "Write a self-contained HTML page with the forecast fans and the actuals to this file.")
    var report: String?

    @Option(name: .customLong("scenario-out"), help: "Write the scenario fitted on the cut-off date (the one forecast with) to this file.")
    var scenarioOut: String?

    func run() throws {
        func bad(_ key: String, _ message: String) -> ExitCode {
            fail(ScenarioError(file: "<command line>", keyPath: key, message: message).description, code: ExitStatus.badInput)
        }
        let options = try customer.options(asOf: asOf, byPlan: byPlan)
        guard let text = cutoff else { throw bad("--cutoff", "the backtest needs a cut-off date, e.g. --cutoff 2025-10-31") }
        guard let cut = CalendarDate(parsing: text) else { throw bad("--cutoff", "expected a date YYYY-MM-DD, got '\(text)'") }
        guard cut.adding(months: 1) <= options.asOf else {
            throw bad("--cutoff", "expected a date at least one month before the as-of date \(options.asOf), got \(cut)")
        }
        guard (10...1_000_000).contains(trials) else { throw bad("--trials", "expected 10 ... 1000000, got \(trials)") }
        if let t = threads, !(1...1024).contains(t) { throw bad("--threads", "expected 1 ... 1024, got \(t)") }
        let data: CustomerData
        do {
            data = try CustomerData.read(subscriptions: file, tickets: customer.tickets, activations: customer.activations,
                                         planChanges: customer.planChanges, options: options, cutoff: cut)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        if data.customers.isEmpty { throw bad("--cutoff", "no subscription started on or before \(cut)") }
        let result: Backtest
        do {
            result = try Backtest.run(data, asOf: options.asOf, trials: trials, seed: seed,
                                      threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        } catch let e as SBGFit.FitError {
            throw fail("\(file): cannot fit the data as of \(cut): \(e.message)", code: ExitStatus.badInput)
        } catch {
            throw fail("\(error)", code: ExitStatus.runtimeFailure)
        }
        var outputs = OutputPlan(inputs: data.files)
        var contents: [String: String] = [:]
        do {
            if let path = out {
                try outputs.add(file: path, role: "--out")
                contents[path] = BacktestReport.csv(result)
            }
            if let path = report {
                try outputs.add(file: path, role: "--report")
                contents[path] = BacktestReport.html(result)
            }
            if let path = scenarioOut {
                try outputs.add(file: path, role: "--scenario-out")
                contents[path] = result.scenario
            }
            try outputs.commit(contents)
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        try writeStandardOutput(BacktestReport.table(result))
    }
}
