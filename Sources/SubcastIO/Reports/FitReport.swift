import SubcastCore

/// Renders `subcast fit` results: a terminal table, JSON (schema `subcast-fit/1`) and a scenario
/// snippet that puts the fitted churn into a scenario file.
public enum FitReport {
    /// What was fitted, for the record.
    public struct Context: Sendable {
        public var input: String
        public var inputKind: String
        public var period: RetentionTable.Period
        public var asOf: String?
        public var holdout: Int
        public var discountRatePerYear: Double

        public init(input: String, inputKind: String, period: RetentionTable.Period, asOf: String?, holdout: Int,
                    discountRatePerYear: Double) {
            self.input = input
            self.inputKind = inputKind
            self.period = period
            self.asOf = asOf
            self.holdout = holdout
            self.discountRatePerYear = discountRatePerYear
        }
    }

    /// How the snippet carries the estimate.
    public enum SnippetStyle: String, Sendable, CaseIterable {
        /// alpha and beta only.
        case point
        /// alpha and beta plus their estimation uncertainty, which `subcast run` draws per trial.
        case uncertain
    }

    // MARK: snippet

    public static func snippet(_ analyses: [FitAnalysis], context: Context, style: SnippetStyle) -> String {
        var out: [String] = []
        out.append("# Churn fitted by `subcast fit` on \(context.input) (\(context.inputKind), periods: \(context.period.rawValue)s).")
        if context.period == .year {
            out.append("# These parameters describe yearly renewals; Subcast scenarios renew monthly, so use them only")
            out.append("# for yearly-billed plans or re-fit on monthly data.")
        }
        if style == .uncertain {
            out.append("# `uncertainty` carries the estimation error: each trial draws (ln alpha, ln beta) from the fit's")
            out.append("# asymptotic normal distribution, so MRR and CLTV include it.")
        }
        func churnLines(_ a: FitAnalysis, indent: String) -> [String] {
            if a.useBdW, let w = a.bdw { return bdwLines(a, w, indent: indent) }
            var l = ["\(indent)churn:",
                     "\(indent)  alpha: \(fmt(a.fit.alpha))      # 95 % interval \(fmt(a.fit.alphaInterval.lower, 4)) - \(fmt(a.fit.alphaInterval.upper, 4))",
                     "\(indent)  beta: \(fmt(a.fit.beta))       # 95 % interval \(fmt(a.fit.betaInterval.lower, 4)) - \(fmt(a.fit.betaInterval.upper, 4))"]
            if style == .uncertain {
                l += ["\(indent)  uncertainty:",
                      "\(indent)    se_log_alpha: \(fmt(a.fit.seLogAlpha))",
                      "\(indent)    se_log_beta: \(fmt(a.fit.seLogBeta))",
                      "\(indent)    correlation: \(fmt(a.fit.correlation))"]
            }
            return l
        }
        func bdwLines(_ a: FitAnalysis, _ w: BdWFit, indent: String) -> [String] {
            let names = ["alpha", "beta", "c"], values = [w.alpha, w.beta, w.c]
            var l = ["\(indent)churn:        # beta-discrete-Weibull; LR test against sBG: chi2 \(fmt(w.likelihoodRatio, 3)), p = \(fmt(w.pValue, 3))"]
            let prefix = (a.group.map { FitReport.inputName($0) } ?? "churn")
            for i in 0..<3 {
                let ci = w.interval(i)
                if style == .uncertain {
                    l.append("\(indent)  \(names[i]): {distribution: lognormal, median: \(fmt(values[i])), log_sd: \(fmt(w.se(i))), name: \(prefix)_\(names[i])}"
                             + "   # 95 % \(fmt(ci.lower, 4)) - \(fmt(ci.upper, 4))")
                } else {
                    l.append("\(indent)  \(names[i]): \(fmt(values[i]))      # 95 % interval \(fmt(ci.lower, 4)) - \(fmt(ci.upper, 4))")
                }
            }
            return l
        }
        func correlationLines(comment: Bool) -> [String] {
            let pairs = analyses.filter { $0.useBdW && $0.bdw != nil }
            guard style == .uncertain, !pairs.isEmpty else { return [] }
            let c = comment ? "# " : ""
            var l = ["\(c)correlations:   # of the logarithms, as Spearman rank correlations (6 / pi) asin(r / 2)"]
            for a in pairs {
                let w = a.bdw!
                let prefix = (a.group.map { FitReport.inputName($0) } ?? "churn")
                let names = ["alpha", "beta", "c"]
                for (i, j) in [(0, 1), (0, 2), (1, 2)] {
                    let r = w.correlation(i, j)
                    l.append("\(c)  - {between: [\(prefix)_\(names[i]), \(prefix)_\(names[j])], rho: \(fmt(6 / Double.pi * asin(r / 2), 4))}")
                }
            }
            return l
        }
        if analyses.count == 1 && analyses[0].group == nil {
            let a = analyses[0]
            out.append("# \(a.fit.subscribers) subscribers, \(a.fit.churnEvents) churn events. Paste under a plan:")
            out += churnLines(a, indent: "")
            let c = correlationLines(comment: true)
            if !c.isEmpty { out.append("# And at the top level of the scenario:"); out += c }
        } else {
            out.append("plans:")
            for a in analyses {
                out.append("  - name: \(yamlString(a.group ?? "all"))    # \(a.fit.subscribers) subscribers, \(a.fit.churnEvents) churn events")
                if let amount = a.meanAmount {
                    out.append("    price_per_month: \(fmt(amount, 2))   # mean amount in the input")
                } else {
                    out.append("    price_per_month: 0   # set the plan's price")
                }
                out += churnLines(a, indent: "    ")
            }
            out += correlationLines(comment: false)
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: table

    public static func table(_ analyses: [FitAnalysis], context: Context) -> String {
        let p = context.period.rawValue
        var out: [String] = []
        out.append("Subcast \(Simulation.version) - shifted-beta-geometric churn fitted to \(context.input) (\(context.inputKind))")
        var line = "Periods: \(p)s"
        if let asOf = context.asOf { line += "; as of \(asOf)" }
        if context.holdout > 0 { line += "; last \(context.holdout) period(s) of each cohort held out" }
        out.append(line + "; maximum likelihood with right-censoring (GSL simplex), errors from the observed information")
        for a in analyses {
            let f = a.fit
            out.append("")
            out.append(a.group.map { "Plan \($0)" } ?? "All subscribers")
            out += TableReport.table(["", "estimate", "se", "95 % interval"], [
                ["alpha", fmt(f.alpha, 4), fmt(f.seAlpha, 4), "\(fmt(f.alphaInterval.lower, 4)) - \(fmt(f.alphaInterval.upper, 4))"],
                ["beta", fmt(f.beta, 4), fmt(f.seBeta, 4), "\(fmt(f.betaInterval.lower, 4)) - \(fmt(f.betaInterval.upper, 4))"],
            ])
            out.append("corr(alpha, beta) \(fmt(f.correlation, 3)); log-likelihood \(fmt(f.logLikelihood, 3)); "
                       + "\(f.subscribers) subscribers, \(f.churnEvents) churn events")
            out.append("mean churn at the first renewal \(NumberFormat.percent(f.alpha / (f.alpha + f.beta))); "
                       + "polarisation 1/(alpha+beta+1) = \(fmt(1 / (f.alpha + f.beta + 1), 3))"
                       + (a.meanAmount.map { "; mean amount \(fmt($0, 2))" } ?? ""))
            out.append("")
            if let w = a.bdw {
                out.append("Duration dependence: beta-discrete-Weibull (sBG is its c = 1 case)")
                out += TableReport.table(["", "estimate", "95 % interval"], [
                    ["alpha", fmt(w.alpha, 4), "\(fmt(w.interval(0).lower, 4)) - \(fmt(w.interval(0).upper, 4))"],
                    ["beta", fmt(w.beta, 4), "\(fmt(w.interval(1).lower, 4)) - \(fmt(w.interval(1).upper, 4))"],
                    ["c", fmt(w.c, 4), "\(fmt(w.interval(2).lower, 4)) - \(fmt(w.interval(2).upper, 4))"],
                ])
                out.append("log-likelihood \(fmt(w.logLikelihood, 3)) (sBG \(fmt(w.sbgLogLikelihood, 3))); likelihood ratio "
                           + "\(fmt(w.likelihoodRatio, 3)) on 1 df, p = \(fmt(w.pValue, 3)); AIC \(fmt(w.aic, 2)) vs sBG \(fmt(w.sbgAIC, 2))"
                           + (w.aic < w.sbgAIC ? " (BdW preferred)" : " (sBG preferred)"))
                out.append(w.c > 1 ? "c > 1: each subscriber's own hazard rises with tenure" : "c < 1: each subscriber's own hazard falls with tenure")
            } else if let why = a.bdwFailure {
                out.append("Duration dependence (beta-discrete-Weibull): not estimated: \(why)")
            }
            out.append("Tables below use the \(a.useBdW ? "beta-discrete-Weibull" : "shifted-beta-geometric") model.")
            out.append("")
            out.append("Fit check: churn at each renewal")
            out += TableReport.table(["renewal", "at risk", "observed", "expected", "obs/exp"], a.renewalCheck.prefix(24).map {
                [String($0.renewal), String($0.atRisk), String($0.observedChurn), fmt($0.expectedChurn, 1),
                 $0.expectedChurn > 0 ? fmt(Double($0.observedChurn) / $0.expectedChurn, 3) : "n/a"]
            })
            for c in a.cohortCheck {
                out.append("")
                out.append("Cohort \(c.label): survivors at the start of each \(p), actual vs predicted")
                out += TableReport.table(["\(p)", "actual", "predicted", ""], c.periods.enumerated().map { k, v in
                    [String(k + 1), String(v.actual), fmt(v.predicted, 1), v.heldOut ? "held out" : ""]
                })
            }
            out.append("")
            out.append("Customers by tenure (\(p)s paid so far)")
            let header = ["tenure", "renews"] + a.horizons.map { "active +\($0)" } + ["DERL"]
            var rows: [[String]] = []
            for (i, n) in FitAnalysis.tenures.enumerated() {
                rows.append([String(n), NumberFormat.percent(a.retentionByTenure[i].rate)]
                            + a.survivalByTenure[i].probabilities.map { NumberFormat.percent($0) }
                            + [fmt(a.derlByTenure[i].derl, 2)])
            }
            out += TableReport.table(header, rows)
            out.append("DERL: expected future payments, the k-th discounted by (1 + d)^-k with d = \(fmt(a.discountPerPeriod, 5)) per \(p) "
                       + "(\(NumberFormat.percent(context.discountRatePerYear)) a year); multiply by the price per \(p) for value.")
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    public static func json(_ analyses: [FitAnalysis], context: Context, snippet: String) -> String {
        var o = JSONWriter()
        o.open("{")
        o.key("schema"); o.string("subcast-fit/1")
        o.key("subcast_version"); o.string(Simulation.version)
        o.key("input"); o.string(context.input)
        o.key("input_kind"); o.string(context.inputKind)
        o.key("period"); o.string(context.period.rawValue)
        o.key("as_of"); if let a = context.asOf { o.string(a) } else { o.raw("null") }
        o.key("holdout_periods"); o.raw(String(context.holdout))
        o.key("discount_rate_per_year"); o.number(context.discountRatePerYear)
        o.key("groups"); o.open("[")
        for a in analyses {
            let f = a.fit
            o.element(); o.open("{")
            o.key("plan"); if let g = a.group { o.string(g) } else { o.raw("null") }
            o.key("subscribers"); o.raw(String(f.subscribers))
            o.key("churn_events"); o.raw(String(f.churnEvents))
            o.key("alpha"); o.number(f.alpha)
            o.key("beta"); o.number(f.beta)
            o.key("se_alpha"); o.number(f.seAlpha)
            o.key("se_beta"); o.number(f.seBeta)
            o.key("alpha_ci95"); o.numbers([f.alphaInterval.lower, f.alphaInterval.upper])
            o.key("beta_ci95"); o.numbers([f.betaInterval.lower, f.betaInterval.upper])
            o.key("se_log_alpha"); o.number(f.seLogAlpha)
            o.key("se_log_beta"); o.number(f.seLogBeta)
            o.key("correlation"); o.number(f.correlation)
            o.key("log_likelihood"); o.number(f.logLikelihood)
            o.key("aic"); o.number(4 - 2 * f.logLikelihood)
            o.key("model_used"); o.string(a.useBdW ? "beta_discrete_weibull" : "shifted_beta_geometric")
            o.key("bdw")
            if let w = a.bdw {
                o.open("{")
                o.key("alpha"); o.number(w.alpha)
                o.key("beta"); o.number(w.beta)
                o.key("c"); o.number(w.c)
                o.key("alpha_ci95"); o.numbers([w.interval(0).lower, w.interval(0).upper])
                o.key("beta_ci95"); o.numbers([w.interval(1).lower, w.interval(1).upper])
                o.key("c_ci95"); o.numbers([w.interval(2).lower, w.interval(2).upper])
                o.key("se_log"); o.numbers([w.se(0), w.se(1), w.se(2)])
                o.key("log_likelihood"); o.number(w.logLikelihood)
                o.key("likelihood_ratio"); o.number(w.likelihoodRatio)
                o.key("p_value"); o.number(w.pValue)
                o.key("aic"); o.number(w.aic)
                o.close("}")
            } else {
                o.raw("null")
            }
            o.key("bdw_failure"); if let why = a.bdwFailure { o.string(why) } else { o.raw("null") }
            o.key("mean_amount"); if let m = a.meanAmount { o.number(m) } else { o.raw("null") }
            o.key("renewal_check"); o.open("[")
            for c in a.renewalCheck {
                o.element(); o.open("{", compact: true)
                o.key("renewal"); o.raw(String(c.renewal))
                o.key("at_risk"); o.raw(String(c.atRisk))
                o.key("observed_churn"); o.raw(String(c.observedChurn))
                o.key("expected_churn"); o.number(c.expectedChurn)
                o.close("}")
            }
            o.close("]")
            o.key("cohort_check"); o.open("[")
            for c in a.cohortCheck {
                o.element(); o.open("{")
                o.key("cohort"); o.string(c.label)
                o.key("periods"); o.open("[")
                for (k, v) in c.periods.enumerated() {
                    o.element(); o.open("{", compact: true)
                    o.key("period"); o.raw(String(k + 1))
                    o.key("actual"); o.raw(String(v.actual))
                    o.key("predicted"); o.number(v.predicted)
                    o.key("held_out"); o.raw(v.heldOut ? "true" : "false")
                    o.close("}")
                }
                o.close("]")
                o.close("}")
            }
            o.close("]")
            o.key("by_tenure"); o.open("[")
            for (i, n) in FitAnalysis.tenures.enumerated() {
                o.element(); o.open("{", compact: true)
                o.key("tenure"); o.raw(String(n))
                o.key("retention_rate"); o.number(a.retentionByTenure[i].rate)
                for (j, k) in a.horizons.enumerated() {
                    o.key("p_active_after_\(k)"); o.number(a.survivalByTenure[i].probabilities[j])
                }
                o.key("derl"); o.number(a.derlByTenure[i].derl)
                o.close("}")
            }
            o.close("]")
            o.close("}")
        }
        o.close("]")
        o.key("scenario_snippet"); o.string(snippet)
        o.close("}")
        return o.text + "\n"
    }

    // MARK: helpers

    /// `digits` decimals, more for values below 1 so that `digits` significant digits remain.
    static func fmt(_ x: Double, _ digits: Int = 6) -> String {
        guard x.isFinite else { return "n/a" }
        let decimals = abs(x) >= 1 || x == 0 ? digits : min(12, digits + Int((-log10(abs(x))).rounded(.down)))
        return String(format: "%.\(decimals)f", x)
    }

    /// A name for uncertain inputs made from a plan name: letters, digits and underscores.
    static func inputName(_ s: String) -> String {
        let n = String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return n.isEmpty || n.first!.isNumber ? "plan_" + n : n
    }

    static func yamlString(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == " " }
            && !s.isEmpty && s.first != " " && s.last != " " && s.first != "-" && Double(s) == nil
            && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased())
        if plain { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

import Foundation
