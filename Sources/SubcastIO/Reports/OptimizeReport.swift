import Foundation
import SubcastCore

/// The outputs of `subcast optimize`: a table for people, CSV (one row per candidate) and JSON
/// (`"best": {"decision": {KEY: VALUE, ...}, "objective": S, ...}`). No timings: the same
/// scenario and seed give the same bytes on any number of threads.
public enum OptimizeReport {
    public struct Context {
        public var info: RunInfo
        public var scenarioName: String
        public var currency: String
        public var seed: UInt64
        public init(info: RunInfo, scenarioName: String, currency: String, seed: UInt64) {
            self.info = info
            self.scenarioName = scenarioName
            self.currency = currency
            self.seed = seed
        }
    }

    static func objectiveName(_ p: OptimizationProblem) -> String {
        "\(p.objective.statistic) of \(p.objective.metric.name)"
    }

    static func decision(_ p: OptimizationProblem, _ c: Optimizer.Candidate) -> String {
        zip(p.decisions, c.values).map { "\($0.key) = \(OptimizationProblem.plain($1))" }.joined(separator: ", ")
    }

    static func value(_ s: OptimizationProblem.Statistic, _ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if case .probabilityAbove = s { return NumberFormat.percent(x) }
        return abs(x) >= 100 ? NumberFormat.human(x) : String(format: "%.4g", x)
    }

    static func range(_ d: OptimizationProblem.Decision) -> String {
        let v = d.values
        if v.count > 3, let first = v.first, let last = v.last {
            let step = v[1] - v[0]
            if zip(v.dropFirst(), v).allSatisfy({ abs(($0 - $1) - step) <= 1e-9 * max(abs(step), 1) }) {
                // The step as written (0.029, not 0.028999999999999915).
                let clean = Double(String(format: "%.12g", step)) ?? step
                return "\(d.key) \(OptimizationProblem.plain(first)) ... \(OptimizationProblem.plain(last)) step \(OptimizationProblem.plain(clean)) (\(v.count) values)"
            }
        }
        return "\(d.key) [" + v.map(OptimizationProblem.plain).joined(separator: ", ") + "]"
    }

    public static func table(_ r: Optimizer.Result, _ context: Context) -> String {
        let p = r.problem
        var lines: [String] = []
        lines.append("Subcast \(context.info.subcastVersion) - optimising scenario \"\(context.scenarioName)\" (\(context.info.scenarioFile))")
        lines.append("seed \(context.seed), \(context.info.generator), GSL \(context.info.gslVersion)")
        lines.append(spaceLine(r) + ": " + p.decisions.map(range).joined(separator: "; "))
        if let s = r.search {
            lines.append("Coordinate search: \(s.explored.count) candidates evaluated in \(s.passes) pass\(s.passes == 1 ? "" : "es")"
                         + (s.converged ? " (the last moved no decision)" : " (stopped at \(CoordinateSearch.maximumPasses) passes)")
                         + "; the best \(r.candidates.count) went on to the selection (a local optimum; see --help)")
        }
        lines.append("Objective: \(p.objective.maximize ? "maximise" : "minimise") the \(objectiveName(p))"
                     + (p.objective.indifference > 0 ? " (indifferent below \(OptimizationProblem.plain(p.objective.indifference)))" : ""))
        for c in p.constraints { lines.append("Constraint: \(c)") }
        lines.append("Trials: " + r.stages.map { "\($0.trials) for \($0.candidates) candidate\($0.candidates == 1 ? "" : "s")" }
            .joined(separator: ", then ") + " (common random numbers; \(r.candidateTrials) candidate-trials)")
        lines.append("")
        guard let b = r.best else {
            lines.append("No candidate meets every constraint. Closest (fewest constraints broken, then the objective):")
            for c in r.candidates.sorted(by: { a, b in
                let fa = a.constraints.filter { !$0.holds }.count, fb = b.constraints.filter { !$0.holds }.count
                return fa != fb ? fa < fb : (p.objective.maximize ? a.objective > b.objective : a.objective < b.objective)
            }).prefix(5) {
                lines.append("  \(decision(p, c)): \(objectiveName(p)) \(value(p.objective.statistic, c.objective)); "
                             + zip(p.constraints, c.constraints).map { "\($0.statistic) of \($0.metric.name) \(value($0.statistic, $1.estimate))" }.joined(separator: ", "))
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let best = r.candidates[b]
        lines.append("Best: \(decision(p, best))")
        lines.append("  \(objectiveName(p)) \(value(p.objective.statistic, best.objective)) (95 % interval "
                     + "\(value(p.objective.statistic, best.interval.lower)) - \(value(p.objective.statistic, best.interval.upper)); \(best.trials) trials)")
        lines.append("  probability that it is really the best: at least \(NumberFormat.percent(r.probabilityCorrect))"
                     + (p.objective.indifference > 0 ? " (within \(OptimizationProblem.plain(p.objective.indifference)))" : "")
                     + (r.probabilityCorrect < p.confidence ? "; below the \(NumberFormat.percent(p.confidence)) aimed for: the leaders are too close to tell apart with --max-trials" : ""))
        for (c, res) in zip(p.constraints, best.constraints) {
            lines.append("  \(c): \(value(c.statistic, res.estimate)) (\(res.holds ? "holds" : "broken"); probability it holds \(NumberFormat.percent(res.probabilityHolds)))")
        }
        if let u = r.runnerUp {
            let ru = r.candidates[u]
            lines.append("Runner-up: \(decision(p, ru)): \(objectiveName(p)) \(value(p.objective.statistic, ru.objective))"
                         + (ru.probabilityBetter.map { "; probability it is really better: \(NumberFormat.percent($0))" } ?? ""))
        }
        lines.append("")
        let shown = ranked(r).prefix(20)
        lines.append("Candidates (the best \(shown.count) of \(r.candidates.count)\(r.search == nil ? "" : " finalists"); the objective with its standard error):")
        var rows: [[String]] = [["rank"] + p.decisions.map(\.key) + [objectiveName(p), "+/- se", "trials"]
            + p.constraints.map { "\($0.statistic) \($0.metric.name)" } + ["feasible"]]
        for (i, c) in shown.enumerated() {
            rows.append(["\(i + 1)"] + c.values.map(OptimizationProblem.plain) + [value(p.objective.statistic, c.objective),
                        value(p.objective.statistic, c.standardError), "\(c.trials)"]
                        + c.constraints.map { _ in "" } + [c.feasible ? "yes" : "no"])
            for (j, res) in c.constraints.enumerated() { rows[rows.count - 1][4 + p.decisions.count + j] = value(p.constraints[j].statistic, res.estimate) }
        }
        lines += align(rows)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Feasible candidates first, by objective (best first), then the others.
    /// `11 candidates`, or `1,030,301 candidates in the space` for a search.
    static func spaceLine(_ r: Optimizer.Result) -> String {
        guard let s = r.search else { return "\(r.candidates.count) candidates" }
        return "\(NumberFormat.human(Double(s.spaceSize))) candidates in the space"
    }

    static func ranked(_ r: Optimizer.Result) -> [Optimizer.Candidate] {
        let sign = r.problem.objective.maximize ? 1.0 : -1.0
        return r.candidates.sorted { a, b in
            if a.feasible != b.feasible { return a.feasible }
            let x = sign * a.objective, y = sign * b.objective
            if x != y { return x.isNaN ? false : (y.isNaN ? true : x > y) }
            return a.index < b.index
        }
    }

    static func align(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { j in rows.map { $0[j].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).enumerated().map { j, pair in
                j == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: pair.1 - pair.0.count) + pair.0
            }.joined(separator: "  ")
        }
    }

    public static func csv(_ r: Optimizer.Result, _ context: Context) -> String {
        let p = r.problem
        var header = ["candidate"] + p.decisions.map(\.key) + ["trials", "objective", "se", "lower", "upper", "feasible", "best", "probability_better"]
        for (j, _) in p.constraints.enumerated() { header += ["constraint_\(j + 1)", "constraint_\(j + 1)_probability_holds"] }
        var lines = [header.map(CSVReport.field).joined(separator: ",")]
        for (position, c) in r.candidates.enumerated() {
            var row = ["\(c.index + 1)"] + c.values.map { NumberFormat.exact($0) ?? "" }
            row += ["\(c.trials)", NumberFormat.exact(c.objective) ?? "", NumberFormat.exact(c.standardError) ?? "",
                    NumberFormat.exact(c.interval.lower) ?? "", NumberFormat.exact(c.interval.upper) ?? "",
                    c.feasible ? "1" : "0", position == r.best ? "1" : "0", c.probabilityBetter.flatMap { NumberFormat.exact($0) } ?? ""]
            for res in c.constraints { row += [NumberFormat.exact(res.estimate) ?? "", NumberFormat.exact(res.probabilityHolds) ?? ""] }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ r: Optimizer.Result, _ context: Context) -> String {
        let p = r.problem
        var w = JSONWriter()
        func candidate(_ c: Optimizer.Candidate) {
            w.open("{")
            w.key("decision"); w.open("{", compact: true)
            for (d, v) in zip(p.decisions, c.values) { w.key(d.key); w.number(v) }
            w.close("}")
            w.key("objective"); w.number(c.objective)
            w.key("se"); w.number(c.standardError)
            w.key("interval"); w.numbers([c.interval.lower, c.interval.upper])
            w.key("trials"); w.raw("\(c.trials)")
            w.key("feasible"); w.raw(c.feasible ? "true" : "false")
            w.key("probability_better")
            if let pb = c.probabilityBetter { w.number(pb) } else { w.raw("null") }
            w.key("constraints"); w.open("[")
            for (k, res) in zip(p.constraints, c.constraints) {
                w.element(); w.open("{", compact: true)
                w.key("constraint"); w.string(k.description)
                w.key("estimate"); w.number(res.estimate)
                w.key("holds"); w.raw(res.holds ? "true" : "false")
                w.key("probability_holds"); w.number(res.probabilityHolds)
                w.close("}")
            }
            w.close("]")
            w.close("}")
        }
        w.open("{")
        w.runHeader(info: context.info, scenarioName: context.scenarioName, seed: context.seed)
        w.key("objective"); w.open("{", compact: true)
        w.key(p.objective.maximize ? "maximize" : "minimize"); w.string(p.objective.metric.name)
        w.key("statistic"); w.string(p.objective.statistic.description)
        w.key("indifference"); w.number(p.objective.indifference)
        w.close("}")
        w.key("constraints"); w.open("[", compact: true)
        for c in p.constraints { w.element(); w.string(c.description) }
        w.close("]")
        w.key("best")
        if let b = r.best { candidate(r.candidates[b]) } else { w.raw("null") }
        w.key("runner_up")
        if let u = r.runnerUp { candidate(r.candidates[u]) } else { w.raw("null") }
        w.key("probability_correct_selection"); w.number(r.probabilityCorrect)
        w.key("confidence_aimed_for"); w.number(p.confidence)
        w.key("stages"); w.open("[")
        for s in r.stages {
            w.element(); w.open("{", compact: true)
            w.key("trials"); w.raw("\(s.trials)")
            w.key("candidates"); w.raw("\(s.candidates)")
            w.key("probability_correct_selection"); w.number(s.probabilityCorrect)
            w.close("}")
        }
        w.close("]")
        w.key("candidates"); w.open("[")
        for c in r.candidates { w.element(); candidate(c) }
        w.close("]")
        if let s = r.search {
            w.key("search"); w.open("{")
            w.key("method"); w.string("coordinate")
            w.key("space_size"); w.raw("\(s.spaceSize)")
            w.key("evaluated"); w.raw("\(s.explored.count)")
            w.key("passes"); w.raw("\(s.passes)")
            w.key("converged"); w.raw(s.converged ? "true" : "false")
            w.key("candidate_trials"); w.raw("\(s.candidateTrials)")
            w.key("explored"); w.open("[")
            for c in s.explored {
                w.element(); w.open("{", compact: true)
                w.key("decision"); w.open("{", compact: true)
                for (d, v) in zip(p.decisions, c.values) { w.key(d.key); w.number(v) }
                w.close("}")
                w.key("objective"); w.number(c.objective)
                w.key("se"); w.number(c.standardError)
                w.key("feasible"); w.raw(c.feasible ? "true" : "false")
                w.close("}")
            }
            w.close("]")
            w.close("}")
        }
        w.close("}")
        return w.text + "\n"
    }
}

// MARK: - goal-seek

extension OptimizeReport {
    /// A statistic as the goal-seek report prints it.
    public static func plainValue(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        return abs(x) >= 100 ? NumberFormat.human(x) : String(format: "%.6g", x)
    }

    /// An input value with its significant digits (`496.9712`, `0.04531`).
    static func inputValue(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x == x.rounded() && abs(x) < 1e15 { return NumberFormat.human(x) }
        return String(format: "%.7g", x)
    }

    public static func goalSeekTable(_ r: GoalSeek.Result, key: String, info: RunInfo, scenarioName: String, seed: UInt64) -> String {
        var lines = ["Subcast \(info.subcastVersion) - goal seek in scenario \"\(scenarioName)\" (\(info.scenarioFile))",
                     "seed \(seed), \(info.generator), GSL \(info.gslVersion); \(r.trials) trials per evaluation, common random numbers",
                     "Target: \(r.target)", ""]
        lines.append("\(key) = \(inputValue(r.value))" + (r.standardError.isFinite ? " (+/- \(String(format: "%.3g", r.standardError)) Monte Carlo standard error)" : ""))
        lines.append("  reaches a \(r.target.statistic) of \(r.target.metric.name) of \(plainValue(r.reached))"
                     + (r.reachedSE.isFinite ? " (+/- \(plainValue(r.reachedSE)))" : ""))
        lines.append("  final bracket \(inputValue(r.bracket.lower)) ... \(inputValue(r.bracket.upper)); \(r.evaluations.count) evaluations"
                     + (r.converged ? "" : " (the bracket did not shrink to the tolerance: the statistic moves in steps here)"))
        if r.wholeNumbers {
            lines.append("  \(key) takes whole numbers: the target is crossed between \(inputValue(r.bracket.lower)) and "
                         + "\(inputValue(r.bracket.upper)), and \(inputValue(r.value)) comes closer")
        } else if !r.standardError.isFinite {
            lines.append("  the statistic does not change near the solution, so its uncertainty cannot be turned into one of \(key)")
        }
        lines.append("")
        lines.append("Evaluations (in order):")
        lines += align([[key, "\(r.target.statistic) \(r.target.metric.name)"]]
                       + r.evaluations.map { [inputValue($0.x), plainValue($0.statistic)] })
        return lines.joined(separator: "\n") + "\n"
    }

    public static func goalSeekCSV(_ r: GoalSeek.Result, key: String) -> String {
        var lines = [[key, "statistic"].map(CSVReport.field).joined(separator: ",")]
        for e in r.evaluations { lines.append("\(NumberFormat.exact(e.x) ?? ""),\(NumberFormat.exact(e.statistic) ?? "")") }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func goalSeekJSON(_ r: GoalSeek.Result, key: String, info: RunInfo, scenarioName: String, seed: UInt64) -> String {
        var w = JSONWriter()
        w.open("{")
        w.runHeader(info: info, scenarioName: scenarioName, seed: seed)
        w.key("trials"); w.raw("\(r.trials)")
        w.key("target"); w.open("{", compact: true)
        w.key("metric"); w.string(r.target.metric.name)
        w.key("statistic"); w.string(r.target.statistic.description)
        w.key("value"); w.number(r.target.value)
        w.close("}")
        w.key("solution"); w.open("{", compact: true)
        w.key("key"); w.string(key)
        w.key("value"); w.number(r.value)
        w.key("se"); w.number(r.standardError)
        w.key("reached"); w.number(r.reached)
        w.key("reached_se"); w.number(r.reachedSE)
        w.key("converged"); w.raw(r.converged ? "true" : "false")
        w.key("whole_numbers"); w.raw(r.wholeNumbers ? "true" : "false")
        w.close("}")
        w.key("bracket"); w.numbers([r.bracket.lower, r.bracket.upper])
        w.key("evaluations"); w.open("[")
        for e in r.evaluations { w.element(); w.numbers([e.x, e.statistic]) }
        w.close("]")
        w.close("}")
        return w.text + "\n"
    }
}
