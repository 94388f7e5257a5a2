import Foundation
import SubcastCore

/// The resolved parameters of a scenario as `subcast validate` prints them: every field with its
/// value and unit, `(default)` where the file did not give it, and derived values (sBG parameters
/// from a mean and heterogeneity, the monthly discount rate, the work one trial costs).
public enum ScenarioListing {
    public static func render(_ s: Scenario, explicitKeys: Set<String>, file: String) -> String {
        var out: [String] = []
        func line(_ key: String, _ value: String, path: String? = nil, indent: Int = 0) {
            let p = path ?? key
            let mark = explicitKeys.contains(p) ? "" : "   (default)"
            out.append(String(repeating: "  ", count: indent) + "\(key): \(value)\(mark)")
        }
        out.append("# \(file): valid (schema_version \(ScenarioLoader.schemaVersion)); resolved parameters")
        line("name", s.name)
        line("currency", s.currency)
        line("horizon_months", "\(s.horizonMonths)")
        line("trials", "\(s.trials)")
        line("seed", s.seed.map(String.init) ?? "none (a seed is drawn at run time and printed)")
        if let c = s.calendar {
            out.append("start: \(c.label(month: 1)) (month \(s.horizonMonths) is \(c.label(month: s.horizonMonths))); fiscal years start in "
                       + "calendar month \(c.fiscalYearStartMonth): " + s.fiscalYears.map(\.label).joined(separator: ", "))
        }
        out.append("plans:")
        for (i, p) in s.plans.enumerated() {
            out.append("  - name: \(p.name)")
            line("price_per_month", "\(fmt(p.pricePerMonth)) \(s.currency)", path: "plans[\(i)].price_per_month", indent: 2)
            let churnPath = "plans[\(i)].churn"
            switch p.churn {
            case let .shiftedBetaGeometric(a, b):
                let given = explicitKeys.contains("\(churnPath).alpha") ? "given" : "from mean_per_month and heterogeneity"
                out.append("    churn: shifted-beta-geometric, alpha \(fmt(a)), beta \(fmt(b)) (\(given)); "
                           + "first-renewal churn \(NumberFormat.percent(a / (a + b), decimals: 2)), "
                           + "polarisation \(fmt(1 / (a + b + 1)))")
            case let .betaDiscreteWeibull(a, b, c):
                out.append("    churn: beta-discrete-Weibull, alpha \(fmt(a)), beta \(fmt(b)), c \(fmt(c)); "
                           + "first-renewal churn \(NumberFormat.percent(p.churn.churnProbability(atRenewal: 1), decimals: 2)), "
                           + "at the 12th renewal \(NumberFormat.percent(p.churn.churnProbability(atRenewal: 12), decimals: 2))")
            case let .constant(q):
                out.append("    churn: constant \(NumberFormat.percent(q, decimals: 2)) a month (heterogeneity 0)")
            }
            if let u = p.churnUncertainty {
                out.append("    churn uncertainty: se(ln alpha) \(fmt(u.seLogAlpha)), se(ln beta) \(fmt(u.seLogBeta)), "
                           + "correlation \(fmt(u.correlation))" + (explicitKeys.contains("\(churnPath).uncertainty.correlation") ? "" : " (correlation default)"))
            }
            out += planLevers(p.options, plans: s.plans, currency: s.currency, hasSupport: s.levers.support != nil)
        }
        if explicitKeys.contains("acquisition") {
            out.append("acquisition:")
            if let plan = s.acquisition.schedule {
                out.append("  new_per_month: \(schedule(plan))")
            } else {
                line("new_per_month", fmt(s.acquisition.newPerMonth), path: "acquisition.new_per_month", indent: 1)
            }
            line("growth_per_month", fmt(s.acquisition.growthPerMonth), path: "acquisition.growth_per_month", indent: 1)
            let mix = zip(s.plans, s.acquisition.planMix).map { "\($0.name): \(fmt($1))" }.joined(separator: ", ")
            line("mix", "{\(mix)}", path: "acquisition.mix", indent: 1)
        } else {
            line("acquisition", "none (no new subscribers)")
        }
        if s.existing.isEmpty {
            line("existing", "none")
        } else {
            out.append("existing:")
            for (i, e) in s.existing.enumerated() {
                out.append("  - plan: \(s.plans[e.plan].name)")
                out.append("    count: \(e.count)")
                line("tenure_months", "\(e.tenureMonths)", path: "existing[\(i)].tenure_months", indent: 2)
            }
            out.append("  # \(s.existing.reduce(0) { $0 + $1.count }) existing subscribers in all")
        }
        out += levers(s)
        out.append("economics:")
        line("gross_margin", fmt(s.economics.grossMargin), path: "economics.gross_margin", indent: 1)
        line("discount_rate_per_year", fmt(s.economics.discountRatePerYear) + " (monthly \(fmt(s.discountPerMonth)))",
             path: "economics.discount_rate_per_year", indent: 1)
        if let plan = s.economics.cacSchedule {
            out.append("  cac_per_subscriber: \(schedule(plan)) \(s.currency)")
        } else {
            line("cac_per_subscriber", "\(fmt(s.economics.cacPerSubscriber)) \(s.currency)", path: "economics.cac_per_subscriber", indent: 1)
        }
        line("cac_basis", s.economics.cacBasis.rawValue, path: "economics.cac_basis", indent: 1)
        if let x = s.levers.costs {
            out.append("costs:")
            out.append("  serving \(fmt(x.servingPerSubscriber)) \(s.currency) a subscriber, \(fmt(x.servingPerSeat)) a seat, "
                       + "\(fmt(x.servingPerUsageUnit)) a usage unit; payment fees \(NumberFormat.percent(x.paymentFeeShare, decimals: 2)) of billings")
            out.append("  fixed_per_month: \(schedule(x.fixedPerMonth)) \(s.currency); opening_cash \(fmt(x.openingCash)) \(s.currency); "
                       + "terminal_value \(x.terminalValue)")
        }
        out.append("cltv:")
        line("lifetime_months", "\(s.lifetimeMonths)", path: "cltv.lifetime_months", indent: 1)
        out.append("report:")
        line("cohorts", "[" + s.reportedCohorts.map(String.init).joined(separator: ", ") + "]", path: "report.cohorts", indent: 1)
        let steps = ForecastModel(s).stepsPerTrial
        out.append("# work: \(steps) cohort-month steps (binomial draws) per trial, \(NumberFormat.human(Double(steps) * Double(s.trials))) for \(s.trials) trials")
        return out.joined(separator: "\n") + "\n"
    }

    /// The plan's levers, one line each (nothing when the plan uses none).
    static func planLevers(_ o: PlanOptions, plans: [Plan], currency: String, hasSupport: Bool) -> [String] {
        var out: [String] = []
        if o.annualShare > 0 {
            out.append("    billing: \(NumberFormat.percent(o.annualShare)) annual at \(NumberFormat.percent(o.annualDiscount)) off, the rest monthly")
        }
        if o.introDiscount > 0 && o.introMonths > 0 {
            out.append("    intro_discount: \(NumberFormat.percent(o.introDiscount)) off for the first \(o.introMonths) months")
        }
        if let x = o.seats {
            out.append("    seats: \(fmt(x.pricePerSeat)) \(currency) a seat, \(fmt(x.meanAtSignup)) at sign-up, "
                       + "+\(fmt(x.expansionPerMonth)) a month, each extra seat removed with \(NumberFormat.percent(x.contractionPerMonth, decimals: 2)) a month")
        }
        if let u = o.usage {
            out.append("    usage: \(fmt(u.pricePerUnit)) \(currency) a unit, mean \(fmt(u.meanUnitsPerMonth)) units a month (cv \(fmt(u.cv))), "
                       + "growing \(NumberFormat.percent(u.growthPerMonth, decimals: 2)) a month")
        }
        if !o.moves.isEmpty {
            out.append("    moves: " + o.moves.map { "\(plans[$0.plan].name) \(NumberFormat.percent($0.probability, decimals: 2))" }.joined(separator: ", ") + " a month")
        }
        if hasSupport {
            out.append("    tickets_per_month: \(fmt(o.ticketsPerMonth))" + (o.upsellTo.map { "; upsell_to: \(plans[$0].name)" } ?? ""))
        }
        if let r = o.referencePrice { out.append("    reference_price: \(fmt(r)) \(currency)") }
        return out
    }

    /// The scenario-wide levers that are on.
    static func levers(_ s: Scenario) -> [String] {
        var out: [String] = []
        let l = s.levers, c = s.currency
        if let x = l.support {
            out.append("support:")
            out.append("  \(fmt(x.agents)) agents x \(fmt(x.ticketsPerAgentPerMonth)) tickets a month = capacity \(x.capacity); "
                       + "\(fmt(x.costPerAgentPerMonth)) \(c) per agent a month (\(fmt(x.costPerMonth)) \(c) in all)"
                       + (x.agentsSchedule == nil && x.costPerAgentSchedule == nil ? "" : " in month 1"))
            if let plan = x.agentsSchedule { out.append("  hiring plan: agents \(schedule(plan))") }
            if let plan = x.costPerAgentSchedule { out.append("  pay plan: cost per agent \(schedule(plan)) \(c)") }
            out.append("  first_contact_resolution \(NumberFormat.percent(x.firstContactResolution)), backlog_penalty \(fmt(x.backlogPenalty)), "
                       + "waiting churn x\(fmt(x.waitingChurnMultiplier))")
            out.append("  bad resolution: churn x\(fmt(x.badChurnMultiplier)) for \(x.badMonths) months; good: churn x\(fmt(x.goodChurnMultiplier)) "
                       + "for \(x.goodMonths) months, upsell \(NumberFormat.percent(x.upsellProbability))")
        }
        if let o = l.onboarding {
            out.append("onboarding:")
            out.append("  ramp-up lognormal, median \(fmt(o.rampMedianMonths)) months, log-sd \(fmt(o.rampLogSD)); at risk beyond "
                       + "\(fmt(o.thresholdMonths)) months (churn x\(fmt(o.atRiskChurnMultiplier)))")
            out.append("  intervention: detection \(NumberFormat.percent(o.detectionRate)), success \(NumberFormat.percent(o.successRate)), "
                       + "\(fmt(o.costPerIntervention)) \(c) each, capacity \(o.capacityPerMonth.map(String.init) ?? "unlimited") a month")
        }
        if !l.priceEvents.isEmpty || l.priceElasticity != 0 || l.priceChurn != nil {
            out.append("pricing:")
            out.append("  elasticity \(fmt(l.priceElasticity)); churn_elasticity \(fmt(l.priceChurn?.elasticity ?? 0))")
            for e in l.priceEvents {
                out.append("  month \(e.month): \(s.plans[e.plan].name) to \(fmt(e.newPricePerMonth)) \(c) a month, "
                           + (e.grandfather ? "existing subscribers grandfathered" : "churn shock \(NumberFormat.percent(e.churnShock, decimals: 2))"))
            }
        }
        if let t = l.freeTrial {
            out.append("free_trial: \(t.months) months, \(NumberFormat.percent(t.conversion)) convert")
        }
        if let d = l.dunning {
            out.append("dunning: \(NumberFormat.percent(d.failureRate, decimals: 2)) of payments fail, \(NumberFormat.percent(d.recoveryProbability)) recovered")
        }
        if let x = l.licenceSwitch {
            out.append("licence_switch:")
            out.append("  switch in month \(x.switchMonth); \(fmt(x.licencesPerMonth)) licences a month at \(fmt(x.licencePrice)) \(c), "
                       + "maintenance \(NumberFormat.percent(x.maintenanceShare)) a year (\(fmt(x.maintenancePerMonth)) \(c) a month), "
                       + "renewed \(NumberFormat.percent(x.maintenanceRenewal)) a year")
            out.append("  installed base \(x.installedBase); \(NumberFormat.percent(x.migrationPerMonth)) migrate a month to "
                       + "\(s.plans[x.migrationPlan].name) at \(fmt(x.migrationPricePerMonth ?? s.plans[x.migrationPlan].pricePerMonth)) \(c) a month")
        }
        return out
    }

    /// `{1: 2, 10: 4}` or `ramp {1: 40, 12: 120}`, with its scale when not 1.
    static func schedule(_ s: Schedule) -> String {
        let points = zip(s.months, s.values).map { "\($0): \(fmt($1))" }.joined(separator: ", ")
        return (s.form == .ramp ? "ramp {" : "steps {") + points + "}" + (s.scale == 1 ? "" : " x \(fmt(s.scale))")
    }

    static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.6g", x)
    }
}
