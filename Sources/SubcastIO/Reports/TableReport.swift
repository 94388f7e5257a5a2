import Foundation
import SubcastCore

/// The default `table` format: a terminal summary of key months, CLTV and unit economics.
///
/// With levers, compact sections follow the MRR table, each only when the result holds its
/// metrics: "MRR bridge", "Support", "Onboarding", "Cash vs revenue" and "Switch from
/// licences" (`leverSections`); the closed-form column is left out (it describes the model
/// without levers only).
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

        // The percentile columns: P5, P50, P95, or those of --percentiles.
        let percents = s.reportPercentiles.isEmpty ? [5.0, 50, 95] : s.reportPercentiles
        let names = percents.map(Summary.heading(percent:))
        func quantiles(_ x: Summary, decimals: Int = 0) -> [String] {
            percents.map { NumberFormat.human(x.percentile($0) ?? .nan, decimals: decimals) }
        }
        let header = ["month", "active (mean)", "new (mean)", "churn %", "MRR mean", "+/- se"] + names.map { "MRR " + $0 } + ["ARPU"]
        var rows: [[String]] = []
        for m in keyMonths(horizon: s.horizonMonths) {
            let active = r.summary("active", month: m)!, mrr = r.summary("mrr", month: m)!
            rows.append([monthLabel(s, m), NumberFormat.human(active.mean, decimals: 1),
                         NumberFormat.human(r.summary("new", month: m)!.mean, decimals: 1),
                         NumberFormat.percent(r.summary("logo_churn_rate", month: m)!.mean, decimals: 2),
                         NumberFormat.human(mrr.mean), NumberFormat.human(mrr.se)] + quantiles(mrr)
                        + [NumberFormat.human(r.summary("arpu", month: m)!.mean, decimals: 2)])
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

        for section in leverSections(r) + [inputsSection(r)].compactMap({ $0 }) {
            out.append(section.title)
            if !section.header.isEmpty { out += table(section.header, section.rows) }
            out += section.notes
            out.append("")
        }

        out.append("Per acquired subscriber (\(cur))")
        var unit: [[String]] = []
        func line(_ label: String, _ metric: String, decimals: Int, closed: Double? = nil) {
            let x = r.scalar(metric)!
            if x.n == 0 { unit.append([label, "n/a", ""] + percents.map { _ in "" } + [""]); return }
            unit.append([label, NumberFormat.human(x.mean, decimals: decimals), NumberFormat.human(x.se, decimals: decimals)]
                        + quantiles(x, decimals: decimals) + [closed.map { NumberFormat.human($0, decimals: decimals) } ?? ""])
        }
        line("CLTV (discounted, margin)", "cltv", decimals: 2, closed: r.hasClosedForm ? r.closedForm.cltv : nil)
        if r.scalar("licence_customer_value") != nil {
            line("licence customer (same basis)", "licence_customer_value", decimals: 2)
        }
        line("naive ARPU x margin / churn", "cltv_naive", decimals: 2)
        if s.economics.cacPerSubscriber > 0 {
            line("LTV : CAC", "ltv_cac", decimals: 2)
            line("CAC payback (tenure month)", "cac_payback_month", decimals: 1)
        }
        if r.hasClosedForm {
            out += table(["", "mean", "+/- se"] + names + [r.closedForm.atPointEstimates ? "at medians" : "closed form"], unit)
        } else {
            out += table(["", "mean", "+/- se"] + names, unit.map { Array($0.dropLast()) })
        }
        if r.hasClosedForm && r.closedForm.atPointEstimates {
            out.append("at medians: the closed form with every uncertain input at its median, not the mean over the drawn inputs.")
        }
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

    // MARK: lever sections

    /// One compact section of the lever metrics: a title, a key-month table and sentences below it.
    struct Section {
        var title: String
        var header: [String]
        var rows: [[String]]
        var notes: [String] = []
    }

    /// The sections of the lever metrics present in `r`, in report order (none without levers):
    /// the written-out sections of the MRR bridge, support, onboarding, cash and the licence
    /// switch, then one section per other process of the metric registry that reports metrics in
    /// `r` (`processSection`), so a new process's metrics appear without an edit here.
    static func leverSections(_ r: SimulationResult) -> [Section] {
        [valueSection(r), fiscalYearSection(r), mrrBridgeSection(r), supportSection(r), onboardingSection(r), cashSection(r),
         licenceSection(r)].compactMap { $0 }
            + ProcessKind.allCases.filter { !writtenOut.contains($0) }.compactMap { processSection(r, $0) }
    }

    /// Processes whose metrics the written-out sections show (with the cohort core above them).
    static let writtenOut: Set<ProcessKind> = [.cohort, .billing, .support, .onboarding, .licence, .costs]

    /// The month column of the tables: `7`, or `7 (2027-07)` with a calendar.
    static func monthLabel(_ s: Scenario, _ m: Int) -> String {
        guard let c = s.calendar else { return String(m) }
        return "\(m) (\(c.label(month: m)))"
    }

    /// Cash, costs and value: revenue, costs, operating cash flow and cumulative cash by key
    /// month, then the plain-words answers (`ValueSummary`).
    static func valueSection(_ r: SimulationResult) -> Section? {
        guard r.has("operating_cash_flow"), r.has("cumulative_cash") else { return nil }
        let header = ["month", "revenue", "total costs", "contribution", "operating cash flow", "cash mean", "cash P5", "cash P95"]
        let rows = keyMonths(horizon: r.scenario.horizonMonths).map { m -> [String] in
            let cash = r.summary("cumulative_cash", month: m)!
            return [monthLabel(r.scenario, m)] + ["revenue", "total_costs", "contribution", "operating_cash_flow"].map { name in
                r.summary(name, month: m).map { money($0.mean) } ?? ""
            } + [money(cash.mean), money(cash.p5), money(cash.p95)]
        }
        var notes = ValueSummary.sentences(r)
        let h = r.scenario.horizonMonths
        if let costs = total(r, "total_costs"), let revenue = total(r, "revenue") {
            var parts: [String] = []
            for (label, name) in [("serving", "serving_cost"), ("fees", "payment_fees"), ("acquisition", "acquisition_cost"),
                                  ("support", "support_cost"), ("interventions", "intervention_cost"), ("fixed", "fixed_costs")] {
                if let t = total(r, name) { parts.append("\(label) \(money(t))") }
            }
            notes.append("Over \(h) months (means of the trials' totals): revenue \(money(revenue)), costs \(money(costs))"
                         + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))") + ".")
            if let gm = total(r, "gross_margin_amount") {
                notes.append("Gross margin (revenue - cost of serving - payment fees) over \(h) months: \(money(gm)) (mean).")
            }
        }
        notes += scalarNotes(r, .costs)
        return Section(title: "Cash, costs and value (\(r.scenario.currency), means unless marked)", header: header, rows: rows, notes: notes)
    }

    /// Fiscal-year totals (revenue, costs, contribution, operating cash flow; ARR at the year's
    /// end), the means of the trials' totals.
    static func fiscalYearSection(_ r: SimulationResult) -> Section? {
        let years = r.scenario.fiscalYears
        guard let first = years.first, r.scalar("\(first.stem)_revenue") != nil else { return nil }
        let columns = MetricRegistry.fiscalYearMetrics
        let header = ["year", "months"] + columns.map { $0 == .arr ? "ARR at year end" : $0.info.label }
        let rows = years.map { y -> [String] in
            let span = r.scenario.calendar.map { "\($0.label(month: y.months.lowerBound)) - \($0.label(month: y.months.upperBound))" }
                ?? "\(y.months.lowerBound) - \(y.months.upperBound)"
            return [y.label + (y.complete ? "" : " (part)"), span] + columns.map { m in
                r.scalar("\(y.stem)_\(m.name)").map { money($0.mean) } ?? ""
            }
        }
        var notes: [String] = []
        if let c = r.scenario.calendar {
            notes.append("Fiscal years start in month \(c.fiscalYearStartMonth) of the calendar and are named by the year they end in; "
                         + "\"part\" marks a year the horizon covers only in part.")
        } else {
            notes.append("Years of 12 months from month 1 (give `start: YYYY-MM` and `fiscal_year_start_month` for calendar fiscal years).")
        }
        return Section(title: "Fiscal years (\(r.scenario.currency), means of the trials' totals)", header: header, rows: rows, notes: notes)
    }

    /// A metric's number format, by its registry unit.
    static func format(_ m: Metric) -> (Double) -> String {
        switch m.info.unit {
        case .currency: return { NumberFormat.human($0) }
        case .share: return { NumberFormat.percent($0) }
        case .ratio: return { NumberFormat.human($0, decimals: 2) }
        case .month, .subscribers, .count: return { NumberFormat.human($0, decimals: 1) }
        }
    }

    /// One line per per-trial scalar of a process present in `r`: label, meaning, mean, P5-P95.
    static func scalarNotes(_ r: SimulationResult, _ process: ProcessKind) -> [String] {
        MetricRegistry.metrics(of: process).filter { $0.info.kind == .scalar }.compactMap { m in
            guard let x = r.scalar(m.name) else { return nil }
            if x.n == 0 {
                return "\(m.info.label.prefix(1).uppercased() + m.info.label.dropFirst()) (\(m.info.summary)): undefined in every trial."
            }
            let f = format(m)
            return "\(m.info.label.prefix(1).uppercased() + m.info.label.dropFirst()) (\(m.info.summary)): mean \(f(x.mean)), "
                + "P5-P95 \(f(x.p5)) - \(f(x.p95))" + (x.n < r.trials ? ", in the \(x.n) of \(r.trials) trials where it is defined." : ".")
        }
    }

    /// A key-month table of the means of a process's monthly metrics present in `r` (headers and
    /// number formats from the registry), its per-trial scalars and, for flows, the horizon
    /// totals; nil when `r` has none of them.
    static func processSection(_ r: SimulationResult, _ process: ProcessKind) -> Section? {
        guard ForecastModel.processes(of: r.scenario).contains(process) else { return nil }
        let metrics = MetricRegistry.metrics(of: process).filter { r.has($0.name) }
        let monthly = metrics.filter { $0.info.kind != .scalar }
        guard !metrics.isEmpty else { return nil }
        let cur = r.scenario.currency
        var header: [String] = [], rows: [[String]] = []
        if !monthly.isEmpty {
            header = ["month"] + monthly.map { $0.info.unit == .currency ? "\($0.info.label) (\(cur))" : $0.info.label }
            rows = keyMonths(horizon: r.scenario.horizonMonths).map { m in
                [monthLabel(r.scenario, m)] + monthly.map { metric in r.summary(metric.name, month: m).map { format(metric)($0.mean) } ?? "" }
            }
        }
        var notes: [String] = []
        let totals = monthly.filter { $0.info.isFlow }.compactMap { m in
            total(r, m.name).map { "\(m.info.label) \(format(m)($0))" }
        }
        if !totals.isEmpty {
            notes.append("Over \(r.scenario.horizonMonths) months (means of the trials' totals): " + totals.joined(separator: ", ") + ".")
        }
        notes += scalarNotes(r, process)
        for m in monthly { notes.append("\(m.info.label): \(m.info.summary).") }
        return Section(title: "\(process.title) (means per month)", header: header, rows: rows, notes: notes)
    }

    /// The uncertain inputs as drawn over the trials (the `input:<name>` scalars): what the
    /// results above were averaged over. Nil for a scenario without uncertain inputs.
    static func inputsSection(_ r: SimulationResult) -> Section? {
        let names = r.layout.blocks.map(\.metric).filter { $0.hasPrefix("input:") }
        if names.isEmpty { return nil }
        let rows: [[String]] = names.compactMap { metric in
            guard let x = r.scalar(metric) else { return nil }
            // Three significant digits of the median's size, the same decimals across the row.
            let size = Swift.max(abs(x.p50), abs(x.mean), 1e-12)
            let decimals = Swift.min(8, Swift.max(0, 2 - Int(log10(size).rounded(.down))))
            let f = { (v: Double) in NumberFormat.human(v, decimals: decimals) }
            let name = String(metric.dropFirst("input:".count))
            let input = r.inputs.first { $0.name == name }
            return [name, input?.path ?? "", input?.distribution.summary ?? "", f(x.mean), f(x.sd), f(x.p5), f(x.p50), f(x.p95)]
        }
        return Section(title: "Uncertain inputs, as drawn over the trials",
                       header: ["input", "scenario key", "distribution", "mean", "sd", "P5", "P50", "P95"], rows: rows,
                       notes: ["Each trial draws every input once (see the scenario's distributions); the results above "
                               + "are over these draws. `--separate-uncertainty` splits the spread into inputs and process noise."])
    }

    /// A key-month table of the means of `columns` (header, metric, decimals) that exist in `r`;
    /// nil when none of `required` exists.
    private static func meanTable(_ r: SimulationResult, required: [String],
                                  _ columns: [(header: String, metric: String, format: (Double) -> String)])
        -> (header: [String], rows: [[String]])? {
        guard required.contains(where: r.has) else { return nil }
        let present = columns.filter { r.has($0.metric) }
        let rows = keyMonths(horizon: r.scenario.horizonMonths).map { m in
            [monthLabel(r.scenario, m)] + present.map { c in r.summary(c.metric, month: m).map { c.format($0.mean) } ?? "" }
        }
        return (["month"] + present.map(\.header), rows)
    }

    /// The sum of a monthly metric's means over the horizon (the mean of the trials' totals).
    static func total(_ r: SimulationResult, _ metric: String) -> Double? {
        r.series(metric).map { $0.reduce(0) { $0 + $1.mean } }
    }

    private static func money(_ x: Double) -> String { NumberFormat.human(x) }
    /// A number of months: whole when within 0.05 of a whole number (quantiles from sketches are
    /// approximate), else with one decimal.
    static func months(_ x: Double) -> String {
        NumberFormat.human(x, decimals: x.isFinite && abs(x - x.rounded()) < 0.05 ? 0 : 1)
    }
    private static func count(_ x: Double) -> String { NumberFormat.human(x, decimals: 1) }

    static func mrrBridgeSection(_ r: SimulationResult) -> Section? {
        let leverOnly = ["expansion_mrr", "contraction_mrr", "net_new_mrr", "nrr", "grr"]
        guard leverOnly.contains(where: r.has) else { return nil }
        let h = r.scenario.horizonMonths
        var columns: [(header: String, metric: String, format: (Double) -> String)] = [
            ("new MRR", "new_mrr", money), ("expansion", "expansion_mrr", money), ("contraction", "contraction_mrr", money),
            ("churned MRR", "churned_mrr", money), ("net new MRR", "net_new_mrr", money),
        ]
        // NRR and GRR compare with the MRR of 12 months earlier: defined from month 13.
        if h >= 13 {
            columns += [("NRR", "nrr", { NumberFormat.percent($0) }), ("GRR", "grr", { NumberFormat.percent($0) })]
        }
        guard var t = meanTable(r, required: leverOnly, columns) else { return nil }
        for (i, m) in keyMonths(horizon: h).enumerated() where m < 13 {
            for (j, name) in t.header.enumerated() where name == "NRR" || name == "GRR" { t.rows[i][j] = "" }
        }
        var notes: [String] = []
        if r.has("nrr") || r.has("grr") {
            notes.append(h >= 13 ? "NRR and GRR (net and gross revenue retention over 12 months) are defined from month 13."
                                 : "NRR and GRR need 12 months of history: the horizon of \(h) months is too short.")
        }
        if r.has("usage_revenue") {
            notes.append("With usage pricing, expansion and contraction also carry each month's usage swings (netted per "
                         + "cohort and plan), so both are larger than seat or plan changes alone would make them.")
        }
        return Section(title: "MRR bridge (\(r.scenario.currency), means)", header: t.header, rows: t.rows, notes: notes)
    }

    static func supportSection(_ r: SimulationResult) -> Section? {
        guard let t = meanTable(r, required: ["tickets", "backlog", "support_cost"], [
            ("tickets", "tickets", count), ("handled", "handled_tickets", count), ("backlog", "backlog", count),
            ("good", "good_resolutions", count), ("bad", "bad_resolutions", count), ("detractors", "detractors", count),
            ("promoters", "promoters", count), ("cost", "support_cost", money),
            ("churn from bad", "support_churn", count), ("saved by good", "support_saved", count),
            ("upsells", "upsells", count),
        ]) else { return nil }
        let h = r.scenario.horizonMonths
        var parts: [String] = []
        if let x = total(r, "tickets") { parts.append("\(NumberFormat.human(x)) tickets") }
        if let x = total(r, "support_churn") { parts.append("\(NumberFormat.human(x, decimals: 1)) subscribers lost to bad resolutions") }
        if let x = total(r, "support_saved") { parts.append("\(NumberFormat.human(x, decimals: 1)) kept by good ones") }
        if let x = total(r, "upsells") { parts.append("\(NumberFormat.human(x, decimals: 1)) upsells") }
        if let x = total(r, "support_cost") { parts.append("support cost \(r.scenario.currency) \(NumberFormat.human(x))") }
        let notes = parts.isEmpty ? [] : ["Over \(h) months (means of the trials' totals): " + parts.joined(separator: ", ") + "."]
        return Section(title: "Support (means per month)", header: t.header, rows: t.rows, notes: notes)
    }

    static func onboardingSection(_ r: SimulationResult) -> Section? {
        guard let t = meanTable(r, required: ["at_risk", "interventions", "saves", "intervention_cost"], [
            ("at risk", "at_risk", count), ("interventions", "interventions", count), ("saves", "saves", count),
            ("cost", "intervention_cost", money),
        ]) else { return nil }
        var notes: [String] = []
        if let saves = total(r, "saves"), let cost = total(r, "intervention_cost") {
            var text = "Over \(r.scenario.horizonMonths) months onboarding saves \(NumberFormat.human(saves, decimals: 1)) subscribers "
                + "for \(r.scenario.currency) \(NumberFormat.human(cost)) (means)"
            if saves > 0 { text += ", \(NumberFormat.human(cost / saves, decimals: 2)) a save" }
            notes.append(text + ".")
        }
        return Section(title: "Onboarding (means per month)", header: t.header, rows: t.rows, notes: notes)
    }

    static func cashSection(_ r: SimulationResult) -> Section? {
        guard r.has("billings") else { return nil }
        var header = ["month", "MRR mean", "billings mean", "billings P5", "billings P95"]
        if r.has("cumulative_revenue") && r.has("cumulative_billings") { header += ["cumulative revenue", "cumulative billings"] }
        let rows = keyMonths(horizon: r.scenario.horizonMonths).map { m -> [String] in
            let cash = r.summary("billings", month: m)
            var row = [monthLabel(r.scenario, m), r.summary("mrr", month: m).map { money($0.mean) } ?? "",
                       cash.map { money($0.mean) } ?? "", cash.map { money($0.p5) } ?? "", cash.map { money($0.p95) } ?? ""]
            if header.count > 5 {
                row += [money(r.summary("cumulative_revenue", month: m)!.mean), money(r.summary("cumulative_billings", month: m)!.mean)]
            }
            return row
        }
        var notes: [String] = []
        let h = r.scenario.horizonMonths
        if let cum = r.summary("cumulative_billings", month: h), let rev = r.summary("cumulative_revenue", month: h) {
            notes.append("Cumulative billings over \(h) months: mean \(money(cum.mean)), P5-P95 \(money(cum.p5)) - \(money(cum.p95)), "
                         + "against \(money(rev.mean)) of revenue (annual plans pay a year in advance; revenue counts a twelfth a month).")
        }
        return Section(title: "Billings vs revenue (\(r.scenario.currency))", header: header, rows: rows, notes: notes)
    }

    static func licenceSection(_ r: SimulationResult) -> Section? {
        guard let t = meanTable(r, required: ["licence_path_revenue", "subscription_path_revenue"], [
            ("licence path", "licence_path_revenue", money), ("subscription path", "subscription_path_revenue", money),
            ("cumulative licence", "cumulative_licence_path_revenue", money),
            ("cumulative subscription", "cumulative_subscription_path_revenue", money),
            ("maintenance payers", "maintenance_payers", count), ("migrated", "migrated", count),
        ]) else { return nil }
        return Section(title: "Switch from licences (\(r.scenario.currency), means)", header: t.header, rows: t.rows,
                       notes: (licenceSentence(r).map { [$0] } ?? []) + scalarNotes(r, .licence))
    }

    /// Valley depth and length, the median overtake month and the probability of overtaking
    /// within the horizon; nil without the licence-switch scalars.
    static func licenceSentence(_ r: SimulationResult) -> String? {
        let cur = r.scenario.currency
        let h = r.scenario.horizonMonths
        var parts: [String] = []
        if let v = r.scalar("valley_depth"), v.n > 0 {
            parts.append("the revenue valley of switching (the largest monthly shortfall against the licence path) is "
                         + "\(cur) \(money(v.p50)) deep at the median (P5-P95 \(money(v.p5)) - \(money(v.p95)))")
        }
        if let v = r.scalar("valley_months"), v.n > 0 {
            parts.append("it lasts \(months(v.p50)) months (median)")
        }
        if let c = r.scalar("crossing_month"), c.n > 0 {
            parts.append("monthly subscription revenue crosses the licence path's in month \(months(c.p50)) (median of the \(c.n) of "
                         + "\(r.trials) trials that cross)")
        }
        if let o = r.scalar("overtake_month") {
            if o.n > 0 {
                parts.append("cumulative subscription revenue overtakes the licence path in month \(months(o.p50)) "
                             + "(median of the \(o.n) of \(r.trials) trials that overtake)")
            } else {
                parts.append("cumulative subscription revenue does not overtake the licence path within \(h) months in any trial")
            }
        }
        if let p = r.scalar("overtakes_in_horizon"), p.n > 0 {
            parts.append("the probability of overtaking within the \(h)-month horizon is \(NumberFormat.percent(p.mean))")
        }
        guard !parts.isEmpty else { return nil }
        let text = parts.joined(separator: "; ") + "."
        return text.prefix(1).uppercased() + text.dropFirst()
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
