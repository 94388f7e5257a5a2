import SubcastCore

/// The `json` format of `subcast run` (schema `subcast-run/1`, documented in the README).
///
/// ```
/// {"schema": "subcast-run/1", "subcast_version", "generator", "gsl_version", "scenario",
///  "scenario_file", "currency", "seed", "trials", "horizon_months", "lifetime_months",
///  "months": [{"month": 1, "active": S, "new": S, "churned": S, "mrr": S, "arr": S, "arpu": S,
///              "logo_churn_rate": S, "revenue_churn_rate": S, "cumulative_revenue": S,
///              "new_mrr": S, "churned_mrr": S, ...lever metrics: S}, ...],
///  "retention": {"pooled": [{"tenure_month": 1, ...S}, ...],
///                "cohorts": [{"cohort_month": 1, "curve": [{"tenure_month": 1, ...S}, ...]}, ...]},
///  "acquired": S, "cltv": S, "cltv_naive": S, "ltv_cac": S, "cac_payback_month": S,
///  ...lever scalars: S,
///  "closed_form": {"active": [...], "mrr": [...], "new": [...], "retention": [...],
///                  "cltv": x, "cltv_unlimited_lifetime": x,
///                  "at_point_estimates": bool} or null}
/// ```
/// S is `{"n", "mean", "sd", "se", "p5", "p25", "p50", "p75", "p95", "se_p5", "se_p25", "se_p50", "se_p75", "se_p95"}` (se: the mean's Monte Carlo standard error; se_pq: the quantile's); n counts the trials in
/// which the value is defined; undefined statistics are `null`. Keys keep this order.
///
/// The report follows the result's layout: every monthly block becomes a key of each month
/// object and every scalar block a top-level key, both in layout order. A scenario without
/// levers has exactly the keys above. With levers (`Scenario.usesLevers`) the months also hold
/// the lever metrics the scenario switches on (`expansion_mrr`, `contraction_mrr`,
/// `net_new_mrr`, `billings`, `cumulative_billings`, `nrr`, `grr`, `involuntary_churned`, `tickets`,
/// `backlog`, `licence_path_revenue`, ...), the scalars follow `cac_payback_month` (e.g.
/// `valley_depth`, `valley_months`, `overtake_month`, `overtakes_in_horizon`), and
/// `closed_form` is `null`: the closed-form expectations describe the model without levers only.
public enum JSONReport {
    public static func render(_ r: SimulationResult, info: RunInfo) -> String {
        var o = JSONWriter()
        o.open("{")
        o.key("schema"); o.string("subcast-run/1")
        o.key("subcast_version"); o.string(info.subcastVersion)
        o.key("generator"); o.string(info.generator)
        o.key("gsl_version"); o.string(info.gslVersion)
        o.key("scenario"); o.string(r.scenario.name)
        o.key("scenario_file"); o.string(info.scenarioFile)
        o.key("currency"); o.string(r.scenario.currency)
        o.key("seed"); o.raw(String(r.seed))
        o.key("trials"); o.raw(String(r.trials))
        o.key("horizon_months"); o.raw(String(r.scenario.horizonMonths))
        o.key("lifetime_months"); o.raw(String(r.scenario.lifetimeMonths))

        o.key("months"); o.open("[")
        let monthly = r.monthlyBlocks.map { ($0.metric, r.series($0.metric)!) }
        for m in 1...r.scenario.horizonMonths {
            o.element(); o.open("{", compact: false)
            o.key("month"); o.raw(String(m))
            for (name, s) in monthly where m <= s.count { o.key(name); summary(&o, s[m - 1]) }
            o.close("}")
        }
        o.close("]")

        o.key("retention"); o.open("{")
        o.key("pooled"); curve(&o, r.series("retention")!)
        o.key("cohorts"); o.open("[")
        for b in r.layout.blocks {
            guard case let .cohort(month) = b.kind else { continue }
            o.element(); o.open("{")
            o.key("cohort_month"); o.raw(String(month))
            o.key("curve"); curve(&o, r.series(b.metric)!)
            o.close("}")
        }
        o.close("]")
        o.close("}")

        for b in r.scalarBlocks {
            o.key(b.metric); summary(&o, r.scalar(b.metric)!)
        }

        guard r.hasClosedForm else {
            o.key("closed_form"); o.raw("null")
            o.close("}")
            return o.text + "\n"
        }
        let c = r.closedForm
        o.key("closed_form"); o.open("{")
        for (name, values) in [("active", c.active), ("mrr", c.mrr), ("new", c.new), ("retention", c.retention)] {
            o.key(name); o.numbers(values)
        }
        o.key("cltv"); o.number(c.cltv)
        o.key("cltv_unlimited_lifetime"); o.number(c.cltvUnlimited)
        o.key("at_point_estimates"); o.raw(c.atPointEstimates ? "true" : "false")
        o.close("}")
        o.close("}")
        return o.text + "\n"
    }

    static func summary(_ o: inout JSONWriter, _ s: Summary) {
        o.open("{", compact: true)
        o.key("n"); o.raw(String(s.n))
        for (name, v) in s.named { o.key(name); o.number(v) }
        o.close("}")
    }

    static func curve(_ o: inout JSONWriter, _ series: [Summary]) {
        o.open("[")
        for (i, s) in series.enumerated() {
            o.element(); o.open("{", compact: true)
            o.key("tenure_month"); o.raw(String(i + 1))
            o.key("n"); o.raw(String(s.n))
            for (name, v) in s.named { o.key(name); o.number(v) }
            o.close("}")
        }
        o.close("]")
    }
}

extension SimulationResult {
    /// The `.monthly` blocks of the layout, in layout order.
    var monthlyBlocks: [OutputLayout.Block] { layout.blocks.filter { $0.kind == .monthly } }
    /// The `.scalar` blocks of the layout, in layout order.
    var scalarBlocks: [OutputLayout.Block] { layout.blocks.filter { $0.kind == .scalar } }
    /// True when `closedForm` describes the simulated model: only without levers.
    var hasClosedForm: Bool { ForecastModel.hasClosedForm(scenario) }
    /// True when the layout has a block for `metric`.
    func has(_ metric: String) -> Bool { layout.block(metric) != nil }
}

/// A small deterministic JSON emitter: keys in insertion order, two-space indentation,
/// compact objects on one line, numbers via `NumberFormat.exact`, non-finite as null.
struct JSONWriter {
    private(set) var text = ""
    private var stack: [(compact: Bool, count: Int)] = []
    private var pendingKey = false

    private var indent: String { String(repeating: "  ", count: stack.count) }

    private mutating func separator() {
        guard !stack.isEmpty else { return }
        if stack[stack.count - 1].count > 0 { text += "," }
        stack[stack.count - 1].count += 1
        text += stack[stack.count - 1].compact ? (stack[stack.count - 1].count > 1 ? " " : "") : "\n" + indent
    }

    /// Starts an array element (values inside arrays).
    mutating func element() {
        separator()
        pendingKey = true
    }

    mutating func key(_ k: String) {
        separator()
        text += quoted(k) + ": "
        pendingKey = true
    }

    private mutating func value(_ v: String) {
        if !pendingKey { separator() }
        pendingKey = false
        text += v
    }

    mutating func open(_ bracket: String, compact: Bool = false) {
        value(bracket)
        let parentCompact = stack.last?.compact ?? false
        stack.append((compact || parentCompact, 0))
    }

    mutating func close(_ bracket: String) {
        let top = stack.removeLast()
        if !top.compact && top.count > 0 { text += "\n" + indent }
        text += bracket
    }

    mutating func raw(_ v: String) { value(v) }

    /// The keys that open the documents of `optimize`, `goal-seek` and `sensitivity --breach`:
    /// versions, generator, scenario and seed.
    mutating func runHeader(info: RunInfo, scenarioName: String, seed: UInt64) {
        key("subcast_version"); string(info.subcastVersion)
        key("generator"); string(info.generator)
        key("gsl_version"); string(info.gslVersion)
        key("scenario"); string(scenarioName)
        key("scenario_file"); string(info.scenarioFile)
        key("seed"); raw("\(seed)")
    }
    mutating func string(_ s: String) { value(quoted(s)) }
    mutating func number(_ x: Double) { value(NumberFormat.exact(x) ?? "null") }
    mutating func numbers(_ xs: [Double]) {
        value("[" + xs.map { NumberFormat.exact($0) ?? "null" }.joined(separator: ", ") + "]")
    }

    private func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
