import Foundation
import SubcastCore

/// The `html` report: one self-contained HTML5 file with a plain-language summary, the key
/// inputs and inline SVG charts; no scripts, fonts, images or links outside the file, so it
/// opens offline, prints cleanly and can be mailed as it is. The output holds no timestamps
/// and formats numbers deterministically, so two runs of the same scenario and seed give the
/// same bytes.
///
/// Charts carry a `data-chart` attribute (`chartIDs` for run reports, `fitChartIDs` for fit
/// reports) that tests and `scripts/check-report.py` look for. With levers the page follows the
/// result's layout: the lever tables of the table report (`TableReport.leverSections`) below the
/// key months, expansion and contraction in the MRR bridge, and the `leverChartIDs` charts whose
/// metrics are present (`chartIDs(for:)`); closed-form values, which describe the model without
/// levers only, are left out.
///
/// ```swift
/// let html = HTMLReport.render(result, info: RunInfo(scenarioFile: "Scenarios/b2b-saas.yaml"))
/// try html.write(toFile: "report.html", atomically: true, encoding: .utf8)
/// ```
public enum HTMLReport {
    /// The charts of a run report, in page order.
    public static let chartIDs = ["mrr-fan", "active-fan", "retention", "cltv-histogram", "mrr-bridge"]
    /// The charts of lever metrics, in page order after `chartIDs`, each drawn only when the
    /// result holds its metrics: licence vs subscription path (monthly revenue and cumulative),
    /// and the support panel.
    public static let leverChartIDs = ["licence-paths", "licence-cumulative", "support"]
    /// The chart of the costs process, drawn when the result holds cumulative cash (any lever).
    public static let valueChartIDs = ["cash"]

    /// The charts a run report of `r` draws, in page order.
    public static func chartIDs(for r: SimulationResult) -> [String] {
        var ids = chartIDs
        if r.has("cumulative_cash") { ids.append("cash") }
        if r.has("licence_path_revenue") && r.has("subscription_path_revenue") { ids.append("licence-paths") }
        if r.has("cumulative_licence_path_revenue") && r.has("cumulative_subscription_path_revenue") { ids.append("licence-cumulative") }
        if r.has("tickets") || r.has("backlog") || r.has("bad_resolutions") { ids.append("support") }
        return ids
    }
    /// The charts of a fit report: `cohort-fit` only for retention-table input.
    public static let fitChartIDs = ["fit-check", "cohort-fit"]

    // MARK: run report

    public static func render(_ r: SimulationResult, info: RunInfo) -> String {
        let s = r.scenario
        var body = ""
        body += "<header>\n<h1>Subscription forecast: \(e(s.name))</h1>\n"
        body += HTMLPage.paragraph("Scenario file \(info.scenarioFile) \u{00b7} \(NumberFormat.human(Double(r.trials))) trials \u{00b7} seed \(r.seed) "
                                   + "\u{00b7} horizon \(s.horizonMonths) months \u{00b7} amounts in \(s.currency)", className: "subtitle")
        body += "</header>\n"

        body += "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"summary\">\n"
        for sentence in summarySentences(r) { body += HTMLPage.paragraph(sentence) }
        body += "</div>\n"
        body += keyMonthsTable(r)
        body += leverTables(r)
        body += "</section>\n"

        body += "<section id=\"inputs\">\n<h2>Key inputs</h2>\n"
        body += inputsTables(r, info: info)
        if let drawn = TableReport.inputsSection(r) {
            body += HTMLPage.table(drawn.header, drawn.rows, numeric: Set(1..<drawn.header.count), caption: drawn.title)
            for note in drawn.notes { body += HTMLPage.paragraph(note) }
        }
        body += "</section>\n"

        body += "<section id=\"charts\">\n<h2>Charts</h2>\n"
        body += mrrFan(r)
        body += activeFan(r)
        body += retentionChart(r)
        body += cltvHistogram(r)
        body += mrrBridge(r)
        body += cashFan(r)
        body += licencePaths(r)
        body += licenceCumulative(r)
        body += supportPanel(r)
        body += "</section>\n"

        body += "<footer>\n"
        body += "<p>Subcast \(e(info.subcastVersion)), GSL \(e(info.gslVersion)), generator \(e(info.generator)). "
            + "Running <code>subcast run \(e(shellQuoted(info.scenarioFile))) --seed \(r.seed) --trials \(r.trials)</code> "
            + "reproduces every number in this report.</p>\n"
        body += "<p>Fan charts show the spread across trials: half of the trials lie in the darker band, 90 % in the lighter one. "
        if r.hasClosedForm {
            body += "Closed-form values are exact expectations of the model, computed without simulation"
                + (r.closedForm.atPointEstimates ? " (here at the point estimates of the uncertain churn parameters)" : "")
                + ".</p>\n</footer>\n"
        } else {
            body += "The scenario uses business levers, which the closed-form expectations do not describe, so none are shown.</p>\n</footer>\n"
        }
        return HTMLPage.document(title: "Subcast forecast: \(s.name)", body: body)
    }

    static func summarySentences(_ r: SimulationResult) -> [String] {
        let s = r.scenario
        let cur = s.currency
        let h = s.horizonMonths
        var out: [String] = []
        if let mrr = r.summary("mrr", month: h) {
            out.append("Median MRR in month \(h) is \(cur) \(money(mrr.p50)); 90 % of trials fall between "
                       + "\(money(mrr.p5)) and \(money(mrr.p95)) (ARR \(money(12 * mrr.p50))).")
            if r.hasClosedForm {
                let cf = r.closedForm.mrr[h - 1]
                out.append("The simulated mean MRR is \(money(mrr.mean)) \u{00b1} \(money(mrr.se)) (Monte Carlo standard error); "
                           + (r.closedForm.atPointEstimates
                              ? "the closed-form expectation with every uncertain input at its median is \(money(cf)) (at medians: "
                                + "not the mean over the drawn inputs, so the two need not agree)."
                              : "the closed-form expectation is \(money(cf))."))
            } else {
                out.append("The simulated mean MRR is \(money(mrr.mean)) \u{00b1} \(money(mrr.se)) (Monte Carlo standard error).")
            }
        }
        if let active = r.summary("active", month: h), let cum = r.summary("cumulative_revenue", month: h) {
            out.append("About \(NumberFormat.human(active.p50)) subscribers are active in month \(h) (90 % of trials: "
                       + "\(NumberFormat.human(active.p5)) to \(NumberFormat.human(active.p95))); revenue over the \(h) months totals "
                       + "\(cur) \(money(cum.mean)) on average.")
        }
        if let cltv = r.scalar("cltv") {
            if cltv.n == 0 {
                out.append("CLTV is undefined: no subscriber was acquired in any trial.")
            } else {
                out.append("Mean CLTV per acquired subscriber is \(cur) \(money(cltv.mean)) of gross margin over \(s.lifetimeMonths) months, "
                           + "discounted at \(NumberFormat.percent(s.economics.discountRatePerYear)) a year "
                           + "(90 % of trials: \(money(cltv.p5)) to \(money(cltv.p95))"
                           + (r.hasClosedForm ? "; closed form \(money(r.closedForm.cltv))"
                              + (r.closedForm.atPointEstimates ? " at medians)." : ").") : ")."))
                if let naive = r.scalar("cltv_naive"), naive.n > 0, naive.mean.isFinite, cltv.mean > 0 {
                    out.append("The naive ARPU \u{00d7} margin / churn formula gives \(money(naive.mean)), which "
                               + "\(naive.mean >= cltv.mean ? "overstates" : "understates") CLTV by "
                               + "\(NumberFormat.percent(abs(naive.mean / cltv.mean - 1))).")
                }
            }
        }
        if s.economics.cacPerSubscriber > 0 {
            if let ratio = r.scalar("ltv_cac"), ratio.n > 0 {
                var text = "At a CAC of \(cur) \(money(s.economics.cacPerSubscriber)), LTV:CAC is \(NumberFormat.human(ratio.mean, decimals: 2)) "
                    + "(90 % of trials: \(NumberFormat.human(ratio.p5, decimals: 2)) to \(NumberFormat.human(ratio.p95, decimals: 2)))"
                if let payback = r.scalar("cac_payback_month"), payback.n > 0 {
                    text += "; CAC is paid back in tenure month \(NumberFormat.human(payback.p50)) (median)"
                    if payback.n < r.trials {
                        text += ", but not within \(s.lifetimeMonths) months in \(r.trials - payback.n) of \(r.trials) trials"
                    }
                } else {
                    text += "; CAC is not paid back within \(s.lifetimeMonths) months"
                }
                out.append(text + ".")
            }
        } else {
            out.append("No acquisition cost is set, so LTV:CAC and CAC payback are not computed.")
        }
        if let licence = TableReport.licenceSentence(r) { out.append(licence) }
        out += ValueSummary.sentences(r)
        return out
    }

    /// Cumulative cash (opening cash + operating cash flow) across trials, with the zero line.
    static func cashFan(_ r: SimulationResult) -> String {
        guard let series = r.series("cumulative_cash") else { return "" }
        let cur = r.scenario.currency
        let h = series.count
        let xs = (1...h).map(Double.init)
        let hi = max(0, series.map(\.p95).filter(\.isFinite).max() ?? 1)
        let lo = min(0, series.map(\.p5).filter(\.isFinite).min() ?? 0)
        var c = SVGChart(id: "cash", title: "Cumulative cash by month (\(cur))", x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: "cumulative cash (\(cur))", lo, hi > lo ? hi : lo + 1))
        c.band(xs, lower: series.map(\.p5), upper: series.map(\.p95), fill: SVGChart.Palette.blue, opacity: 0.17,
               legend: "P5\u{2013}P95 (90 % of trials)")
        c.band(xs, lower: series.map(\.p25), upper: series.map(\.p75), fill: SVGChart.Palette.blue, opacity: 0.38,
               legend: "P25\u{2013}P75 (50 %)")
        c.line(xs, series.map(\.p50), stroke: SVGChart.Palette.navy, width: 2.6, legend: "median")
        c.line(xs, xs.map { _ in 0 }, stroke: SVGChart.Palette.vermillion, width: 1.4, dash: "4 4", legend: "zero cash")
        if let m = r.scalar("cash_trough_month"), m.n > 0, m.p50.isFinite {
            c.verticalLine(at: m.p50, stroke: SVGChart.Palette.gray, width: 1.4, dash: "4 4",
                           label: "median trough month \(TableReport.months(m.p50))")
        }
        let caption = "Opening cash plus the operating cash flow of months 1 ... m: billings collected (annual prepayments, licence "
            + "sales and maintenance included) minus every cost. " + ValueSummary.sentences(r).prefix(2).joined(separator: " ")
        return HTMLPage.figure(c.render(), heading: "Cash: how much is needed, and when it turns.", caption: caption)
    }

    static func keyMonthsTable(_ r: SimulationResult) -> String {
        let cur = r.scenario.currency
        var rows: [[String]] = []
        for m in TableReport.keyMonths(horizon: r.scenario.horizonMonths) {
            guard let active = r.summary("active", month: m), let mrr = r.summary("mrr", month: m),
                  let new = r.summary("new", month: m), let churn = r.summary("logo_churn_rate", month: m) else { continue }
            rows.append([TableReport.monthLabel(r.scenario, m), NumberFormat.human(active.mean, decimals: 1), NumberFormat.human(new.mean, decimals: 1),
                         NumberFormat.percent(churn.mean, decimals: 2), money(mrr.mean), money(mrr.p5), money(mrr.p50),
                         money(mrr.p95), money(12 * mrr.mean)])
        }
        return HTMLPage.table(["month", "active (mean)", "new (mean)", "churn (mean)", "MRR mean", "MRR P5", "MRR P50", "MRR P95", "ARR mean"],
                              rows, numeric: Set(0..<9), caption: "Key months (amounts in \(cur))")
    }

    /// The lever sections of the table report as HTML tables with their sentences.
    static func leverTables(_ r: SimulationResult) -> String {
        var out = ""
        for section in TableReport.leverSections(r) {
            if section.header.isEmpty {
                out += HTMLPage.paragraph(section.title, className: "note")
            } else {
                out += HTMLPage.table(section.header, section.rows, numeric: Set(0..<section.header.count), caption: section.title)
            }
            for note in section.notes { out += HTMLPage.paragraph(note, className: "note") }
        }
        return out
    }

    static func inputsTables(_ r: SimulationResult, info: RunInfo) -> String {
        let s = r.scenario
        let cur = s.currency
        var out = ""
        var planRows: [[String]] = []
        for (p, plan) in s.plans.enumerated() {
            let churn: String
            switch plan.churn {
            case let .shiftedBetaGeometric(a, b):
                churn = "sBG \u{03b1} = \(FitReport.fmt(a, 4)), \u{03b2} = \(FitReport.fmt(b, 4))"
            case let .betaDiscreteWeibull(a, b, c):
                churn = "BdW \u{03b1} = \(FitReport.fmt(a, 4)), \u{03b2} = \(FitReport.fmt(b, 4)), c = \(FitReport.fmt(c, 4))"
            case let .constant(q):
                churn = "constant \(NumberFormat.percent(q, decimals: 2)) a month"
            }
            var uncertainty = "none"
            // Uncertain inputs of this plan (named by key path, the default and the fitted ones).
            var drawn = r.inputs.filter { $0.path.hasPrefix("plans[\(p)].") }.map(\.name)
            if drawn.isEmpty {
                drawn = r.layout.blocks.map(\.metric).filter { $0.hasPrefix("input:plans[\(p)].") }
                    .map { String($0.dropFirst("input:".count)) }
            }
            if !drawn.isEmpty {
                uncertainty = "drawn: " + drawn.joined(separator: ", ") + " (see Uncertain inputs)"
            } else if r.layout.blocks.contains(where: { $0.metric.hasPrefix("input:") }) {
                uncertainty = "see Uncertain inputs"
            }
            if let u = plan.churnUncertainty {
                uncertainty = "se(ln \u{03b1}) \(FitReport.fmt(u.seLogAlpha, 3)), se(ln \u{03b2}) \(FitReport.fmt(u.seLogBeta, 3)), "
                    + "corr \(FitReport.fmt(u.correlation, 3))"
            }
            let mix = p < s.acquisition.planMix.count ? s.acquisition.planMix[p] : 0
            planRows.append([plan.name, NumberFormat.human(plan.pricePerMonth, decimals: 2), churn,
                             NumberFormat.percent(plan.churn.churnProbability(atRenewal: 1)),
                             NumberFormat.percent(plan.churn.churnProbability(atRenewal: 12)),
                             NumberFormat.percent(mix), uncertainty])
        }
        out += HTMLPage.table(["plan", "price / month (\(cur))", "churn model", "churn at renewal 1", "at renewal 12",
                               "share of new", "parameter uncertainty"],
                              planRows, numeric: [1, 3, 4, 5], caption: "Plans")

        let a = s.acquisition
        let existing: String
        if s.existing.isEmpty {
            existing = "none (no subscribers at the start)"
        } else {
            existing = s.existing.map { c in
                let name = c.plan < s.plans.count ? s.plans[c.plan].name : "plan \(c.plan + 1)"
                return "\(NumberFormat.human(Double(c.count))) on \(name), \(c.tenureMonths) months paid"
            }.joined(separator: "; ")
        }
        let mix = s.plans.enumerated().map { p, plan in
            "\(plan.name) \(NumberFormat.percent(p < a.planMix.count ? a.planMix[p] : 0))"
        }.joined(separator: ", ")
        let model: [(String, String)] = [
            ("New subscribers", "\(NumberFormat.human(a.newPerMonth, decimals: a.newPerMonth == a.newPerMonth.rounded() ? 0 : 2)) a month in month 1 "
             + "(Poisson mean), growing \(NumberFormat.percent(a.growthPerMonth, decimals: 2)) a month"
             + " (\(NumberFormat.human(a.meanArrivals(month: s.horizonMonths), decimals: 1)) in month \(s.horizonMonths))"),
            ("Plan mix of new subscribers", mix),
            ("Existing base", existing),
            ("Gross margin", NumberFormat.percent(s.economics.grossMargin)),
            ("Discount rate", "\(NumberFormat.percent(s.economics.discountRatePerYear)) a year"),
            ("CAC per new subscriber", s.economics.cacPerSubscriber > 0 ? "\(cur) \(NumberFormat.human(s.economics.cacPerSubscriber, decimals: 2))" : "not set"),
        ]
        let run: [(String, String)] = [
            ("Horizon", "\(s.horizonMonths) months"),
            ("CLTV lifetime", "\(s.lifetimeMonths) months from acquisition"),
            ("Reported cohorts", s.reportedCohorts.isEmpty ? "none" : "acquired in months " + s.reportedCohorts.map(String.init).joined(separator: ", ")),
            ("Currency", s.currency),
            ("Trials", NumberFormat.human(Double(r.trials))),
            ("Seed", String(r.seed)),
            ("Random generator", info.generator),
            ("GSL version", info.gslVersion),
            ("Subcast version", info.subcastVersion),
            ("Scenario file", info.scenarioFile),
        ]
        out += "<div class=\"columns\">\n"
        out += HTMLPage.keyValueTable(model, caption: "Acquisition and economics")
        out += HTMLPage.keyValueTable(run, caption: "Horizon and run")
        out += "</div>\n"
        return out
    }

    // MARK: run charts

    static func fan(_ r: SimulationResult, metric: String, closedForm: [Double], id: String, title: String,
                    yLabel: String, heading: String, caption: String) -> String {
        guard let series = r.series(metric) else { return "" }
        let h = series.count
        let xs = (1...h).map(Double.init)
        // Without a closed form (levers), the simulated mean takes its place.
        let closedForm = r.hasClosedForm ? closedForm : []
        let reference = r.hasClosedForm ? closedForm : series.map(\.mean)
        let hi = (series.map(\.p95) + reference).filter(\.isFinite).max() ?? 1
        let lo = min(0, (series.map(\.p5) + reference).filter(\.isFinite).min() ?? 0)
        var c = SVGChart(id: id, title: title, x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: yLabel, lo, hi))
        c.band(xs, lower: series.map(\.p5), upper: series.map(\.p95), fill: SVGChart.Palette.blue, opacity: 0.17,
               legend: "P5\u{2013}P95 (90 % of trials)")
        c.band(xs, lower: series.map(\.p25), upper: series.map(\.p75), fill: SVGChart.Palette.blue, opacity: 0.38,
               legend: "P25\u{2013}P75 (50 %)")
        c.line(xs, series.map(\.p50), stroke: SVGChart.Palette.navy, width: 2.6, legend: "median")
        if closedForm.count >= h {
            c.line(xs, Array(closedForm.prefix(h)), stroke: SVGChart.Palette.vermillion, width: 2, dash: "7 5",
                   onTop: true, legend: r.closedForm.atPointEstimates ? "closed-form mean (at point estimates)" : "closed-form mean")
        } else {
            c.line(xs, reference, stroke: SVGChart.Palette.vermillion, width: 2, dash: "7 5", onTop: true, legend: "mean")
        }
        return HTMLPage.figure(c.render(), heading: heading, caption: caption)
    }

    static func mrrFan(_ r: SimulationResult) -> String {
        let cur = r.scenario.currency
        let h = r.scenario.horizonMonths
        var caption = "Monthly recurring revenue in \(cur) across \(NumberFormat.human(Double(r.trials))) trials."
        if let m = r.summary("mrr", month: h) {
            caption += " In month \(h) the median is \(money(m.p50)), with 90 % of trials between \(money(m.p5)) and \(money(m.p95))."
        }
        return fan(r, metric: "mrr", closedForm: r.closedForm.mrr, id: "mrr-fan", title: "MRR by month (\(cur))",
                   yLabel: "MRR (\(cur))", heading: "MRR by month.", caption: caption)
    }

    static func activeFan(_ r: SimulationResult) -> String {
        let h = r.scenario.horizonMonths
        var caption = "Subscribers paying in each month, existing base included."
        if let m = r.summary("active", month: h) {
            caption += " In month \(h) the median is \(NumberFormat.human(m.p50)) (90 %: \(NumberFormat.human(m.p5)) to \(NumberFormat.human(m.p95)))."
        }
        return fan(r, metric: "active", closedForm: r.closedForm.active, id: "active-fan", title: "Active subscribers by month",
                   yLabel: "active subscribers", heading: "Active subscribers by month.", caption: caption)
    }

    static func retentionChart(_ r: SimulationResult) -> String {
        let h = r.scenario.horizonMonths
        var c = SVGChart(id: "retention", title: "Cohort retention by tenure month",
                         x: .fixed(label: "tenure month (months since acquisition, 1 = month of sign-up)", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: "retained (%)", 0, 100))
        // The pooled mean as a wide light line underneath, the cohorts' curves on it, the closed
        // form dotted on top: all three stay visible where they coincide, in colour and in grey.
        if let pooled = r.series("retention") {
            c.line((1...pooled.count).map(Double.init), pooled.map { 100 * $0.mean }, stroke: "#b8b8b8", width: 7,
                   legend: "all cohorts (pooled mean)")
        }
        var cohortCount = 0
        for b in r.layout.blocks {
            guard case let .cohort(month) = b.kind, let series = r.series(b.metric) else { continue }
            let k = cohortCount % SVGChart.Palette.series.count
            let xs = (1...series.count).map(Double.init)
            c.line(xs, series.map { 100 * $0.mean }, stroke: SVGChart.Palette.series[k], width: 1.8,
                   dash: SVGChart.Palette.dashes[(k + 1) % SVGChart.Palette.dashes.count],
                   legend: "cohort of month \(month)")
            cohortCount += 1
        }
        if r.hasClosedForm {
            let cf = r.closedForm.retention
            c.line((1...cf.count).map(Double.init), cf.map { 100 * $0 }, stroke: SVGChart.Palette.black, width: 2, dash: "1 4",
                   onTop: true, legend: r.closedForm.atPointEstimates ? "closed form (at point estimates)" : "closed form")
        }
        var caption = "Share of an acquisition cohort still paying in each tenure month (mean over trials). "
            + "The pooled curve averages all cohorts old enough to reach that tenure."
        if let p12 = r.summary("retention", month: min(12, h)) {
            caption += " In tenure month \(min(12, h)), \(NumberFormat.percent(p12.mean)) of subscribers are still active."
        }
        if cohortCount == 0 { caption += " No individual cohorts are reported for this scenario." }
        return HTMLPage.figure(c.render(), heading: "Retention.", caption: caption)
    }

    static func cltvHistogram(_ r: SimulationResult) -> String {
        let cur = r.scenario.currency
        let hist = r.histograms["cltv"] ?? Histogram([])
        let mean = r.scalar("cltv")?.mean ?? .nan
        let closed = r.hasClosedForm ? r.closedForm.cltv : .nan
        let marks = [mean, closed].filter(\.isFinite)
        var lo = (hist.edges + marks).min() ?? 0, hi = (hist.edges + marks).max() ?? 1
        let pad = hi > lo ? (hi - lo) * 0.04 : max(abs(hi) * 0.05, 1)
        lo -= pad; hi += pad
        let maxCount = Double(hist.counts.max() ?? 1)
        var c = SVGChart(id: "cltv-histogram", title: "Distribution of CLTV per acquired subscriber (\(cur))",
                         x: .fixed(label: "CLTV per acquired subscriber (\(cur))", lo, hi, target: 8),
                         y: .extended(label: "trials", 0, max(maxCount, 1), integer: true))
        if hist.counts.isEmpty {
            c.message("no trial acquired a subscriber")
        } else {
            c.histogramBars(edges: hist.edges, counts: hist.counts, fill: "#a6cbe3", stroke: SVGChart.Palette.blue, legend: "trials per bin")
        }
        let meanLeft = mean.isFinite && closed.isFinite && mean < closed
        c.verticalLine(at: mean, stroke: SVGChart.Palette.navy, width: 2.4, label: "mean \(money(mean))", labelRow: meanLeft ? 0 : 1,
                       legend: "simulated mean")
        if r.hasClosedForm {
            c.verticalLine(at: closed, stroke: SVGChart.Palette.vermillion, width: 2.2, dash: "7 5",
                           label: "closed form \(money(closed))", labelRow: meanLeft ? 1 : 0,
                           legend: r.closedForm.atPointEstimates ? "closed form (at point estimates)" : "closed form")
        }
        let caption = "Discounted gross margin per acquired subscriber over \(r.scenario.lifetimeMonths) months, one value per trial "
            + "(the trial's margin over all its new subscribers divided by their number). The spread reflects how many subscribers "
            + "each trial acquired and how long they stayed."
        return HTMLPage.figure(c.render(), heading: "CLTV distribution.", caption: caption)
    }

    static func mrrBridge(_ r: SimulationResult) -> String {
        if r.has("expansion_mrr") || r.has("contraction_mrr") { return leverMRRBridge(r) }
        let cur = r.scenario.currency
        guard let newMRR = r.series("new_mrr"), let churnedMRR = r.series("churned_mrr") else { return "" }
        let h = newMRR.count
        let xs = (1...h).map(Double.init)
        let up = newMRR.map(\.mean)
        let down = (0..<h).map { m in m == 0 ? 0 : -churnedMRR[m - 1].mean }
        let net = (0..<h).map { up[$0] + down[$0] }
        let hi = max(0, (up + net).filter(\.isFinite).max() ?? 0)
        let lo = min(0, (down + net).filter(\.isFinite).min() ?? 0)
        var c = SVGChart(id: "mrr-bridge", title: "Monthly MRR bridge (\(cur))",
                         x: .fixed(label: "month", 0.5, Double(h) + 0.5, integer: true),
                         y: .extended(label: "change in MRR (\(cur) per month)", lo, hi == lo ? 1 : hi))
        c.bars(xs, up, barWidth: 0.72, fill: SVGChart.Palette.blue, legend: "new MRR",
               tooltip: { "month \($0 + 1): new MRR +\(money(up[$0]))" })
        c.bars(xs, down, barWidth: 0.72, fill: SVGChart.Palette.orange, legend: "churned MRR",
               tooltip: { "month \($0 + 1): churned MRR \u{2212}\(money(-down[$0]))" })
        c.addLegend(.empty(label: "expansion (none in this model)", stroke: SVGChart.Palette.green))
        c.addLegend(.empty(label: "contraction (none in this model)", stroke: SVGChart.Palette.purple))
        c.line(xs, net, stroke: SVGChart.Palette.black, width: 2, marker: h <= 48 ? .circle(filled: true) : nil, onTop: true,
               legend: "net change", tooltip: { "month \($0 + 1): net change \(money(net[$0]))" })
        let caption = "How MRR changes from one month to the next (means over trials): MRR of month m = MRR of month m\u{2212}1 "
            + "+ new MRR of month m \u{2212} MRR of the subscribers who churned at the end of month m\u{2212}1. "
            + "This model has no upgrades or downgrades, so expansion and contraction are zero. "
            + "The line is the net change; month 1 starts from "
            + (r.scenario.existing.isEmpty ? "zero (no subscribers at the start)." : "the MRR of the existing base.")
        return HTMLPage.figure(c.render(), heading: "MRR bridge.", caption: caption)
    }

    /// The MRR bridge with expansion and contraction (levers): stacked monthly bars, new and
    /// expansion MRR up, churned and contraction MRR down, and the net change as a line.
    static func leverMRRBridge(_ r: SimulationResult) -> String {
        let cur = r.scenario.currency
        let h = r.scenario.horizonMonths
        let zero = [Double](repeating: 0, count: h)
        func means(_ metric: String) -> [Double]? {
            r.series(metric).map { s in (0..<h).map { $0 < s.count && s[$0].mean.isFinite ? s[$0].mean : 0 } }
        }
        let new = means("new_mrr") ?? zero
        let expansion = means("expansion_mrr") ?? zero
        let contraction = means("contraction_mrr") ?? zero
        // As in the model without levers: churned_mrr of month m leaves MRR between months m and m + 1.
        let churnedSeries = means("churned_mrr") ?? zero
        let churned = (0..<h).map { $0 == 0 ? 0 : churnedSeries[$0 - 1] }
        let up1 = new, up2 = (0..<h).map { new[$0] + expansion[$0] }
        let down1 = churned.map { -$0 }, down2 = (0..<h).map { -churned[$0] - contraction[$0] }
        // The net change of the bars (MRR of month m minus MRR of month m - 1), not the model's
        // net_new_mrr, which subtracts the churned MRR of the same month.
        let net = (0..<h).map { up2[$0] + down2[$0] }
        let hi = max(0, (up2 + net).filter(\.isFinite).max() ?? 0)
        let lo = min(0, (down2 + net).filter(\.isFinite).min() ?? 0)
        let xs = (1...h).map(Double.init)
        var c = SVGChart(id: "mrr-bridge", title: "Monthly MRR bridge (\(cur))",
                         x: .fixed(label: "month", 0.5, Double(h) + 0.5, integer: true),
                         y: .extended(label: "change in MRR (\(cur) per month)", lo, hi == lo ? 1 : hi))
        c.bars(xs, up1, barWidth: 0.72, fill: SVGChart.Palette.blue, legend: "new MRR",
               tooltip: { "month \($0 + 1): new MRR +\(money(new[$0]))" })
        c.bars(xs, up2, bases: up1, barWidth: 0.72, fill: SVGChart.Palette.green, legend: "expansion MRR",
               tooltip: { "month \($0 + 1): expansion MRR +\(money(expansion[$0]))" })
        c.bars(xs, down1, barWidth: 0.72, fill: SVGChart.Palette.orange, legend: "churned MRR",
               tooltip: { "month \($0 + 1): churned MRR \u{2212}\(money(churned[$0]))" })
        c.bars(xs, down2, bases: down1, barWidth: 0.72, fill: SVGChart.Palette.purple, legend: "contraction MRR",
               tooltip: { "month \($0 + 1): contraction MRR \u{2212}\(money(contraction[$0]))" })
        c.line(xs, net, stroke: SVGChart.Palette.black, width: 2, marker: h <= 48 ? .circle(filled: true) : nil, onTop: true,
               legend: "net change", tooltip: { "month \($0 + 1): net change \(money(net[$0]))" })
        var caption = "How MRR changes from one month to the next (means over trials): MRR of month m = MRR of month m\u{2212}1 "
            + "+ new MRR of month m + expansion \u{2212} contraction \u{2212} MRR of the subscribers who churned at the end of "
            + "month m\u{2212}1. Expansion and contraction are the rises and falls of the MRR of existing subscribers "
            + "(plan moves, upsells, seats, usage, price changes, introductory discounts ending). The line is the net change."
        if let nrr = r.summary("nrr", month: h), let grr = r.summary("grr", month: h), h >= 13 {
            caption += " In month \(h) net revenue retention is \(NumberFormat.percent(nrr.mean)) and gross revenue retention "
                + "\(NumberFormat.percent(grr.mean)) (means)."
        }
        return HTMLPage.figure(c.render(), heading: "MRR bridge.", caption: caption)
    }

    /// A fan of a monthly metric's mean with its P5-P95 band, for charts of several series.
    private static func meanWithBand(_ c: inout SVGChart, _ series: [Summary], color: String, dash: String = "",
                                     legend: String) {
        let xs = (1...series.count).map(Double.init)
        c.band(xs, lower: series.map(\.p5), upper: series.map(\.p95), fill: color, opacity: 0.16,
               legend: "\(legend): P5\u{2013}P95")
        c.line(xs, series.map(\.mean), stroke: color, width: 2.4, dash: dash, legend: "\(legend): mean")
    }

    /// The value axis bounds of several series: from zero (or the lowest mean below it) to the
    /// highest P95 or mean.
    private static func bounds(_ all: [[Summary]]) -> (Double, Double) {
        let means = all.flatMap { $0.map(\.mean) }.filter(\.isFinite)
        let highs = all.flatMap { $0.map(\.p95) }.filter(\.isFinite) + means
        let lo = min(0, means.min() ?? 0), hi = max(highs.max() ?? 1, lo + 1)
        return (lo, hi)
    }

    static func licencePaths(_ r: SimulationResult) -> String {
        guard let licence = r.series("licence_path_revenue"), let sub = r.series("subscription_path_revenue") else { return "" }
        let cur = r.scenario.currency
        let h = max(licence.count, sub.count)
        let (lo, hi) = bounds([licence, sub])
        var c = SVGChart(id: "licence-paths", title: "Monthly revenue: staying with licences vs switching to subscriptions (\(cur))",
                         x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: "revenue (\(cur) per month)", lo, hi))
        meanWithBand(&c, licence, color: SVGChart.Palette.orange, dash: "9 4", legend: "licence path")
        meanWithBand(&c, sub, color: SVGChart.Palette.blue, legend: "subscription path")
        if let m = r.scenario.levers.licenceSwitch?.switchMonth, m >= 1, m <= h {
            c.verticalLine(at: Double(m), stroke: SVGChart.Palette.gray, width: 1.6, dash: "4 4", label: "switch in month \(m)")
        }
        var caption = "Revenue in each month if the business keeps selling licences (one-off price plus maintenance) "
            + "and if it switches to subscriptions (means over trials, shaded: 90 % of trials)."
        if let l = r.summary("licence_path_revenue", month: h), let s = r.summary("subscription_path_revenue", month: h) {
            caption += " In month \(h) the licence path brings \(money(l.mean)) and the subscription path \(money(s.mean))."
        }
        return HTMLPage.figure(c.render(), heading: "Switch from licences: monthly revenue.", caption: caption)
    }

    static func licenceCumulative(_ r: SimulationResult) -> String {
        guard let licence = r.series("cumulative_licence_path_revenue"),
              let sub = r.series("cumulative_subscription_path_revenue") else { return "" }
        let cur = r.scenario.currency
        let h = max(licence.count, sub.count)
        let (lo, hi) = bounds([licence, sub])
        var c = SVGChart(id: "licence-cumulative", title: "Cumulative revenue: licences vs subscriptions (\(cur))",
                         x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: "cumulative revenue (\(cur))", lo, hi))
        meanWithBand(&c, licence, color: SVGChart.Palette.orange, dash: "9 4", legend: "licence path")
        meanWithBand(&c, sub, color: SVGChart.Palette.blue, legend: "subscription path")
        if let o = r.scalar("overtake_month"), o.n > 0, o.p50.isFinite {
            c.verticalLine(at: o.p50, stroke: SVGChart.Palette.navy, width: 1.8, dash: "4 4",
                           label: "median overtake month \(TableReport.months(o.p50))")
        }
        var caption = "Revenue summed from month 1 on both paths (means, shaded: 90 % of trials). The subscription path "
            + "overtakes where its curve crosses the licence path."
        if let sentence = TableReport.licenceSentence(r) { caption += " " + sentence }
        return HTMLPage.figure(c.render(), heading: "Switch from licences: cumulative revenue.", caption: caption)
    }

    static func supportPanel(_ r: SimulationResult) -> String {
        let metrics: [(String, String, String, String)] = [
            ("tickets", "tickets raised", SVGChart.Palette.blue, ""),
            ("backlog", "backlog", SVGChart.Palette.orange, "9 4"),
            ("bad_resolutions", "bad resolutions", SVGChart.Palette.vermillion, "3 3"),
        ]
        let present = metrics.compactMap { m in r.series(m.0).map { (m, $0) } }
        guard !present.isEmpty else { return "" }
        let h = present.map(\.1.count).max() ?? 1
        let values = present.flatMap { $0.1.flatMap { [$0.mean, $0.p95] } }.filter(\.isFinite)
        var c = SVGChart(id: "support", title: "Customer support by month",
                         x: .fixed(label: "month", 1, Double(max(h, 2)), integer: true),
                         y: .extended(label: "tickets", 0, max(values.max() ?? 1, 1)))
        for ((metric, label, color, dash), series) in present {
            let xs = (1...series.count).map(Double.init)
            if metric == "backlog" {
                c.band(xs, lower: series.map(\.p5), upper: series.map(\.p95), fill: color, opacity: 0.16, legend: "backlog: P5\u{2013}P95")
            }
            c.line(xs, series.map(\.mean), stroke: color, width: 2.4, dash: dash, legend: "\(label): mean")
        }
        var caption = "Tickets raised each month, those left waiting at the month's end (the backlog; shaded: 90 % of trials) "
            + "and tickets resolved badly, which make detractors who churn more (means over trials)."
        let parts = [("support_churn", "subscribers lost to bad resolutions"), ("support_saved", "kept by good ones")]
            .compactMap { m, label in TableReport.total(r, m).map { "\(NumberFormat.human($0, decimals: 1)) \(label)" } }
        if !parts.isEmpty { caption += " Over \(r.scenario.horizonMonths) months: " + parts.joined(separator: ", ") + "." }
        return HTMLPage.figure(c.render(), heading: "Support.", caption: caption)
    }

    // MARK: fit report

    public static func renderFit(_ analyses: [FitAnalysis], context: FitReport.Context, snippet: String) -> String {
        let p = context.period.rawValue
        var body = "<header>\n<h1>Churn fit: \(e(context.input))</h1>\n"
        var sub = "Shifted-beta-geometric churn fitted to \(context.input) (\(context.inputKind)); periods: \(p)s"
        if let asOf = context.asOf { sub += "; as of \(asOf)" }
        if context.holdout > 0 { sub += "; last \(context.holdout) period(s) of each cohort held out" }
        body += HTMLPage.paragraph(sub + ".", className: "subtitle")
        body += "</header>\n"
        body += HTMLPage.paragraph("Maximum likelihood with right-censoring (GSL simplex); standard errors from the observed information; "
                                   + "95 % intervals are exp(ln estimate \u{00b1} 1.96 se).", className: "note")

        for (i, a) in analyses.enumerated() {
            let f = a.fit
            let name = a.group.map { "Plan \($0)" } ?? "All subscribers"
            body += "<section class=\"fit-group\">\n<h2>\(e(name))</h2>\n"
            let h1 = f.alpha / (f.alpha + f.beta)
            let h12 = f.alpha / (f.alpha + f.beta + 11)
            body += "<div class=\"summary\">\n"
            body += HTMLPage.paragraph("\(NumberFormat.human(Double(f.subscribers))) subscribers, \(NumberFormat.human(Double(f.churnEvents))) churn events. "
                                       + "Churn at the first renewal is \(NumberFormat.percent(h1)) on average and falls to \(NumberFormat.percent(h12)) "
                                       + "at the 12th renewal as the least loyal subscribers leave first.")
            body += "</div>\n"
            body += HTMLPage.table(["parameter", "estimate", "se", "95 % interval"], [
                ["alpha (\u{03b1})", FitReport.fmt(f.alpha, 4), FitReport.fmt(f.seAlpha, 4),
                 "\(FitReport.fmt(f.alphaInterval.lower, 4)) \u{2013} \(FitReport.fmt(f.alphaInterval.upper, 4))"],
                ["beta (\u{03b2})", FitReport.fmt(f.beta, 4), FitReport.fmt(f.seBeta, 4),
                 "\(FitReport.fmt(f.betaInterval.lower, 4)) \u{2013} \(FitReport.fmt(f.betaInterval.upper, 4))"],
            ], numeric: [1, 2, 3], caption: "Estimates")
            var kv: [(String, String)] = [
                ("Correlation of ln \u{03b1} and ln \u{03b2}", FitReport.fmt(f.correlation, 3)),
                ("Log-likelihood", FitReport.fmt(f.logLikelihood, 3)),
                ("se(ln \u{03b1}), se(ln \u{03b2})", "\(FitReport.fmt(f.seLogAlpha, 4)), \(FitReport.fmt(f.seLogBeta, 4))"),
                ("Mean churn at the first renewal", NumberFormat.percent(h1)),
                ("Polarisation 1/(\u{03b1}+\u{03b2}+1)", FitReport.fmt(1 / (f.alpha + f.beta + 1), 3)),
            ]
            if let m = a.meanAmount { kv.append(("Mean amount", FitReport.fmt(m, 2))) }
            body += HTMLPage.keyValueTable(kv)
            body += fitCheckChart(a, period: p, index: i)
            if !a.cohortCheck.isEmpty { body += cohortFitChart(a, period: p, holdout: context.holdout) }
            body += tenureTable(a, period: p, context: context)
            body += "</section>\n"
        }
        body += "<section id=\"snippet\">\n<h2>Scenario snippet</h2>\n"
        body += HTMLPage.paragraph("Paste this into a scenario file to simulate with the fitted churn.", className: "note")
        body += "<pre><code>\(e(snippet))</code></pre>\n</section>\n"
        body += "<footer>\n<p>Subcast \(e(Simulation.version)). This report holds no timestamps; the same input gives the same file.</p>\n</footer>\n"
        return HTMLPage.document(title: "Churn fit: \(context.input)", body: body)
    }

    static func fitCheckChart(_ a: FitAnalysis, period p: String, index: Int) -> String {
        let checks = a.renewalCheck
        let xs = checks.map { Double($0.renewal) }
        let observed = checks.map { $0.atRisk > 0 ? 100 * Double($0.observedChurn) / Double($0.atRisk) : .nan }
        let expected = checks.map { $0.atRisk > 0 ? 100 * $0.expectedChurn / Double($0.atRisk) : .nan }
        let maxRenewal = Double(checks.map(\.renewal).max() ?? 1)
        let hi = (observed + expected).filter(\.isFinite).max() ?? 1
        var c = SVGChart(id: "fit-check", title: "Observed vs expected churn by renewal",
                         x: .fixed(label: "renewal (end of the \(p) paid)", 0.5, maxRenewal + 0.5, integer: true),
                         y: .extended(label: "churn at renewal (% of those at risk)", 0, max(hi, 0.1)))
        c.bars(xs, observed, barWidth: 0.66, fill: "#a6cbe3", stroke: SVGChart.Palette.blue, legend: "observed churn",
               tooltip: { i in "renewal \(checks[i].renewal): \(checks[i].observedChurn) of \(checks[i].atRisk) churned (\(NumberFormat.percent(observed[i] / 100)))" })
        c.line(xs, expected, stroke: SVGChart.Palette.vermillion, width: 2.2, dash: "7 4", marker: .square, onTop: true,
               legend: "expected by the fitted model",
               tooltip: { i in "renewal \(checks[i].renewal): expected \(FitReport.fmt(checks[i].expectedChurn, 1)) churners (\(NumberFormat.percent(expected[i] / 100)))" })
        let caption = "Churners at each renewal as a share of the subscribers observed at it (bars), against the fitted "
            + "h(t) = \u{03b1} / (\u{03b1} + \u{03b2} + t \u{2212} 1) (line). Bars at late renewals rest on few subscribers."
        return HTMLPage.figure(c.render(), heading: "Fit check.", caption: caption)
    }

    static func cohortFitChart(_ a: FitAnalysis, period p: String, holdout: Int) -> String {
        let cohorts = a.cohortCheck
        let longest = cohorts.map(\.periods.count).max() ?? 1
        let hi = Double(cohorts.flatMap { $0.periods.map { max(Double($0.actual), $0.predicted) } }.max() ?? 1)
        var c = SVGChart(id: "cohort-fit", title: "Actual vs predicted survivors per cohort",
                         x: .fixed(label: "\(p)s since the cohort started", 0, Double(max(longest - 1, 1)), integer: true),
                         y: .extended(label: "customers alive", 0, max(hi, 1)))
        let shown = 8
        for (k, cohort) in cohorts.enumerated() {
            let color = SVGChart.Palette.series[k % SVGChart.Palette.series.count]
            let xs = cohort.periods.indices.map(Double.init)
            let held = Set(cohort.periods.indices.filter { cohort.periods[$0].heldOut })
            c.line(xs, cohort.periods.map(\.predicted), stroke: color, width: 1.6, dash: "6 4")
            c.line(xs, cohort.periods.map { Double($0.actual) }, stroke: color, width: 2, marker: .circle(filled: true), hollowAt: held,
                   legend: k < shown ? "cohort \(cohort.label)" : nil,
                   tooltip: { i in "cohort \(cohort.label), \(p) \(i): \(cohort.periods[i].actual) alive, predicted \(FitReport.fmt(cohort.periods[i].predicted, 1))"
                              + (cohort.periods[i].heldOut ? " (held out)" : "") })
        }
        c.addLegend(.line(label: "predicted (dashed)", stroke: SVGChart.Palette.gray, width: 1.6, dash: "6 4", marker: nil))
        if holdout > 0 {
            c.addLegend(.line(label: "held out of the fit (open circles)", stroke: SVGChart.Palette.gray, width: 0.01, dash: "",
                              marker: .circle(filled: false)))
        }
        var caption = "Customers alive at the start of each \(p) (solid lines, dots) against the cohort size times the fitted survival "
            + "S(k) (dashed, same colour)."
        if holdout > 0 {
            caption += " Open circles mark the last \(holdout) \(p)(s) of each cohort, which the fit did not see: how well the dashed lines "
                + "predict them shows out-of-sample accuracy."
        }
        if cohorts.count > shown { caption += " \(cohorts.count) cohorts; the legend names the first \(shown) and colours repeat." }
        return HTMLPage.figure(c.render(), heading: "Cohort fit.", caption: caption)
    }

    static func tenureTable(_ a: FitAnalysis, period p: String, context: FitReport.Context) -> String {
        var rows: [[String]] = []
        for (i, n) in FitAnalysis.tenures.enumerated() where i < a.retentionByTenure.count {
            rows.append([String(n), NumberFormat.percent(a.retentionByTenure[i].rate)]
                        + a.survivalByTenure[i].probabilities.map { NumberFormat.percent($0) }
                        + [FitReport.fmt(a.derlByTenure[i].derl, 2)])
        }
        let header = ["tenure (\(p)s paid)", "renews"] + a.horizons.map { "active +\($0)" } + ["DERL"]
        var out = HTMLPage.table(header, rows, numeric: Set(0..<header.count), caption: "Customers by tenure")
        out += HTMLPage.paragraph("renews: probability that a customer who has paid this many \(p)s renews once more; "
                                  + "active +k: probability of still being active k \(p)s later. "
                                  + "DERL: discounted expected residual lifetime, the expected number of further payments, the k-th discounted by "
                                  + "(1 + d)^\u{2212}k with d = \(FitReport.fmt(a.discountPerPeriod, 5)) per \(p) "
                                  + "(\(NumberFormat.percent(context.discountRatePerYear)) a year); multiply by the price per \(p) for a value.",
                                  className: "note")
        return out
    }

    // MARK: helpers

    private static func e(_ s: String) -> String { HTMLPage.escape(s) }

    /// Money without decimals from 100 up, with two below.
    static func money(_ x: Double) -> String {
        NumberFormat.human(x, decimals: x.isFinite && abs(x) < 100 && x != x.rounded() ? 2 : 0)
    }

    /// A file name as one would type it in a POSIX shell.
    static func shellQuoted(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy { c in
            (c.value >= 0x30 && c.value <= 0x39) || (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
                || "/._-+,:@".unicodeScalars.contains(c)
        }
        if safe && !s.isEmpty { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
