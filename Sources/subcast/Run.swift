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
          subcast run Scenarios/established-business.yaml --trials 10000 --seed 7 --out results/
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json
    }

    @Argument(help: "The scenario file (.yaml, .yml or .json).")
    var scenario: String

    @Option(help: "Number of Monte Carlo trials (default: the scenario's `trials`).")
    var trials: Int?

    @Option(help: "Root seed, 0 ... 2^64-1 (default: the scenario's `seed`, else a drawn seed that is printed).")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores). Does not change the results.")
    var threads: Int?

    @Option(help: "Output format on stdout: table, csv or json.")
    var format: Format = .table

    @Option(help: "Also write summary.txt, summary.csv and summary.json into this directory.")
    var out: String?

    @Option(help: "Write a self-contained HTML report with charts to this file.")
    var report: String?

    @Flag(name: .customLong("allow-large"), help: "Run even when the work exceeds the safety bound (about \(Run.drawLimitText) draws).")
    var allowLarge = false

    @Flag(help: "Print nothing on stderr except errors and a drawn seed.")
    var quiet = false

    /// Work bound without --allow-large: 2 x 10^10 binomial draws, about 20 minutes on 2 cores.
    static let drawLimit = 20_000_000_000
    static let drawLimitText = "2e10"
    /// Measured GSL binomial throughput on one core (see README, Benchmarks).
    static let drawsPerSecondPerCore = 8.0e6

    func run() throws {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: self.scenario)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let n = trials ?? scenario.trials
        if !(1...ScenarioLoader.Limits.maximumTrials).contains(n) {
            throw fail(ScenarioError(file: "<command line>", keyPath: "--trials",
                                     message: "expected a whole number from 1 to \(ScenarioLoader.Limits.maximumTrials), got \(n)").description,
                       code: ExitStatus.badInput)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let t = threads ?? cores
        if !(1...1024).contains(t) {
            throw fail(ScenarioError(file: "<command line>", keyPath: "--threads",
                                     message: "expected a whole number from 1 to 1024, got \(t)").description,
                       code: ExitStatus.badInput)
        }
        let rootSeed: UInt64
        if let s = seed ?? scenario.seed {
            rootSeed = s
        } else {
            rootSeed = UInt64.random(in: 0..<(1 << 53))
            note("no seed given; drew seed \(rootSeed) (pass --seed \(rootSeed) to reproduce)")
        }

        // Refuse runs that would take hours unless asked for explicitly.
        let steps = CohortModel(scenario).stepsPerTrial
        let work = n.multipliedReportingOverflow(by: max(steps, 1))
        if !allowLarge && (work.overflow || work.partialValue > Run.drawLimit) {
            let minutes = Double(n) * Double(steps) / Run.drawsPerSecondPerCore / Double(t) / 60
            throw fail(ScenarioError(file: self.scenario, keyPath: "trials",
                                     message: "\(n) trials x \(steps) cohort-months = about \(String(format: "%.2g", Double(n) * Double(steps))) binomial draws "
                                        + "(roughly \(Int(minutes.rounded())) minutes on \(t) thread(s)), above the bound of \(Run.drawLimitText); "
                                        + "use fewer trials or a shorter horizon or lifetime, or pass --allow-large").description,
                       code: ExitStatus.badInput)
        }

        let start = DispatchTime.now()
        let interruption = Interruption()
        let bar = ProgressBar(total: n, enabled: !quiet)
        let progress: (@Sendable (Int) -> Void)? = bar.enabled ? { @Sendable done in bar.update(done) } : nil
        let result: SimulationResult
        do throws(SimulationError) {
            result = try Simulation.run(scenario, trials: n, seed: rootSeed, threads: t,
                                        progress: progress, isCancelled: { interruption.isRequested })
            bar.finish()
        } catch {
            bar.finish()
            if case .cancelled = error { throw fail(error.description, code: ExitStatus.interrupted) }
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !quiet {
            note(String(format: "%d trials in %.2f s (%.0f trials/s) on %d thread%@", n, seconds,
                        Double(n) / max(seconds, 1e-9), t, t == 1 ? "" : "s"))
        }

        let info = RunInfo(scenarioFile: self.scenario)
        let html = report.map { _ in HTMLReport.render(result, info: info) }
        let rendered: [Format: String] = [
            .table: TableReport.render(result, info: info),
            .csv: CSVReport.render(result, info: info),
            .json: JSONReport.render(result, info: info),
        ]
        if let dir = out {
            do {
                try OutputFiles.write([("summary.txt", rendered[.table]!), ("summary.csv", rendered[.csv]!),
                                       ("summary.json", rendered[.json]!)], to: dir)
            } catch {
                throw fail(error.description, code: ExitStatus.runtimeFailure)
            }
            if !quiet { note("wrote summary.txt, summary.csv and summary.json to \(dir)") }
        }
        if let path = report, let html {
            do {
                try OutputFiles.write(html, toFile: path)
            } catch {
                throw fail(error.description, code: ExitStatus.runtimeFailure)
            }
            if !quiet { note("wrote the report \(path)") }
        }
        FileHandle.standardOutput.write(Data(rendered[format]!.utf8))
    }
}
