import SubcastCore
import Yams

/// A family's per-trial scenario built from the drawn values without reading the document again:
/// the base scenario with each uncertain input's field set to its value.
///
/// Each uncertain input is a key path of the document (`plans[0].price_per_month`,
/// `support.agents`, `plans[1].churn.mean_per_month`); most keys are one field of `Scenario`,
/// set directly (`setters`). Churn given as a mean and a heterogeneity is rebuilt from both,
/// the fixed one read from the document once. A family whose inputs are all such keys gets a
/// patch; its correctness is then checked where it matters, at the family's medians and at every
/// extreme vector the loader decodes anyway: the patched scenario must equal the decoded one
/// (`Scenario` is `Equatable`, field by field), or the family keeps decoding per trial (keys
/// whose value spreads to other fields, such as `support.tickets_per_month`, a default of the
/// plans, always do).
struct ScenarioPatch: Sendable {
    typealias Apply = @Sendable (inout Scenario, [Double]) -> Void
    let base: Scenario
    let steps: [Apply]

    /// The scenario at `values` (one per input, in the family's order).
    func scenario(_ values: [Double]) -> Scenario {
        var s = base
        for step in steps { step(&s, values) }
        return s
    }

    /// The patch of a family, or nil when some input is not a key it can set.
    static func make(base: Scenario, paths: [String], root: Node) -> ScenarioPatch? {
        var steps: [Apply] = []
        var churnDone = Set<Int>()
        for (i, path) in paths.enumerated() {
            if let (plan, key) = planKey(path) {
                guard plan < base.plans.count else { return nil }
                if key.hasPrefix("churn.") {
                    // One step rebuilds the plan's churn from all of its churn inputs.
                    if churnDone.contains(plan) { continue }
                    guard let step = churn(plan: plan, paths: paths, base: base, root: root) else { return nil }
                    churnDone.insert(plan)
                    steps.append(step)
                    continue
                }
                guard let set = planSetter(key, plan: plan) else { return nil }
                steps.append { s, v in set(&s, v[i]) }
            } else {
                guard let set = leverSetter(path) else { return nil }
                steps.append { s, v in set(&s, v[i]) }
            }
        }
        return ScenarioPatch(base: base, steps: steps)
    }

    /// (plan index, key after the plan) of `plans[i].key`.
    static func planKey(_ path: String) -> (Int, String)? {
        guard path.hasPrefix("plans["), let close = path.firstIndex(of: "]") else { return nil }
        let number = path[path.index(path.startIndex, offsetBy: 6)..<close]
        guard let p = Int(number), path[close...].hasPrefix("]."), p >= 0 else { return nil }
        return (p, String(path[path.index(close, offsetBy: 2)...]))
    }

    typealias Set1 = @Sendable (inout Scenario, Double) -> Void

    static func planSetter(_ key: String, plan p: Int) -> Set1? {
        switch key {
        case "price_per_month": return { $0.plans[p].pricePerMonth = $1 }
        case "billing.annual_share": return { $0.plans[p].options.annualShare = $1 }
        case "billing.annual_discount": return { $0.plans[p].options.annualDiscount = $1 }
        case "intro_discount.fraction": return { $0.plans[p].options.introDiscount = $1 }
        case "seats.price_per_seat": return { $0.plans[p].options.seats?.pricePerSeat = $1 }
        case "seats.mean_at_signup": return { $0.plans[p].options.seats?.meanAtSignup = $1 }
        case "seats.expansion_per_month": return { $0.plans[p].options.seats?.expansionPerMonth = $1 }
        case "seats.contraction_per_month": return { $0.plans[p].options.seats?.contractionPerMonth = $1 }
        case "usage.price_per_unit": return { $0.plans[p].options.usage?.pricePerUnit = $1 }
        case "usage.mean_units_per_month": return { $0.plans[p].options.usage?.meanUnitsPerMonth = $1 }
        case "usage.cv": return { $0.plans[p].options.usage?.cv = $1 }
        case "usage.growth_per_month": return { $0.plans[p].options.usage?.growthPerMonth = $1 }
        case "tickets_per_month": return { $0.plans[p].options.ticketsPerMonth = $1 }
        case "reference_price": return { $0.plans[p].options.referencePrice = $1 }
        default: return nil
        }
    }

    static func leverSetter(_ path: String) -> Set1? {
        switch path {
        case "acquisition.new_per_month": return { $0.acquisition.newPerMonth = $1 }
        case "acquisition.growth_per_month": return { $0.acquisition.growthPerMonth = $1 }
        case "economics.gross_margin": return { $0.economics.grossMargin = $1 }
        case "economics.discount_rate_per_year": return { $0.economics.discountRatePerYear = $1 }
        case "economics.cac_per_subscriber": return { $0.economics.cacPerSubscriber = $1 }
        case "support.agents": return { $0.levers.support?.agents = $1 }
        case "support.tickets_per_agent_per_month": return { $0.levers.support?.ticketsPerAgentPerMonth = $1 }
        case "support.cost_per_agent_per_month": return { $0.levers.support?.costPerAgentPerMonth = $1 }
        case "support.first_contact_resolution": return { $0.levers.support?.firstContactResolution = $1 }
        case "support.backlog_penalty": return { $0.levers.support?.backlogPenalty = $1 }
        case "support.waiting_churn_multiplier": return { $0.levers.support?.waitingChurnMultiplier = $1 }
        case "support.bad_resolution.churn_multiplier": return { $0.levers.support?.badChurnMultiplier = $1 }
        case "support.good_resolution.churn_multiplier": return { $0.levers.support?.goodChurnMultiplier = $1 }
        case "support.good_resolution.upsell_probability": return { $0.levers.support?.upsellProbability = $1 }
        case "onboarding.at_risk_churn_multiplier": return { $0.levers.onboarding?.atRiskChurnMultiplier = $1 }
        case "onboarding.threshold_months": return { $0.levers.onboarding?.thresholdMonths = $1 }
        case "onboarding.ramp_months.median": return { $0.levers.onboarding?.rampMedianMonths = $1 }
        case "onboarding.ramp_months.log_sd": return { $0.levers.onboarding?.rampLogSD = $1 }
        case "onboarding.intervention.detection_rate": return { $0.levers.onboarding?.detectionRate = $1 }
        case "onboarding.intervention.success_rate": return { $0.levers.onboarding?.successRate = $1 }
        case "onboarding.intervention.cost": return { $0.levers.onboarding?.costPerIntervention = $1 }
        case "pricing.elasticity": return { $0.levers.priceElasticity = $1 }
        case "free_trial.conversion": return { $0.levers.freeTrial?.conversion = $1 }
        case "dunning.failure_rate": return { $0.levers.dunning?.failureRate = $1 }
        case "dunning.recovery": return { $0.levers.dunning?.recoveryProbability = $1 }
        case "licence_switch.licences_per_month": return { $0.levers.licenceSwitch?.licencesPerMonth = $1 }
        case "licence_switch.licence_price": return { $0.levers.licenceSwitch?.licencePrice = $1 }
        case "licence_switch.maintenance_share": return { $0.levers.licenceSwitch?.maintenanceShare = $1 }
        case "licence_switch.maintenance_renewal": return { $0.levers.licenceSwitch?.maintenanceRenewal = $1 }
        case "licence_switch.migration_per_month": return { $0.levers.licenceSwitch?.migrationPerMonth = $1 }
        case "licence_switch.migration_price_per_month": return { $0.levers.licenceSwitch?.migrationPricePerMonth = $1 }
        case "referrals.per_active_per_month": return { $0.levers.referrals?.perActivePerMonth = $1 }
        case "referrals.extra_per_promoter_per_month": return { $0.levers.referrals?.extraPerPromoterPerMonth = $1 }
        case "referrals.reward": return { $0.levers.referrals?.rewardPerReferral = $1 }
        case "pricing.churn_elasticity": return { $0.levers.priceChurn?.elasticity = $1 }
        case "costs.serving_per_subscriber": return { $0.levers.costs?.servingPerSubscriber = $1 }
        case "costs.serving_per_seat": return { $0.levers.costs?.servingPerSeat = $1 }
        case "costs.serving_per_usage_unit": return { $0.levers.costs?.servingPerUsageUnit = $1 }
        case "costs.payment_fee_share": return { $0.levers.costs?.paymentFeeShare = $1 }
        case "costs.opening_cash": return { $0.levers.costs?.openingCash = $1 }
        case "costs.fixed_per_month": return { $0.levers.costs?.fixedPerMonth = Schedule(constant: $1) }
        case "costs.fixed_per_month.scale": return { $0.levers.costs?.fixedPerMonth.scale = $1 }
        case "support.agents.scale":
            return { s, v in
                s.levers.support?.agentsSchedule?.scale = v
                if let plan = s.levers.support?.agentsSchedule { s.levers.support?.agents = plan.first }
            }
        default: return nil
        }
    }

    /// Plan p's churn rebuilt from its inputs (mean and heterogeneity, or alpha and beta), the
    /// fixed one of the pair from the document (mean form) or the base scenario (alpha-beta form).
    static func churn(plan p: Int, paths: [String], base: Scenario, root: Node) -> Apply? {
        func index(_ key: String) -> Int? { paths.firstIndex(of: "plans[\(p)].churn.\(key)") }
        let iMean = index("mean_per_month"), iPhi = index("heterogeneity")
        let iAlpha = index("alpha"), iBeta = index("beta")
        if iMean != nil || iPhi != nil {
            guard iAlpha == nil && iBeta == nil else { return nil }
            let fixedMean = iMean == nil ? number(root, plan: p, key: "mean_per_month") : 0
            let fixedPhi = iPhi == nil ? number(root, plan: p, key: "heterogeneity") : 0
            guard let fm = fixedMean, let fp = fixedPhi else { return nil }
            return { s, v in
                s.plans[p].churn = ChurnModel(meanPerMonth: iMean.map { v[$0] } ?? fm, heterogeneity: iPhi.map { v[$0] } ?? fp)
            }
        }
        let iC = index("c")
        let (a0, b0, c0): (Double, Double, Double)
        switch base.plans[p].churn {
        case let .shiftedBetaGeometric(a, b): (a0, b0, c0) = (a, b, 1)
        case let .betaDiscreteWeibull(a, b, c): (a0, b0, c0) = (a, b, c)
        case .constant: return nil
        }
        guard iAlpha != nil || iBeta != nil || iC != nil else { return nil }
        return { s, v in
            let (a, b, c) = (iAlpha.map { v[$0] } ?? a0, iBeta.map { v[$0] } ?? b0, iC.map { v[$0] } ?? c0)
            // As the decoder: c = 1 is sBG.
            s.plans[p].churn = c == 1 ? .shiftedBetaGeometric(alpha: a, beta: b) : .betaDiscreteWeibull(alpha: a, beta: b, c: c)
        }
    }

    /// The fixed number at `plans[p].churn.<key>` of the document (nil if absent or not a plain number).
    static func number(_ root: Node, plan p: Int, key: String) -> Double? {
        guard case let .mapping(top) = root, let plans = top.first(where: { $0.key.string == "plans" })?.value,
              case let .sequence(list) = plans, p < list.count, case let .mapping(plan) = list[p],
              let churn = plan.first(where: { $0.key.string == "churn" })?.value, case let .mapping(c) = churn,
              let node = c.first(where: { $0.key.string == key })?.value, case let .scalar(s) = node else { return nil }
        return Double(String(s.string.filter { $0 != "_" }))
    }
}
