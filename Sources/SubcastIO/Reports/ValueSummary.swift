import SubcastCore

/// The answers to "how much cash do we need, when do we break even, and what is it worth", in
/// plain words, from the costs process's scalars (`CostsProcess`): shared by the table and the
/// HTML report so both say the same.
enum ValueSummary {
    private static func money(_ x: Double) -> String { NumberFormat.human(x) }

    /// The sentences, or none when the result has no value metrics (a run without levers).
    static func sentences(_ r: SimulationResult) -> [String] {
        guard let trough = r.scalar("cash_trough"), trough.n > 0 else { return [] }
        let s = r.scenario, cur = s.currency, h = s.horizonMonths
        let opening = s.levers.costs?.openingCash ?? 0
        var out: [String] = []
        // Cash needed.
        let month = r.scalar("cash_trough_month").map { TableReport.months($0.p50) } ?? "?"
        let start = opening == 0 ? "from no opening cash" : "from an opening cash of \(cur) \(money(opening))"
        var cash = "How much cash: \(start), cumulative cash is lowest in month \(month) (median), at \(cur) \(money(trough.p50)) "
            + "(P5-P95 \(money(trough.p5)) - \(money(trough.p95)))."
        let need95 = max(0, -trough.p5), need50 = max(0, -trough.p50)
        if need95 > 0 {
            cash += " To keep cash above zero the business needs \(cur) \(money(need50)) more than it opens with at the median "
                + "and \(cur) \(money(need95)) in 95 % of trials."
        } else {
            cash += " Cash stays above zero in at least 95 % of trials; no financing is needed beyond the opening cash."
        }
        out.append(cash)
        if let runway = r.scalar("runway_months"), let out_ = r.scalar("runs_out_of_cash"), out_.n > 0, out_.mean > 0 {
            out.append("Runway: cash runs out within the horizon in \(NumberFormat.percent(out_.mean)) of trials; the runway is "
                       + "\(TableReport.months(runway.p50)) months at the median (P5 \(TableReport.months(runway.p5))).")
        }
        // Break-even.
        if let b = r.scalar("break_even_month") {
            if b.n == 0 {
                out.append("Break-even: operating cash flow is not positive at the horizon in any trial; the business does not break "
                           + "even within \(h) months.")
            } else {
                let share = Double(b.n) / Double(r.trials)
                out.append("Break-even: operating cash flow turns positive for good in month \(TableReport.months(b.p50)) at the median "
                           + "(P5-P95 \(TableReport.months(b.p5)) - \(TableReport.months(b.p95)))"
                           + (b.n < r.trials ? ", in the \(NumberFormat.percent(share)) of trials that break even within \(h) months." : "."))
            }
        }
        // Value.
        if let npv = r.scalar("npv"), npv.n > 0 {
            let rate = NumberFormat.percent(s.economics.discountRatePerYear)
            var text = "Worth: the net present value of operating cash flow over \(h) months at \(rate) a year is \(cur) \(money(npv.mean)) "
                + "(mean; P5-P95 \(money(npv.p5)) - \(money(npv.p95)))"
            if s.levers.costs?.terminalValue == true, let tv = r.scalar("terminal_value"), tv.n > 0 {
                text += ", of which \(cur) \(money(tv.mean)) is the terminal value (the margin the subscribers active in month \(h) "
                    + "earn over the following \(s.lifetimeMonths) months)"
            }
            out.append(text + ".")
        }
        if let need = r.scalar("financing_need"), need.n > 0 {
            let at = r.scalar("financing_need_month").flatMap { $0.n > 0 ? " in month \(TableReport.months($0.p50)) (median)" : nil } ?? ""
            out.append("Against the licence path, the switch's revenue falls behind by at most \(cur) \(money(need.p50)) cumulatively"
                       + "\(at) (P5-P95 \(money(need.p5)) - \(money(need.p95))): the revenue a founder must finance to switch.")
        }
        return out
    }
}
