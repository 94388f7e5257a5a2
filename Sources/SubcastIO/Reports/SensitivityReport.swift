import Foundation
import SubcastCore

/// The outputs of `subcast sensitivity`: a terminal table, tidy CSV and JSON.
///
/// - `table`: the tornado (each input's P10 and P90 values, the metric's mean and se there, the
///   swing, and an ASCII bar around the base: `-` where the input at P10 takes the metric,
///   `+` where P90 takes it, `|` the base), then the Sobol indices with their intervals, the
///   process-noise share and the share no input explains alone.
/// - `csv`: rows `analysis,input,statistic,value`; analysis `info` (run information), `input`
///   (distribution, p10, median, p90 per input), `tornado` (low_value, high_value, mean_at_low,
///   se_at_low, mean_at_high, se_at_high, swing, rank; input `(base)`: mean, se), `sobol`
///   (first_order, first_order_lower, first_order_upper, total, total_lower, total_upper per
///   input and for `(process noise)`; `(unexplained)`: value, lower, upper; `(all)`: mean,
///   variance, samples, usable_samples, evaluations, resamples, confidence).
/// - `json`, schema `subcast-sensitivity/1`:
/// ```
/// {"schema": "subcast-sensitivity/1", "subcast_version", "generator", "gsl_version", "scenario",
///  "scenario_file", "seed", "metric", "month" (null for a scalar metric), "correlations_ignored",
///  "inputs": [{"name", "path", "distribution", "p10", "median", "p90"}, ...],
///  "tornado": {"trials_per_point", "low_quantile": 0.1, "high_quantile": 0.9,
///              "base": {"mean", "se"},
///              "bars": [{"input", "low_value", "high_value", "at_low": {"mean", "se"},
///                        "at_high": {"mean", "se"}, "swing"}, ...]},         (largest swing first)
///  "sobol": {"samples", "usable_samples", "evaluations", "resamples", "confidence", "mean", "variance",
///            "indices": [{"input", "first_order", "first_order_interval": [lo, hi], "total",
///                         "total_interval": [lo, hi]}, ...],                   (input order)
///            "process_noise": {"first_order", "first_order_interval", "total", "total_interval"},
///            "unexplained": {"value", "interval": [lo, hi], "meaning"}} or null}
/// ```
/// Undefined numbers are `null` (JSON) or empty (CSV). No timings, so the same run gives the
/// same bytes.
public enum SensitivityReport {
    /// The note on 1 - sum S_i.
    public static let unexplainedMeaning = "unexplained by the inputs: process noise and interactions"

    // MARK: table

    public static func table(_ r: SensitivityResult, info: RunInfo) -> String {
        let metric = r.metric.description
        var out: [String] = []
        out.append("Subcast \(info.subcastVersion) - sensitivity of \(metric) - scenario \"\(r.scenario.name)\" (\(info.scenarioFile))")
        out.append("seed \(r.seed), \(info.generator), GSL \(info.gslVersion)")
        out.append("")

        let t = r.tornado
        out.append("Tornado: mean \(metric) with one input at its P10 or P90, the others at their medians")
        out.append("(\(NumberFormat.human(Double(r.trialsPerPoint))) trials per point on common random numbers; "
                   + "base, all inputs at their medians: \(value(t.base.mean)) +/- \(value(t.base.se)))")
        let bars = tornadoBars(t, width: 20)
        var rows: [[String]] = []
        for (k, b) in t.bars.enumerated() {
            rows.append([b.name, value(b.input.low), value(b.input.high),
                         value(b.atLow.mean) + " +/- " + value(b.atLow.se),
                         value(b.atHigh.mean) + " +/- " + value(b.atHigh.se), value(b.swing), bars[k]])
        }
        out += TableReport.table(["input", "P10", "P90", "\(r.metric.name) at P10", "\(r.metric.name) at P90", "swing", "bar"], rows)
        out.append("bar: '-' the metric with the input at P10, '+' at P90, '|' the base; +/- is each point's own se "
                   + "(on common random numbers a swing is more precise than that)")
        out.append("")

        if let s = r.sobol {
            let level = NumberFormat.human(100 * s.confidence)
            out.append("Sobol indices: shares of the variance of \(metric) across trials (\(level) % bootstrap intervals)")
            out.append("N = \(NumberFormat.human(Double(s.samples))) rows (\(NumberFormat.human(Double(s.evaluations))) trials"
                       + (s.usableSamples < s.samples ? ", \(NumberFormat.human(Double(s.usableSamples))) rows with the metric defined" : "")
                       + "), \(s.resamples) resamples; mean \(value(s.mean)), variance \(value(s.variance))")
            var rows: [[String]] = []
            func row(_ name: String, _ i: SobolAnalysis.Index) {
                rows.append([name, share(i.firstOrder), interval(i.firstOrderInterval), share(i.total), interval(i.totalInterval)])
            }
            for (input, i) in zip(r.inputs, s.inputs) { row(input.name, i) }
            if let noise = s.processNoise { row("(process noise)", noise) }
            out += TableReport.table(["input", "S (alone)", "interval", "S_T (total)", "interval"], rows)
            out.append("\(unexplainedMeaning): 1 - sum S = \(share(s.unexplained)) \(interval(s.unexplainedInterval))")
            out.append("S: the share an input explains alone; S_T: the share it takes part in, with interactions;")
            out.append("both carry sampling error (a slightly negative S means about 0; more --samples narrow the intervals).")
        } else {
            out.append("Sobol indices: not computed (--samples 0)")
        }
        if r.correlationsIgnored {
            out.append("note: the scenario's input correlations are ignored here; both analyses treat the inputs as independent")
        }
        return out.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n") + "\n"
    }

    /// One ASCII bar per tornado bar (in its order), `width` characters each side of the base.
    static func tornadoBars(_ t: Tornado, width: Int) -> [String] {
        let reach = t.bars.flatMap { [abs($0.atLow.mean - t.base.mean), abs($0.atHigh.mean - t.base.mean)] }
            .filter(\.isFinite).max() ?? 0
        return t.bars.map { b in
            var left = [Character](repeating: " ", count: width), right = left
            for (p, mark) in [(b.atLow, Character("-")), (b.atHigh, Character("+"))] {
                let d = p.mean - t.base.mean
                guard d.isFinite, reach > 0 else { continue }
                let n = min(width, Int((abs(d) / reach * Double(width)).rounded()))
                for k in 0..<n {
                    // Cells nearest the base first; when P10 and P90 move the metric the same way, '-' is
                    // drawn first and '+' shows only beyond it.
                    if d < 0 { if left[width - 1 - k] == " " { left[width - 1 - k] = mark } }
                    else if right[k] == " " { right[k] = mark }
                }
            }
            return String(left) + "|" + String(right)
        }
    }

    // MARK: CSV

    public static func csv(_ r: SensitivityResult, info: RunInfo) -> String {
        var lines = ["analysis,input,statistic,value"]
        func row(_ analysis: String, _ input: String, _ stat: String, _ v: String) {
            lines.append("\(analysis),\(CSVReport.field(input)),\(stat),\(v)")
        }
        func num(_ x: Double) -> String { NumberFormat.exact(x) ?? "" }
        let info: [(String, String)] = [
            ("scenario", CSVReport.field(r.scenario.name)), ("scenario_file", CSVReport.field(info.scenarioFile)),
            ("metric", CSVReport.field(r.metric.name)), ("month", r.metric.month.map(String.init) ?? ""),
            ("seed", String(r.seed)), ("trials_per_point", String(r.trialsPerPoint)),
            ("correlations_ignored", r.correlationsIgnored ? "true" : "false"),
            ("subcast_version", CSVReport.field(info.subcastVersion)), ("generator", CSVReport.field(info.generator)),
            ("gsl_version", CSVReport.field(info.gslVersion)),
        ]
        for (k, v) in info { row("info", "", k, v) }
        for input in r.inputs {
            let d = input.distribution
            row("input", input.name, "distribution", d.name)
            row("input", input.name, "p10", num(d.quantile(ScenarioSensitivity.lowLevel)))
            row("input", input.name, "median", num(d.median))
            row("input", input.name, "p90", num(d.quantile(ScenarioSensitivity.highLevel)))
        }
        row("tornado", "(base)", "mean", num(r.tornado.base.mean))
        row("tornado", "(base)", "se", num(r.tornado.base.se))
        for (k, b) in r.tornado.bars.enumerated() {
            for (stat, x) in [("low_value", b.input.low), ("high_value", b.input.high), ("mean_at_low", b.atLow.mean),
                              ("se_at_low", b.atLow.se), ("mean_at_high", b.atHigh.mean), ("se_at_high", b.atHigh.se),
                              ("swing", b.swing)] {
                row("tornado", b.name, stat, num(x))
            }
            row("tornado", b.name, "rank", String(k + 1))
        }
        if let s = r.sobol {
            func index(_ name: String, _ i: SobolAnalysis.Index) {
                for (stat, x) in [("first_order", i.firstOrder), ("first_order_lower", i.firstOrderInterval.lower),
                                  ("first_order_upper", i.firstOrderInterval.upper), ("total", i.total),
                                  ("total_lower", i.totalInterval.lower), ("total_upper", i.totalInterval.upper)] {
                    row("sobol", name, stat, num(x))
                }
            }
            for (input, i) in zip(r.inputs, s.inputs) { index(input.name, i) }
            if let noise = s.processNoise { index("(process noise)", noise) }
            row("sobol", "(unexplained)", "value", num(s.unexplained))
            row("sobol", "(unexplained)", "lower", num(s.unexplainedInterval.lower))
            row("sobol", "(unexplained)", "upper", num(s.unexplainedInterval.upper))
            for (stat, x) in [("mean", s.mean), ("variance", s.variance), ("samples", Double(s.samples)),
                              ("usable_samples", Double(s.usableSamples)), ("evaluations", Double(s.evaluations)),
                              ("resamples", Double(s.resamples)), ("confidence", s.confidence)] {
                row("sobol", "(all)", stat, num(x))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    public static func json(_ r: SensitivityResult, info: RunInfo) -> String {
        var o = JSONWriter()
        o.open("{")
        o.key("schema"); o.string("subcast-sensitivity/1")
        o.key("subcast_version"); o.string(info.subcastVersion)
        o.key("generator"); o.string(info.generator)
        o.key("gsl_version"); o.string(info.gslVersion)
        o.key("scenario"); o.string(r.scenario.name)
        o.key("scenario_file"); o.string(info.scenarioFile)
        o.key("seed"); o.raw(String(r.seed))
        o.key("metric"); o.string(r.metric.name)
        o.key("month"); o.raw(r.metric.month.map(String.init) ?? "null")
        o.key("correlations_ignored"); o.raw(r.correlationsIgnored ? "true" : "false")

        o.key("inputs"); o.open("[")
        for input in r.inputs {
            let d = input.distribution
            o.element(); o.open("{", compact: true)
            o.key("name"); o.string(input.name)
            o.key("path"); o.string(input.path)
            o.key("distribution"); o.string(d.name)
            o.key("p10"); o.number(d.quantile(ScenarioSensitivity.lowLevel))
            o.key("median"); o.number(d.median)
            o.key("p90"); o.number(d.quantile(ScenarioSensitivity.highLevel))
            o.close("}")
        }
        o.close("]")

        func point(_ p: Tornado.Point) {
            o.open("{", compact: true)
            o.key("mean"); o.number(p.mean)
            o.key("se"); o.number(p.se)
            o.close("}")
        }
        o.key("tornado"); o.open("{")
        o.key("trials_per_point"); o.raw(String(r.trialsPerPoint))
        o.key("low_quantile"); o.number(ScenarioSensitivity.lowLevel)
        o.key("high_quantile"); o.number(ScenarioSensitivity.highLevel)
        o.key("base"); point(r.tornado.base)
        o.key("bars"); o.open("[")
        for b in r.tornado.bars {
            o.element(); o.open("{", compact: true)
            o.key("input"); o.string(b.name)
            o.key("low_value"); o.number(b.input.low)
            o.key("high_value"); o.number(b.input.high)
            o.key("at_low"); point(b.atLow)
            o.key("at_high"); point(b.atHigh)
            o.key("swing"); o.number(b.swing)
            o.close("}")
        }
        o.close("]")
        o.close("}")

        o.key("sobol")
        guard let s = r.sobol else {
            o.raw("null")
            o.close("}")
            return o.text + "\n"
        }
        func interval(_ i: SobolAnalysis.Interval) { o.numbers([i.lower, i.upper]) }
        func index(_ i: SobolAnalysis.Index) {
            o.key("first_order"); o.number(i.firstOrder)
            o.key("first_order_interval"); interval(i.firstOrderInterval)
            o.key("total"); o.number(i.total)
            o.key("total_interval"); interval(i.totalInterval)
        }
        o.open("{")
        o.key("samples"); o.raw(String(s.samples))
        o.key("usable_samples"); o.raw(String(s.usableSamples))
        o.key("evaluations"); o.raw(String(s.evaluations))
        o.key("resamples"); o.raw(String(s.resamples))
        o.key("confidence"); o.number(s.confidence)
        o.key("mean"); o.number(s.mean)
        o.key("variance"); o.number(s.variance)
        o.key("indices"); o.open("[")
        for (input, i) in zip(r.inputs, s.inputs) {
            o.element(); o.open("{", compact: true)
            o.key("input"); o.string(input.name)
            index(i)
            o.close("}")
        }
        o.close("]")
        o.key("process_noise")
        if let noise = s.processNoise {
            o.open("{", compact: true); index(noise); o.close("}")
        } else {
            o.raw("null")
        }
        o.key("unexplained"); o.open("{", compact: true)
        o.key("value"); o.number(s.unexplained)
        o.key("interval"); interval(s.unexplainedInterval)
        o.key("meaning"); o.string(unexplainedMeaning)
        o.close("}")
        o.close("}")
        o.close("}")
        return o.text + "\n"
    }

    // MARK: number formatting

    /// A metric or input value for people: more decimals the smaller it is.
    static func value(_ x: Double) -> String {
        guard x.isFinite else { return NumberFormat.human(x) }
        let a = abs(x)
        if a >= 1000 || a == 0 { return NumberFormat.human(x) }
        if a >= 10 { return NumberFormat.human(x, decimals: 1) }
        if a >= 1 { return NumberFormat.human(x, decimals: 2) }
        return String(format: "%.3g", x)
    }

    /// An index (a share) with three decimals.
    static func share(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "n/a" }

    static func interval(_ i: SobolAnalysis.Interval) -> String { "[\(share(i.lower)), \(share(i.upper))]" }
}

// MARK: - stress tests

extension SensitivityReport {
    static func stressNumber(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        return abs(x) >= 100 ? NumberFormat.human(x) : String(format: "%.4g", x)
    }

    public static func stressTable(_ r: StressTest.Result, info: RunInfo, scenarioName: String, seed: UInt64) -> String {
        var lines = ["Subcast \(info.subcastVersion) - stress test of scenario \"\(scenarioName)\" (\(info.scenarioFile))",
                     "seed \(seed), \(info.generator), GSL \(info.gslVersion); \(r.trials) trials", "",
                     "Breach: \(r.breach)",
                     "  in \(r.breaches) of \(r.defined) trials: probability \(NumberFormat.percent(r.probability)) "
                        + "(95 % interval \(NumberFormat.percent(r.interval.lower)) - \(NumberFormat.percent(r.interval.upper)))"]
        if r.defined < r.trials { lines.append("  (\(r.trials - r.defined) trials leave \(r.breach.metric.name) undefined and are not counted)") }
        lines.append("")
        if r.inputs.isEmpty {
            lines.append(r.breaches == 0 ? "No trial breaches, so no input region leads to the breach (try more trials or a milder breach)."
                                         : "Every trial breaches: the breach does not depend on the inputs' ranges.")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("Which inputs lead to the breach (ranked by the Kolmogorov-Smirnov distance between breaching and other trials):")
        var rows = [["input", "KS distance", "shift (sd)", "mean (breach)", "mean (all)", "P5-P95 (breach)", "P5-P95 (all)"]]
        for s in r.inputs {
            rows.append([s.name, String(format: "%.3f", s.ksDistance), String(format: "%+.2f", s.standardisedShift),
                         stressNumber(s.breaching.mean), stressNumber(s.all.mean),
                         "\(stressNumber(s.breaching.p5)) - \(stressNumber(s.breaching.p95))", "\(stressNumber(s.all.p5)) - \(stressNumber(s.all.p95))"])
        }
        lines += OptimizeReport.align(rows)
        if let top = r.inputs.first {
            lines.append("")
            lines.append("The breach depends most on \(top.name): in breaching trials its mean is \(stressNumber(top.breaching.mean)) against "
                         + "\(stressNumber(top.all.mean)) in all trials (\(String(format: "%+.2f", top.standardisedShift)) standard deviations).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func stressCSV(_ r: StressTest.Result) -> String {
        var lines = ["input,ks_distance,standardised_shift,breach_mean,breach_p5,breach_p50,breach_p95,all_mean,all_p5,all_p50,all_p95"]
        func e(_ x: Double) -> String { NumberFormat.exact(x) ?? "" }
        for s in r.inputs {
            lines.append([CSVReport.field(s.name), e(s.ksDistance), e(s.standardisedShift), e(s.breaching.mean), e(s.breaching.p5),
                          e(s.breaching.p50), e(s.breaching.p95), e(s.all.mean), e(s.all.p5), e(s.all.p50), e(s.all.p95)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func stressJSON(_ r: StressTest.Result, info: RunInfo, scenarioName: String, seed: UInt64) -> String {
        var w = JSONWriter()
        func summary(_ s: StressTest.Summary) {
            w.open("{", compact: true)
            w.key("n"); w.raw("\(s.n)")
            w.key("mean"); w.number(s.mean)
            w.key("p5"); w.number(s.p5)
            w.key("p50"); w.number(s.p50)
            w.key("p95"); w.number(s.p95)
            w.close("}")
        }
        w.open("{")
        w.runHeader(info: info, scenarioName: scenarioName, seed: seed)
        w.key("trials"); w.raw("\(r.trials)")
        w.key("breach"); w.string(r.breach.description)
        w.key("breaches"); w.raw("\(r.breaches)")
        w.key("defined"); w.raw("\(r.defined)")
        w.key("probability"); w.number(r.probability)
        w.key("interval"); w.numbers([r.interval.lower, r.interval.upper])
        w.key("inputs"); w.open("[")
        for s in r.inputs {
            w.element(); w.open("{")
            w.key("name"); w.string(s.name)
            w.key("ks_distance"); w.number(s.ksDistance)
            w.key("standardised_shift"); w.number(s.standardisedShift)
            w.key("breaching"); summary(s.breaching)
            w.key("all"); summary(s.all)
            w.close("}")
        }
        w.close("]")
        w.close("}")
        return w.text + "\n"
    }
}
