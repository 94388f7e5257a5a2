import Foundation
import SubcastCore

/// Renders `subcast score`: the at-risk list as CSV, a terminal table and an HTML page.
public enum ScoreReport {
    public struct Context: Sendable {
        public var files: [String]
        public var asOf: String
        public var discountRatePerYear: Double
        public var currency: String
        public init(files: [String], asOf: String, discountRatePerYear: Double, currency: String = "") {
            self.files = files
            self.asOf = asOf
            self.discountRatePerYear = discountRatePerYear
            self.currency = currency
        }
    }

    static func conditionText(_ r: CustomerScore.Row) -> String {
        switch r.condition {
        case .detractor, .promoter: "\(r.condition.key) (\(r.monthsLeft) left)"
        default: r.condition.key
        }
    }

    public static func csv(_ s: CustomerScore, _ c: Context) -> String {
        var lines = ["rank,id,plan,tenure_months,condition,months_left,amount,p_leave_1m,p_leave_3m,p_leave_12m,"
                     + "expected_residual_revenue,value_at_risk,intervention_value,reasons"]
        func n(_ x: Double) -> String { NumberFormat.exact(x) ?? "" }
        for (i, r) in s.rows.enumerated() {
            lines.append([String(i + 1), CSVReport.field(r.id), CSVReport.field(r.plan ?? ""), String(r.tenure), r.condition.key,
                          String(r.monthsLeft), n(r.amount)] .joined(separator: ",") + ","
                         + (r.leave.map(n) + [n(r.residualRevenue), n(r.valueAtRisk), r.interventionValue.map(n) ?? "",
                                              CSVReport.field(r.reasons.joined(separator: "; "))]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func table(_ s: CustomerScore, _ c: Context, top: Int) -> String {
        var out: [String] = []
        out.append("Subcast \(Simulation.version) - customers to call, as of \(c.asOf) (\(s.rows.count) active)")
        out.append("Value at risk: amount x (DERL if healthy from now - DERL), discounted at \(NumberFormat.percent(c.discountRatePerYear)) a year; "
                   + (s.intervention.map { "intervention value = \(NumberFormat.percent($0.success)) x value at risk - \(FitReport.fmt($0.cost, 2))" }
                      ?? "no intervention in the scenario (give --scenario with onboarding.intervention for its value)"))
        var header = ["#", "id", "plan", "tenure", "condition", "leave 1m", "3m", "12m", "residual", "at risk"]
        if s.intervention != nil { header.append("call worth") }
        header.append("why")
        var rows: [[String]] = []
        for (i, r) in s.rows.prefix(top).enumerated() {
            var row = [String(i + 1), r.id, r.plan ?? "", String(r.tenure), conditionText(r)] + r.leave.map { NumberFormat.percent($0) }
                + [FitReport.fmt(r.residualRevenue, 2), FitReport.fmt(r.valueAtRisk, 2)]
            if let v = r.interventionValue { row.append(FitReport.fmt(v, 2)) }
            row.append(r.reasons.joined(separator: "; "))
            rows.append(row)
        }
        out += TableReport.table(header, rows)
        if s.rows.count > top { out.append("... \(s.rows.count - top) more in the CSV (--out)") }
        let atRisk = s.rows.reduce(0) { $0 + max(0, $1.valueAtRisk) }
        let residual = s.rows.reduce(0) { $0 + $1.residualRevenue }
        out.append("Expected discounted residual revenue \(FitReport.fmt(residual, 2)); value at risk \(FitReport.fmt(atRisk, 2)) "
                   + "(\(residual > 0 ? NumberFormat.percent(atRisk / residual) : "n/a"))")
        return out.joined(separator: "\n") + "\n"
    }

    public static func html(_ s: CustomerScore, _ c: Context, top: Int) -> String {
        func e(_ t: String) -> String { HTMLPage.escape(t) }
        var body = "<header>\n<h1>Customers to call this week</h1>\n"
        body += HTMLPage.paragraph("As of \(c.asOf); fitted to \(c.files.joined(separator: ", ")); \(s.rows.count) active customers.", className: "subtitle")
        body += "</header>\n"
        let atRisk = s.rows.reduce(0) { $0 + max(0, $1.valueAtRisk) }
        let residual = s.rows.reduce(0) { $0 + $1.residualRevenue }
        var counts: [ChurnCondition: Int] = [:]
        for r in s.rows { counts[r.condition, default: 0] += 1 }
        var sentences = "Expected discounted revenue still to come from these customers: \(HTMLReport.money(residual)) \(c.currency). "
            + "Their conditions put \(HTMLReport.money(atRisk)) \(c.currency) of it at risk. "
        sentences += ChurnCondition.allCases.compactMap { k in counts[k].map { "\($0) \(k.key)" } }.joined(separator: ", ") + "."
        body += "<div class=\"summary\">\n" + HTMLPage.paragraph(sentences) + "</div>\n"
        let chartRows = Array(s.rows.prefix(20).filter { ($0.interventionValue ?? $0.valueAtRisk) > 0 })
        if !chartRows.isEmpty {
            let values = chartRows.map { $0.interventionValue ?? $0.valueAtRisk }
            let what = s.intervention == nil ? "value at risk" : "expected value of a call"
            var chart = SVGChart(id: "at-risk", title: "The \(chartRows.count) most valuable calls",
                                 x: .extended(label: "\(what) (\(c.currency.isEmpty ? "money" : c.currency))", 0, max(values.max()!, 1e-9)),
                                 y: .categories(label: "customer", chartRows.map { "\($0.id) (\(conditionText($0)))" }),
                                 plotHeight: Double(max(200, 28 * chartRows.count)))
            for (k, v) in values.enumerated() {
                let y = Double(chartRows.count - k)
                chart.line([0, v], [y, y], stroke: SVGChart.Palette.vermillion, width: 12, legend: k == 0 ? what : nil)
            }
            body += HTMLPage.figure(chart.render(), heading: "Where a call is worth most.",
                                    caption: "Each bar is one customer's \(what): the discounted revenue their condition is expected to cost"
                                    + (s.intervention == nil ? "." : ", times the success rate, less the cost of the call."))
        }
        var header = ["#", "id", "plan", "tenure", "condition", "leave in 1 month", "3 months", "12 months",
                      "expected residual revenue", "value at risk"]
        if s.intervention != nil { header.append("value of a call") }
        header.append("why it is an exception")
        let rows = s.rows.prefix(top).enumerated().map { i, r in
            [String(i + 1), r.id, r.plan ?? "", String(r.tenure), conditionText(r)] + r.leave.map { NumberFormat.percent($0) }
                + [FitReport.fmt(r.residualRevenue, 2), FitReport.fmt(r.valueAtRisk, 2)]
                + (r.interventionValue.map { [FitReport.fmt($0, 2)] } ?? []) + [r.reasons.joined(separator: "; ")]
        }
        body += HTMLPage.table(header, rows, numeric: Set([0, 3, 5, 6, 7, 8, 9, 10].filter { $0 < header.count - 1 }),
                               caption: "The list, most valuable first" + (s.rows.count > top ? " (first \(top) of \(s.rows.count))" : ""))
        body += HTMLPage.paragraph("Probabilities of leaving and the expected residual revenue follow the fitted model from each customer's "
                                   + "tenure and condition, assuming no new tickets; value at risk is the amount times the difference "
                                   + "between the discounted expected residual lifetime if the customer were healthy from now on and with "
                                   + "their condition.", className: "note")
        body += "<footer>\n<p>Subcast \(e(Simulation.version)). This report holds no timestamps; the same input gives the same file.</p>\n</footer>\n"
        return HTMLPage.document(title: "Subcast score: \(c.asOf)", body: body)
    }
}
