import SubcastCore

/// The HTML report of `subcast optimize --report FILE`: the answer in words (the best decision,
/// its objective and interval, the probability that it is really the best, each constraint with
/// the probability that it holds, the runner-up), a chart of the objective over the candidates
/// (against the decision's value when there is one decision, else the best 30 ranked, each with
/// its 95 % interval; candidates that break a constraint drawn hollow), and the candidates' table.
/// Self-contained like the run report; no timings.
public enum OptimizeHTMLReport {
    public static let chartID = "optimize-objective"

    public static func render(_ r: Optimizer.Result, _ c: OptimizeReport.Context) -> String {
        let p = r.problem
        let name = OptimizeReport.objectiveName(p)
        var body = "<header>\n<h1>Decisions optimised: \(HTMLPage.escape(c.scenarioName))</h1>\n"
        body += HTMLPage.paragraph(OptimizeReport.spaceLine(r) + " \u{00b7} "
                                   + r.stages.map { "\(NumberFormat.human(Double($0.trials))) trials for \($0.candidates)" }.joined(separator: ", then ")
                                   + " \u{00b7} common random numbers \u{00b7} seed \(c.seed) \u{00b7} amounts in \(c.currency)",
                                   className: "subtitle")
        body += "</header>\n<section id=\"summary\">\n<h2>The answer</h2>\n<div class=\"summary\">\n"
        body += HTMLPage.paragraph("Objective: \(p.objective.maximize ? "maximise" : "minimise") the \(name)"
                                   + (p.constraints.isEmpty ? "." : ", subject to " + p.constraints.map(\.description).joined(separator: "; ") + "."))
        if let b = r.best {
            let best = r.candidates[b]
            body += HTMLPage.paragraph("Best: \(OptimizeReport.decision(p, best)), with a \(name) of "
                                       + "\(OptimizeReport.value(p.objective.statistic, best.objective)) (95 % interval "
                                       + "\(OptimizeReport.value(p.objective.statistic, best.interval.lower)) to "
                                       + "\(OptimizeReport.value(p.objective.statistic, best.interval.upper)), \(best.trials) trials). The probability "
                                       + "that it is really the best is at least \(NumberFormat.percent(r.probabilityCorrect))"
                                       + (p.objective.indifference > 0 ? " (differences below \(OptimizationProblem.plain(p.objective.indifference)) not counted)" : "")
                                       + ".")
            for (k, res) in zip(p.constraints, best.constraints) {
                body += HTMLPage.paragraph("\(k.description): \(OptimizeReport.value(k.statistic, res.estimate)), "
                                           + "\(res.holds ? "met" : "not met"); the probability that it really holds is "
                                           + "\(NumberFormat.percent(res.probabilityHolds)).")
            }
            if let u = r.runnerUp {
                let ru = r.candidates[u]
                body += HTMLPage.paragraph("Runner-up: \(OptimizeReport.decision(p, ru)), \(OptimizeReport.value(p.objective.statistic, ru.objective))"
                                           + (ru.probabilityBetter.map { "; the chance that it is really better is \(NumberFormat.percent($0))" } ?? "") + ".")
            }
        } else {
            body += HTMLPage.paragraph("No candidate meets every constraint. The table shows how far each falls short.")
        }
        body += "</div>\n</section>\n<section id=\"charts\">\n<h2>Chart</h2>\n"
        body += chart(r)
        if r.search != nil { body += searchChart(r) }
        body += "</section>\n<section id=\"tables\">\n<h2>Candidates</h2>\n"
        let ranked = OptimizeReport.ranked(r)
        var rows: [[String]] = []
        for (i, cand) in ranked.enumerated() {
            rows.append(["\(i + 1)"] + cand.values.map(OptimizationProblem.plain)
                        + [OptimizeReport.value(p.objective.statistic, cand.objective),
                           "\(OptimizeReport.value(p.objective.statistic, cand.interval.lower)) \u{2026} \(OptimizeReport.value(p.objective.statistic, cand.interval.upper))",
                           "\(cand.trials)"]
                        + zip(p.constraints, cand.constraints).map { OptimizeReport.value($0.statistic, $1.estimate) + " (\(NumberFormat.percent($1.probabilityHolds)))" }
                        + [cand.feasible ? "yes" : "no"])
        }
        // Key paths may break after their dots on a narrow page.
        let header = ["rank"] + p.decisions.map { $0.key.replacingOccurrences(of: ".", with: ".\u{200B}") } + [name, "95 % interval", "trials"]
            + p.constraints.map { "\($0.statistic) \($0.metric.name) (P holds)" } + ["feasible"]
        body += HTMLPage.table(header, rows, numeric: Set(0..<(header.count - 1)),
                               caption: r.search == nil ? "Every candidate, feasible ones first, best first"
                                   : "The finalists of the search, feasible ones first, best first")
        body += "</section>\n<footer>\n<p>Subcast \(HTMLPage.escape(c.info.subcastVersion)), GSL \(HTMLPage.escape(c.info.gslVersion)), "
            + "generator \(HTMLPage.escape(c.info.generator)). Every candidate simulates trial i on the same random streams; the "
            + "probability of correct selection is a Bonferroni lower bound from the paired differences, the probability that a "
            + "constraint holds Jeffreys' posterior of the share of trials beyond its bound."
            + (r.search == nil ? "" : " The candidates were found by a coordinate search (one decision at a time, coarse to fine) on the "
               + "screening trials; it finds a local optimum, and the probability of correct selection is among its finalists.")
            + "</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast optimisation: \(c.scenarioName)", body: body)
    }

    static func chart(_ r: Optimizer.Result) -> String {
        let p = r.problem
        let name = OptimizeReport.objectiveName(p)
        let finite = r.candidates.filter { $0.objective.isFinite }
        guard !finite.isEmpty else { return HTMLPage.paragraph("No candidate has a defined objective.") }
        let los = finite.map { $0.interval.lower.isFinite ? $0.interval.lower : $0.objective }
        let his = finite.map { $0.interval.upper.isFinite ? $0.interval.upper : $0.objective }
        let lo = los.min()!, hi = max(his.max()!, lo + 1e-9)
        if p.decisions.count == 1 {
            let d = p.decisions[0]
            // A search's chart shows every candidate it evaluated (screening estimates).
            let order = (r.search?.explored ?? r.candidates).sorted { $0.values[0] < $1.values[0] }
            let xs = order.map { $0.values[0] }
            let xlo = xs.first!, xhi = xs.count > 1 ? xs.last! : xs.first! + 1
            var chart = SVGChart(id: chartID, title: "\(name) by \(d.key)", x: .extended(label: d.key, xlo, xhi),
                                 y: .extended(label: name, lo, hi))
            chart.band(xs, lower: order.map(\.interval.lower), upper: order.map(\.interval.upper), fill: SVGChart.Palette.blue,
                       opacity: 0.18, legend: "95 % interval")
            let hollow = Set(order.indices.filter { !order[$0].feasible })
            chart.line(xs, order.map(\.objective), stroke: SVGChart.Palette.navy, width: 2.2, marker: .circle(filled: true),
                       hollowAt: hollow, legend: hollow.isEmpty ? name : "\(name) (hollow: breaks a constraint)")
            if let b = r.best {
                chart.verticalLine(at: r.candidates[b].values[0], stroke: SVGChart.Palette.vermillion, width: 1.6, dash: "5 4", label: "best")
            }
            return HTMLPage.figure(chart.render(), heading: "The objective over the candidates",
                                   caption: "The \(name) of each value of \(d.key), with its 95 % interval; the dashed line marks the chosen one.")
        }
        let shown = Array(OptimizeReport.ranked(r).prefix(30))
        var chart = SVGChart(id: chartID, title: "\(name), the best \(shown.count) candidates",
                             x: .extended(label: name, lo, hi),
                             y: .categories(label: p.decisions.map { String($0.key.split(separator: ".").last ?? "") }.joined(separator: " / "),
                                            shown.enumerated().map { k, c in "\(k + 1). " + c.values.map(OptimizationProblem.plain).joined(separator: " / ") }),
                             plotHeight: Double(max(280, 18 * shown.count)))
        for (k, cand) in shown.enumerated() {
            let y = Double(shown.count - k)
            if cand.interval.lower.isFinite && cand.interval.upper.isFinite {
                chart.line([cand.interval.lower, cand.interval.upper], [y, y], stroke: cand.feasible ? SVGChart.Palette.sky : SVGChart.Palette.gray,
                           width: 5, legend: k == 0 ? "95 % interval" : nil)
            }
            chart.line([cand.objective], [y], stroke: cand.index == r.best.map({ r.candidates[$0].index }) ? SVGChart.Palette.vermillion : SVGChart.Palette.navy,
                       marker: .circle(filled: true), hollowAt: cand.feasible ? [] : [0], onTop: true,
                       legend: k == 0 ? "estimate (hollow: breaks a constraint)" : nil,
                       tooltip: { _ in OptimizeReport.decision(p, cand) })
        }
        let caption = "Rank 1 at the top: " + shown.prefix(5).enumerated().map { "\($0 + 1). \(OptimizeReport.decision(p, $1))" }.joined(separator: "; ")
            + (shown.count > 5 ? "; ..." : "") + ". The full list is in the table below."
        return HTMLPage.figure(chart.render(), heading: "The objective over the candidates", caption: caption)
    }

    public static let searchChartID = "optimize-search"

    /// The search's path: the screening estimate of every candidate in the order evaluated, and
    /// the best feasible one so far.
    static func searchChart(_ r: Optimizer.Result) -> String {
        guard let search = r.search, !search.explored.isEmpty else { return "" }
        let p = r.problem
        let name = OptimizeReport.objectiveName(p)
        let xs = search.explored.indices.map { Double($0 + 1) }
        let ys = search.explored.map(\.objective)
        let finite = ys.filter(\.isFinite)
        guard let lo = finite.min(), let hi0 = finite.max() else { return "" }
        let hi = max(hi0, lo + 1e-9)
        let sign = p.objective.maximize ? 1.0 : -1.0
        var bestSoFar: [Double] = []
        var current = Double.nan
        for c in search.explored {
            if c.feasible && c.objective.isFinite && (current.isNaN || sign * c.objective > sign * current) { current = c.objective }
            bestSoFar.append(current)
        }
        var chart = SVGChart(id: searchChartID, title: "The coordinate search, candidate by candidate",
                             x: .fixed(label: "candidate evaluated", 1, Double(max(2, xs.count)), integer: true),
                             y: .extended(label: name, lo, hi))
        let hollow = Set(search.explored.indices.filter { !search.explored[$0].feasible })
        chart.line(xs, ys.map { $0 }, stroke: SVGChart.Palette.sky, width: 0, marker: .circle(filled: true), hollowAt: hollow,
                   legend: "screening estimate (hollow: breaks a constraint)",
                   tooltip: { i in OptimizeReport.decision(p, search.explored[i]) })
        chart.line(xs, bestSoFar, stroke: SVGChart.Palette.vermillion, width: 2, legend: "best feasible so far")
        return HTMLPage.figure(chart.render(), heading: "How the search went",
                               caption: "\(search.explored.count) of \(search.spaceSize) candidates evaluated on "
                                   + "\(r.stages.first.map { "\($0.trials)" } ?? "the screening") trials in \(search.passes) pass"
                                   + (search.passes == 1 ? "" : "es") + (search.converged ? " (the last moved no decision)" : " (stopped at the pass limit)")
                                   + "; the best \(r.candidates.count) went on to the selection.")
    }
}
