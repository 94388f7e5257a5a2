import SubcastCore

/// The HTML report of `subcast compare --report FILE`: the value verdicts, a chart of cumulative
/// cash by strategy and one of the NPV difference from the base with its effect spread, then the
/// table report's metric tables. Self-contained like the run report; no timings, so the same
/// inputs and seed give the same bytes for any number of threads.
public enum CompareHTMLReport {
    /// The charts, those the comparison holds the series of, in page order.
    public static func chartIDs(for r: StrategyComparison) -> [String] {
        var ids: [String] = []
        if r.series("\(r.variants[0].name)/cumulative_cash") != nil { ids.append("compare-cash") }
        if r.metric("npv") != nil && r.variants.count > 1 { ids.append("compare-npv") }
        return ids
    }

    public static func render(_ r: StrategyComparison, _ c: CompareReport.Context) -> String {
        let s = r.variants[0].scenario
        var body = "<header>\n<h1>Strategies compared: \(HTMLPage.escape(s.name))</h1>\n"
        body += HTMLPage.paragraph("\(r.variants.count) strategies \u{00b7} \(NumberFormat.human(Double(r.trials))) trials on common "
                                   + "random numbers \u{00b7} seed \(r.seed) \u{00b7} horizon \(s.horizonMonths) months \u{00b7} amounts in "
                                   + "\(s.currency)", className: "subtitle")
        body += "</header>\n<section id=\"summary\">\n<h2>What each strategy is worth</h2>\n<div class=\"summary\">\n"
        let verdicts = CompareReport.valueVerdicts(r)
        if verdicts.isEmpty {
            body += HTMLPage.paragraph("These strategies report no value metrics (a scenario without levers); the tables compare "
                                       + "their other metrics.")
        }
        for v in verdicts { body += HTMLPage.paragraph(v) }
        body += "</div>\n"
        body += HTMLPage.table(["strategy", "what it does"], r.variants.enumerated().map { i, v in
            [v.name, v.description ?? (i == 0 ? "the scenario as written" : "")]
        }, caption: "Strategies (the first is the base)")
        body += "</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n"
        body += cashChart(r)
        body += npvChart(r)
        body += "</section>\n<section id=\"tables\">\n<h2>Metrics</h2>\n"
        for m in CompareReport.shownMetrics(r, chosen: c.chosenMetrics) {
            let d = CompareReport.decimalsFor(m)
            var rows: [[String]] = []
            for (i, v) in r.variants.enumerated() {
                let value = m.values[i].n > 0 ? NumberFormat.human(m.values[i].mean, decimals: d) : "n/a"
                if i == 0 { rows.append([v.name, value, "", "", "", CompareReport.probability(m.best[i])]); continue }
                if m.noDifference(i) { rows.append([v.name, value, "0", "", "no difference", CompareReport.probability(m.best[i])]); continue }
                let diff = m.differences[i]!
                rows.append([v.name, value, diff.n > 0 ? CompareReport.signed(diff.mean, d) : "n/a",
                             m.interval(i).map { "\(CompareReport.signed($0.lower, d)) \u{2026} \(CompareReport.signed($0.upper, d))" } ?? "",
                             diff.n > 0 ? "\(CompareReport.signed(diff.p5, d)) \u{2026} \(CompareReport.signed(diff.p95, d))" : "",
                             CompareReport.probability(m.best[i])])
            }
            body += HTMLPage.table(["strategy", "mean", "diff vs base", "95 % interval", "effect P5 \u{2026} P95", "P(best)"], rows,
                                   numeric: Set(1...5),
                                   caption: "\(m.metric.name) (\(CompareReport.label(m.metric, horizon: r.horizonMonths)); "
                                       + "\(m.direction == .higherIsBetter ? "higher" : "lower") is better)")
        }
        for g in CompareReport.pairGrids(r) {
            body += HTMLPage.table(g.header, g.rows, numeric: Set(1..<g.header.count), caption: g.title)
        }
        body += "</section>\n<footer>\n<p>Subcast \(HTMLPage.escape(c.info.subcastVersion)), GSL \(HTMLPage.escape(c.info.gslVersion)), "
            + "generator \(HTMLPage.escape(c.info.generator)). Every strategy simulates trial i on the same random streams, so the "
            + "differences are paired: the 95 % interval is that of the mean difference, the effect P5 \u{2026} P95 the spread of the "
            + "per-trial differences.</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast comparison: \(s.name)", body: body)
    }

    /// Mean cumulative cash of every strategy by month, the base's 90 % band shaded.
    static func cashChart(_ r: StrategyComparison) -> String {
        guard let base = r.series("\(r.variants[0].name)/cumulative_cash") else { return "" }
        let cur = r.variants[0].scenario.currency
        let h = base.count
        let xs = (1...h).map(Double.init)
        let all = r.variants.compactMap { r.series("\($0.name)/cumulative_cash") }
        let values = all.flatMap { $0.map(\.mean) } + base.map(\.p5) + base.map(\.p95) + [0]
        let lo = values.filter(\.isFinite).min() ?? 0, hi = values.filter(\.isFinite).max() ?? 1
        var chart = SVGChart(id: "compare-cash", title: "Cumulative cash by strategy (\(cur))",
                             x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                             y: .extended(label: "cumulative cash (\(cur))", lo, hi > lo ? hi : lo + 1))
        chart.band(xs, lower: base.map(\.p5), upper: base.map(\.p95), fill: SVGChart.Palette.blue, opacity: 0.15,
                   legend: "\(r.variants[0].name): P5\u{2013}P95")
        for (i, v) in r.variants.enumerated() {
            guard let series = r.series("\(v.name)/cumulative_cash") else { continue }
            let k = i % SVGChart.Palette.series.count
            chart.line(xs, series.map(\.mean), stroke: SVGChart.Palette.series[k], width: 2.2, dash: SVGChart.Palette.dashes[k],
                       legend: "\(v.name) (mean)")
        }
        chart.line(xs, xs.map { _ in 0 }, stroke: SVGChart.Palette.gray, width: 1, dash: "4 4", legend: "zero cash")
        return HTMLPage.figure(chart.render(), heading: "Cash: how deep each strategy goes.",
                               caption: "Opening cash plus operating cash flow, mean of each strategy, with the base's 90 % band.")
    }

    /// The NPV difference from the base of each strategy: its mean, the 95 % interval of the
    /// mean and the P5-P95 spread of the per-trial effect, one row per strategy.
    static func npvChart(_ r: StrategyComparison) -> String {
        guard let npv = r.metric("npv"), r.variants.count > 1 else { return "" }
        let cur = r.variants[0].scenario.currency
        let rows = Array(r.variants.indices.dropFirst())
        let diffs = rows.compactMap { npv.differences[$0] }.filter { $0.n > 0 }
        guard !diffs.isEmpty else { return "" }
        let lo = min(0, diffs.map(\.p5).min()!), hi = max(0, diffs.map(\.p95).max()!)
        let pad = max((hi - lo) * 0.05, 1)
        var chart = SVGChart(id: "compare-npv", title: "NPV difference from the base (\(cur))",
                             x: .fixed(label: "NPV difference (\(cur))", lo - pad, hi + pad, integer: false),
                             y: .fixed(label: "strategy", 0, Double(rows.count + 1), integer: true))
        for (k, v) in rows.enumerated() {
            guard let d = npv.differences[v], d.n > 0 else { continue }
            let y = Double(rows.count - k)
            chart.line([d.p5, d.p95], [y, y], stroke: SVGChart.Palette.sky, width: 6, legend: k == 0 ? "effect P5\u{2013}P95" : nil)
            let half = 1.96 * d.se
            chart.line([d.mean - half, d.mean + half], [y, y], stroke: SVGChart.Palette.navy, width: 3,
                       legend: k == 0 ? "95 % interval of the mean" : nil)
            chart.line([d.mean, d.mean], [y - 0.2, y + 0.2], stroke: SVGChart.Palette.vermillion, width: 2.5,
                       legend: k == 0 ? "mean difference" : nil)
        }
        chart.verticalLine(at: 0, stroke: SVGChart.Palette.gray, width: 1.4, dash: "4 4", label: "no effect")
        let caption = "One row per strategy, from the top in the order listed (" + rows.map { r.variants[$0].name }.joined(separator: ", ")
            + "). Right of the dashed line the strategy adds value."
        return HTMLPage.figure(chart.render(), heading: "NPV: does each strategy pay off?", caption: caption)
    }
}
