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
            case let .constant(q):
                out.append("    churn: constant \(NumberFormat.percent(q, decimals: 2)) a month (heterogeneity 0)")
            }
            if let u = p.churnUncertainty {
                out.append("    churn uncertainty: se(ln alpha) \(fmt(u.seLogAlpha)), se(ln beta) \(fmt(u.seLogBeta)), "
                           + "correlation \(fmt(u.correlation))" + (explicitKeys.contains("\(churnPath).uncertainty.correlation") ? "" : " (correlation default)"))
            }
        }
        if explicitKeys.contains("acquisition") {
            out.append("acquisition:")
            line("new_per_month", fmt(s.acquisition.newPerMonth), path: "acquisition.new_per_month", indent: 1)
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
        out.append("economics:")
        line("gross_margin", fmt(s.economics.grossMargin), path: "economics.gross_margin", indent: 1)
        line("discount_rate_per_year", fmt(s.economics.discountRatePerYear) + " (monthly \(fmt(s.discountPerMonth)))",
             path: "economics.discount_rate_per_year", indent: 1)
        line("cac_per_subscriber", "\(fmt(s.economics.cacPerSubscriber)) \(s.currency)", path: "economics.cac_per_subscriber", indent: 1)
        out.append("cltv:")
        line("lifetime_months", "\(s.lifetimeMonths)", path: "cltv.lifetime_months", indent: 1)
        out.append("report:")
        line("cohorts", "[" + s.reportedCohorts.map(String.init).joined(separator: ", ") + "]", path: "report.cohorts", indent: 1)
        let steps = ForecastModel(s).stepsPerTrial
        out.append("# work: \(steps) cohort-month steps (binomial draws) per trial, \(NumberFormat.human(Double(steps) * Double(s.trials))) for \(s.trials) trials")
        return out.joined(separator: "\n") + "\n"
    }

    static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.6g", x)
    }
}
