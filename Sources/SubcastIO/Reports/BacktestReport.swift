import Foundation
import SubcastCore

/// Renders `subcast backtest`: a terminal table, CSV and an HTML page with the two fans.
public enum BacktestReport {
    static func f(_ x: Double, _ d: Int = 1) -> String { FitReport.fmt(x, d) }

    public static func table(_ b: Backtest) -> String {
        var out: [String] = []
        out.append("Subcast \(Simulation.version) - backtest: fitted on the data as of \(b.cutoff), forecast \(b.active.count) month(s) to \(b.asOf)")
        out.append("\(b.trials) trials, seed \(b.seed); the forecast carries the estimation uncertainty (uncertain inputs) and the process noise")
        out.append("")
        var rows: [[String]] = []
        for (a, m) in zip(b.active, b.mrr) {
            rows.append([String(a.month), a.start.description,
                         f(a.actual, 0), f(a.forecast.p5, 0), f(a.forecast.p50, 0), f(a.forecast.p95, 0), a.inside ? "yes" : "NO",
                         f(m.actual, 0), f(m.forecast.p5, 0), f(m.forecast.p50, 0), f(m.forecast.p95, 0), m.inside ? "yes" : "NO"])
        }
        out += TableReport.table(["month", "from", "active", "P5", "P50", "P95", "inside", "MRR", "P5", "P50", "P95", "inside"], rows)
        out.append("")
        out.append("Coverage of the 90 % band: active \(NumberFormat.percent(Backtest.coverage(b.active))), MRR \(NumberFormat.percent(Backtest.coverage(b.mrr))) "
                   + "of \(b.active.count) month(s)")
        out.append("Mean log score (normal density at the actual): active \(f(Backtest.meanLogScore(b.active), 3)), MRR \(f(Backtest.meanLogScore(b.mrr), 3))")
        out.append("Months are consecutive, so their misses are not independent: one early miss tends to persist.")
        return out.joined(separator: "\n") + "\n"
    }

    public static func csv(_ b: Backtest) -> String {
        var lines = ["series,month,from,actual,mean,sd,p5,p50,p95,inside,log_score"]
        func n(_ x: Double) -> String { NumberFormat.exact(x) ?? "" }
        for (name, series) in [("active", b.active), ("mrr", b.mrr)] {
            for m in series {
                lines.append([name, String(m.month), m.start.description, n(m.actual), n(m.forecast.mean), n(m.forecast.sd), n(m.forecast.p5),
                              n(m.forecast.p50), n(m.forecast.p95), m.inside ? "true" : "false", n(m.logScore)].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func fan(_ series: [Backtest.Month], id: String, title: String, unit: String) -> String {
        let xs = series.map { Double($0.month) }
        let lo = (series.map(\.forecast.p5) + series.map(\.actual)).min() ?? 0
        let hi = (series.map(\.forecast.p95) + series.map(\.actual)).max() ?? 1
        var c = SVGChart(id: id, title: title, x: .fixed(label: "month after the cut-off", 0.5, Double(series.count) + 0.5, integer: true),
                         y: .extended(label: unit, lo, max(hi, lo + 1e-9)))
        c.band(xs, lower: series.map(\.forecast.p5), upper: series.map(\.forecast.p95), fill: SVGChart.Palette.sky, opacity: 0.35,
               legend: "forecast P5 - P95")
        c.line(xs, series.map(\.forecast.p50), stroke: SVGChart.Palette.blue, width: 2, legend: "forecast median",
               tooltip: { i in "month \(series[i].month): median \(f(series[i].forecast.p50, 0)), P5 \(f(series[i].forecast.p5, 0)), P95 \(f(series[i].forecast.p95, 0))" })
        c.line(xs, series.map(\.actual), stroke: SVGChart.Palette.vermillion, width: 2, marker: .circle(filled: true), onTop: true,
               legend: "actual",
               tooltip: { i in "month \(series[i].month) (from \(series[i].start)): actual \(f(series[i].actual, 0))\(series[i].inside ? "" : ", outside the band")" })
        return HTMLPage.figure(c.render(), heading: title + ".",
                               caption: "The forecast made on the cut-off date (band: P5 to P95 of the trials; line: median) against what happened (dots). "
                               + "Coverage \(NumberFormat.percent(Backtest.coverage(series))) of the months against 90 % nominal.")
    }

    public static func html(_ b: Backtest) -> String {
        var body = "<header>\n<h1>Backtest: how far to trust the forecast</h1>\n"
        body += HTMLPage.paragraph("Fitted to the data as they stood on \(b.cutoff); forecast of \(b.active.count) month(s) set against what "
                                   + "happened up to \(b.asOf). \(b.trials) trials, seed \(b.seed).", className: "subtitle")
        body += "</header>\n"
        body += "<div class=\"summary\">\n" + HTMLPage.paragraph(
            "The 90 % band held the actual number of active subscribers in \(NumberFormat.percent(Backtest.coverage(b.active))) of the months "
            + "and the actual MRR in \(NumberFormat.percent(Backtest.coverage(b.mrr))). Mean log score: active "
            + "\(f(Backtest.meanLogScore(b.active), 3)), MRR \(f(Backtest.meanLogScore(b.mrr), 3)) (higher is better; compare models on the same data).") + "</div>\n"
        body += fan(b.active, id: "backtest-active", title: "Active subscribers", unit: "active subscribers")
        body += fan(b.mrr, id: "backtest-mrr", title: "MRR", unit: "MRR")
        let rows = zip(b.active, b.mrr).map { a, m in
            [String(a.month), a.start.description, f(a.actual, 0), "\(f(a.forecast.p5, 0)) \u{2013} \(f(a.forecast.p95, 0))", a.inside ? "yes" : "no",
             f(m.actual, 0), "\(f(m.forecast.p5, 0)) \u{2013} \(f(m.forecast.p95, 0))", m.inside ? "yes" : "no"]
        }
        body += HTMLPage.table(["month", "from", "active", "P5 \u{2013} P95", "inside", "MRR", "P5 \u{2013} P95", "inside"], rows,
                               numeric: [0, 2, 3, 5, 6], caption: "Month by month")
        body += HTMLPage.paragraph("The log score is the log density of the actual under a normal distribution with the trials' mean and "
                                   + "standard deviation. Consecutive months are not independent: a miss early on tends to persist.", className: "note")
        body += "<footer>\n<p>Subcast \(HTMLPage.escape(Simulation.version)). This report holds no timestamps; the same input gives the same file.</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast backtest: \(b.cutoff)", body: body)
    }
}
