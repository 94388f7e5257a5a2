import SubcastCore

/// Turns a parsed document into a validated `Scenario`, field by field (schema version 1;
/// see `Scenarios/README.md`). Every check names the key path and says what was expected.
struct ScenarioDecoder {
    let file: String
    typealias Limits = ScenarioLoader.Limits

    func decode(_ root: YAMLNode) throws(ScenarioError) -> Scenario {
        let top = try root.mapping(allowed: ScenarioLoader.topLevelKeys)
        if let v = top["schema_version"] {
            let version = try v.integer(0...Int.max)
            if version != ScenarioLoader.schemaVersion {
                throw v.error("this Subcast reads schema_version \(ScenarioLoader.schemaVersion), got \(version)")
            }
        }
        let name = try top.required("name", "the scenario's name").string()
        if let d = top["description"] { _ = try d.string() }
        let currency = try top["currency"]?.string() ?? "USD"
        let horizonNode = try top.required("horizon_months", "the reporting horizon in months")
        let horizon = try horizonNode.integer(1...Limits.maximumHorizonMonths)
        let trials = try top["trials"]?.integer(1...Limits.maximumTrials) ?? 1000
        let seed = try top["seed"]?.unsigned64()

        let plansNode = try top.required("plans", "a list of plans, each with name, price_per_month and churn")
        let planNodes = try plansNode.sequence()
        if planNodes.isEmpty { throw plansNode.error("expected at least one plan, got an empty list") }
        if planNodes.count > Limits.maximumPlans { throw plansNode.error("expected at most \(Limits.maximumPlans) plans, got \(planNodes.count)") }
        var plans: [Plan] = []
        for node in planNodes {
            let plan = try decodePlan(node)
            if plans.contains(where: { $0.name == plan.name }) {
                throw node.error("plan name '\(plan.name)' is used twice; plan names must be unique")
            }
            plans.append(plan)
        }
        let planNames = plans.map(\.name)

        var acquisition = Acquisition(newPerMonth: 0, planMix: plans.count == 1 ? [1] : Array(repeating: 1 / Double(plans.count), count: plans.count))
        if let node = top["acquisition"] {
            acquisition = try decodeAcquisition(node, planNames: planNames, horizon: horizon)
        }

        var existing: [ExistingCohort] = []
        if let node = top["existing"] {
            let items = try node.sequence()
            if items.count > Limits.maximumExisting { throw node.error("expected at most \(Limits.maximumExisting) entries, got \(items.count)") }
            for item in items {
                let m = try item.mapping(allowed: ["plan", "count", "tenure_months"])
                let planNode = try m.required("plan", "the name of a plan")
                let plan = try planIndex(planNode, planNames)
                let count = try m.required("count", "the number of subscribers").integer(0...Int(Limits.maximumCount))
                let tenure = try m["tenure_months"]?.integer(0...12_000) ?? 0
                existing.append(ExistingCohort(plan: plan, count: count, tenureMonths: tenure))
            }
        }

        var economics = Economics()
        if let node = top["economics"] {
            let m = try node.mapping(allowed: ["gross_margin", "discount_rate_per_year", "cac_per_subscriber"])
            if let v = m["gross_margin"] { economics.grossMargin = try v.number("a fraction from 0 to 1") { $0 >= 0 && $0 <= 1 } }
            if let v = m["discount_rate_per_year"] {
                economics.discountRatePerYear = try v.number("a yearly rate from 0 to 10 (0.10 is 10 %)") { $0 >= 0 && $0 <= 10 }
            }
            if let v = m["cac_per_subscriber"] { economics.cacPerSubscriber = try v.number("an amount >= 0") { $0 >= 0 } }
        }

        var lifetime = 120
        if let node = top["cltv"] {
            let m = try node.mapping(allowed: ["lifetime_months"])
            if let v = m["lifetime_months"] { lifetime = try v.integer(1...Limits.maximumLifetimeMonths) }
        }

        var cohorts: [Int]? = nil
        if let node = top["report"] {
            let m = try node.mapping(allowed: ["cohorts"])
            if let v = m["cohorts"] {
                var list: [Int] = []
                for item in try v.sequence() {
                    let c = try item.integer(1...horizon)
                    if list.contains(c) { throw item.error("cohort month \(c) is listed twice") }
                    list.append(c)
                }
                cohorts = list.sorted()
            }
        }

        return Scenario(name: name, currency: currency, horizonMonths: horizon, trials: trials, seed: seed,
                        plans: plans, acquisition: acquisition, existing: existing, economics: economics,
                        lifetimeMonths: lifetime, reportedCohorts: cohorts)
    }

    func decodePlan(_ node: YAMLNode) throws(ScenarioError) -> Plan {
        let m = try node.mapping(allowed: ["name", "price_per_month", "churn"])
        let nameNode = try m.required("name", "the plan's name")
        let name = try nameNode.string()
        if name.isEmpty { throw nameNode.error("expected a non-empty plan name") }
        let price = try m.required("price_per_month", "the price per subscriber per month")
            .number("a price >= 0") { $0 >= 0 }
        let churnNode = try m.required("churn", "either alpha and beta, or mean_per_month and heterogeneity")
        let c = try churnNode.mapping(allowed: ["alpha", "beta", "mean_per_month", "heterogeneity", "uncertainty"])
        let churn: ChurnModel
        switch (c["alpha"], c["beta"], c["mean_per_month"], c["heterogeneity"]) {
        case let (a?, b?, nil, nil):
            churn = .shiftedBetaGeometric(alpha: try a.number("alpha > 0 and at most 1e9") { $0 > 0 && $0 <= 1e9 },
                                          beta: try b.number("beta > 0 and at most 1e9") { $0 > 0 && $0 <= 1e9 })
        case let (nil, nil, mean?, phi?):
            let mu = try mean.number("a monthly churn probability strictly between 0 and 1") { $0 > 0 && $0 < 1 }
            // Below 1e-9 the implied alpha and beta (about 1/heterogeneity) leave floating point's
            // useful range; 0 itself means homogeneous churn.
            let h = try phi.number("a heterogeneity (polarisation) of 0 (everyone alike) or from 1e-9 up to, not including, 1") {
                $0 == 0 || ($0 >= 1e-9 && $0 < 1)
            }
            churn = ChurnModel(meanPerMonth: mu, heterogeneity: h)
        default:
            throw churnNode.error("expected either both 'alpha' and 'beta' (shifted-beta-geometric parameters) "
                                  + "or both 'mean_per_month' and 'heterogeneity', got \(c.entries.map { "'\($0.0)'" }.joined(separator: ", "))")
        }
        var uncertainty: ChurnUncertainty? = nil
        if let u = c["uncertainty"] {
            guard c["alpha"] != nil else {
                throw u.error("uncertainty applies to churn given as 'alpha' and 'beta' (e.g. from `subcast fit`)")
            }
            let m = try u.mapping(allowed: ["se_log_alpha", "se_log_beta", "correlation"])
            let sa = try m.required("se_log_alpha", "the standard error of ln alpha").number("a standard error from 0 to 10") { $0 >= 0 && $0 <= 10 }
            let sb = try m.required("se_log_beta", "the standard error of ln beta").number("a standard error from 0 to 10") { $0 >= 0 && $0 <= 10 }
            let r = try m["correlation"]?.number("a correlation from -1 to 1") { $0 >= -1 && $0 <= 1 } ?? 0
            uncertainty = ChurnUncertainty(seLogAlpha: sa, seLogBeta: sb, correlation: r)
        }
        return Plan(name: name, pricePerMonth: price, churn: churn, churnUncertainty: uncertainty)
    }

    func decodeAcquisition(_ node: YAMLNode, planNames: [String], horizon: Int) throws(ScenarioError) -> Acquisition {
        let m = try node.mapping(allowed: ["new_per_month", "growth_per_month", "mix"])
        let newNode = try m.required("new_per_month", "the mean number of new subscribers per month")
        let lambda = try newNode.number("a mean >= 0") { $0 >= 0 && $0 <= Limits.maximumCount }
        var growth = 0.0
        if let g = m["growth_per_month"] {
            growth = try g.number("a monthly growth rate > -1 (0.02 is 2 % a month)") { $0 > -1 && $0 <= 10 }
            let last = lambda * _pow(1 + growth, Double(horizon - 1))
            if !(last <= Limits.maximumCount) {
                throw g.error("grows new subscribers to \(last) a month by month \(horizon); at most \(Int(Limits.maximumCount)) are supported")
            }
        }
        var mix = [Double](repeating: 0, count: planNames.count)
        if let mixNode = m["mix"] {
            let entries = try mixNode.mapping(allowed: planNames)
            for (name, v) in entries.entries {
                mix[planNames.firstIndex(of: name)!] = try v.number("a share from 0 to 1") { $0 >= 0 && $0 <= 1 }
            }
            let total = mix.reduce(0, +)
            if abs(total - 1) > 1e-6 {
                throw mixNode.error("expected shares that add up to 1, got a total of \(total)")
            }
        } else if planNames.count == 1 {
            mix = [1]
        } else if lambda > 0 {
            throw ScenarioError(file: file, line: node.line, column: node.column, keyPath: node.path + ".mix",
                                message: "missing required key 'mix': with \(planNames.count) plans, say which share of new subscribers takes each (e.g. mix: {\(planNames[0]): 0.5, ...})")
        } else {
            mix = Array(repeating: 1 / Double(planNames.count), count: planNames.count)
        }
        return Acquisition(newPerMonth: lambda, growthPerMonth: growth, planMix: mix)
    }

    func planIndex(_ node: YAMLNode, _ names: [String]) throws(ScenarioError) -> Int {
        let name = try node.string()
        if let i = names.firstIndex(of: name) { return i }
        var message = "no plan named '\(name)'"
        if let s = YAMLNode.closest(to: name, in: names) { message += "; did you mean '\(s)'?" }
        throw node.error(message + " (plans: \(names.joined(separator: ", ")))")
    }
}

import Foundation
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
