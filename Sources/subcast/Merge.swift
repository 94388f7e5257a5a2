import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the partial results of shards into the result of one run.",
        discussion: """
        Each shard is `subcast run SCENARIO --seed S --shard I/N --partial FILE` (I = 0 ... N-1, e.g. a Slurm array task or a Kubernetes indexed job). The merged output is byte-identical to `subcast run SCENARIO --seed S` in one process. Partials of different scenarios, seeds, trial counts, shard counts or Subcast/GSL builds are refused.

        Examples:
          subcast merge part-*.subcast
          subcast merge part-0.subcast part-1.subcast --format json \\
              --out results/ --report forecast.html
        """
    )

    @Argument(help: "The partial result files of every shard.")
    var partials: [String]

    @Option(help: "Output format on stdout: table, csv or json.")
    var format: Run.Format = .table

    @Option(help: "Also write summary.txt, summary.csv and summary.json into this directory.")
    var out: String?

    @Option(help: "Write a self-contained HTML report with charts to this file.")
    var report: String?

    @Flag(help: "Print nothing on stderr except errors.")
    var quiet = false

    @OptionGroup var percentileOptions: PercentileOptions

    @Option(name: .customLong("csv-layout"), help: "The CSV's shape: long (month,metric,statistic,value rows) or wide (one row per month, one column per metric and statistic).")
    var csvLayout: CSVLayout = .long

    func run() throws {
        guard !partials.isEmpty else {
            throw fail("give the partial result files to merge", code: ExitStatus.badInput)
        }
        let plan = try resultPlan(inputs: partials, out: out, report: report, partial: nil)
        let merged: (SimulationResult, RunInfo)
        do {
            var parts: [(path: String, partial: PartialResult)] = []
            for path in partials { parts.append((path, try PartialResult.read(path: path))) }
            merged = try PartialResult.merge(parts, percentiles: try percentileOptions.parsed())
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        try emit(merged.0, info: merged.1, format: format, out: out, report: report, plan: plan, quiet: quiet, csvLayout: csvLayout)
    }
}
