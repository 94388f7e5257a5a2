import SubcastCore

/// The outputs of `subcast compare`: a terminal table, tidy CSV rows and JSON (schema
/// `subcast-compare/1`), all from one `StrategyComparison`. Like the run reports they hold no
/// timings, so the same inputs and seed give the same bytes for any number of threads.
///
/// Per comparison metric and strategy: the mean; for every strategy but the base the paired
/// difference from the base (mean, its standard error, the 95 % interval mean -/+ 1.96 se),
/// P(beats base), and the share of variance that pairing removed; for every strategy P(best).
/// See `StrategyComparison` for the definitions.
public enum CompareReport {
    /// The metrics the table shows when none are chosen (`{H}` is the horizon month), in this
    /// order, those present; CSV and JSON hold every compared metric.
    public static let headline = ["npv", "contribution@total", "cash_trough", "mrr@{H}", "active@{H}", "cumulative_revenue@{H}", "cumulative_cash@{H}", "churned@total",
                                  "support_cost@total", "intervention_cost@total", "backlog@{H}", "at_risk@{H}", "cltv",
                                  "ltv_cac", "valley_depth", "overtake_month"]

    /// Where each strategy comes from (one file per strategy) and the run's versions and seed.
    public struct Context: Sendable {
        public var info: RunInfo
        /// Per strategy: the scenario file it was read from.
        public var files: [String]
        /// True when the metrics were chosen (`--metrics`): the table then shows all of them.
        public var chosenMetrics: Bool

        public init(info: RunInfo, files: [String], chosenMetrics: Bool = false) {
            self.info = info
            self.files = files
            self.chosenMetrics = chosenMetrics
        }
    }

    // MARK: table

    public static func table(_ r: StrategyComparison, _ c: Context) -> String {
        let base = r.variants[0]
        let s = base.scenario
        var out: [String] = []
        let files = Array(Set(c.files)).count == 1 ? c.files[0] : c.files.joined(separator: ", ")
        out.append("Subcast \(c.info.subcastVersion) - comparing \(r.variants.count) strategies of scenario \"\(s.name)\" (\(files))")
        out.append("\(NumberFormat.human(Double(r.trials))) trials, seed \(r.seed), \(c.info.generator), GSL \(c.info.gslVersion)")
        out.append("Horizon \(s.horizonMonths) months, amounts in \(s.currency). Common random numbers: every strategy simulates "
                   + "trial i on the same random streams, so differences are paired.")
        out.append("")
        out.append("Strategies")
        out += aligned(r.variants.enumerated().map { i, v in
            let what = v.description ?? (i == 0 ? "the scenario as written" : "")
            let from = Set(c.files).count > 1 ? " [\(c.files[i])]" : ""
            return ["  " + v.name + (i == 0 && v.name != "base" ? " (base)" : ""), what + from]
        }, rightAligned: [])
        out.append("")

        let verdicts = valueVerdicts(r)
        if !verdicts.isEmpty {
            out.append("What each strategy is worth against the base")
            out += verdicts.map { "  " + $0 }
            out.append("")
        }
        let shown = shownMetrics(r, chosen: c.chosenMetrics)
        for m in shown {
            let decimals = decimalsFor(m)
            out.append("\(m.metric.name) (\(label(m.metric, horizon: r.horizonMonths)); \(m.direction == .higherIsBetter ? "higher" : "lower") is better)")
            var rows = [["strategy", "mean", "diff vs base", "+/- se", "95 % interval", "effect P5 ... P95", "P(beats base)", "P(best)",
                         "pairing removed"]]
            let identical = m.allIdentical
            for (i, v) in r.variants.enumerated() {
                let value = m.values[i]
                var row = [v.name, value.n > 0 ? NumberFormat.human(value.mean, decimals: decimals) : "n/a"]
                if i == 0 {
                    row += ["", "", "", "", "", identical ? "no difference" : probability(m.best[i]), ""]
                } else if m.noDifference(i) {
                    row += ["0", "0", "", "", "no difference", identical ? "no difference" : probability(m.best[i]), ""]
                } else {
                    let d = m.differences[i]!
                    row.append(d.n > 0 ? signed(d.mean, decimals) : "n/a")
                    row.append(d.n > 0 ? NumberFormat.human(d.se, decimals: decimals) : "")
                    row.append(m.interval(i).map { "\(signed($0.lower, decimals)) ... \(signed($0.upper, decimals))" } ?? "")
                    row.append(d.n > 0 ? "\(signed(d.p5, decimals)) ... \(signed(d.p95, decimals))" : "")
                    row.append(probability(m.beatsBase[i]!))
                    row.append(probability(m.best[i]))
                    let removed = m.varianceRemoved(i) ?? .nan
                    row.append(removed.isFinite ? NumberFormat.percent(removed) : "n/a")
                }
                rows.append(row)
            }
            out += aligned(rows, rightAligned: Set(1...8))
            out.append("")
        }
        for table in pairTables(r) {
            out += table
            out.append("")
        }
        out.append("diff vs base: the mean over trials of (strategy - base) in the same trial, +/- its standard error; "
                   + "95 % interval: mean -/+ 1.96 se.")
        out.append("effect P5 ... P95: the spread of the per-trial differences (how much the effect itself varies), not an "
                   + "interval of the mean.")
        out.append("P(beats base): share of trials in which the strategy is strictly better than the base (difference > 0 "
                   + "where higher is better, < 0 where lower is); P(best): share in which it is the best of all strategies, "
                   + "ties sharing the credit; \"no difference\": the same value in every trial.")
        out.append("pairing removed: 1 - var(diff) / (var(strategy) + var(base)), the share of the variance of the "
                   + "difference that common random numbers removed compared with independent runs.")
        let hidden = r.metrics.count - shown.count
        if hidden > 0 {
            out.append("\(hidden) more metrics in --format csv or json; choose the table's with --metrics "
                       + "(e.g. --metrics mrr@12,churned@total,cltv).")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One plain sentence per strategy on its value against the base: NPV, contribution and the
    /// cash trough, with the 95 % interval of the mean difference and P(better).
    static func valueVerdicts(_ r: StrategyComparison) -> [String] {
        guard let npv = r.metric("npv") else { return [] }
        let cur = r.variants[0].scenario.currency
        var out: [String] = []
        for i in r.variants.indices.dropFirst() {
            let name = r.variants[i].name
            if npv.noDifference(i) {
                out.append("\(name): the same NPV as the base in every trial (no difference).")
                continue
            }
            guard let d = npv.differences[i], d.n > 0, let ci = npv.interval(i) else { continue }
            let verdict: String
            if ci.lower > 0 { verdict = "it pays off" }
            else if ci.upper < 0 { verdict = "it loses money" }
            else { verdict = "the simulation cannot tell whether it pays off (the interval includes 0; add trials)" }
            var text = "\(name): NPV \(signed(d.mean, 0)) \(cur) against the base (95 % interval \(signed(ci.lower, 0)) ... "
                + "\(signed(ci.upper, 0)); better in \(probability(npv.beatsBase[i]!)) of trials): \(verdict)."
            if let c = r.metric("contribution@total"), let dc = c.differences[i], dc.n > 0 {
                text += " Contribution over the horizon \(signed(dc.mean, 0))"
                if let t = r.metric("cash_trough"), let dt = t.differences[i], dt.n > 0 {
                    text += "; the cash trough moves by \(signed(dt.mean, 0))"
                }
                text += "."
            }
            out.append(text)
        }
        return out
    }

    /// Strategy against strategy for the value metrics (three or more strategies): mean of
    /// (row - column) in the same trial, with its 95 % interval; title, header and rows.
    static func pairGrids(_ r: StrategyComparison) -> [(title: String, header: [String], rows: [[String]])] {
        var grids: [(title: String, header: [String], rows: [[String]])] = []
        let names = Array(Set(r.pairs.map(\.metric))).sorted { a, b in
            (ComparisonModel.valueMetricNames.firstIndex(of: a) ?? 99) < (ComparisonModel.valueMetricNames.firstIndex(of: b) ?? 99)
        }
        for name in names {
            let pairs = r.pairs.filter { $0.metric == name }
            let columns = Array(Set(pairs.map(\.w))).sorted()
            let rows = Array(Set(pairs.map(\.v))).sorted().map { v in
                [r.variants[v].name] + columns.map { w in
                    guard let p = pairs.first(where: { $0.v == v && $0.w == w }), p.difference.n > 0 else { return "" }
                    let d = p.difference
                    if d.mean == 0 && d.sd == 0 { return "no difference" }
                    let half = 1.96 * d.se
                    return "\(signed(d.mean, 0)) (\(signed(d.mean - half, 0)) ... \(signed(d.mean + half, 0)))"
                }
            }
            grids.append(("\(name), strategy against strategy (row - column, mean and 95 % interval, paired)",
                          ["strategy"] + columns.map { r.variants[$0].name }, rows))
        }
        return grids
    }

    static func pairTables(_ r: StrategyComparison) -> [[String]] {
        pairGrids(r).map { g in [g.title] + aligned([g.header] + g.rows, rightAligned: Set(1..<g.header.count)) }
    }

    /// The metrics of the table: all when chosen, else the headline ones present (all if none is).
    static func shownMetrics(_ r: StrategyComparison, chosen: Bool) -> [MetricComparison] {
        if chosen { return r.metrics }
        let names = headline.map { $0.replacingOccurrences(of: "{H}", with: String(r.horizonMonths)) }
        let picked = names.compactMap { r.metric($0) }
        return picked.isEmpty ? r.metrics : picked
    }

    static func label(_ c: ComparisonMetric, horizon: Int) -> String {
        switch c.point {
        case .scalar: "per trial"
        case let .month(m): "month \(m)"
        case .total: "sum over months 1-\(horizon)"
        }
    }

    /// Decimals for a metric's numbers: none for large values, more for small ones (rates).
    static func decimalsFor(_ m: MetricComparison) -> Int {
        let scale = m.values.map { abs($0.mean) }.filter(\.isFinite).max() ?? 0
        return scale >= 100 ? 0 : scale >= 1 ? 2 : 4
    }

    static func signed(_ x: Double, _ decimals: Int) -> String {
        let text = NumberFormat.human(x, decimals: decimals)
        return x > 0 && !text.allSatisfy({ $0 == "0" || $0 == "." || $0 == "," }) ? "+" + text : text
    }

    static func probability(_ s: Summary) -> String { s.n > 0 ? NumberFormat.percent(s.mean) : "n/a" }

    static func aligned(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let width = rows.map(\.count).max() else { return [] }
        let widths = (0..<width).map { j in rows.map { j < $0.count ? $0[j].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { j, cell in
                let pad = String(repeating: " ", count: widths[j] - cell.count)
                return rightAligned.contains(j) ? pad + cell : (j == row.count - 1 ? cell : cell + pad)
            }.joined(separator: "  ")
        }
    }

    // MARK: CSV

    /// Tidy rows `metric,strategy,statistic,value`:
    /// - run information: `metric` the key (scenario, currency, seed, trials, horizon_months,
    ///   subcast_version, generator, gsl_version), statistic `info`;
    /// - strategies: `metric` empty, statistics `base` (true/false), `description`, `scenario_file`;
    /// - per comparison metric: statistic `direction` (higher/lower, strategy empty); per
    ///   strategy n, mean, sd, se, p5, p25, p50, p75, p95 and p_best; for every strategy but the
    ///   base diff_n, diff_mean, diff_sd, diff_se, diff_ci95_lower, diff_ci95_upper,
    ///   p_beats_base, variance_removed_by_pairing; strategy against strategy (three or more):
    ///   `metric` the value metric, `strategy` v, statistic `pair_diff_mean:<w>` and
    ///   `pair_diff_se:<w>`.
    /// Undefined values are empty cells.
    public static func csv(_ r: StrategyComparison, _ c: Context) -> String {
        var lines = ["metric,strategy,statistic,value"]
        func row(_ metric: String, _ strategy: String, _ stat: String, _ value: String) {
            lines.append("\(CSVReport.field(metric)),\(CSVReport.field(strategy)),\(stat),\(value)")
        }
        func number(_ x: Double?) -> String { x.flatMap(NumberFormat.exact) ?? "" }
        let s = r.variants[0].scenario
        for (k, v) in [("scenario", CSVReport.field(s.name)), ("currency", CSVReport.field(s.currency)), ("seed", String(r.seed)),
                       ("trials", String(r.trials)), ("horizon_months", String(s.horizonMonths)),
                       ("subcast_version", CSVReport.field(c.info.subcastVersion)), ("generator", CSVReport.field(c.info.generator)),
                       ("gsl_version", CSVReport.field(c.info.gslVersion))] {
            row(k, "", "info", v)
        }
        for (i, v) in r.variants.enumerated() {
            row("", v.name, "base", i == 0 ? "true" : "false")
            row("", v.name, "description", CSVReport.field(v.description ?? ""))
            row("", v.name, "scenario_file", CSVReport.field(c.files[i]))
        }
        for m in r.metrics {
            let name = m.metric.name
            row(name, "", "direction", m.direction.rawValue)
            for (i, v) in r.variants.enumerated() {
                let x = m.values[i]
                row(name, v.name, "n", String(x.n))
                for (stat, value) in x.named { row(name, v.name, stat, number(value)) }
                row(name, v.name, "p_best", number(m.best[i].n > 0 ? m.best[i].mean : nil))
                guard let d = m.differences[i] else { continue }
                row(name, v.name, "diff_n", String(d.n))
                row(name, v.name, "diff_mean", number(d.mean))
                row(name, v.name, "diff_sd", number(d.sd))
                row(name, v.name, "diff_se", number(d.se))
                let ci = m.interval(i)
                row(name, v.name, "diff_ci95_lower", number(ci?.lower))
                row(name, v.name, "diff_ci95_upper", number(ci?.upper))
                row(name, v.name, "p_beats_base", number(m.beatsBase[i]!.n > 0 ? m.beatsBase[i]!.mean : nil))
                row(name, v.name, "variance_removed_by_pairing", number(m.varianceRemoved(i)))
            }
        }
        for p in r.pairs {
            row(p.metric, r.variants[p.v].name, CSVReport.field("pair_diff_mean:\(r.variants[p.w].name)"), number(p.difference.mean))
            row(p.metric, r.variants[p.v].name, CSVReport.field("pair_diff_se:\(r.variants[p.w].name)"), number(p.difference.se))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    /// Schema `subcast-compare/1`:
    /// ```
    /// {"schema": "subcast-compare/1", "subcast_version", "generator", "gsl_version", "scenario",
    ///  "currency", "seed", "trials", "horizon_months", "common_random_numbers": true,
    ///  "strategies": [{"name", "description", "scenario_file", "base": bool}, ...],
    ///  "metrics": [{"metric": "mrr@36", "series": "mrr", "point": "month" | "total" | "scalar",
    ///               "month": 36 or null, "better": "higher" | "lower",
    ///               "strategies": [{"name": "base", "value": S, "p_best": x},
    ///                              {"name": "...", "value": S, "p_best": x, "difference": S,
    ///                               "ci95": [lower, upper], "p_beats_base": x,
    ///                               "variance_removed_by_pairing": x}, ...]}, ...]}
    /// ```
    /// S is `{"n", "mean", "sd", "se", "p5", "p25", "p50", "p75", "p95"}` as in `subcast-run/1`;
    /// undefined numbers are null. Keys keep this order.
    public static func json(_ r: StrategyComparison, _ c: Context) -> String {
        var o = JSONWriter()
        let s = r.variants[0].scenario
        o.open("{")
        o.key("schema"); o.string("subcast-compare/1")
        o.key("subcast_version"); o.string(c.info.subcastVersion)
        o.key("generator"); o.string(c.info.generator)
        o.key("gsl_version"); o.string(c.info.gslVersion)
        o.key("scenario"); o.string(s.name)
        o.key("currency"); o.string(s.currency)
        o.key("seed"); o.raw(String(r.seed))
        o.key("trials"); o.raw(String(r.trials))
        o.key("horizon_months"); o.raw(String(s.horizonMonths))
        o.key("common_random_numbers"); o.raw("true")
        o.key("strategies"); o.open("[")
        for (i, v) in r.variants.enumerated() {
            o.element(); o.open("{", compact: true)
            o.key("name"); o.string(v.name)
            o.key("description"); if let d = v.description { o.string(d) } else { o.raw("null") }
            o.key("scenario_file"); o.string(c.files[i])
            o.key("base"); o.raw(i == 0 ? "true" : "false")
            o.close("}")
        }
        o.close("]")
        o.key("metrics"); o.open("[")
        for m in r.metrics {
            o.element(); o.open("{")
            o.key("metric"); o.string(m.metric.name)
            o.key("series"); o.string(m.metric.metric)
            switch m.metric.point {
            case .scalar: o.key("point"); o.string("scalar"); o.key("month"); o.raw("null")
            case let .month(month): o.key("point"); o.string("month"); o.key("month"); o.raw(String(month))
            case .total: o.key("point"); o.string("total"); o.key("month"); o.raw("null")
            }
            o.key("better"); o.string(m.direction.rawValue)
            o.key("strategies"); o.open("[")
            for (i, v) in r.variants.enumerated() {
                o.element(); o.open("{")
                o.key("name"); o.string(v.name)
                o.key("value"); JSONReport.summary(&o, m.values[i])
                o.key("p_best"); o.number(m.best[i].n > 0 ? m.best[i].mean : .nan)
                if let d = m.differences[i] {
                    o.key("difference"); JSONReport.summary(&o, d)
                    let ci = m.interval(i)
                    o.key("ci95"); o.numbers([ci?.lower ?? .nan, ci?.upper ?? .nan])
                    o.key("p_beats_base"); o.number(m.beatsBase[i]!.n > 0 ? m.beatsBase[i]!.mean : .nan)
                    o.key("variance_removed_by_pairing"); o.number(m.varianceRemoved(i) ?? .nan)
                    o.key("no_difference"); o.raw(m.noDifference(i) ? "true" : "false")
                }
                o.close("}")
            }
            o.close("]")
            o.close("}")
        }
        o.close("]")
        o.key("pairs"); o.open("[")
        for p in r.pairs {
            o.element(); o.open("{")
            o.key("metric"); o.string(p.metric)
            o.key("strategy"); o.string(r.variants[p.v].name)
            o.key("against"); o.string(r.variants[p.w].name)
            o.key("difference"); JSONReport.summary(&o, p.difference)
            let half = 1.96 * p.difference.se
            o.key("ci95"); o.numbers([p.difference.mean - half, p.difference.mean + half])
            o.close("}")
        }
        o.close("]")
        o.close("}")
        return o.text + "\n"
    }
}
