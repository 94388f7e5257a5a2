import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

/// The options every simulating command (`run`, `compare`, `sensitivity`) takes, declared once.
struct SimulationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Root seed, 0 ... 2^64-1 (default: the scenario's `seed` (the base's when comparing), else a drawn seed that is printed).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores). Does not change the results.")
    var threads: Int?

    @Flag(name: .customLong("allow-large"), help: "Run even when the work exceeds the safety bound (about \(SimulationChecks.drawLimitText) draws).")
    var allowLarge = false

    @Flag(help: "Print nothing on stderr except errors and a drawn seed.")
    var quiet = false
}

/// `--percentiles 10,50,90`: percentiles reported beside (or, in tables, instead of) the
/// standard P5, P50 and P95.
struct PercentileOptions: ParsableArguments {
    @Option(help: "Percentiles to report, in per cent, e.g. 10,50,90 (CSV and JSON add them to p5 ... p95; tables show them instead of P5, P50, P95).")
    var percentiles: String?

    /// At most this many percentiles.
    static let maximumCount = 25

    /// The percentiles asked for (empty without the option).
    func parsed() throws(ScenarioError) -> [Double] {
        guard let text = percentiles else { return [] }
        var out: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let x = Double(t), x > 0, x < 100, x.isFinite else {
                throw ScenarioError(file: "<command line>", keyPath: "--percentiles",
                                    message: "expected percentiles between 0 and 100 (exclusive) separated by commas, e.g. 10,50,90; got '\(t)'")
            }
            if !out.contains(x) { out.append(x) }
        }
        out.sort()
        if out.count > Self.maximumCount {
            throw ScenarioError(file: "<command line>", keyPath: "--percentiles",
                                message: "expected at most \(Self.maximumCount) percentiles, got \(out.count)")
        }
        return out
    }
}

/// The output options of a command that writes one document (`compare`, `sensitivity`).
struct OutputFileOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: table, csv or json (default: from the --out file's extension, else table).")
    var givenFormat: Run.Format?

    @Option(help: "Write the output to this file (atomically) instead of stdout.")
    var out: String?

    /// The output format: --format, else the --out file's extension, else a table.
    var format: Run.Format {
        if let givenFormat { return givenFormat }
        switch out.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "csv": return .csv
        case "json": return .json
        default: return .table
        }
    }

    /// The command's outputs (--out and an optional --report), checked against each other and
    /// the command's `inputs` before any work (exit 1 when refused, as any write failure).
    func plan(inputs: [String], report: String? = nil) throws -> OutputPlan {
        var plan = OutputPlan(inputs: inputs)
        do {
            if let out { try plan.add(file: out, role: "--out") }
            if let report { try plan.add(file: report, role: "--report") }
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        return plan
    }

    /// Writes the rendered output to --out or, without --out, to stdout, together with the other
    /// planned files (`extra`, by path): all files are committed at once (`OutputPlan`).
    func write(_ text: String, plan: OutputPlan, extra: [String: String] = [:], quiet: Bool) throws {
        var contents = extra
        if let out { contents[out] = text }
        do {
            try plan.commit(contents)
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        if let path = out {
            if !quiet { note("wrote \(path)") }
        } else {
            try writeStandardOutput(text)
        }
        if !quiet { for path in extra.keys.sorted() { note("wrote the report \(path)") } }
    }
}

/// The checks and defaults that every simulating command (`run`, `compare`, `sensitivity`)
/// applies to its options, in one place so that the commands cannot drift apart: the range of
/// --trials and --threads, the work bound that --allow-large lifts, the root seed, and the
/// output format chosen from --format or the --out file's extension.
enum SimulationChecks {
    /// Work bound without --allow-large: 2 x 10^10 binomial draws, about 20 minutes on 2 cores.
    static let drawLimit = 20_000_000_000
    static let drawLimitText = "2e10"
    /// Measured GSL binomial throughput on one core (see README, Benchmarks).
    static let drawsPerSecondPerCore = 8.0e6
    /// Most worker threads a command accepts.
    static let maximumThreads = 1024

    /// `n` if it is a valid number of trials.
    static func trials(_ n: Int) throws(ScenarioError) -> Int {
        if !(1...ScenarioLoader.Limits.maximumTrials).contains(n) {
            throw ScenarioError(file: "<command line>", keyPath: "--trials",
                                message: "expected a whole number from 1 to \(ScenarioLoader.Limits.maximumTrials), got \(n)")
        }
        return n
    }

    /// --threads, or all cores.
    static func threads(_ given: Int?) throws(ScenarioError) -> Int {
        let t = given ?? ProcessInfo.processInfo.activeProcessorCount
        if !(1...maximumThreads).contains(t) {
            throw ScenarioError(file: "<command line>", keyPath: "--threads",
                                message: "expected a whole number from 1 to \(maximumThreads), got \(t)")
        }
        return t
    }

    /// Refuses, unless `allowLarge`, work above `drawLimit`: `trials` x `steps` draws, with an
    /// estimate of the time on `threads` threads x `processes` processes.
    /// - Parameters:
    ///   - what: how the draws add up, e.g. "2000 trials x 14400 cohort-months".
    ///   - advice: what to change, e.g. "use fewer trials or strategies".
    static func workBound(trials: Int, steps: Int, threads: Int, processes: Int = 1, allowLarge: Bool,
                          file: String, what: String, advice: String) throws(ScenarioError) {
        let work = trials.multipliedReportingOverflow(by: max(steps, 1))
        guard !allowLarge && (work.overflow || work.partialValue > drawLimit) else { return }
        let draws = Double(trials) * Double(steps)
        let minutes = draws / drawsPerSecondPerCore / Double(threads * processes) / 60
        let on = processes > 1 ? "\(processes) ranks x \(threads) thread(s)" : "\(threads) thread(s)"
        throw ScenarioError(file: file, keyPath: "trials",
                            message: "\(what) = about \(String(format: "%.2g", draws)) binomial draws "
                                + "(roughly \(Int(minutes.rounded())) minutes on \(on)), above the bound of \(drawLimitText); "
                                + "\(advice), or pass --allow-large")
    }

    /// The root seed: --seed, else the scenario's, else a drawn one that is printed so that the
    /// run can be reproduced (printed even with --quiet).
    static func rootSeed(_ given: UInt64?, scenario: UInt64?) -> UInt64 {
        if let s = given ?? scenario { return s }
        let drawn = UInt64.random(in: 0..<(1 << 53))
        note("no seed given; drew seed \(drawn) (pass --seed \(drawn) to reproduce)")
        return drawn
    }

    /// Runs the engine as every simulating command does on a terminal: a progress bar over
    /// `total` trials (not with --quiet, only when stderr is a terminal, cleared afterwards),
    /// Ctrl-C stopping the run between blocks through `interruption`, and the engine's errors
    /// turned into exit statuses (`SimulationError.exitStatus`).
    static func simulate<T>(total: Int, quiet: Bool, interruption: Interruption,
                            _ body: (_ progress: (@Sendable (Int) -> Void)?, _ isCancelled: @escaping @Sendable () -> Bool)
                                throws(SimulationError) -> T) throws -> T {
        let bar = ProgressBar(total: total, enabled: !quiet)
        defer { bar.finish() }
        let progress: (@Sendable (Int) -> Void)? = bar.enabled ? { @Sendable done in bar.update(done) } : nil
        do throws(SimulationError) {
            return try body(progress, { interruption.isRequested })
        } catch {
            throw fail(error.description, code: error.exitStatus)
        }
    }

}

extension SimulationError {
    /// The exit status of a run that failed with this error: 130 when interrupted, else 2 (the
    /// engine's other errors are about the size of the requested work).
    var exitStatus: Int32 {
        if case .cancelled = self { return ExitStatus.interrupted }
        return ExitStatus.badInput
    }
}
