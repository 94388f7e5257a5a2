import Foundation
import SubcastCore
import SubcastStochastics

/// Renders a customer-level fit (`CustomerFit`): the terminal table, JSON (schema
/// `subcast-customer-fit/1`) and the fitted scenario file.
public enum CustomerFitReport {
    public struct Context: Sendable {
        public var horizonMonths = 24
        public var trials = 1000
        public var seed: UInt64 = 1
        public var name = "fitted"
        public init() {}
    }

    static func fmt(_ x: Double, _ digits: Int = 6) -> String { FitReport.fmt(x, digits) }

    /// One estimated quantity of the scenario: value, log-scale se (0: exact), its input name.
    struct Estimate {
        var name: String
        var value: Double
        var logSD: Double
        /// theta index in the churn fit's covariance (nil for the others).
        var theta: Int?
        /// Upper bound of the key's valid range (the lognormal's 1 - 1e-6 quantile must stay inside).
        var upper: Double
    }

    /// `{distribution: lognormal, ...}` or the plain value; the log-sd is capped so that the
    /// 1 - 1e-6 quantile stays within the key's range (`capped` says so).
    static func lognormal(_ e: Estimate, capped: inout [String]) -> String {
        guard e.logSD > 0, e.logSD.isFinite, e.value > 0 else { return fmt(e.value) }
        let z = 4.753424                       // the standard normal's 1 - 1e-6 quantile
        var sd = e.logSD
        let room = (log(e.upper) - log(e.value)) / z * 0.999
        if sd > room { sd = max(room, 1e-6); capped.append(e.name) }
        return "{distribution: lognormal, median: \(fmt(e.value)), log_sd: \(fmt(sd)), name: \(e.name)}"
    }

    /// Input-name prefixes of the plans: letters, digits and underscores, made unique ("pro" and
    /// "Pro" become pro_ and pro_2_).
    static func prefixes(_ c: CovariateFit) -> [String] {
        var used = Set<String>(), out: [String] = []
        for g in c.groups.indices {
            guard let name = c.groups[g] else { out.append(""); continue }
            let base = FitReport.inputName(name)
            var candidate = base, k = 2
            while used.contains(candidate) { candidate = "\(base)_\(k)"; k += 1 }
            used.insert(candidate)
            out.append(candidate + "_")
        }
        return out
    }

    static func estimates(_ f: CustomerFit) -> [Estimate] {
        var out: [Estimate] = []
        let c = f.churn
        let names = prefixes(c)
        for g in 0..<c.groups.count {
            let prefix = names[g]
            out.append(Estimate(name: prefix + "alpha", value: c.alpha[g], logSD: c.standardError(2 * g), theta: 2 * g, upper: 1e9))
            out.append(Estimate(name: prefix + "beta", value: c.beta[g], logSD: c.standardError(2 * g + 1), theta: 2 * g + 1, upper: 1e9))
        }
        for (i, k) in c.conditions.enumerated() {
            let j = 2 * c.groups.count + i
            out.append(Estimate(name: k.key + "_churn_multiplier", value: c.multipliers[i], logSD: c.standardError(j), theta: j, upper: 100))
        }
        return out
    }

    // MARK: scenario

    public static func scenario(_ f: CustomerFit, context ctx: Context) -> String {
        let d = f.data, c = f.churn
        var capped: [String] = []
        let est = estimates(f)
        func input(_ name: String) -> String { lognormal(est.first { $0.name == name }!, capped: &capped) }
        func multiplier(_ k: ChurnCondition) -> String {
            c.conditions.contains(k) ? input(k.key + "_churn_multiplier") : "1    # not estimated: no renewal in this condition in the data"
        }
        var l: [String] = []
        l.append("# Fitted by `subcast fit` (Subcast \(Simulation.version)) on \(d.files.joined(separator: ", ")) as of \(d.options.asOf).")
        l.append("# Every estimate is an uncertain input: lognormal around the maximum-likelihood estimate with its")
        l.append("# standard error, correlated as the fit's observed information says (see `correlations`), so")
        l.append("# run, compare, sensitivity and optimize carry the estimation uncertainty. Month 1 is the month")
        l.append("# after the as-of date; `existing` is the base on that date by plan, tenure and condition.")
        l.append("schema_version: 1")
        l.append("name: \(FitReport.yamlString(ctx.name))")
        l.append("description: >-")
        l.append("  Fitted to \(f.churn.customers) subscriptions (\(d.customers.filter { !$0.churned }.count) active on \(d.options.asOf)); churn "
                 + "multipliers act on each customer's own propensity (latent classes).")
        l.append("horizon_months: \(ctx.horizonMonths)")
        l.append("trials: \(ctx.trials)")
        l.append("seed: \(ctx.seed)")
        l.append("")
        l.append("plans:")
        let prefixNames = prefixes(c)
        for g in 0..<c.groups.count {
            let name = c.groups[g] ?? "all"
            let prefix = prefixNames[g]
            l.append("  - name: \(FitReport.yamlString(name))")
            if let a = f.meanAmount[g] {
                l.append("    price_per_month: \(fmt(a, 2))     # mean amount of the plan's active customers")
            } else {
                l.append(d.customers.contains { $0.record.amount != nil }
                         ? "    price_per_month: 0      # nobody is on this plan in the subscriptions file's plan column, so its amount is unknown: set its price"
                         : "    price_per_month: 0      # no amounts in the file: set the plan's price")
            }
            l.append("    churn:              # sBG, renewal churn x the condition's multiplier")
            l.append("      alpha: \(input(prefix + "alpha"))")
            l.append("      beta: \(input(prefix + "beta"))")
            if d.hasTickets {
                let r = f.ticketRates[g]
                let value = r.rate > 0 && r.se > 0 ? lognormal(Estimate(name: prefix + "tickets_per_month", value: r.rate, logSD: r.se / r.rate, theta: nil, upper: 100), capped: &capped)
                    : fmt(r.rate)
                l.append("    tickets_per_month: \(value)   # \(r.tickets) tickets in \(r.months) customer-months")
            }
            if let pc = f.planChanges {
                let moves = pc.moves.filter { $0.from == g }
                if !moves.isEmpty {
                    let list = moves.map { "\(FitReport.yamlString(c.groups[$0.to]!)): \(fmt($0.probability))" }.joined(separator: ", ")
                    l.append("    moves: {\(list)}   # a month; \(moves.map(\.changes).reduce(0, +)) changes in \(fmt(moves[0].months, 4)) customer-months "
                             + "(outside the month after a good resolution)")
                }
                if d.hasTickets, pc.probability > 0, let q = pc.upsellTo[g] {
                    l.append("    upsell_to: \(FitReport.yamlString(c.groups[q]!))   # the plan most often changed to after a good resolution")
                }
            }
        }
        l.append("")
        l.append("acquisition:        # sign-ups of the last \(f.arrivalMonths) month(s): \(f.arrivals)")
        if f.arrivals > 0 {
            let e = Estimate(name: "new_per_month", value: f.newPerMonth, logSD: 1 / Double(f.arrivals).squareRoot(), theta: nil, upper: 1e15)
            l.append("  new_per_month: \(lognormal(e, capped: &capped))")
        } else {
            l.append("  new_per_month: 0")
        }
        if c.groups.count > 1 {
            l.append("  mix:")
            // Whole millionths that add up to exactly 1,000,000 (largest remainders).
            let raw = f.planMix.map { $0 * 1e6 }
            var units = raw.map { Int($0.rounded(.down)) }
            let order = raw.indices.sorted { (raw[$0] - Double(units[$0]), $1) > (raw[$1] - Double(units[$1]), $0) }
            var left = 1_000_000 - units.reduce(0, +)
            for i in order where left > 0 { units[i] += 1; left -= 1 }
            for g in 0..<c.groups.count {
                l.append("    \(FitReport.yamlString(c.groups[g]!)): \(String(format: "%d.%06d", units[g] / 1_000_000, units[g] % 1_000_000))")
            }
        }
        let base = f.base.filter { $0.count > 0 }
        if !base.isEmpty {
            l.append("")
            l.append("existing:           # active on \(d.options.asOf): tenure = months paid before month 1")
            for b in base {
                var entry = "  - {plan: \(FitReport.yamlString(c.groups[b.group] ?? "all")), count: \(b.count), tenure_months: \(b.tenure)"
                if b.condition != .healthy { entry += ", condition: \(b.condition.key)" }
                if b.condition == .detractor || b.condition == .promoter { entry += ", months_left: \(b.monthsLeft)" }
                l.append(entry + "}")
            }
        }
        if d.hasTickets {
            let capacity = max(1, supportCapacity(f))
            l.append("")
            l.append("support:")
            l.append("  agents: 1")
            l.append("  tickets_per_agent_per_month: \(capacity)   # not in the data: 10 x the busiest month's tickets, so the desk keeps up; set your desk's capacity")
            if let q = f.quality, q.pValue < 0.05, q.kappa > 0 {
                // Quality falls with the backlog: the model's fcr x exp(-penalty x backlog / capacity).
                let se = q.fcr * (1 - q.fcr) * q.covariance[0][0].squareRoot()
                l.append("  first_contact_resolution: {distribution: beta, mean: \(fmt(q.fcr)), sd: \(fmt(min(se, 0.5 * q.fcr * (1 - q.fcr)))), name: first_contact_resolution}"
                         + "   # with an empty backlog")
                l.append("  backlog_penalty: \(fmt(q.kappa * Double(capacity)))   # \(fmt(q.kappa, 4)) per open ticket (LR \(fmt(q.likelihoodRatio, 2)), p = \(fmt(q.pValue, 3))) x the capacity")
            } else if f.good + f.bad > 0 {
                l.append("  first_contact_resolution: {distribution: beta, alpha: \(f.good + 1), beta: \(f.bad + 1), name: first_contact_resolution}"
                         + "   # \(f.good) good of \(f.good + f.bad) resolved")
            } else {
                l.append("  first_contact_resolution: 0.75   # no resolved ticket in the data: set it")
            }
            l.append("  waiting_churn_multiplier: \(multiplier(.waiting))")
            l.append("  bad_resolution:")
            l.append("    churn_multiplier: \(multiplier(.detractor))")
            l.append("    months: \(d.options.detractorMonths)")
            l.append("  good_resolution:")
            l.append("    churn_multiplier: \(multiplier(.promoter))")
            l.append("    months: \(d.options.promoterMonths)")
            if let pc = f.planChanges, pc.probability > 0, pc.upsellTo.contains(where: { $0 != nil }) {
                let u = pc.probability, se = pc.standardError
                let note = "   # \(pc.upsells) upgrades after \(pc.resolutions) good resolutions (\(fmt(pc.expectedByChance, 3)) by chance); "
                    + "LR \(fmt(pc.likelihoodRatio, 2)), p = \(fmt(pc.pValue, 3))"
                if u < 1, se > 0, se * se < 0.9 * u * (1 - u) {
                    l.append("    upsell_probability: {distribution: beta, mean: \(fmt(u)), sd: \(fmt(se)), name: upsell_probability}" + note)
                } else {
                    l.append("    upsell_probability: \(fmt(u))" + note)
                }
            }
        }
        if d.hasActivations {
            l.append("")
            l.append("onboarding:")
            if let r = f.ramp {
                l.append("  ramp_months:      # lognormal fitted with right-censoring: \(r.activated) activated, \(r.censored) not yet")
                l.append("    median: \(lognormal(Estimate(name: "ramp_median", value: r.median, logSD: r.seLogMedian, theta: nil, upper: 120), capped: &capped))")
                l.append("    log_sd: \(lognormal(Estimate(name: "ramp_log_sd", value: r.logSD, logSD: r.seLogLogSD, theta: nil, upper: 5), capped: &capped))")
            } else {
                l.append("  ramp_months: {median: 1, log_sd: 1}   # not estimated: \(f.rampFailure ?? "")")
            }
            l.append("  threshold_months: \(fmt(d.options.thresholdMonths))")
            l.append("  at_risk_churn_multiplier: \(multiplier(.atRisk))")
        }
        // Correlations of the estimates (Spearman, from the correlations of their logarithms).
        var pairs: [String] = []
        let drawn = est.filter { $0.logSD > 0 }
        for i in 0..<drawn.count {
            for j in (i + 1)..<drawn.count {
                guard let a = drawn[i].theta, let b = drawn[j].theta else { continue }
                let r = c.correlation(a, b)
                if abs(r) < 1e-9 { continue }
                pairs.append("  - {between: [\(drawn[i].name), \(drawn[j].name)], rho: \(String(format: "%.6f", 6 / Double.pi * asin(r / 2)))}")
            }
        }
        if let r = f.ramp, r.seLogMedian > 0, r.seLogLogSD > 0 {
            let rho = r.covariance[0][1] / (r.seLogMedian * r.seLogLogSD)
            pairs.append("  - {between: [ramp_median, ramp_log_sd], rho: \(String(format: "%.6f", 6 / Double.pi * asin(rho / 2)))}")
        }
        if !pairs.isEmpty {
            l.append("")
            l.append("correlations:       # rank correlations (6 / pi) asin(r / 2) of the estimates' log-scale correlations r")
            l += pairs
        }
        if !capped.isEmpty {
            l.append("")
            l.append("# The log-sd of \(capped.joined(separator: ", ")) is capped so that the draws stay in the key's range;")
            l.append("# the data pin these estimates down poorly.")
        }
        return l.joined(separator: "\n") + "\n"
    }

    /// Ten times the most tickets opened in one calendar month over the 12 months before the
    /// as-of date (at least 100). The files show how long tickets took, not how many the desk
    /// could have handled: in the model tickets wait only when capacity binds, and a capacity
    /// read off past throughput binds as soon as the base grows, piling up a backlog the data
    /// never had. So the fitted desk keeps up: every ticket, those open on the as-of date included,
    /// is resolved in the month before the renewal, and the waiting multiplier acts only in a
    /// scenario whose capacity binds (agents, tickets_per_agent_per_month).
    static func supportCapacity(_ f: CustomerFit) -> Int {
        let asOf = f.data.options.asOf
        var best = 0
        for k in 0..<12 {
            let from = asOf.adding(months: -(k + 1)), to = asOf.adding(months: -k)
            var n = 0
            for c in f.data.customers {
                for t in c.tickets where t.opened > from && t.opened <= to { n += 1 }
            }
            best = max(best, n)
        }
        return max(100, 10 * best)
    }

    // MARK: table

    public static func table(_ f: CustomerFit) -> String {
        let c = f.churn, d = f.data
        var out: [String] = []
        out.append("Subcast \(Simulation.version) - churn with condition multipliers fitted to \(d.files.joined(separator: ", "))")
        out.append("As of \(d.options.asOf); \(c.customers) subscriptions; maximum likelihood with right-censoring (GSL simplex, Gauss-Jacobi "
                   + "quadrature over each customer's propensity), errors from the observed information")
        out.append("")
        var rows: [[String]] = []
        for (i, name) in c.parameterNames.enumerated() {
            let v = exp(c.theta[i]), se = c.standardError(i)
            var row = [name, fmt(v, 4), fmt(v * se, 4), "\(fmt(v * exp(-1.959964 * se), 4)) - \(fmt(v * exp(1.959964 * se), 4))"]
            if i >= 2 * c.groups.count {
                let t = c.tests[i - 2 * c.groups.count]
                let k = c.conditions[i - 2 * c.groups.count]
                row += ["\(c.renewals[k.rawValue]) / \(c.churns[k.rawValue])", fmt(t.likelihoodRatio, 2), fmt(t.pValue, 3)]
            } else {
                row += ["", "", ""]
            }
            rows.append(row)
        }
        out += TableReport.table(["parameter", "estimate", "se", "95 % interval", "renewals / churned", "LR vs 1", "p"], rows)
        out.append("healthy renewals \(c.renewals[0]), churned \(c.churns[0]); log-likelihood \(fmt(c.logLikelihood, 3))")
        let missing = ChurnCondition.allCases.filter { $0 != .healthy && !c.conditions.contains($0) }
        let applicable = missing.filter { ($0 == .atRisk && d.hasActivations) || ($0 != .atRisk && d.hasTickets) }
        if !applicable.isEmpty {
            out.append("not estimated (no renewal observed in the condition): \(applicable.map(\.key).joined(separator: ", "))")
        }
        if d.hasActivations {
            out.append("")
            if let r = f.ramp {
                out.append("Ramp-up time (lognormal, right-censored): median \(fmt(r.median, 3)) months (se(ln) \(fmt(r.seLogMedian, 3))), "
                           + "log-sd \(fmt(r.logSD, 3)) (se(ln) \(fmt(r.seLogLogSD, 3))); \(r.activated) activated, \(r.censored) not yet")
                out.append("At risk (ramp-up beyond \(fmt(d.options.thresholdMonths, 2)) months): \(NumberFormat.percent(r.share(above: d.options.thresholdMonths))) of new customers")
            } else {
                out.append("Ramp-up time not estimated: \(f.rampFailure ?? "")")
            }
        }
        if d.hasTickets {
            out.append("")
            out += TableReport.table(["plan", "tickets / customer-month", "se", "customer-months", "with a new ticket"],
                                     (0..<c.groups.count).map { g in
                                         let r = f.ticketRates[g]
                                         return [c.groups[g] ?? "all", fmt(r.rate, 4), fmt(r.se, 3), String(r.months), String(r.tickets)]
                                     })
            out.append("Resolved well: \(f.good) of \(f.good + f.bad) (\(f.good + f.bad > 0 ? NumberFormat.percent(f.goodShare) : "n/a"))")
            if let q = f.quality {
                out.append("Against the backlog (\(q.months) months): share fcr x exp(-kappa x open tickets), fcr \(fmt(q.fcr, 3)), kappa \(fmt(q.kappa, 4)) "
                           + "(se \(fmt(q.seKappa, 3))); LR \(fmt(q.likelihoodRatio, 2)), p = \(fmt(q.pValue, 3))"
                           + (q.pValue < 0.05 && q.kappa > 0 ? ": the scenario's backlog_penalty" : ": no dependence detected, not used"))
            } else {
                out.append("Against the backlog: not estimated (fewer than three months with resolutions, or a backlog that never varies)")
            }
        }
        if let pc = f.planChanges {
            out.append("")
            out += planChangeLines(f, pc)
        }
        out.append("")
        out.append("Acquisition: \(f.arrivals) sign-ups in the last \(f.arrivalMonths) month(s), \(fmt(f.newPerMonth, 2)) a month")
        let counts = Dictionary(grouping: f.base, by: \.condition).mapValues { $0.reduce(0) { $0 + $1.count } }
        out.append("Active on \(d.options.asOf): " + ChurnCondition.allCases.compactMap { k in counts[k].map { "\($0) \(k.key)" } }.joined(separator: ", "))
        return out.joined(separator: "\n") + "\n"
    }

    static let moveHeader = ["from", "to", "changes", "customer-months on from", "probability a month"]
    static let upsellHeader = ["after a good resolution on", "first change to", "good resolutions", "changes", "by chance",
                               "upsell", "95 % interval", "p", "used"]

    /// The rows of the moves and of each plan's upsell test (`dash` between an interval's ends).
    static func planChangeRows(_ f: CustomerFit, _ pc: PlanChangeFit, dash: String) -> (moves: [[String]], upsells: [[String]]) {
        let names = f.churn.groups.map { $0 ?? "all" }
        let moves = pc.moves.map { [names[$0.from], names[$0.to], String($0.changes), fmt($0.months, 5), fmt($0.probability, 4)] }
        let upsells = pc.perPlan.map { u in
            [names[u.from], names[u.to], String(u.resolutions), String(u.upsells), fmt(u.expectedByChance, 3), fmt(u.probability, 4),
             "\(fmt(u.lower, 3)) \(dash) \(fmt(u.upper, 3))", fmt(u.pValue, 3), u.used ? "upsell_to" : "no: chance"]
        }
        return (moves, upsells)
    }

    /// The plan changes in words: moves and the upsell estimate.
    static func planChangeLines(_ f: CustomerFit, _ pc: PlanChangeFit) -> [String] {
        var out: [String] = []
        out.append("Plan changes: \(pc.changes), \(pc.afterGoodResolution) of them in the month after a good resolution")
        let rows = planChangeRows(f, pc, dash: "-")
        if !pc.moves.isEmpty { out += TableReport.table(moveHeader, rows.moves) }
        if !pc.perPlan.isEmpty { out += TableReport.table(upsellHeader, rows.upsells) }
        if pc.resolutions > 0 {
            out.append("Upsell probability (pooled over the plans with upsell_to): \(fmt(pc.probability, 4)) (95 % \(fmt(pc.lower, 3)) - \(fmt(pc.upper, 3))); "
                       + "\(pc.upsells) of \(pc.resolutions) good resolutions, \(fmt(pc.expectedByChance, 3)) expected by chance; "
                       + "LR vs 0 \(fmt(pc.likelihoodRatio, 2)), p = \(fmt(pc.pValue, 3))")
        } else {
            out.append("Upsell after a good resolution: none detected (no plan's changes after good resolutions beat the moves' chance)")
        }
        return out
    }

    // MARK: JSON

    public static func json(_ f: CustomerFit, scenario: String) -> String {
        let c = f.churn
        var o = JSONWriter()
        o.open("{")
        o.key("schema"); o.string("subcast-customer-fit/1")
        o.key("subcast_version"); o.string(Simulation.version)
        o.key("inputs"); o.open("[", compact: true)
        for file in f.data.files { o.element(); o.string(file) }
        o.close("]")
        o.key("as_of"); o.string(f.data.options.asOf.description)
        o.key("subscriptions"); o.raw(String(c.customers))
        o.key("log_likelihood"); o.number(c.logLikelihood)
        o.key("parameters"); o.open("[")
        for (i, name) in c.parameterNames.enumerated() {
            o.element(); o.open("{", compact: true)
            o.key("name"); o.string(name)
            o.key("estimate"); o.number(exp(c.theta[i]))
            o.key("se_log"); o.number(c.standardError(i))
            if i >= 2 * c.groups.count {
                let t = c.tests[i - 2 * c.groups.count]
                o.key("likelihood_ratio"); o.number(t.likelihoodRatio)
                o.key("p_value"); o.number(t.pValue)
            }
            o.close("}")
        }
        o.close("]")
        o.key("correlation"); o.open("[")
        for i in c.parameterNames.indices { o.element(); o.numbers(c.parameterNames.indices.map { c.correlation(i, $0) }) }
        o.close("]")
        o.key("ramp_up")
        if let r = f.ramp {
            o.open("{", compact: true)
            o.key("median_months"); o.number(r.median)
            o.key("log_sd"); o.number(r.logSD)
            o.key("se_log_median"); o.number(r.seLogMedian)
            o.key("se_log_log_sd"); o.number(r.seLogLogSD)
            o.key("activated"); o.raw(String(r.activated))
            o.key("censored"); o.raw(String(r.censored))
            o.close("}")
        } else { o.raw("null") }
        o.key("tickets_per_month"); o.open("[")
        for (g, r) in f.ticketRates.enumerated() {
            o.element(); o.open("{", compact: true)
            o.key("plan"); if let p = c.groups[g] { o.string(p) } else { o.raw("null") }
            o.key("rate"); o.number(r.rate)
            o.key("se"); o.number(r.se)
            o.key("customer_months"); o.raw(String(r.months))
            o.key("months_with_ticket"); o.raw(String(r.tickets))
            o.close("}")
        }
        o.close("]")
        o.key("quality_against_backlog")
        if let q = f.quality {
            o.open("{", compact: true)
            o.key("fcr"); o.number(q.fcr)
            o.key("kappa_per_open_ticket"); o.number(q.kappa)
            o.key("se_kappa"); o.number(q.seKappa)
            o.key("likelihood_ratio"); o.number(q.likelihoodRatio)
            o.key("p_value"); o.number(q.pValue)
            o.key("months"); o.raw(String(q.months))
            o.close("}")
        } else { o.raw("null") }
        o.key("resolved_good"); o.raw(String(f.good))
        o.key("resolved_bad"); o.raw(String(f.bad))
        o.key("new_per_month"); o.number(f.newPerMonth)
        o.key("plan_changes")
        if let pc = f.planChanges {
            o.open("{")
            o.key("changes"); o.raw(String(pc.changes))
            o.key("after_good_resolution"); o.raw(String(pc.afterGoodResolution))
            o.key("moves"); o.open("[")
            for m in pc.moves {
                o.element(); o.open("{", compact: true)
                o.key("from"); o.string(c.groups[m.from] ?? "all")
                o.key("to"); o.string(c.groups[m.to] ?? "all")
                o.key("changes"); o.raw(String(m.changes))
                o.key("customer_months"); o.number(m.months)
                o.key("probability_per_month"); o.number(m.probability)
                o.close("}")
            }
            o.close("]")
            o.key("upsell_by_plan"); o.open("[")
            for u in pc.perPlan {
                o.element(); o.open("{", compact: true)
                o.key("from"); o.string(c.groups[u.from] ?? "all")
                o.key("to"); o.string(c.groups[u.to] ?? "all")
                o.key("good_resolutions"); o.raw(String(u.resolutions))
                o.key("upgrades"); o.raw(String(u.upsells))
                o.key("expected_by_chance"); o.number(u.expectedByChance)
                o.key("probability"); o.number(u.probability)
                o.key("lower_95"); o.number(u.lower)
                o.key("upper_95"); o.number(u.upper)
                o.key("p_value"); o.number(u.pValue)
                o.key("upsell_to"); o.raw(u.used ? "true" : "false")
                o.close("}")
            }
            o.close("]")
            o.key("upsell"); o.open("{", compact: true)
            o.key("probability"); o.number(pc.probability)
            o.key("lower_95"); o.number(pc.lower)
            o.key("upper_95"); o.number(pc.upper)
            o.key("se"); o.number(pc.standardError)
            o.key("good_resolutions"); o.raw(String(pc.resolutions))
            o.key("upgrades"); o.raw(String(pc.upsells))
            o.key("expected_by_chance"); o.number(pc.expectedByChance)
            o.key("likelihood_ratio"); o.number(pc.likelihoodRatio)
            o.key("p_value"); o.number(pc.pValue)
            o.close("}")
            o.close("}")
        } else { o.raw("null") }
        o.key("scenario"); o.string(scenario)
        o.close("}")
        return o.text + "\n"
    }
}

// MARK: - HTML

extension CustomerFitReport {
    /// A self-contained page: the estimates with their intervals and tests, a chart of the
    /// condition multipliers with their 95 % intervals, the ramp-up distribution against the
    /// activations (Kaplan-Meier), and the fitted scenario.
    public static func html(_ f: CustomerFit, scenario: String) -> String {
        let c = f.churn, d = f.data
        func e(_ s: String) -> String { HTMLPage.escape(s) }
        var body = "<header>\n<h1>Customer-level fit</h1>\n"
        body += HTMLPage.paragraph("Fitted to \(d.files.joined(separator: ", ")) as of \(d.options.asOf): \(c.customers) subscriptions.",
                                   className: "subtitle")
        body += "</header>\n"
        var rows: [[String]] = []
        for (i, name) in c.parameterNames.enumerated() {
            let v = exp(c.theta[i]), se = c.standardError(i)
            var row = [name, fmt(v, 4), "\(fmt(v * exp(-1.959964 * se), 4)) \u{2013} \(fmt(v * exp(1.959964 * se), 4))"]
            if i >= 2 * c.groups.count {
                let t = c.tests[i - 2 * c.groups.count], k = c.conditions[i - 2 * c.groups.count]
                row += ["\(c.renewals[k.rawValue]) / \(c.churns[k.rawValue])", fmt(t.likelihoodRatio, 2), fmt(t.pValue, 3)]
            } else {
                row += ["", "", ""]
            }
            rows.append(row)
        }
        body += HTMLPage.table(["parameter", "estimate", "95 % interval", "renewals / churned", "LR vs 1", "p"], rows,
                               numeric: [1, 2, 3, 4, 5], caption: "Churn: sBG per plan and the conditions' multipliers")
        if !c.conditions.isEmpty {
            let k0 = 2 * c.groups.count
            let names = c.conditions.map(\.key)
            let lows = c.conditions.indices.map { exp(c.theta[k0 + $0] - 1.959964 * c.standardError(k0 + $0)) }
            let highs = c.conditions.indices.map { exp(c.theta[k0 + $0] + 1.959964 * c.standardError(k0 + $0)) }
            var chart = SVGChart(id: "multipliers", title: "Churn multipliers with 95 % intervals",
                                 x: .extended(label: "churn multiplier (1 = as healthy)", min(0.9, lows.min()!), max(1.1, highs.max()!)),
                                 y: .categories(label: "condition", names), plotHeight: Double(max(180, 44 * names.count)))
            for (k, name) in names.enumerated() {
                let y = Double(names.count - k)
                chart.line([lows[k], highs[k]], [y, y], stroke: SVGChart.Palette.blue, width: 6, legend: k == 0 ? "95 % interval" : nil)
                chart.line([c.multipliers[k], c.multipliers[k]], [y - 0.25, y + 0.25], stroke: SVGChart.Palette.vermillion, width: 3,
                           legend: k == 0 ? "estimate" : nil, tooltip: { _ in "\(name): \(fmt(c.multipliers[k], 3))" })
            }
            chart.verticalLine(at: 1, stroke: SVGChart.Palette.gray, width: 1.4, dash: "4 4", label: "no effect")
            body += HTMLPage.figure(chart.render(), heading: "What each condition does to churn.",
                                    caption: "Each customer's own churn probability times the multiplier, at renewals in the condition; "
                                    + "intervals from the observed information (log scale).")
        }
        if let r = f.ramp {
            // Kaplan-Meier of the ramp-up time against the fitted lognormal survival.
            var times: [(Double, Bool)] = []
            for cust in d.customers {
                if let t = cust.rampMonths { times.append((t, true)) } else { times.append((cust.observedMonths, false)) }
            }
            times.sort { $0.0 < $1.0 }
            var atRisk = Double(times.count), s = 1.0
            var xs: [Double] = [0], km: [Double] = [1]
            for (t, event) in times {
                if event { s *= 1 - 1 / max(atRisk, 1); xs.append(t); km.append(s) }
                atRisk -= 1
            }
            let top = min(24, max(6, (xs.last ?? 6)))
            let grid = stride(from: 0.0, through: top, by: top / 120).map { $0 }
            let fitted = grid.map { $0 <= 0 ? 1 : InverseCDF.standardNormalSurvival((log($0) - log(r.median)) / r.logSD) }
            var chart = SVGChart(id: "ramp-up", title: "Ramp-up time: not yet productive",
                                 x: .fixed(label: "months since the start", 0, top), y: .fixed(label: "share not yet productive", 0, 1))
            let shown = zip(xs, km).filter { $0.0 <= top }
            chart.line(shown.map(\.0), shown.map(\.1), stroke: SVGChart.Palette.gray, width: 2, legend: "observed (Kaplan-Meier)")
            chart.line(grid, fitted, stroke: SVGChart.Palette.vermillion, width: 2, dash: "7 4", legend: "fitted lognormal")
            chart.line([r.median], [0.5], stroke: SVGChart.Palette.vermillion, width: 0.01, marker: .circle(filled: true), onTop: true,
                       legend: "fitted median", tooltip: { _ in "half the customers are productive after \(fmt(r.median, 3)) months" })
            chart.verticalLine(at: d.options.thresholdMonths, stroke: SVGChart.Palette.blue, width: 1.4, dash: "4 4", label: "at-risk threshold")
            body += HTMLPage.figure(chart.render(), heading: "What normal ramp-up looks like.",
                                    caption: "Share of customers not yet productive by months since their start: the activations with "
                                    + "right-censoring (Kaplan-Meier; it ignores that slow customers leave sooner, which the fit accounts for) "
                                    + "and the fitted lognormal, median \(fmt(r.median, 3)) months, log-sd \(fmt(r.logSD, 3)). Beyond the "
                                    + "threshold a customer is at risk: \(NumberFormat.percent(r.share(above: d.options.thresholdMonths))) of new ones.")
        }
        if let pc = f.planChanges {
            let rows = planChangeRows(f, pc, dash: "\u{2013}")
            body += HTMLPage.table(moveHeader, rows.moves.isEmpty ? [["none", "", "", "", ""]] : rows.moves, numeric: [2, 3, 4],
                                   caption: "Plan moves: changes outside the month after a good resolution (\(pc.changes) changes in all)")
            if !pc.perPlan.isEmpty {
                body += HTMLPage.table(upsellHeader, rows.upsells, numeric: [2, 3, 4, 5, 6, 7],
                                       caption: "Changes in the month after a good resolution, against what the moves give by chance")
            }
            body += HTMLPage.paragraph(pc.resolutions > 0
                ? "Upsell after a good resolution (the scenario's upsell_probability, pooled over "
                    + pc.upsellTo.enumerated().compactMap { g, q in q.map { "\(c.groups[g] ?? "all") \u{2192} \(c.groups[$0] ?? "all")" } }.joined(separator: ", ")
                    + "): \(fmt(pc.probability, 4)) (95 % \(fmt(pc.lower, 3)) \u{2013} \(fmt(pc.upper, 3))), "
                    + "\(pc.upsells) upgrades after \(pc.resolutions) good resolutions where the moves alone would give "
                    + "\(fmt(pc.expectedByChance, 3)); LR against no upsell \(fmt(pc.likelihoodRatio, 2)), p = \(fmt(pc.pValue, 3))."
                : "Upsell after a good resolution: none detected (no plan's changes after good resolutions beat the moves' chance).")
        }
        body += "<section id=\"scenario\">\n<h2>Fitted scenario</h2>\n"
        body += HTMLPage.paragraph("The complete scenario `--scenario-out` writes (\(scenario.split(separator: "\n").count) lines); open to read it.", className: "note")
        body += "<details><summary>Show the scenario</summary>\n<pre><code>\(e(scenario))</code></pre>\n</details>\n</section>\n"
        body += "<footer>\n<p>Subcast \(e(Simulation.version)). This report holds no timestamps; the same input gives the same file.</p>\n</footer>\n"
        return HTMLPage.document(title: "Customer-level fit: \(d.options.asOf)", body: body)
    }
}
