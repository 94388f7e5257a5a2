import SubcastCore

/// The HTML report of `subcast goal-seek --report FILE`: the answer in words (the input's value
/// with its Monte Carlo interval, the statistic reached against the target), a chart of the
/// statistic over the input at every point the root finder evaluated (the target as a dashed
/// line, the solution and its 95 % interval as a shaded band) and the table of evaluations in the
/// order the solver made them. Self-contained like the run report; no timings.
public enum GoalSeekHTMLReport {
    public static let chartID = "goal-seek"

    public static func render(_ r: GoalSeek.Result, key: String, info: RunInfo, scenarioName: String, currency: String,
                              seed: UInt64) -> String {
        let statName = "\(r.target.statistic) of \(r.target.metric.name)"
        var body = "<header>\n<h1>Goal seek: \(HTMLPage.escape(scenarioName))</h1>\n"
        body += HTMLPage.paragraph("\(key) for a \(statName) of \(OptimizeReport.plainValue(r.target.value)) \u{00b7} "
                                   + "\(NumberFormat.human(Double(r.trials))) trials per evaluation \u{00b7} common random numbers "
                                   + "\u{00b7} seed \(seed) \u{00b7} amounts in \(currency)", className: "subtitle")
        body += "</header>\n<section id=\"summary\">\n<h2>The answer</h2>\n<div class=\"summary\">\n"
        var answer = "\(key) = \(OptimizeReport.inputValue(r.value))"
        if r.standardError.isFinite && r.standardError > 0 {
            answer += " (95 % Monte Carlo interval \(OptimizeReport.inputValue(r.value - 1.959964 * r.standardError)) to "
                + "\(OptimizeReport.inputValue(r.value + 1.959964 * r.standardError)))"
        }
        answer += " gives a \(statName) of \(OptimizeReport.plainValue(r.reached))"
            + (r.reachedSE.isFinite ? " (standard error \(OptimizeReport.plainValue(r.reachedSE)))" : "")
            + "; the target is \(OptimizeReport.plainValue(r.target.value))."
        body += HTMLPage.paragraph(answer)
        if r.wholeNumbers {
            body += HTMLPage.paragraph("\(key) takes whole numbers: the target is crossed between "
                                       + "\(OptimizeReport.inputValue(r.bracket.lower)) and \(OptimizeReport.inputValue(r.bracket.upper)), "
                                       + "and \(OptimizeReport.inputValue(r.value)) comes closer to it.")
        } else if !r.converged {
            body += HTMLPage.paragraph("The bracket did not shrink to the tolerance: the statistic moves in steps near the solution.")
        } else if !r.standardError.isFinite {
            body += HTMLPage.paragraph("The statistic does not change near the solution, so its Monte Carlo uncertainty cannot be "
                                       + "turned into one of \(key).")
        }
        body += HTMLPage.paragraph("The interval is the Monte Carlo uncertainty of the answer only (the statistic's standard error "
                                   + "over its slope near the solution): more trials narrow it; it does not widen for the "
                                   + "scenario's own uncertainty, which the statistic already includes.")
        body += "</div>\n</section>\n<section id=\"charts\">\n<h2>Chart</h2>\n"
        body += chart(r, key: key, statName: statName)
        body += "</section>\n<section id=\"tables\">\n<h2>Evaluations</h2>\n"
        let rows = r.evaluations.enumerated().map { i, e in
            ["\(i + 1)", OptimizeReport.inputValue(e.x), OptimizeReport.plainValue(e.statistic),
             OptimizeReport.plainValue(e.statistic - r.target.value)]
        }
        body += HTMLPage.table(["step", key.replacingOccurrences(of: ".", with: ".\u{200B}"), statName, "minus the target"], rows,
                               numeric: [0, 1, 2, 3], caption: "Every point the root finder evaluated, in order")
        body += "</section>\n<footer>\n<p>Subcast \(HTMLPage.escape(info.subcastVersion)), GSL \(HTMLPage.escape(info.gslVersion)), "
            + "generator \(HTMLPage.escape(info.generator)). Every evaluation simulates the same trials on the same random "
            + "streams, so the statistic is a fixed function of \(HTMLPage.escape(key)); GSL's Brent solver "
            + (r.wholeNumbers ? "is replaced by a bisection over whole numbers" : "finds its root within the bracket")
            + ".</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast goal seek: \(scenarioName)", body: body)
    }

    static func chart(_ r: GoalSeek.Result, key: String, statName: String) -> String {
        let points = r.evaluations.filter { $0.x.isFinite && $0.statistic.isFinite }.sorted { $0.x < $1.x }
        guard let first = points.first, let last = points.last else {
            return HTMLPage.paragraph("No evaluation has a defined statistic.")
        }
        let ys = points.map(\.statistic) + [r.target.value]
        let lo = ys.min()!, hi = max(ys.max()!, lo + 1e-9)
        let xlo = first.x, xhi = last.x > first.x ? last.x : first.x + 1
        var chart = SVGChart(id: chartID, title: "\(statName) by \(key)", x: .fixed(label: key, xlo, xhi, integer: r.wholeNumbers),
                             y: .extended(label: statName, lo, hi))
        if r.standardError.isFinite && r.standardError > 0 {
            let a = max(xlo, r.value - 1.959964 * r.standardError), b = min(xhi, r.value + 1.959964 * r.standardError)
            if b > a {
                chart.band([a, b], lower: [lo, lo], upper: [hi, hi], fill: SVGChart.Palette.vermillion, opacity: 0.12,
                           legend: "95 % interval of the answer")
            }
        }
        chart.line([xlo, xhi], [r.target.value, r.target.value], stroke: SVGChart.Palette.gray, width: 1.6, dash: "6 4",
                   legend: "target \(OptimizeReport.plainValue(r.target.value))")
        chart.line(points.map(\.x), points.map(\.statistic), stroke: SVGChart.Palette.navy, width: 2, marker: .circle(filled: true),
                   onTop: true, legend: "\(statName) at an evaluated value",
                   tooltip: { i in "\(key) = \(OptimizeReport.inputValue(points[i].x)): \(OptimizeReport.plainValue(points[i].statistic))" })
        chart.verticalLine(at: r.value, stroke: SVGChart.Palette.vermillion, width: 1.6, dash: "5 4",
                           label: "\(OptimizeReport.inputValue(r.value))")
        return HTMLPage.figure(chart.render(), heading: "The statistic over the input",
                               caption: "The \(statName) at each value of \(key) the root finder tried (all on the same trials), the "
                                   + "target as a dashed line and the answer as a vertical line.")
    }
}
