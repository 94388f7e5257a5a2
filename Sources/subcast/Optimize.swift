import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the scenario's decisions for the best objective under chance constraints, on common random numbers.",
        discussion: """
        The scenario lists `decisions:` (keys with candidate values), an `objective:` and optional \
        `constraints:` (see Scenarios/README.md, Optimising). Every combination of decision values \
        is a candidate, simulated on the same trial streams (above 1000 candidates a coordinate \
        search explores the space, one decision at a time, coarse to fine, and passes its best 12 \
        on; it finds a local optimum); the leading candidates then get more \
        trials (doubling, up to --max-trials) until the best is identified with the probability of \
        correct selection the objective asks for (95 % by default). The report gives the best \
        decision with its objective and interval, the runner-up, that probability, and whether \
        each constraint holds with its estimated probability. The same seed gives the same bytes \
        on any --threads value.

        Examples:
          subcast optimize Scenarios/switch-to-subscription.yaml
          subcast optimize plan.yaml --trials 400 --max-trials 6400 --format json
          subcast optimize plan.yaml --out optimum.csv --report optimum.html
        """
    )

    @Argument(help: "A scenario file with `decisions:` and `objective:`.")
    var scenario: String

    @Option(parsing: .unconditional, help: "Trials of the first stage, for every candidate (default: the scenario's `trials`).")
    var trials: Int?

    @Option(name: .customLong("max-trials"), parsing: .unconditional,
            help: "The most trials a leading candidate gets in the selection stage (default: 8 x --trials).")
    var maxTrials: Int?

    enum SearchMethod: String, ExpressibleByArgument, CaseIterable {
        case auto, exhaustive, coordinate
    }

    @Option(help: "How to search: exhaustive (every candidate), coordinate (a coordinate search, then the selection among the best 12 it found) or auto (exhaustive up to 1000 candidates).")
    var search: SearchMethod = .auto

    @OptionGroup var common: SimulationOptions

    @OptionGroup var output: OutputFileOptions

    @Option(help: "Also write a self-contained HTML report (the answer in words, the objective over the candidates, the table) to this file.")
    var report: String?

    func run() throws {
        let space: ScenarioLoader.OptimizationSpace
        do {
            space = try ScenarioLoader.loadOptimizationSpace(path: scenario)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let problem = space.problem
        let exhaustive: [Variant]?
        switch search {
        case .auto: exhaustive = space.candidates
        case .coordinate: exhaustive = nil
        case .exhaustive:
            guard let all = space.candidates else {
                throw fail(ScenarioError(file: scenario, keyPath: "decisions",
                                         message: "the decisions make \(problem.candidateCount) candidates; an exhaustive search takes at "
                                             + "most \(ScenarioLoader.maximumCandidates) (use --search coordinate)").description,
                           code: ExitStatus.badInput)
            }
            exhaustive = all
        }
        let outputs = try output.plan(inputs: [scenario], report: report)
        let middle = space.middle
        let base = middle.scenario
        let n: Int, limit: Int, t: Int
        let finalists = 12
        // Candidates simulated together in one stage: all of them, or a search's longest line.
        let width = exhaustive?.count ?? max(finalists, CoordinateSearch.coarsePoints + 1)
        do throws(ScenarioError) {
            n = try SimulationChecks.trials(trials ?? base.trials)
            if n < 2 { throw ScenarioError(file: "<command line>", keyPath: "--trials", message: "expected at least 2 trials, got \(n)") }
            limit = try SimulationChecks.trials(maxTrials ?? min(8 * n, ScenarioLoader.Limits.maximumTrials))
            if limit < n {
                throw ScenarioError(file: "<command line>", keyPath: "--max-trials",
                                    message: "expected at least the first stage's trials (\(n)), got \(limit)")
            }
            t = try SimulationChecks.threads(common.threads)
            // A search's batch: its largest candidate among the middle one and each decision at
            // its ends (a decision can switch latent classes or annual billing on), times the width.
            let largest = space.largestStepsPerTrial
            let steps = exhaustive.map { $0.reduce(0) { $0 + $1.model.stepsPerTrial } } ?? largest * width
            try SimulationChecks.workBound(trials: n, steps: steps, threads: t, allowLarge: common.allowLarge, file: scenario,
                                           what: "\(n) trials x \(width) candidates", advice: "use fewer trials or candidates")
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let rootSeed = SimulationChecks.rootSeed(common.seed, scenario: base.seed)
        let start = DispatchTime.now()
        let interruption = Interruption()
        let result: Optimizer.Result
        if let candidates = exhaustive {
            let models = candidates.map(\.model)
            let total = n * candidates.count
            result = try SimulationChecks.simulate(total: total, quiet: common.quiet, interruption: interruption) {
                (progress, isCancelled) throws(SimulationError) in
                try Optimizer.run(problem, models: models, trials: n, maxTrials: limit, seed: rootSeed, threads: t,
                                  progress: progress.map { p in { @Sendable k in p(min(k, total)) } }, isCancelled: isCancelled)
            }
        } else {
            // The bar counts an estimate of the work: two passes and a first selection stage.
            let total = n * (2 * CoordinateSearch.evaluationsPerPass(problem) + finalists)
            let bar = ProgressBar(total: total, enabled: !common.quiet)
            defer { bar.finish() }
            let progress: (@Sendable (Int) -> Void)? = bar.enabled ? { @Sendable k in bar.update(min(k, total)) } : nil
            do {
                result = try CoordinateSearch.run(problem, trials: n, maxTrials: limit, seed: rootSeed, threads: t,
                                                  finalists: finalists, progress: progress,
                                                  isCancelled: { interruption.isRequested }) { indices in
                    try space.candidate(indices).model
                }
            } catch let error as SimulationError {
                throw fail(error.description, code: error.exitStatus)
            } catch let error as ScenarioError {
                throw fail(error.description, code: ExitStatus.badInput)
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !common.quiet {
            note(String(format: "%d candidate-trials (%d candidates simulated) in %.2f s on %d thread%@", result.candidateTrials,
                        result.search?.explored.count ?? result.candidates.count, seconds, t, t == 1 ? "" : "s"))
        }
        let context = OptimizeReport.Context(info: RunInfo(scenarioFile: scenario), scenarioName: base.name,
                                             currency: base.currency, seed: rootSeed)
        let text: String
        switch output.format {
        case .table: text = OptimizeReport.table(result, context)
        case .csv: text = OptimizeReport.csv(result, context)
        case .json: text = OptimizeReport.json(result, context)
        }
        var extra: [String: String] = [:]
        if let path = report { extra[path] = OptimizeHTMLReport.render(result, context) }
        try output.write(text, plan: outputs, extra: extra, quiet: common.quiet)
    }
}
