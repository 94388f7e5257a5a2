import Foundation
import SubcastCore

/// The `csv` format: tidy rows `month,metric,statistic,value` that a spreadsheet opens directly.
///
/// - Monthly metrics (every monthly block of the layout, in layout order: the core metrics, then
///   the lever metrics the scenario switches on): `month` is the reporting month (1 ...),
///   statistics n, mean, sd, se, p5, p25, p50, p75, p95, se_p5 ... se_p95 (Monte Carlo standard errors of the quantiles), and `closed_form` for active, new and
///   mrr (the exact expectation; only without levers).
/// - Retention: metric `retention` (pooled) or `retention_cohort_<month>`; `month` is the tenure
///   month (1 = the month of acquisition).
/// - Per-trial scalars (acquired, cltv, cltv_naive, ltv_cac, cac_payback_month, then lever
///   scalars such as valley_depth or overtakes_in_horizon): `month` empty; `cltv` also has a
///   `closed_form` row without levers.
/// - Run information (scenario, seed, trials, versions, generator): statistic `info`, `month` empty.
/// Undefined values are empty cells. With levers (`Scenario.usesLevers`) there are no
/// `closed_form` rows and no `closed_form_at_point_estimates` info row.
public enum CSVReport {
    public static func render(_ r: SimulationResult, info: RunInfo) -> String {
        var lines = ["month,metric,statistic,value"]
        func row(_ month: String, _ metric: String, _ stat: String, _ value: String) {
            lines.append("\(month),\(metric),\(stat),\(value)")
        }
        func summary(_ month: String, _ metric: String, _ s: Summary) {
            row(month, metric, "n", String(s.n))
            for (name, v) in s.named { row(month, metric, name, NumberFormat.exact(v) ?? "") }
        }
        var infoRows = [("scenario", field(r.scenario.name)), ("scenario_file", field(info.scenarioFile)),
                        ("currency", field(r.scenario.currency)), ("seed", String(r.seed)), ("trials", String(r.trials)),
                        ("horizon_months", String(r.scenario.horizonMonths)),
                        ("lifetime_months", String(r.scenario.lifetimeMonths)),
                        ("subcast_version", field(info.subcastVersion)), ("generator", field(info.generator)),
                        ("gsl_version", field(info.gslVersion))]
        if r.hasClosedForm {
            infoRows.append(("closed_form_at_point_estimates", r.closedForm.atPointEstimates ? "true" : "false"))
        }
        for (k, v) in infoRows { row("", k, "info", v) }
        let closed: [String: [Double]] = r.hasClosedForm
            ? ["active": r.closedForm.active, "new": r.closedForm.new, "mrr": r.closedForm.mrr] : [:]
        let monthly = r.monthlyBlocks.map { ($0.metric, r.series($0.metric)!) }
        for m in 1...r.scenario.horizonMonths {
            for (metric, series) in monthly where m <= series.count {
                summary(String(m), metric, series[m - 1])
                if let c = closed[metric] { row(String(m), metric, "closed_form", NumberFormat.exact(c[m - 1]) ?? "") }
            }
        }
        for b in r.layout.blocks where b.kind == .byTenure || { if case .cohort = b.kind { return true }; return false }() {
            for (i, s) in r.series(b.metric)!.enumerated() { summary(String(i + 1), b.metric, s) }
        }
        for b in r.scalarBlocks { summary("", b.metric, r.scalar(b.metric)!) }
        if r.hasClosedForm { row("", "cltv", "closed_form", NumberFormat.exact(r.closedForm.cltv) ?? "") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The wide layout (`--csv-layout wide`): one row per month (1 ... horizon), one column per
    /// monthly metric and statistic, `<metric>_<statistic>` (`mrr_mean`, `mrr_p5`, ...,
    /// `mrr_se_p95`, then any `--percentiles`, and `<metric>_closed_form` where the long layout
    /// has closed-form rows), in the long layout's metric order. Retention by tenure, per-trial
    /// scalars and run information have no month: they are in the long layout and the JSON.
    public static func renderWide(_ r: SimulationResult, info: RunInfo) -> String {
        let closed: [String: [Double]] = r.hasClosedForm
            ? ["active": r.closedForm.active, "new": r.closedForm.new, "mrr": r.closedForm.mrr] : [:]
        let monthly = r.monthlyBlocks.map { ($0.metric, r.series($0.metric)!) }
        var header = ["month"]
        for (metric, series) in monthly {
            guard let first = series.first else { continue }
            header.append(metric + "_n")
            header += first.named.map { metric + "_" + $0.0 }
            if closed[metric] != nil { header.append(metric + "_closed_form") }
        }
        var lines = [header.map(field).joined(separator: ",")]
        for m in 1...r.scenario.horizonMonths {
            var row = [String(m)]
            for (metric, series) in monthly {
                guard let first = series.first else { continue }
                if m <= series.count {
                    let s = series[m - 1]
                    row.append(String(s.n))
                    row += s.named.map { NumberFormat.exact($0.1) ?? "" }
                } else {
                    row += [String](repeating: "", count: first.named.count + 1)
                }
                if let c = closed[metric] { row.append(m <= c.count ? NumberFormat.exact(c[m - 1]) ?? "" : "") }
            }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a text field when it holds a comma, quote or line break (RFC 4180).
    /// A text cell: quoted when needed, and a cell a spreadsheet would read as a formula (one
    /// that begins with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so
    /// opening a CSV never runs anything.
    static func field(_ text: String) -> String {
        var s = text
        if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { s = "'" + s }
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
