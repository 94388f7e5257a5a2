import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

@main
struct Subcast: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subcast",
        abstract: "Monte Carlo forecasts of subscription revenue (MRR, ARR, retention, CLTV) with honest uncertainty.",
        discussion: """
        Scenario files are YAML (or JSON); see Scenarios/README.md for the schema.

        Examples:
          subcast run Scenarios/b2b-saas.yaml
          subcast run Scenarios/bench-sbg-cohorts.yaml --format json \\
              --seed 42 --trials 5000
          subcast run Scenarios/consumer-app.yaml --out results/ --format csv
          subcast fit retention.csv --snippet uncertain
        """,
        version: Simulation.version,
        subcommands: [Run.self, Compare.self, Optimize.self, GoalSeekCommand.self, Sensitivity.self, Fit.self, Score.self, BacktestCommand.self, Validate.self, Init.self, Merge.self]
    )
}

/// Exit codes: 0 success, 1 runtime failure (e.g. cannot write output), 2 bad input
/// (scenario file or option values), 64 unparseable command line, 130 interrupted (Ctrl-C).
enum ExitStatus {
    static let runtimeFailure: Int32 = 1
    static let badInput: Int32 = 2
    static let interrupted: Int32 = 130
}

func fail(_ message: String, code: Int32) -> ExitCode {
    StandardStreams.writeError("subcast: error: \(message)\n")
    return ExitCode(code)
}

func note(_ message: String) {
    StandardStreams.writeError("subcast: \(message)\n")
}
