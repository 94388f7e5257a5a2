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
        // `variants` (strategies) is read by `ScenarioLoader.loadVariants(path:)`; the base ignores it.
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
        var planReferences: [PlanReferences] = []
        for node in planNodes {
            let (plan, references) = try decodePlan(node, horizon: horizon)
            if plans.contains(where: { $0.name == plan.name }) {
                throw node.error("plan name '\(plan.name)' is used twice; plan names must be unique")
            }
            plans.append(plan)
            planReferences.append(references)
        }
        let planNames = plans.map(\.name)

        // Business levers. Support comes first: a plan's ticket rate defaults to support's.
        var levers = Levers()
        var defaultTickets = 0.0
        if let node = top["support"] {
            (levers.support, defaultTickets) = try decodeSupport(node, horizon: horizon)
        }
        for i in plans.indices {
            try resolve(planReferences[i], plan: i, options: &plans[i].options, planNames: planNames,
                        hasSupport: levers.support != nil, defaultTickets: defaultTickets)
        }
        if let node = top["onboarding"] { levers.onboarding = try decodeOnboarding(node, horizon: horizon) }
        if let node = top["pricing"] {
            (levers.priceElasticity, levers.priceEvents, levers.priceChurn) = try decodePricing(node, planNames: planNames,
                                                                                               horizon: horizon)
        }
        // Price paths: a plan's price given as a schedule is a price event at every change.
        for (p, references) in planReferences.enumerated() {
            guard let (schedule, node) = references.priceSchedule else { continue }
            if levers.priceEvents.contains(where: { $0.plan == p }) {
                throw node.error("plan '\(planNames[p])' has both a price schedule and pricing.events; give its price path one way")
            }
            // Changes are found on the unscaled path, so that an uncertain scale never changes
            // how many events there are.
            var unscaled = schedule
            unscaled.scale = 1
            var last = unscaled.first
            for m in 2...max(horizon, 2) where m <= horizon {
                let price = unscaled.value(month: m)
                if price != last { levers.priceEvents.append(PriceEvent(month: m, plan: p, newPricePerMonth: schedule.value(month: m))) }
                last = price
            }
            levers.priceEvents.sort { $0.month < $1.month }
        }
        if let node = top["free_trial"] {
            let m = try node.mapping(allowed: ["months", "conversion"])
            let months = try m.required("months", "how many months a free trial lasts").integer(1...24)
            let conversion = try m.required("conversion", "the share of trialists who convert to paying")
                .number("a probability from 0 to 1 (0.25 is 25 %)") { $0 >= 0 && $0 <= 1 }
            levers.freeTrial = FreeTrial(months: months, conversion: conversion)
        }
        if let node = top["dunning"] {
            let m = try node.mapping(allowed: ["failure_rate", "recovery"])
            let failure = try m.required("failure_rate", "the probability that a payment fails")
                .number("a probability from 0 to 1 (0.03 is 3 % of payments)") { $0 >= 0 && $0 <= 1 }
            let recovery = try m.required("recovery", "the probability that dunning recovers a failed payment")
                .number("a probability from 0 to 1") { $0 >= 0 && $0 <= 1 }
            levers.dunning = Dunning(failureRate: failure, recoveryProbability: recovery)
        }
        if let node = top["licence_switch"] {
            levers.licenceSwitch = try decodeLicenceSwitch(node, planNames: planNames, horizon: horizon,
                                                           hasSupport: levers.support != nil)
        }
        if let node = top["referrals"] { levers.referrals = try decodeReferrals(node, planNames: planNames) }

        var acquisition = Acquisition(newPerMonth: 0, planMix: plans.count == 1 ? [1] : Array(repeating: 1 / Double(plans.count), count: plans.count))
        if let node = top["acquisition"] {
            acquisition = try decodeAcquisition(node, planNames: planNames, horizon: horizon)
        }

        var existing: [ExistingCohort] = []
        var existingTotal = 0
        if let node = top["existing"] {
            let items = try node.sequence()
            if items.count > Limits.maximumExisting { throw node.error("expected at most \(Limits.maximumExisting) entries, got \(items.count)") }
            for item in items {
                let m = try item.mapping(allowed: ["plan", "count", "tenure_months", "condition", "months_left"])
                let planNode = try m.required("plan", "the name of a plan")
                let plan = try planIndex(planNode, planNames)
                let countNode = try m.required("count", "the number of subscribers")
                let count = try countNode.integer(0...Int(Limits.maximumCount))
                existingTotal += count
                if Double(existingTotal) > Limits.maximumCount {
                    throw countNode.error("the existing subscribers add up to \(existingTotal), more than the limit of "
                                          + "\(Int(Limits.maximumCount)) in all")
                }
                let tenure = try m["tenure_months"]?.integer(0...12_000) ?? 0
                var condition = ExistingCondition.healthy
                if let node = m["condition"] {
                    let name = try node.string()
                    let leverNeeded: (String, Bool)
                    switch name {
                    case "healthy": leverNeeded = ("", true)
                    case "at_risk": condition = .atRisk; leverNeeded = ("onboarding", top["onboarding"] != nil)
                    case "waiting": condition = .waiting; leverNeeded = ("support", top["support"] != nil)
                    case "detractor", "promoter":
                        let left = try m.required("months_left", "how many more renewals the condition lasts").integer(1...24)
                        condition = name == "detractor" ? .detractor(monthsLeft: left) : .promoter(monthsLeft: left)
                        leverNeeded = ("support", top["support"] != nil)
                    default:
                        throw node.error("expected a condition: healthy, at_risk, waiting, detractor or promoter, got '\(name)'")
                    }
                    if !leverNeeded.1 {
                        throw node.error("the condition '\(name)' needs the `\(leverNeeded.0)` section, which this scenario does not have")
                    }
                }
                if let node = m["months_left"], !["detractor", "promoter"].contains((try? m["condition"]?.string()) ?? "") {
                    throw node.error("months_left applies to the conditions detractor and promoter")
                }
                existing.append(ExistingCohort(plan: plan, count: count, tenureMonths: tenure, condition: condition))
            }
        }

        var economics = Economics()
        if let node = top["economics"] {
            let m = try node.mapping(allowed: ["gross_margin", "discount_rate_per_year", "cac_per_subscriber", "cac_basis"])
            if let v = m["cac_basis"] {
                let text = try v.string()
                guard let basis = Economics.CACBasis(rawValue: text) else {
                    let hint = YAMLNode.closest(to: text, in: ["paying_subscriber", "sign_up"]).map { "; did you mean '\($0)'?" } ?? ""
                    throw v.error("expected paying_subscriber (CAC paid per paying subscriber) or sign_up (per sign-up, every "
                                  + "trialist with a free trial), got '\(text)'" + hint)
                }
                economics.cacBasis = basis
            }
            if let v = m["gross_margin"] { economics.grossMargin = try v.number("a fraction from 0 to 1") { $0 >= 0 && $0 <= 1 } }
            if let v = m["discount_rate_per_year"] {
                economics.discountRatePerYear = try v.number("a yearly rate from 0 to 10 (0.10 is 10 %)") { $0 >= 0 && $0 <= 10 }
            }
            if let v = m["cac_per_subscriber"] {
                let plan = try v.schedule("an amount from 0 to 1e12", horizon: horizon) { $0 >= 0 && $0 <= 1e12 }
                economics.cacPerSubscriber = plan.isConstant ? plan.first : plan.maximum(months: horizon)
                if !plan.isConstant { economics.cacSchedule = plan }
            }
        }

        if let node = top["costs"] { levers.costs = try decodeCosts(node, horizon: horizon) }
        var calendar: ReportingCalendar? = nil
        if let node = top["start"] {
            let text = try node.string()
            guard let c = ReportingCalendar(start: text) else {
                throw node.error("expected the calendar month of month 1 as YYYY-MM (e.g. 2027-01), got '\(text)'")
            }
            calendar = c
        }
        if let node = top["fiscal_year_start_month"] {
            let month = try node.integer(1...12)
            guard calendar != nil else {
                throw node.error("fiscal_year_start_month needs 'start' (the calendar month of month 1, e.g. start: 2027-01)")
            }
            calendar!.fiscalYearStartMonth = month
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

        // Uncertain inputs (distributions met above): their correlations and sampling plan.
        if let context = root.uncertainty {
            if context.overrides == nil { try context.readPlan(correlations: top["correlations"], sampling: top["sampling"]) }
        } else if let node = top["correlations"] ?? top["sampling"] {
            throw node.error("uncertain inputs (distributions, correlations, sampling) are not supported here")
        }

        return Scenario(name: name, currency: currency, horizonMonths: horizon, trials: trials, seed: seed,
                        plans: plans, acquisition: acquisition, existing: existing, economics: economics,
                        lifetimeMonths: lifetime, reportedCohorts: cohorts, levers: levers, calendar: calendar)
    }

    /// `costs:` (`Costs`, the costs process).
    func decodeCosts(_ node: YAMLNode, horizon: Int) throws(ScenarioError) -> Costs {
        let m = try node.mapping(allowed: ["serving_per_subscriber", "serving_per_seat", "serving_per_usage_unit",
                                           "payment_fee_share", "fixed_per_month", "opening_cash", "terminal_value"])
        var c = Costs()
        let amount = "an amount from 0 to 1e12 a month"
        func plan(_ key: String, _ what: String, max: Double) throws(ScenarioError) -> (Double, Schedule?) {
            guard let v = m[key] else { return (0, nil) }
            let s = try v.schedule(what, horizon: horizon) { $0 >= 0 && $0 <= max }
            return (s.first, s.isConstant ? nil : s)
        }
        (c.servingPerSubscriber, c.servingPerSubscriberSchedule) = try plan("serving_per_subscriber", amount, max: 1e12)
        (c.servingPerSeat, c.servingPerSeatSchedule) = try plan("serving_per_seat", amount, max: 1e12)
        (c.servingPerUsageUnit, c.servingPerUsageUnitSchedule) = try plan("serving_per_usage_unit", "an amount per usage unit from 0 to 1e9",
                                                                          max: 1e9)
        c.paymentFeeShare = try m["payment_fee_share"]?.number("a share of billings from 0 to, not including, 1 (0.03 is 3 %)") {
            $0 >= 0 && $0 < 1
        } ?? 0
        if let v = m["fixed_per_month"] {
            c.fixedPerMonth = try v.schedule(amount, horizon: horizon) { $0 >= 0 && $0 <= 1e12 }
        }
        c.openingCash = try m["opening_cash"]?.number("an amount from -1e15 to 1e15 (the cash at the start of month 1)") {
            abs($0) <= 1e15
        } ?? 0
        if let v = m["terminal_value"] { c.terminalValue = try v.boolean() }
        return c
    }

    static let planKeys = ["name", "price_per_month", "churn", "billing", "intro_discount", "seats", "usage", "moves",
                           "tickets_per_month", "upsell_to", "reference_price"]

    /// The keys of a plan that can only be checked once every plan name and the `support` section
    /// are known (`resolve`).
    struct PlanReferences {
        var moves: YAMLNode?
        var upsellTo: YAMLNode?
        var ticketsPerMonth: YAMLNode?
        /// A price path (`price_per_month` given as a schedule): it becomes price events.
        var priceSchedule: (Schedule, YAMLNode)? = nil
    }

    func decodePlan(_ node: YAMLNode, horizon: Int) throws(ScenarioError) -> (Plan, PlanReferences) {
        let m = try node.mapping(allowed: Self.planKeys)
        let nameNode = try m.required("name", "the plan's name")
        let name = try nameNode.string()
        if name.isEmpty { throw nameNode.error("expected a non-empty plan name") }
        let priceNode = try m.required("price_per_month", "the price per subscriber per month")
        let priceSchedule = try priceNode.schedule("a price from 0 to 1e18", horizon: horizon) { $0 >= 0 && $0 <= Limits.maximumAmount }
        let price = priceSchedule.first
        let churnNode = try m.required("churn", "either alpha and beta, or mean_per_month and heterogeneity")
        let c = try churnNode.mapping(allowed: ["alpha", "beta", "c", "mean_per_month", "heterogeneity", "uncertainty"])
        let churn: ChurnModel
        if let w = c["c"], c["alpha"] == nil {
            throw w.error("'c' (the beta-discrete-Weibull duration dependence) goes with 'alpha' and 'beta'")
        }
        switch (c["alpha"], c["beta"], c["mean_per_month"], c["heterogeneity"]) {
        case let (a?, b?, nil, nil):
            // Below 1e-300 ln B(alpha, beta) overflows (GSL returns +inf for subnormal shapes).
            let alpha = try a.number("alpha from 1e-300 to 1e9") { $0 >= 1e-300 && $0 <= 1e9 }
            let beta = try b.number("beta from 1e-300 to 1e9") { $0 >= 1e-300 && $0 <= 1e9 }
            // c = 1 is sBG itself (and keeps its closed forms and bits).
            let weibull = try c["c"]?.number("a duration dependence c from 0.01 to 10 (1: shifted-beta-geometric; "
                                             + "below 1 the individual hazard falls with tenure, above 1 it rises)") { $0 >= 0.01 && $0 <= 10 } ?? 1
            churn = weibull == 1 ? .shiftedBetaGeometric(alpha: alpha, beta: beta)
                : .betaDiscreteWeibull(alpha: alpha, beta: beta, c: weibull)
        case let (nil, nil, mean?, phi?):
            // At least 1e-15, so that alpha = mean (1 - heterogeneity) / heterogeneity stays a
            // normal number (a subnormal mean gave alpha = 0 and a failed ln B(alpha, beta)).
            let mu = try mean.number("a monthly churn probability strictly between 0 and 1 (at least 1e-15)") { $0 >= 1e-15 && $0 < 1 }
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
            if case .betaDiscreteWeibull = churn {
                throw u.error("uncertainty (se_log_alpha, se_log_beta) applies to shifted-beta-geometric churn; for "
                              + "beta-discrete-Weibull churn give alpha, beta and c as uncertain inputs (distributions "
                              + "with correlations), as `subcast fit --churn bdw` writes them")
            }
            let m = try u.mapping(allowed: ["se_log_alpha", "se_log_beta", "correlation"])
            let sa = try m.required("se_log_alpha", "the standard error of ln alpha").number("a standard error from 0 to 10") { $0 >= 0 && $0 <= 10 }
            let sb = try m.required("se_log_beta", "the standard error of ln beta").number("a standard error from 0 to 10") { $0 >= 0 && $0 <= 10 }
            let r = try m["correlation"]?.number("a correlation from -1 to 1") { $0 >= -1 && $0 <= 1 } ?? 0
            uncertainty = ChurnUncertainty(seLogAlpha: sa, seLogBeta: sb, correlation: r)
        }
        let options = try decodePlanOptions(m)
        let references = PlanReferences(moves: m["moves"], upsellTo: m["upsell_to"], ticketsPerMonth: m["tickets_per_month"],
                                        priceSchedule: priceSchedule.isConstant ? nil : (priceSchedule, priceNode))
        return (Plan(name: name, pricePerMonth: price, churn: churn, churnUncertainty: uncertainty, options: options), references)
    }

    /// The plan's levers that need nothing but the plan itself: billing, intro discount, seats,
    /// usage and the reference price.
    func decodePlanOptions(_ m: YAMLNode.Mapping) throws(ScenarioError) -> PlanOptions {
        var options = PlanOptions()
        if let node = m["billing"] {
            let b = try node.mapping(allowed: ["annual_share", "annual_discount"])
            if let v = b["annual_share"] {
                options.annualShare = try v.number("a share of new subscribers from 0 to 1 (0.3 is 30 % pay yearly)") { $0 >= 0 && $0 <= 1 }
            }
            if let v = b["annual_discount"] {
                options.annualDiscount = try v.number("a discount from 0 up to, not including, 1 (0.15 is 15 % off)") { $0 >= 0 && $0 < 1 }
            }
        }
        if let node = m["intro_discount"] {
            let d = try node.mapping(allowed: ["fraction", "months"])
            options.introDiscount = try d.required("fraction", "the fraction taken off the price")
                .number("a fraction from 0 to 1 (0.5 is half price)") { $0 >= 0 && $0 <= 1 }
            options.introMonths = try d.required("months", "how many months the discount lasts").integer(1...120)
        }
        if let node = m["seats"] {
            let s = try node.mapping(allowed: ["price_per_seat", "mean_at_signup", "expansion_per_month", "contraction_per_month"])
            let price = try s.required("price_per_seat", "the price of one seat per month").number("a price from 0 to 1e18") { $0 >= 0 && $0 <= Limits.maximumAmount }
            let mean = try s.required("mean_at_signup", "the mean number of seats a new subscriber starts with")
                .number("a mean number of seats from 1 to 100000") { $0 >= 1 && $0 <= 1e5 }
            var seats = Seats(pricePerSeat: price, meanAtSignup: mean)
            if let v = s["expansion_per_month"] {
                seats.expansionPerMonth = try v.number("a mean number of seats added per subscriber and month, from 0 to 100") { $0 >= 0 && $0 <= 100 }
            }
            if let v = s["contraction_per_month"] {
                seats.contractionPerMonth = try v.number("a monthly probability from 0 to 1 that an extra seat is removed") { $0 >= 0 && $0 <= 1 }
            }
            options.seats = seats
        }
        if let node = m["usage"] {
            let u = try node.mapping(allowed: ["price_per_unit", "mean_units_per_month", "cv", "growth_per_month"])
            let price = try u.required("price_per_unit", "the price of one unit of usage").number("a price from 0 to 1e18") { $0 >= 0 && $0 <= Limits.maximumAmount }
            let mean = try u.required("mean_units_per_month", "the mean units a new subscriber uses a month")
                .number("a mean > 0 and at most 1e9") { $0 > 0 && $0 <= 1e9 }
            let cv = try u.required("cv", "the coefficient of variation of a subscriber's monthly usage")
                .number("a coefficient of variation > 0 and at most 10") { $0 > 0 && $0 <= 10 }
            var usage = Usage(pricePerUnit: price, meanUnitsPerMonth: mean, cv: cv)
            if let v = u["growth_per_month"] {
                usage.growthPerMonth = try v.number("a monthly growth rate > -1 and at most 1 (0.01 is 1 % a month)") { $0 > -1 && $0 <= 1 }
            }
            options.usage = usage
        }
        if let v = m["reference_price"] {
            options.referencePrice = try v.number("a reference price from 1e-6 to 1e18") { $0 >= 1e-6 && $0 <= Limits.maximumAmount }
        }
        return options
    }

    /// Checks and stores the plan keys that refer to other plans or to `support`.
    func resolve(_ references: PlanReferences, plan: Int, options: inout PlanOptions, planNames: [String],
                 hasSupport: Bool, defaultTickets: Double) throws(ScenarioError) {
        if let node = references.moves {
            options.moves = try decodeMoves(node, from: plan, planNames: planNames)
        }
        options.ticketsPerMonth = defaultTickets
        if let node = references.ticketsPerMonth {
            guard hasSupport else {
                throw node.error("tickets_per_month needs the top-level 'support' section (agents who handle the tickets); "
                                 + "add one or remove this key")
            }
            options.ticketsPerMonth = try node.number("a rate of tickets per subscriber and month from 0 to 100") { $0 >= 0 && $0 <= 100 }
        }
        if let node = references.upsellTo {
            guard hasSupport else {
                throw node.error("upsell_to needs the top-level 'support' section (upsells follow well resolved tickets); "
                                 + "add one or remove this key")
            }
            let target = try planIndex(node, planNames)
            if target == plan { throw node.error("a plan cannot upsell to itself; name another plan") }
            options.upsellTo = target
        }
    }

    /// `moves: {plan: probability, ...}`, stored in plan order.
    func decodeMoves(_ node: YAMLNode, from plan: Int, planNames: [String]) throws(ScenarioError) -> [(plan: Int, probability: Double)] {
        // Keys are checked as plan names first, for the "no plan named" message with its suggestion.
        if case let .mapping(raw) = node.node {
            for (k, _) in raw {
                guard case let .scalar(key) = k else { continue }   // mapping(allowed:) reports it below
                let keyNode = YAMLNode(node: k, path: "\(node.path).\(key.string)", file: file)
                let target = try planIndex(keyNode, planNames)
                if target == plan {
                    throw keyNode.error("a plan cannot move to itself; list the other plans its subscribers move to")
                }
            }
        }
        let m = try node.mapping(allowed: planNames)
        var moves: [(plan: Int, probability: Double)] = []
        var total = 0.0
        for (name, v) in m.entries {
            guard let target = planNames.firstIndex(of: name) else { continue }
            let p = try v.number("a monthly probability from 0 to 1 (0.01 is 1 % a month)") { $0 >= 0 && $0 <= 1 }
            moves.append((target, p))
            total += p
        }
        if total > 1 + 1e-9 {
            throw node.error("expected monthly move probabilities that add up to at most 1, got a total of \(total)")
        }
        return moves.sorted { $0.plan < $1.plan }
    }

    /// `support:`; returns the section and the default ticket rate of the plans.
    func decodeSupport(_ node: YAMLNode, horizon: Int) throws(ScenarioError) -> (Support, Double) {
        let m = try node.mapping(allowed: ["agents", "tickets_per_agent_per_month", "cost_per_agent_per_month",
                                           "first_contact_resolution", "backlog_penalty", "waiting_churn_multiplier",
                                           "tickets_per_month", "bad_resolution", "good_resolution"])
        let agentSchedule = try m.required("agents", "the number of support agents (full-time equivalents)")
            .schedule("a number of agents from 0 to 1000000 (2.5 is two and a half full-time agents)", horizon: horizon) {
                $0 >= 0 && $0 <= 1e6
            }
        let agents = agentSchedule.first
        let productivity = try m.required("tickets_per_agent_per_month", "how many tickets one agent handles a month")
            .schedule("a number of tickets > 0 and at most 1e9", horizon: horizon) { $0 > 0 && $0 <= 1e9 }
        let perAgent = productivity.first
        let fcr = try m.required("first_contact_resolution", "the probability that a ticket is resolved well")
            .number("a probability from 0 to 1 (0.75 is 75 %)") { $0 >= 0 && $0 <= 1 }
        var s = Support(agents: agents, ticketsPerAgentPerMonth: perAgent, firstContactResolution: fcr)
        if !agentSchedule.isConstant { s.agentsSchedule = agentSchedule }
        if !productivity.isConstant { s.ticketsPerAgentSchedule = productivity }
        if let v = m["cost_per_agent_per_month"] {
            let pay = try v.schedule("an amount from 0 to 1e12", horizon: horizon) { $0 >= 0 && $0 <= 1e12 }
            s.costPerAgentPerMonth = pay.first
            if !pay.isConstant { s.costPerAgentSchedule = pay }
        }
        if let v = m["backlog_penalty"] {
            s.backlogPenalty = try v.number("a penalty from 0 to 100 (per month of capacity waiting)") { $0 >= 0 && $0 <= 100 }
        }
        if let v = m["waiting_churn_multiplier"] {
            s.waitingChurnMultiplier = try v.number("a churn multiplier from 0 to 100 (1 = no effect)") { $0 >= 0 && $0 <= 100 }
        }
        var tickets = 0.0
        if let v = m["tickets_per_month"] {
            tickets = try v.number("a rate of tickets per subscriber and month from 0 to 100") { $0 >= 0 && $0 <= 100 }
        }
        if let node = m["bad_resolution"] {
            let b = try node.mapping(allowed: ["churn_multiplier", "months"])
            if let v = b["churn_multiplier"] {
                s.badChurnMultiplier = try v.number("a churn multiplier from 0 to 100 (1 = no effect)") { $0 >= 0 && $0 <= 100 }
            }
            if let v = b["months"] { s.badMonths = try v.integer(1...24) }
        }
        if let node = m["good_resolution"] {
            let g = try node.mapping(allowed: ["churn_multiplier", "months", "upsell_probability"])
            if let v = g["churn_multiplier"] {
                s.goodChurnMultiplier = try v.number("a churn multiplier from 0 to 100 (1 = no effect)") { $0 >= 0 && $0 <= 100 }
            }
            if let v = g["months"] { s.goodMonths = try v.integer(1...24) }
            if let v = g["upsell_probability"] {
                s.upsellProbability = try v.number("a probability from 0 to 1") { $0 >= 0 && $0 <= 1 }
            }
        }
        return (s, tickets)
    }

    func decodeOnboarding(_ node: YAMLNode, horizon: Int) throws(ScenarioError) -> Onboarding {
        let m = try node.mapping(allowed: ["ramp_months", "threshold_months", "at_risk_churn_multiplier", "intervention"])
        let ramp = try m.required("ramp_months", "the ramp-up time as {median, log_sd}").mapping(allowed: ["median", "log_sd"])
        let median = try ramp.required("median", "the median ramp-up time in months")
            .number("a number of months > 0 and at most 120") { $0 > 0 && $0 <= 120 }
        let logSD = try ramp.required("log_sd", "the standard deviation of the logarithm of the ramp-up time")
            .number("a log standard deviation > 0 and at most 5") { $0 > 0 && $0 <= 5 }
        let threshold = try m.required("threshold_months", "the ramp-up time beyond which a new subscriber is at risk")
            .number("a number of months > 0 and at most 120") { $0 > 0 && $0 <= 120 }
        let multiplier = try m.required("at_risk_churn_multiplier", "the churn multiplier of an at-risk subscriber")
            .number("a churn multiplier from 0 to 100 (1 = no effect)") { $0 >= 0 && $0 <= 100 }
        var o = Onboarding(rampMedianMonths: median, rampLogSD: logSD, thresholdMonths: threshold, atRiskChurnMultiplier: multiplier)
        if let node = m["intervention"] {
            let i = try node.mapping(allowed: ["detection_rate", "success_rate", "cost", "capacity_per_month"])
            if let v = i["detection_rate"] {
                o.detectionRate = try v.number("a monthly probability from 0 to 1 that an at-risk subscriber is detected") { $0 >= 0 && $0 <= 1 }
            }
            if let v = i["success_rate"] {
                o.successRate = try v.number("a probability from 0 to 1 that an intervention succeeds") { $0 >= 0 && $0 <= 1 }
            }
            if let v = i["cost"] {
                let cost = try v.schedule("an amount from 0 to 1e12", horizon: horizon) { $0 >= 0 && $0 <= 1e12 }
                o.costPerIntervention = cost.first
                if !cost.isConstant { o.costSchedule = cost }
            }
            if let v = i["capacity_per_month"] { o.capacityPerMonth = try v.integer(0...Int(Limits.maximumCount)) }
        }
        return o
    }

    /// `pricing:`; returns the elasticity and the events sorted by month (stable).
    func decodePricing(_ node: YAMLNode, planNames: [String], horizon: Int) throws(ScenarioError)
        -> (Double, [PriceEvent], PriceChurn?) {
        let m = try node.mapping(allowed: ["elasticity", "churn_elasticity", "events"])
        var priceChurn: PriceChurn? = nil
        if let v = m["churn_elasticity"] {
            priceChurn = PriceChurn(elasticity: try v.number("a churn elasticity from 0 to 20 (1: 10 % above the reference price, "
                                                             + "10 % more churn)") { $0 >= 0 && $0 <= 20 })
        }
        var elasticity = 0.0
        if let v = m["elasticity"] {
            elasticity = try v.number("a price elasticity from -20 to 20 (-1.2: 10 % higher prices, about 11 % fewer sign-ups)") {
                $0 >= -20 && $0 <= 20
            }
        }
        var events: [PriceEvent] = []
        if let list = m["events"] {
            struct Key: Hashable { let plan: Int, month: Int }
            var seen: [Key: (index: Int, line: Int)] = [:]
            for (index, item) in try list.sequence().enumerated() {
                let e = try item.mapping(allowed: ["month", "plan", "price_per_month", "churn_shock", "grandfather"])
                let month = try e.required("month", "the first month billed at the new price").integer(1...horizon)
                let plan = try planIndex(try e.required("plan", "the name of the plan whose price changes"), planNames)
                let price = try e.required("price_per_month", "the new price per subscriber per month").number("a price from 0 to 1e18") { $0 >= 0 && $0 <= Limits.maximumAmount }
                var event = PriceEvent(month: month, plan: plan, newPricePerMonth: price)
                if let v = e["churn_shock"] {
                    event.churnShock = try v.number("a one-off churn probability from 0 to 1 (0.03 is 3 %)") { $0 >= 0 && $0 <= 1 }
                }
                if let v = e["grandfather"] { event.grandfather = try v.boolean() }
                if let first = seen[Key(plan: plan, month: month)] {
                    throw item.error("plan '\(planNames[plan])' already has a price event in month \(month) "
                                     + "(\(list.path)[\(first.index)], line \(first.line)); give at most one event per plan and month")
                }
                seen[Key(plan: plan, month: month)] = (index, item.line)
                events.append(event)
            }
        }
        let sorted = events.enumerated().sorted { ($0.element.month, $0.offset) < ($1.element.month, $1.offset) }.map(\.element)
        return (elasticity, sorted, priceChurn)
    }

    /// `referrals:` (`Referrals`, the referral process).
    func decodeReferrals(_ node: YAMLNode, planNames: [String]) throws(ScenarioError) -> Referrals {
        let m = try node.mapping(allowed: ["per_active_per_month", "extra_per_promoter_per_month", "mix", "reward"])
        let rate = try m.required("per_active_per_month", "referred sign-ups per active subscriber a month")
            .number("a rate from 0 to 10 (0.01 is one referral a month per 100 customers)") { $0 >= 0 && $0 <= 10 }
        var r = Referrals(perActivePerMonth: rate)
        if let v = m["extra_per_promoter_per_month"] {
            r.extraPerPromoterPerMonth = try v.number("a rate from 0 to 10 on top of per_active_per_month") { $0 >= 0 && $0 <= 10 }
        }
        if let v = m["reward"] {
            r.rewardPerReferral = try v.number("an amount >= 0 paid per referred sign-up") { $0 >= 0 && $0 <= 1e12 }
        }
        if let mixNode = m["mix"] { r.planMix = try decodeMix(mixNode, planNames: planNames) }
        return r
    }

    func decodeLicenceSwitch(_ node: YAMLNode, planNames: [String], horizon: Int,
                             hasSupport: Bool) throws(ScenarioError) -> LicenceSwitch {
        let m = try node.mapping(allowed: ["switch_month", "licences_per_month", "licence_price", "maintenance_share",
                                           "maintenance_renewal", "installed_base", "migration_per_month", "migration_plan",
                                           "migration_price_per_month", "support"])
        let switchMonth = try m.required("switch_month", "the first month without licence sales").integer(1...horizon)
        let licences = try m.required("licences_per_month", "the mean number of licences sold a month")
            .number("a mean >= 0") { $0 >= 0 && $0 <= Limits.maximumCount }
        let price = try m.required("licence_price", "the price of one licence").number("a price from 0 to 1e18") { $0 >= 0 && $0 <= Limits.maximumAmount }
        var share = 0.0
        if let v = m["maintenance_share"] {
            share = try v.number("a yearly share of the licence price from 0 to 10 (0.2 is 20 % a year)") { $0 >= 0 && $0 <= 10 }
        }
        var renewal = 1.0
        if let v = m["maintenance_renewal"] {
            renewal = try v.number("a yearly renewal probability from 0 to 1 (0.85 is 85 %)") { $0 >= 0 && $0 <= 1 }
        }
        var l = LicenceSwitch(switchMonth: switchMonth, licencesPerMonth: licences, licencePrice: price,
                              maintenanceShare: share, maintenanceRenewal: renewal)
        if let v = m["installed_base"] { l.installedBase = try v.integer(0...Int(Limits.maximumCount)) }
        if let v = m["migration_per_month"] {
            l.migrationPerMonth = try v.number("a monthly probability from 0 to 1 (0.05 is 5 % a month)") { $0 >= 0 && $0 <= 1 }
        }
        if let v = m["migration_plan"] { l.migrationPlan = try planIndex(v, planNames) }
        if let v = m["migration_price_per_month"] {
            l.migrationPricePerMonth = try v.number("a price from 0 to 1e18") { $0 >= 0 && $0 <= Limits.maximumAmount }
        }
        if let node = m["support"] {
            guard hasSupport else {
                throw node.error("licence customers' tickets need the top-level support section (its agents serve them)")
            }
            let sm = try node.mapping(allowed: ["tickets_per_month", "bad_lapse_multiplier", "bad_migration_multiplier"])
            let rate = try sm.required("tickets_per_month", "tickets a maintenance payer raises a month")
                .number("a rate from 0 to 100") { $0 >= 0 && $0 <= 100 }
            var ls = LicenceSupport(ticketsPerMonth: rate)
            if let v = sm["bad_lapse_multiplier"] {
                ls.badLapseMultiplier = try v.number("a multiplier from 0 to 1000 of a detractor's maintenance lapse hazard") { $0 >= 0 && $0 <= 1000 }
            }
            if let v = sm["bad_migration_multiplier"] {
                ls.badMigrationMultiplier = try v.number("a multiplier from 0 to 1000 of a detractor's migration rate") { $0 >= 0 && $0 <= 1000 }
            }
            l.support = ls
        }
        return l
    }

    func decodeAcquisition(_ node: YAMLNode, planNames: [String], horizon: Int) throws(ScenarioError) -> Acquisition {
        let m = try node.mapping(allowed: ["new_per_month", "growth_per_month", "mix"])
        let newNode = try m.required("new_per_month", "the mean number of new subscribers per month")
        let newSchedule = try newNode.schedule("a mean >= 0", horizon: horizon) { $0 >= 0 && $0 <= Limits.maximumCount }
        // With a schedule, the largest mean stands for the level (checks of growth and work bounds).
        let lambda = newSchedule.isConstant ? newSchedule.first : newSchedule.maximum(months: horizon)
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
            mix = try decodeMix(mixNode, planNames: planNames)
        } else if planNames.count == 1 {
            mix = [1]
        } else if lambda > 0 {
            throw ScenarioError(file: file, line: node.line, column: node.column, keyPath: node.path + ".mix",
                                message: "missing required key 'mix': with \(planNames.count) plans, say which share of new subscribers takes each (e.g. mix: {\(planNames[0]): 0.5, ...})")
        } else {
            mix = Array(repeating: 1 / Double(planNames.count), count: planNames.count)
        }
        var acquisition = Acquisition(newPerMonth: lambda, growthPerMonth: growth, planMix: mix)
        if !newSchedule.isConstant { acquisition.schedule = newSchedule }
        return acquisition
    }

    /// A plan mix `{plan: share, ...}`: shares from 0 to 1 adding up to 1 (within 1e-6), in plan order.
    func decodeMix(_ mixNode: YAMLNode, planNames: [String]) throws(ScenarioError) -> [Double] {
        var mix = [Double](repeating: 0, count: planNames.count)
        let entries = try mixNode.mapping(allowed: planNames)
        for (name, v) in entries.entries {
            mix[planNames.firstIndex(of: name)!] = try v.number("a share from 0 to 1", fixed: "plan-mix shares must add up to 1") { $0 >= 0 && $0 <= 1 }
        }
        let total = mix.reduce(0, +)
        if abs(total - 1) > 1e-6 {
            throw mixNode.error("expected shares that add up to 1, got a total of \(total)")
        }
        return mix
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
