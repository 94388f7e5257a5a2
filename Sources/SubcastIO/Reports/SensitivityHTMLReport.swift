import SubcastCore

/// The HTML report of `subcast sensitivity --report FILE`: a tornado chart (the metric with each
/// input at its P10 and at its P90, the others at their medians) and, with Sobol samples, the
/// first-order and total indices of every input as bars with their 95 % bootstrap intervals
/// (largest total index first), each chart's rows named by their inputs on the axis. Self-contained like the run report; no timings.
public enum SensitivityHTMLReport {
    public static func chartIDs(for r: SensitivityResult) -> [String] {
        ["tornado"] + (r.sobol == nil ? [] : ["sobol"])
    }

    public static func render(_ r: SensitivityResult, info: RunInfo) -> String {
        let metric = r.metric.description
        var body = "<header>\n<h1>Which uncertain input matters: \(HTMLPage.escape(r.scenario.name))</h1>\n"
        body += HTMLPage.paragraph("\(metric) \u{00b7} \(r.inputs.count) uncertain inputs \u{00b7} \(r.trialsPerPoint) trials per tornado point "
                                   + "on common random numbers \u{00b7} seed \(r.seed)", className: "subtitle")
        body += "</header>\n<section id=\"summary\">\n<h2>In short</h2>\n<div class=\"summary\">\n"
        if let top = r.tornado.bars.first {
            body += HTMLPage.paragraph("\(top.name) moves the mean \(metric) the most: from \(NumberFormat.human(top.atLow.mean)) at its P10 "
                                       + "to \(NumberFormat.human(top.atHigh.mean)) at its P90 (a swing of \(NumberFormat.human(top.swing))), "
                                       + "against \(NumberFormat.human(r.tornado.base.mean)) with every input at its median.")
        }
        if let s = r.sobol, let best = s.inputs.indices.max(by: { s.inputs[$0].firstOrder < s.inputs[$1].firstOrder }) {
            body += HTMLPage.paragraph("Alone, \(r.inputs[best].name) explains \(NumberFormat.percent(max(0, s.inputs[best].firstOrder))) of the "
                                       + "variance of \(metric) across trials (Sobol first-order index).")
        }
        if r.correlationsIgnored {
            body += HTMLPage.paragraph("The scenario correlates some inputs; both analyses treat them as independent.")
        }
        body += "</div>\n</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n"
        body += tornadoChart(r)
        body += sobolChart(r)
        body += "</section>\n<section id=\"tables\">\n<h2>Inputs</h2>\n"
        body += inputsTable(r)
        body += "</section>\n<footer>\n<p>Subcast \(HTMLPage.escape(info.subcastVersion)), GSL \(HTMLPage.escape(info.gslVersion)), "
            + "generator \(HTMLPage.escape(info.generator)).</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast sensitivity: \(r.scenario.name)", body: body)
    }

    static func tornadoChart(_ r: SensitivityResult) -> String {
        let bars = r.tornado.bars
        guard !bars.isEmpty else { return "" }
        let values = bars.flatMap { [$0.atLow.mean, $0.atHigh.mean] } + [r.tornado.base.mean]
        let lo = values.min()!, hi = max(values.max()!, lo + 1e-9)
        let metric = r.metric.description
        var chart = SVGChart(id: "tornado", title: "Tornado: mean \(metric)", x: .extended(label: "mean \(metric)", lo, hi),
                             y: .categories(label: "input", bars.map(\.name)),
                             plotHeight: Double(max(200, 34 * bars.count)))
        for (k, b) in bars.enumerated() {
            let y = Double(bars.count - k)
            chart.line([r.tornado.base.mean, b.atLow.mean], [y, y], stroke: SVGChart.Palette.vermillion, width: 12,
                       legend: k == 0 ? "input at its P10" : nil)
            chart.line([r.tornado.base.mean, b.atHigh.mean], [y, y], stroke: SVGChart.Palette.blue, width: 12,
                       legend: k == 0 ? "input at its P90" : nil)
        }
        chart.verticalLine(at: r.tornado.base.mean, stroke: SVGChart.Palette.gray, width: 1.4, dash: "4 4", label: "all at medians")
        let caption = "From the top: " + bars.map(\.name).joined(separator: ", ") + " (by swing). Each bar runs from the base, every input "
            + "at its median, to the mean with one input at its P10 or P90."
        return HTMLPage.figure(chart.render(), heading: "Tornado: one input at a time", caption: caption)
    }

    static func sobolChart(_ r: SensitivityResult) -> String {
        guard let s = r.sobol, !s.inputs.isEmpty else { return "" }
        // The inputs by total index, largest first (ties: as listed).
        let rows = Array(zip(r.inputs.map(\.name), s.inputs)).enumerated()
            .sorted { a, b in a.element.1.total != b.element.1.total ? a.element.1.total > b.element.1.total : a.offset < b.offset }
            .map(\.element)
        var chart = SVGChart(id: "sobol", title: "Sobol indices of \(r.metric.description)",
                             x: .fixed(label: "share of the variance", 0, 1), y: .categories(label: "input", rows.map(\.0)),
                             plotHeight: Double(max(200, 40 * rows.count)))
        for (k, (_, index)) in rows.enumerated() {
            let y = Double(rows.count - k)
            let clamp = { (x: Double) in min(max(x, 0), 1) }
            chart.line([0, clamp(index.total)], [y - 0.15, y - 0.15], stroke: SVGChart.Palette.sky, width: 9,
                       legend: k == 0 ? "total (S_T)" : nil)
            chart.line([0, clamp(index.firstOrder)], [y + 0.15, y + 0.15], stroke: SVGChart.Palette.navy, width: 9,
                       legend: k == 0 ? "alone (S)" : nil)
            chart.line([clamp(index.firstOrderInterval.lower), clamp(index.firstOrderInterval.upper)], [y + 0.15, y + 0.15],
                       stroke: SVGChart.Palette.gray, width: 2, legend: k == 0 ? "95 % interval" : nil)
            chart.line([clamp(index.totalInterval.lower), clamp(index.totalInterval.upper)], [y - 0.15, y - 0.15],
                       stroke: SVGChart.Palette.gray, width: 2)
        }
        let caption = "From the top: " + rows.map(\.0).joined(separator: ", ") + ". S: the share of the variance across trials the input "
            + "explains alone; S_T: the share it takes part in, with interactions; \(s.samples) rows, \(s.resamples) bootstrap resamples."
        return HTMLPage.figure(chart.render(), heading: "Sobol indices: shares of the variance", caption: caption)
    }

    /// Every uncertain input: its scenario key, distribution, P10, median and P90; then what each
    /// does to the metric: its mean at the input's P10 and P90 (the tornado) and the Sobol indices.
    static func inputsTable(_ r: SensitivityResult) -> String {
        func v(_ x: Double) -> String {
            guard x.isFinite else { return "n/a" }
            return abs(x) >= 1000 ? NumberFormat.human(x) : String(format: "%.4g", x)
        }
        func interval(_ x: Double, _ i: SobolAnalysis.Interval) -> String {
            NumberFormat.percent(x) + " (\(NumberFormat.percent(i.lower)) \u{2026} \(NumberFormat.percent(i.upper)))"
        }
        var inputs: [[String]] = [], effects: [[String]] = []
        for (i, input) in r.inputs.enumerated() {
            let bar = r.tornado.bars.first { $0.index == i }
            inputs.append([input.name, input.path.replacingOccurrences(of: ".", with: ".\u{200B}"), input.distribution.summary,
                           bar.map { v($0.input.low) } ?? "", bar.map { v($0.input.base) } ?? "", bar.map { v($0.input.high) } ?? ""])
            var row = [input.name, bar.map { v($0.atLow.mean) } ?? "", bar.map { v($0.atHigh.mean) } ?? "", bar.map { v($0.swing) } ?? ""]
            if let s = r.sobol, i < s.inputs.count {
                row += [interval(s.inputs[i].firstOrder, s.inputs[i].firstOrderInterval), interval(s.inputs[i].total, s.inputs[i].totalInterval)]
            }
            effects.append(row)
        }
        let metric = r.metric.description
        var out = HTMLPage.table(["input", "scenario key", "distribution", "P10", "median", "P90"], inputs, numeric: [3, 4, 5],
                                 caption: "The uncertain inputs as the scenario gives them")
        var header = ["input", "mean at its P10", "mean at its P90", "swing"]
        if r.sobol != nil { header += ["S (95 % interval)", "S_T (95 % interval)"] }
        out += HTMLPage.table(header, effects, numeric: Set(1..<header.count),
                              caption: "What each input does to the \(metric) (means with the others at their medians; Sobol indices)")
        return out
    }
}
