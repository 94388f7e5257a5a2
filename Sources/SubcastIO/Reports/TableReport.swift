import SubcastCore

/// The default `table` format: a terminal summary of key months, CLTV and unit economics.
public enum TableReport {
    /// Months shown: 1, 3, 6, 12, then every 12th, and the horizon.
    public static func keyMonths(horizon: Int) -> [Int] {
        var months = [1, 3, 6].filter { $0 <= horizon }
        var m = 12
        while m <= horizon { months.append(m); m += 12 }
        if months.last != horizon { months.append(horizon) }
        return months
    }

    public static func render(_ r: SimulationResult, info: RunInfo) -> String {
        let s = r.scenario
        let cur = s.currency
        var out: [String] = []
        out.append("Subcast \(info.subcastVersion) - scenario \"\(s.name)\" (\(info.scenarioFile))")
        out.append("\(NumberFormat.human(Double(r.trials))) trials, seed \(r.seed), \(info.generator), GSL \(info.gslVersion)")
        out.append("Horizon \(s.horizonMonths) months; CLTV over \(s.lifetimeMonths) months from acquisition, "
                   + "discounted at \(NumberFormat.percent(s.economics.discountRatePerYear)) a year, gross margin \(NumberFormat.percent(s.economics.grossMargin))")
        out.append("")

        let header = ["month", "active (mean)", "new (mean)", "churn %", "MRR mean", "+/- se", "MRR P5", "MRR P50", "MRR P95", "ARPU"]
        var rows: [[String]] = []
        for m in keyMonths(horizon: s.horizonMonths) {
            let active = r.summary("active", month: m)!, mrr = r.summary("mrr", month: m)!
            rows.append([String(m), NumberFormat.human(active.mean, decimals: 1),
                         NumberFormat.human(r.summary("new", month: m)!.mean, decimals: 1),
                         NumberFormat.percent(r.summary("logo_churn_rate", month: m)!.mean, decimals: 2),
                         NumberFormat.human(mrr.mean), NumberFormat.human(mrr.se), NumberFormat.human(mrr.p5),
                         NumberFormat.human(mrr.p50), NumberFormat.human(mrr.p95),
                         NumberFormat.human(r.summary("arpu", month: m)!.mean, decimals: 2)])
        }
        out.append("Monthly recurring revenue (\(cur))")
        out += table(header, rows)
        out.append("")

        let h = s.horizonMonths
        let mrrEnd = r.summary("mrr", month: h)!
        out.append("Median MRR in month \(h) is \(cur) \(NumberFormat.human(mrrEnd.p50)); 90 % of trials fall between "
                   + "\(NumberFormat.human(mrrEnd.p5)) and \(NumberFormat.human(mrrEnd.p95)) (ARR \(NumberFormat.human(12 * mrrEnd.p50))).")
        let cum = r.summary("cumulative_revenue", month: h)!
        out.append("Cumulative revenue over \(h) months: mean \(NumberFormat.human(cum.mean)), P5-P95 \(NumberFormat.human(cum.p5)) - \(NumberFormat.human(cum.p95)).")
        out.append("")

        out.append("Per acquired subscriber (\(cur))")
        var unit: [[String]] = []
        func line(_ label: String, _ metric: String, decimals: Int, closed: Double? = nil) {
            let x = r.scalar(metric)!
            if x.n == 0 { unit.append([label, "n/a", "", "", "", "", ""]); return }
            unit.append([label, NumberFormat.human(x.mean, decimals: decimals), NumberFormat.human(x.se, decimals: decimals),
                         NumberFormat.human(x.p5, decimals: decimals), NumberFormat.human(x.p50, decimals: decimals),
                         NumberFormat.human(x.p95, decimals: decimals),
                         closed.map { NumberFormat.human($0, decimals: decimals) } ?? ""])
        }
        line("CLTV (discounted, margin)", "cltv", decimals: 2, closed: r.closedForm.cltv)
        line("naive ARPU x margin / churn", "cltv_naive", decimals: 2)
        if s.economics.cacPerSubscriber > 0 {
            line("LTV : CAC", "ltv_cac", decimals: 2)
            line("CAC payback (tenure month)", "cac_payback_month", decimals: 1)
        }
        out += table(["", "mean", "+/- se", "P5", "P50", "P95", r.closedForm.atPointEstimates ? "at estimates" : "closed form"], unit)
        let cltv = r.scalar("cltv")!.mean, naive = r.scalar("cltv_naive")!.mean
        if cltv.isFinite && naive.isFinite && cltv > 0 {
            out.append("The naive formula \(naive >= cltv ? "overstates" : "understates") CLTV by \(NumberFormat.percent(abs(naive / cltv - 1))): "
                       + "it assumes every subscriber churns at the average rate and ignores discounting and the lifetime horizon.")
        }
        if s.economics.cacPerSubscriber > 0 {
            let payback = r.scalar("cac_payback_month")!
            if payback.n < r.trials {
                out.append("CAC is not paid back within \(s.lifetimeMonths) months in \(r.trials - payback.n) of \(r.trials) trials.")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Right-aligned columns (first column left-aligned).
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { j in all.map { $0[j].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { j, cell in
                let pad = String(repeating: " ", count: widths[j] - cell.count)
                return j == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}
