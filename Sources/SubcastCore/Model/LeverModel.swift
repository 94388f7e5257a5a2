import Foundation
import SubcastStochastics

/// The cohort model with the business levers of `Levers` and `PlanOptions`.
///
/// Subscribers live in compartments keyed (group, plan, billing): a group is a block of the
/// existing base, the acquisition cohort of a month, or the licence customers who migrated in a
/// month; billing is monthly or annual. Inside a compartment subscribers are counted by
/// condition: healthy, at risk (slow onboarding), waiting (open support ticket), detractor (r
/// months left) or promoter (r months left). Every transition is a binomial, multinomial,
/// hypergeometric, Poisson or gamma draw on counts, so a trial costs
/// O(months x groups x plans x billings x conditions), whatever the number of subscribers.
///
/// Order of events inside month m:
/// 1. prices: price events of month m set the plans' list prices; compartments that are not
///    grandfathered are repriced and will see the event's churn shock at the month's end;
/// 2. arrivals: A_m ~ Poisson(lambda_m x elasticity factor) sign-ups (stream `acquisition`;
///    none before the switch month of a licence switch). With a free trial they start trials,
///    and Binomial(trial starts of month m - L, conversion) convert now (stream `trials`).
///    Paying arrivals split over plans (Multinomial, `acquisition`), billing (Binomial annual
///    share, `pricing`) and onboarding (Binomial(n, P(ramp > threshold)) at risk, `onboarding`);
///    seats at sign-up n + Poisson(n (mu - 1)) (`usage`). Licence customers migrate:
///    Binomial(maintenance payers, migration rate) (`licences`);
/// 3. seats and plan moves of earlier compartments: extra seats thinned by Binomial(E, c) and
///    grown by Poisson(n x expansion); movers Multinomial(n_state, (stay, moves...)) per condition
///    (`moves`), their seats Binomial(E, movers / n) (`usage`);
/// 4. support: subscribers without an open ticket raise one with probability 1 - exp(-rate)
///    (Binomial per condition); agents handle min(capacity, queue) tickets, oldest first, spread
///    over compartments by sequential hypergeometric draws; Binomial(handled, quality) are
///    resolved well (promoters, Binomial upsells to the plan's `upsellTo`), the rest badly
///    (detractors) (`support`);
/// 5. interventions: Binomial(at risk, detection) detected, the first `capacity` of them (oldest
///    groups first) treated, Binomial(treated, success) saved to healthy (`onboarding`);
/// 6. billing: each compartment's MRR = n x unit price (x intro discount while young)
///    + price per seat x seats + price per unit x usage, usage ~ Gamma(n / cv^2, mean_a cv^2)
///    (`usage`); annual compartments recognise a twelfth of the year's price a month and pay
///    cash at the start of each year. MRR bridge: per compartment, the change from its carried
///    MRR (last month's MRR of this month's subscribers) is expansion if positive, contraction
///    if negative, so MRR_m = MRR_(m-1) - churned_mrr_(m-1) + new_mrr_m + expansion_m
///    - contraction_m in every trial (up to floating-point rounding);
/// 7. renewals: per condition, churners Binomial(n, h) with h the plan's hazard at this renewal
///    (annual billing: only at every 12th paid month, with the 12 monthly hazards compounded);
///    conditions with a multiplier x > 1 add Binomial(n - k, (min(1, x h) - h) / (1 - h)),
///    with x < 1 keep Binomial(k, 1 - x) of the churners (`churn`); then the price shock,
///    Binomial(n, shock) (`pricing`), then failed payments Binomial(n, failure) of which
///    Binomial(failed, 1 - recovery) are lost (`dunning`); seats of the leavers
///    Binomial(E, leavers / n) (`usage`);
/// 8. ageing: detractor and promoter months count down (to healthy); at-risk subscribers of age a
///    finish ramping up with probability P(R <= a + 1 | R > max(a, threshold)) (`onboarding`);
/// 9. licence paths: maintenance payers of both paths survive Binomial(n, renewal^(1/12)),
///    licences sold Poisson(licences per month) on the licence path (`licences`); record.
///
/// A subscriber's condition is one at a time: raising a ticket moves an at-risk, detractor or
/// promoter subscriber to waiting, and the ticket's outcome decides the next condition.
/// NRR and GRR of month m > 12 compare the MRR of the groups that existed in month m - 12 with
/// their MRR then (GRR counts each group at most at its MRR of then), so they are cohort-level.
///
/// With every lever off this makes exactly the draws of `CohortModel`, in the same order and
/// from the same streams, and reports the same numbers bit for bit.
public struct LeverModel: Sendable {
    public let scenario: Scenario
    public let layout: OutputLayout
    public let streamNames: [String]

    /// Monthly metrics beyond `CohortModel.Monthly`, present when their lever is on.
    public enum Monthly: String, CaseIterable, Sendable {
        case expansionMRR = "expansion_mrr", contractionMRR = "contraction_mrr", netNewMRR = "net_new_mrr"
        case cash, cumulativeCash = "cumulative_cash", nrr, grr
        case involuntaryChurned = "involuntary_churned"
        case priceShockChurned = "price_shock_churned"
        case trialStarts = "trial_starts", trialing
        case tickets, handledTickets = "handled_tickets", backlog
        case goodResolutions = "good_resolutions", badResolutions = "bad_resolutions"
        case supportCost = "support_cost", detractors, promoters
        case supportChurn = "support_churn", supportSaved = "support_saved", upsells
        case planMoves = "plan_moves"
        case atRisk = "at_risk", interventions, saves, interventionCost = "intervention_cost"
        case seats, usageRevenue = "usage_revenue"
        case licencePathRevenue = "licence_path_revenue", subscriptionPathRevenue = "subscription_path_revenue"
        case cumulativeLicencePathRevenue = "cumulative_licence_path_revenue"
        case cumulativeSubscriptionPathRevenue = "cumulative_subscription_path_revenue"
        case maintenancePayers = "maintenance_payers", migrated
    }

    /// Per-trial scalars beyond `CohortModel.Scalar` (licence switch only).
    public enum Scalar: String, CaseIterable, Sendable {
        case valleyDepth = "valley_depth", valleyMonths = "valley_months"
        case overtakeMonth = "overtake_month", overtakesInHorizon = "overtakes_in_horizon"
        case licenceCustomerValue = "licence_customer_value"
    }

    // Dimensions.
    let P: Int, B: Int, H: Int, lifetime: Int, lastMonth: Int
    let NB: Int, S: Int, G: Int
    let cohortBase: Int, migrantBase: Int      // first group of each kind (-1 when absent)
    // Conditions (indices into a compartment's counts; -1 when absent).
    let sRisk: Int, sWait: Int, sBad: Int, sGood: Int
    let badMonths: Int, goodMonths: Int
    let stateMultiplier: [Double]
    // Streams (-1 when unused).
    let iParameters: Int, iTrials: Int, iPricing: Int, iOnboarding: Int, iSupport: Int
    let iMoves: Int, iUsage: Int, iDunning: Int, iLicences: Int

    // Core tables (as CohortModel).
    let mix: [Double]
    let arrivalsMean: [Double]                 // by month index m - 1, elasticity and switch applied
    let hazard: [[Double]]
    let uncertainPlans: [(plan: Int, alpha: Double, beta: Double, draw: BivariateNormal)]
    let baseTenure: [Int], basePlan: [Int], baseCountInit: [Int]
    let discount: [Double]
    let reportedCohortSlot: [Int]
    let margin: Double, cac: Double
    // Levers.
    let listPrice: [[Double]]                  // [plan][month], months 0 ... lastMonth + 1
    let repriceAt: [[(plan: Int, shock: Double, grandfather: Bool)]]   // by month
    let annualShare: [Double], annualFactor: [Double]
    let introFactor: [Double], introMonths: [Int]
    let seats: [Seats?], usage: [Usage?]
    let moveTargets: [[Int]], moveWeights: [[Double]]
    let ticketProbability: [Double], upsellTo: [Int]
    let support: Support?, onboarding: Onboarding?
    let atRiskShare: Double, rampExit: [Double]
    let freeTrial: FreeTrial?, dunning: Dunning?
    let licence: LicenceSwitch?, migrationPrice: Double
    let anyAnnual: Bool

    // Output offsets.
    let coreMonthly: [Int]
    let leverMonthly: [Monthly: Int]
    let tenureOffset: Int, cohortOffsets: [Int], coreScalar: [Int]
    let leverScalar: [Scalar: Int]

    /// - Parameters:
    ///   - scenario: the values to simulate.
    ///   - shape: decides what is simulated and reported (which streams, compartments and output
    ///     series exist) when it differs from `scenario`'s own: runs that draw some inputs per
    ///     trial pass one shape for all trials so that every trial has the same layout. It must
    ///     have the same plans, sections and integer settings as `scenario`.
    public init(_ scenario: Scenario, shape: Scenario? = nil) {
        self.scenario = scenario
        let shape = shape ?? scenario
        precondition(shape.plans.count == scenario.plans.count && shape.horizonMonths == scenario.horizonMonths
                     && shape.lifetimeMonths == scenario.lifetimeMonths)
        let plans = scenario.plans, levers = scenario.levers
        P = plans.count
        B = scenario.existing.count
        H = scenario.horizonMonths
        lifetime = scenario.lifetimeMonths
        let acquires = scenario.acquisition.newPerMonth > 0 || shape.acquisition.newPerMonth > 0
        lastMonth = acquires ? H + lifetime - 1 : H
        margin = scenario.economics.grossMargin
        cac = scenario.economics.cacPerSubscriber
        mix = scenario.acquisition.planMix
        anyAnnual = shape.plans.contains { $0.options.annualShare > 0 }
        NB = anyAnnual ? 2 : 1
        support = levers.support
        onboarding = levers.onboarding
        freeTrial = levers.freeTrial
        dunning = levers.dunning
        licence = levers.licenceSwitch

        // Conditions.
        var s = 1
        sRisk = onboarding != nil ? s : -1; if onboarding != nil { s += 1 }
        badMonths = support?.badMonths ?? 0
        goodMonths = support?.goodMonths ?? 0
        if support != nil {
            sWait = s; sBad = s + 1; sGood = s + 1 + badMonths
            s += 1 + badMonths + goodMonths
        } else {
            sWait = -1; sBad = -1; sGood = -1
        }
        S = s
        var mult = [Double](repeating: 1, count: S)
        if let o = onboarding { mult[sRisk] = o.atRiskChurnMultiplier }
        if let sp = support {
            mult[sWait] = sp.waitingChurnMultiplier
            for r in 0..<badMonths { mult[sBad + r] = sp.badChurnMultiplier }
            for r in 0..<goodMonths { mult[sGood + r] = sp.goodChurnMultiplier }
        }
        stateMultiplier = mult

        // Groups.
        cohortBase = B
        migrantBase = (shape.levers.licenceSwitch?.migrationPerMonth ?? 0) > 0 ? B + H : -1
        G = B + H + (migrantBase >= 0 ? H : 0)

        // Streams: the core ones first, in CohortModel's order.
        var names = ["acquisition", "churn"]
        func stream(_ name: String, _ used: Bool) -> Int {
            guard used else { return -1 }
            names.append(name)
            return names.count - 1
        }
        let uncertain = shape.plans.contains { $0.churnUncertainty != nil }
        iParameters = stream("parameters", uncertain)
        iTrials = stream("trials", freeTrial != nil)
        let hasShock = shape.levers.priceEvents.contains { $0.churnShock > 0 && !$0.grandfather }
        iPricing = stream("pricing", anyAnnual || hasShock)
        iOnboarding = stream("onboarding", onboarding != nil)
        iSupport = stream("support", support != nil)
        iMoves = stream("moves", shape.plans.contains { !$0.options.moves.isEmpty })
        iUsage = stream("usage", shape.plans.contains { $0.options.seats != nil || $0.options.usage != nil })
        iDunning = stream("dunning", dunning != nil)
        iLicences = stream("licences", licence != nil)
        streamNames = names

        // Prices.
        let last = lastMonth, horizon = H, hasSupport = levers.support != nil
        var list = plans.map { [Double](repeating: $0.pricePerMonth, count: last + 2) }
        var reprice = [[(plan: Int, shock: Double, grandfather: Bool)]](repeating: [], count: last + 2)
        for e in levers.priceEvents where e.month >= 1 && e.month <= last {
            for m in e.month...(last + 1) { list[e.plan][m] = e.newPricePerMonth }
            reprice[e.month].append((e.plan, e.churnShock, e.grandfather))
        }
        listPrice = list
        repriceAt = reprice
        annualShare = plans.map(\.options.annualShare)
        annualFactor = plans.map { 12 * (1 - $0.options.annualDiscount) }
        introFactor = plans.map { 1 - $0.options.introDiscount }
        introMonths = plans.map { $0.options.introDiscount > 0 ? $0.options.introMonths : 0 }
        seats = plans.map(\.options.seats)
        usage = plans.map(\.options.usage)
        moveTargets = plans.map { $0.options.moves.map(\.plan) }
        moveWeights = plans.map { p in
            let moving = p.options.moves.map(\.probability)
            return [max(0, 1 - moving.reduce(0, +))] + moving
        }
        ticketProbability = plans.map { hasSupport ? 1 - exp(-$0.options.ticketsPerMonth) : 0 }
        upsellTo = plans.map { hasSupport ? ($0.options.upsellTo ?? -1) : -1 }

        // Arrivals: growth, elasticity, switch.
        let e = levers.priceElasticity
        let reference = plans.map { $0.options.referencePrice ?? $0.pricePerMonth }
        arrivalsMean = (1...H).map { m in
            var mean = scenario.acquisition.meanArrivals(month: m)
            if let l = levers.licenceSwitch, m < l.switchMonth { mean = 0 }
            if e != 0 {
                var factor = 0.0
                for p in 0..<plans.count {
                    let ratio = reference[p] > 0 && list[p][m] > 0 ? list[p][m] / reference[p] : 1
                    factor += scenario.acquisition.planMix[p] * pow(ratio, e)
                }
                mean *= factor
            }
            return mean
        }

        // Onboarding.
        if let o = onboarding {
            // Validated by the loader: median > 0 and log-sd > 0.
            let ramp = try! Lognormal(mu: log(o.rampMedianMonths), sigma: o.rampLogSD)
            atRiskShare = ramp.survival(o.thresholdMonths)
            rampExit = (0...last).map { a in
                let from = max(Double(a), o.thresholdMonths)
                let to = Double(a + 1)
                guard to > from else { return 0 }
                let tail = ramp.survival(from)
                return tail > 0 ? min(1, max(0, (tail - ramp.survival(to)) / tail)) : 1
            }
        } else {
            atRiskShare = 0
            rampExit = []
        }
        if let l = licence {
            migrationPrice = l.migrationPricePerMonth ?? plans[l.migrationPlan].pricePerMonth
        } else {
            migrationPrice = 0
        }

        // Churn tables (as CohortModel).
        let maxTenure = scenario.existing.map(\.tenureMonths).max() ?? 0
        let maxRenewal = max(lastMonth, maxTenure + H) + 1
        hazard = plans.map { plan in
            (0...maxRenewal).map { t in t == 0 ? 0 : plan.churn.churnProbability(atRenewal: t) }
        }
        uncertainPlans = plans.enumerated().compactMap { p, plan in
            guard let u = plan.churnUncertainty, case let .shiftedBetaGeometric(a, b) = plan.churn else { return nil }
            let draw = try! BivariateNormal(meanX: 0, meanY: 0, sdX: u.seLogAlpha, sdY: u.seLogBeta, correlation: u.correlation)
            return (p, a, b, draw)
        }
        baseTenure = scenario.existing.map(\.tenureMonths)
        basePlan = scenario.existing.map(\.plan)
        baseCountInit = scenario.existing.map(\.count)
        let d = scenario.discountPerMonth
        var v = [Double](repeating: 1, count: lifetime)
        for a in 1..<max(lifetime, 1) { v[a] = v[a - 1] / (1 + d) }
        discount = v
        var slots = [Int](repeating: -1, count: H + 1)
        let cohorts = scenario.reportedCohorts.filter { $0 >= 1 && $0 <= horizon }
        for (i, c) in cohorts.enumerated() { slots[c] = i }
        reportedCohortSlot = slots

        // Layout: core monthly, lever monthly, retention, core scalars, lever scalars.
        var l = OutputLayout()
        coreMonthly = CohortModel.Monthly.allCases.map { l.add($0.rawValue, .monthly, count: horizon) }
        var lever: [Monthly: Int] = [:]
        for metric in Monthly.allCases {
            let present: Bool
            switch metric {
            case .expansionMRR, .contractionMRR, .netNewMRR, .cash, .cumulativeCash, .nrr, .grr, .involuntaryChurned:
                present = true
            case .priceShockChurned: present = hasShock
            case .trialStarts, .trialing: present = freeTrial != nil
            case .tickets, .handledTickets, .backlog, .goodResolutions, .badResolutions, .supportCost, .detractors,
                 .promoters, .supportChurn, .supportSaved, .upsells:
                present = support != nil
            case .planMoves: present = iMoves >= 0
            case .atRisk, .interventions, .saves, .interventionCost: present = onboarding != nil
            case .seats: present = seats.contains { $0 != nil }
            case .usageRevenue: present = usage.contains { $0 != nil }
            case .licencePathRevenue, .subscriptionPathRevenue, .cumulativeLicencePathRevenue,
                 .cumulativeSubscriptionPathRevenue, .maintenancePayers, .migrated:
                present = licence != nil
            }
            if present { lever[metric] = l.add(metric.rawValue, .monthly, count: H) }
        }
        leverMonthly = lever
        tenureOffset = l.add("retention", .byTenure, count: H)
        cohortOffsets = cohorts.map { c in l.add("retention_cohort_\(c)", .cohort(month: c), count: horizon - c + 1) }
        coreScalar = CohortModel.Scalar.allCases.map { l.add($0.rawValue, .scalar, count: 1) }
        var leverS: [Scalar: Int] = [:]
        if licence != nil {
            for sc in Scalar.allCases { leverS[sc] = l.add(sc.rawValue, .scalar, count: 1) }
        }
        leverScalar = leverS
        layout = l
    }

    /// The value of one licence customer (margin, discounted like CLTV over the lifetime
    /// horizon): the licence price at sale, then maintenance from the next month for as long as
    /// the customer keeps renewing,
    /// margin x (price + sum_{a=1}^{L-1} fee x s^(a-1) / (1 + d)^a), s the monthly survival.
    public var licenceCustomerValue: Double {
        guard let l = licence else { return .nan }
        var value = l.licencePrice
        let s = l.maintenanceSurvivalPerMonth
        var alive = 1.0
        for a in 1..<max(lifetime, 1) {
            value += l.maintenancePerMonth * alive * discount[a]
            alive *= s
        }
        return margin * value
    }

    /// Compartment-months x conditions one trial simulates at most (for work bounds).
    public var stepsPerTrial: Int {
        let groupMonths = B * H + (H * max(H, lastMonth > H ? lifetime : 0)) * (migrantBase >= 0 ? 2 : 1)
        return groupMonths * P * NB * S
    }

    /// Reusable per-worker buffers: flat, allocated once per worker, read and written in the hot
    /// loop without copy-on-write checks or reference counting.
    public final class Scratch {
        let count: UnsafeMutableBufferPointer<Int>            // [compartment * S + condition]
        let extraSeats: UnsafeMutableBufferPointer<Int>       // [compartment]
        let unitPrice: UnsafeMutableBufferPointer<Double>     // [compartment], monthly equivalent of the base price
        let carried: UnsafeMutableBufferPointer<Double>       // [compartment]
        let shocked: UnsafeMutableBufferPointer<Bool>         // [compartment]
        let raised: UnsafeMutableBufferPointer<Int>           // [compartment], tickets raised this month
        let arrivedByGroup: UnsafeMutableBufferPointer<Int>
        let groupValue: UnsafeMutableBufferPointer<Double>    // [(month % 13) * G + group]
        let aliveByAge: UnsafeMutableBufferPointer<Double>
        let revenueByAge: UnsafeMutableBufferPointer<Double>
        var split: [Int]
        /// Plan moves of this trial: weights [plan * maxMoves + (0 = stay, 1 + target index)],
        /// targets [plan * maxMoves + target index], and the number of targets of each plan.
        let maxMoves: Int
        let moveWeight: UnsafeMutableBufferPointer<Double>
        let moveTarget: UnsafeMutableBufferPointer<Int>
        let moveCount: UnsafeMutableBufferPointer<Int>
        let moveSplit: UnsafeMutableBufferPointer<Int>        // [0 = stay, 1 + target index]
        let moved: UnsafeMutableBufferPointer<Int>            // [target index], per compartment
        /// This trial's monthly hazards, [plan * hazardStride + renewal], and the annual ones,
        /// [plan * annualStride + year].
        let hazard: UnsafeMutableBufferPointer<Double>
        let annualHazard: UnsafeMutableBufferPointer<Double>
        let hazardStride: Int, annualStride: Int
        let trialStarts: UnsafeMutableBufferPointer<Int>
        let licenceRevenue: UnsafeMutableBufferPointer<Double>
        let subscriptionRevenue: UnsafeMutableBufferPointer<Double>

        init(compartments: Int, conditions: Int, groups: Int, horizon: Int, lifetime: Int, plans: Int,
             maxMoves: Int, hazardStride: Int) {
            func zeros<T>(_ n: Int, _ zero: T) -> UnsafeMutableBufferPointer<T> {
                let b = UnsafeMutableBufferPointer<T>.allocate(capacity: n)
                b.initialize(repeating: zero)
                return b
            }
            count = zeros(compartments * conditions, 0)
            extraSeats = zeros(compartments, 0)
            unitPrice = zeros(compartments, 0.0)
            carried = zeros(compartments, 0.0)
            shocked = zeros(compartments, false)
            raised = zeros(compartments, 0)
            arrivedByGroup = zeros(groups, 0)
            groupValue = zeros(13 * groups, 0.0)
            aliveByAge = zeros(horizon, 0.0)
            revenueByAge = zeros(lifetime, 0.0)
            split = .init(repeating: 0, count: plans)
            self.maxMoves = maxMoves
            moveWeight = zeros(plans * maxMoves, 0.0)
            moveTarget = zeros(plans * maxMoves, 0)
            moveCount = zeros(plans, 0)
            moveSplit = zeros(maxMoves, 0)
            moved = zeros(maxMoves, 0)
            self.hazardStride = hazardStride
            annualStride = (hazardStride - 1) / 12 + 1
            hazard = zeros(plans * hazardStride, 0.0)
            annualHazard = zeros(plans * annualStride, 0.0)
            trialStarts = zeros(horizon + 1, 0)
            licenceRevenue = zeros(horizon + 1, 0.0)
            subscriptionRevenue = zeros(horizon + 1, 0.0)
        }

        deinit {
            for b in [count, extraSeats, raised, arrivedByGroup, moveTarget, moveCount, moveSplit, moved,
                      trialStarts] { b.deallocate() }
            for b in [unitPrice, carried, groupValue, aliveByAge, revenueByAge, moveWeight, hazard, annualHazard, licenceRevenue,
                      subscriptionRevenue] { b.deallocate() }
            shocked.deallocate()
        }
    }

    public func makeScratch() -> Scratch {
        Scratch(compartments: G * P * NB, conditions: S, groups: G, horizon: H, lifetime: lifetime, plans: P,
                maxMoves: moveWeights.map(\.count).max() ?? 1, hazardStride: hazard[0].count)
    }

    @inline(__always) func compartment(_ g: Int, _ p: Int, _ b: Int) -> Int { (g * P + p) * NB + b }

    /// The month a group started and the renewals it had paid before (tenure).
    @inline(__always) func groupStart(_ g: Int) -> Int {
        if g < B { return 1 }
        if migrantBase >= 0 && g >= migrantBase { return g - migrantBase + 1 }
        return g - cohortBase + 1
    }

    /// Simulates one trial and writes `layout.width` values into `out`.
    public func simulate(streams: [RandomGenerator], scratch: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        let s = scratch
        // The arrays the GSL wrappers fill are held in locals for the trial (no exclusivity
        // checks on a class property per access) and handed back at the end.
        var split: [Int] = []
        swap(&split, &s.split)
        defer { swap(&split, &s.split) }
        precondition(out.count == layout.width && streams.count == streamNames.count)
        // The streams, held in locals so that the hot loop does not retain and release them per
        // draw; an unused stream's local is never drawn from.
        let acquisition = streams[0], churn = streams[1]
        func stream(_ i: Int) -> RandomGenerator { i >= 0 ? streams[i] : churn }
        let rTrials = stream(iTrials), rPricing = stream(iPricing), rOnboarding = stream(iOnboarding)
        let rSupport = stream(iSupport), rMoves = stream(iMoves), rUsage = stream(iUsage)
        let rDunning = stream(iDunning), rLicences = stream(iLicences)
        let HS = s.hazardStride, AS = s.annualStride
        // 0. parameters: the model's hazards, redrawn for plans whose parameters are uncertain.
        for p in 0..<P {
            precondition(hazard[p].count == HS, "a scenario of this shape has another hazard table length")
            for t in 0..<HS { s.hazard[p * HS + t] = hazard[p][t] }
        }
        let MW = s.maxMoves
        for p in 0..<P {
            precondition(moveWeights[p].count <= MW, "a scenario of this shape has more plan moves")
            s.moveCount[p] = moveTargets[p].count
            for (d, q) in moveTargets[p].enumerated() { s.moveTarget[p * MW + d] = q }
            for (j, w) in moveWeights[p].enumerated() { s.moveWeight[p * MW + j] = w }
        }
        for (p, alphaHat, betaHat, draw) in uncertainPlans {
            let (za, zb) = draw.sample(using: streams[iParameters])
            let a = alphaHat * exp(za), b = betaHat * exp(zb)
            for t in 1..<HS { s.hazard[p * HS + t] = a / (a + b + Double(t) - 1) }
        }
        if anyAnnual {
            // Annual renewal k: the probability of leaving over months 12k - 11 ... 12k.
            for p in 0..<P {
                let years = (HS - 1) / 12
                for k in 0..<AS { s.annualHazard[p * AS + k] = 0 }
                for k in stride(from: 1, through: years, by: 1) {
                    var keep = 1.0
                    for t in (12 * k - 11)...(12 * k) { keep *= 1 - s.hazard[p * HS + t] }
                    s.annualHazard[p * AS + k] = 1 - keep
                }
            }
        }
        for i in 0..<s.count.count { s.count[i] = 0 }
        for i in 0..<s.extraSeats.count {
            s.extraSeats[i] = 0; s.carried[i] = 0
            s.shocked[i] = false; s.raised[i] = 0; s.unitPrice[i] = 0
        }
        for g in 0..<G { s.arrivedByGroup[g] = 0 }
        for i in 0..<s.groupValue.count { s.groupValue[i] = 0 }
        for a in 0..<H { s.aliveByAge[a] = 0 }
        for a in 0..<lifetime { s.revenueByAge[a] = 0 }
        for m in 0...H { s.trialStarts[m] = 0; s.licenceRevenue[m] = 0; s.subscriptionRevenue[m] = 0 }
        for i in 0..<out.count { out[i] = .nan }

        // Existing base: healthy, at month 1's list prices, seats drawn at the start.
        for i in 0..<B {
            let p = basePlan[i]
            for q in 0..<P { s.unitPrice[compartment(i, q, 0)] = scenario.plans[q].pricePerMonth }
            let c = compartment(i, p, 0)
            s.count[c * S] = baseCountInit[i]
            if let seat = seats[p], baseCountInit[i] > 0, seat.meanAtSignup > 1 {
                s.extraSeats[c] = Poisson.drawAnySize(mean: Double(baseCountInit[i]) * (seat.meanAtSignup - 1), using: rUsage)
            }
        }

        var acquiredTotal = 0
        var lifetimeRevenue = 0.0, cumulativeRevenue = 0.0, cumulativeCash = 0.0
        var churnedTotal = 0
        var backlog = 0
        var maintenanceL = licence?.installedBase ?? 0, maintenanceS = maintenanceL
        var cumulativeL = 0.0, cumulativeS = 0.0

        for m in 1...lastMonth {
            let inHorizon = m <= H
            let slot = (m % 13) * G
            if inHorizon { for g in 0..<G { s.groupValue[slot + g] = 0 } }
            let firstCohort = inHorizon ? 1 : max(1, m - lifetime + 1)
            let lastCohort = min(m, H)
            // Groups simulated this month, in order: existing, acquisition cohorts, migrants.
            let groups: [Range<Int>] = [
                inHorizon ? 0..<B : 0..<0,
                firstCohort <= lastCohort ? (cohortBase + firstCohort - 1)..<(cohortBase + lastCohort) : 0..<0,
                (inHorizon && migrantBase >= 0) ? migrantBase..<(migrantBase + m) : 0..<0,
            ]

            // 1. prices
            for event in repriceAt[m] {
                for range in groups {
                    for g in range where g < B || groupStart(g) < m {
                        for b in 0..<NB {
                            let c = compartment(g, event.plan, b)
                            if event.grandfather { continue }
                            s.unitPrice[c] = b == 0 ? listPrice[event.plan][m] : listPrice[event.plan][m] * annualFactor[event.plan] / 12
                            if event.shock > 0 { s.shocked[c] = true }
                        }
                    }
                }
            }

            // 2. arrivals
            var arrivals = 0, trialStartsNow = 0, trialing = 0
            var migrated = 0
            if inHorizon {
                let drawn = Poisson.draw(mean: arrivalsMean[m - 1], using: acquisition)
                if let t = freeTrial {
                    s.trialStarts[m] = drawn
                    trialStartsNow = drawn
                    if m - t.months >= 1 {
                        arrivals = Binomial.draw(trials: s.trialStarts[m - t.months], probability: t.conversion, using: rTrials)
                    }
                    for k in max(1, m - t.months + 1)...m { trialing += s.trialStarts[k] }
                } else {
                    arrivals = drawn
                }
                acquiredTotal += arrivals
                let g = cohortBase + m - 1
                for q in 0..<P {
                    for b in 0..<NB {
                        s.unitPrice[compartment(g, q, b)] = b == 0 ? listPrice[q][m] : listPrice[q][m] * annualFactor[q] / 12
                    }
                }
                s.arrivedByGroup[g] = arrivals
                if P == 1 {
                    split[0] = arrivals
                } else if arrivals > 0 {
                    Multinomial.draw(trials: arrivals, weights: mix, into: &split, using: acquisition)
                } else {
                    for p in 0..<P { split[p] = 0 }
                }
                for p in 0..<P where split[p] > 0 {
                    var annual = 0
                    if annualShare[p] > 0 {
                        annual = Binomial.draw(trials: split[p], probability: annualShare[p], using: rPricing)
                    }
                    for b in 0..<NB {
                        let n = b == 0 ? split[p] - annual : annual
                        if n == 0 { continue }
                        let c = compartment(g, p, b)
                        var risk = 0
                        if sRisk >= 0 {
                            risk = Binomial.draw(trials: n, probability: atRiskShare, using: rOnboarding)
                            s.count[c * S + sRisk] = risk
                        }
                        s.count[c * S] = n - risk
                        if let seat = seats[p], seat.meanAtSignup > 1 {
                            s.extraSeats[c] = Poisson.drawAnySize(mean: Double(n) * (seat.meanAtSignup - 1), using: rUsage)
                        }
                    }
                }
                if let l = licence, m >= l.switchMonth, migrantBase >= 0 {
                    migrated = Binomial.draw(trials: maintenanceS, probability: l.migrationPerMonth, using: rLicences)
                    maintenanceS -= migrated
                    let g = migrantBase + m - 1
                    for q in 0..<P { s.unitPrice[compartment(g, q, 0)] = listPrice[q][m] }
                    let c = compartment(g, l.migrationPlan, 0)
                    s.unitPrice[c] = migrationPrice
                    s.count[c * S] = migrated
                    if let seat = seats[l.migrationPlan], migrated > 0, seat.meanAtSignup > 1 {
                        s.extraSeats[c] = Poisson.drawAnySize(mean: Double(migrated) * (seat.meanAtSignup - 1), using: rUsage)
                    }
                }
            }

            // 3. seats and plan moves of compartments that started before this month
            var moves = 0
            if iUsage >= 0 || iMoves >= 0 {
                for range in groups {
                    for g in range where groupStart(g) < m {
                        for p in 0..<P {
                            for b in 0..<NB {
                                let c = compartment(g, p, b)
                                let n = total(s.count, c)
                                if n == 0 { continue }
                                if let seat = seats[p] {
                                    if seat.contractionPerMonth > 0 && s.extraSeats[c] > 0 {
                                        s.extraSeats[c] -= Binomial.drawAnySize(trials: s.extraSeats[c], probability: seat.contractionPerMonth, using: rUsage)
                                    }
                                    if seat.expansionPerMonth > 0 {
                                        s.extraSeats[c] += Poisson.drawAnySize(mean: Double(n) * seat.expansionPerMonth, using: rUsage)
                                    }
                                }
                                let targets = s.moveCount[p]
                                if targets == 0 { continue }
                                let weights = UnsafeBufferPointer(rebasing: s.moveWeight[(p * MW)..<(p * MW + targets + 1)])
                                let moved = s.moved, moveSplit = s.moveSplit
                                for d in 0..<targets { moved[d] = 0 }
                                for st in 0..<S {
                                    let k = s.count[c * S + st]
                                    if k == 0 { continue }
                                    Multinomial.draw(trials: k, weights: weights, into: moveSplit, using: rMoves)
                                    for d in 0..<targets where moveSplit[d + 1] > 0 {
                                        let x = moveSplit[d + 1]
                                        s.count[c * S + st] -= x
                                        s.count[compartment(g, s.moveTarget[p * MW + d], b) * S + st] += x
                                        moved[d] += x
                                    }
                                }
                                var remaining = n
                                for d in 0..<targets where moved[d] > 0 {
                                    transfer(s, from: c, to: compartment(g, s.moveTarget[p * MW + d], b), movers: moved[d], of: remaining,
                                             usage: rUsage, seatsOf: p)
                                    remaining -= moved[d]
                                    moves += moved[d]
                                }
                            }
                        }
                    }
                }
            }

            // 4. support
            var tickets = 0, handled = 0, good = 0, bad = 0, upsells = 0
            if let sp = support {
                let g0 = rSupport
                var waitingBefore = 0
                for range in groups {
                    for g in range {
                        for p in 0..<P {
                            for b in 0..<NB {
                                let c = compartment(g, p, b)
                                waitingBefore += s.count[c * S + sWait]
                                if ticketProbability[p] <= 0 { continue }
                                var raised = 0
                                for st in 0..<S where st != sWait {
                                    let n = s.count[c * S + st]
                                    if n == 0 { continue }
                                    let k = Binomial.draw(trials: n, probability: ticketProbability[p], using: g0)
                                    s.count[c * S + st] -= k
                                    raised += k
                                }
                                s.raised[c] = raised
                                tickets += raised
                            }
                        }
                    }
                }
                let capacity = sp.capacity
                let oldHandled = min(capacity, waitingBefore)
                let newHandled = min(capacity - oldHandled, tickets)
                let quality = capacity > 0
                    ? sp.firstContactResolution * exp(-sp.backlogPenalty * Double(waitingBefore) / Double(capacity)) : 0
                var oldLeft = waitingBefore, oldTake = oldHandled, newLeft = tickets, newTake = newHandled
                for range in groups {
                    for g in range {
                        for p in 0..<P {
                            for b in 0..<NB {
                                let c = compartment(g, p, b)
                                let w = s.count[c * S + sWait], r = s.raised[c]
                                s.raised[c] = 0
                                if w == 0 && r == 0 { continue }
                                let ho = Hypergeometric.draw(marked: w, unmarked: oldLeft - w, sample: oldTake, using: g0)
                                oldLeft -= w; oldTake -= ho
                                let hn = Hypergeometric.draw(marked: r, unmarked: newLeft - r, sample: newTake, using: g0)
                                newLeft -= r; newTake -= hn
                                let h = ho + hn
                                s.count[c * S + sWait] = w - ho + r - hn
                                if h == 0 { continue }
                                let ok = Binomial.draw(trials: h, probability: quality, using: g0)
                                s.count[c * S + sGood + goodMonths - 1] += ok
                                s.count[c * S + sBad + badMonths - 1] += h - ok
                                handled += h; good += ok; bad += h - ok
                                let target = upsellTo[p]
                                if target >= 0 && ok > 0 && sp.upsellProbability > 0 {
                                    let u = Binomial.draw(trials: ok, probability: sp.upsellProbability, using: g0)
                                    if u > 0 {
                                        let n = total(s.count, c)
                                        let d = compartment(g, target, b)
                                        s.count[c * S + sGood + goodMonths - 1] -= u
                                        s.count[d * S + sGood + goodMonths - 1] += u
                                        transfer(s, from: c, to: d, movers: u, of: n, usage: rUsage, seatsOf: p)
                                        upsells += u
                                    }
                                }
                            }
                        }
                    }
                }
                backlog = waitingBefore + tickets - handled
            }

            // 5. interventions
            var interventions = 0, saves = 0
            if let o = onboarding {
                var room = o.capacityPerMonth ?? Int.max
                for range in groups {
                    for g in range {
                        for p in 0..<P {
                            for b in 0..<NB {
                                let c = compartment(g, p, b)
                                let r = s.count[c * S + sRisk]
                                if r == 0 || o.detectionRate <= 0 { continue }
                                let detected = Binomial.draw(trials: r, probability: o.detectionRate, using: rOnboarding)
                                let treated = min(detected, room)
                                room -= treated
                                interventions += treated
                                let saved = Binomial.draw(trials: treated, probability: o.successRate, using: rOnboarding)
                                s.count[c * S + sRisk] -= saved
                                s.count[c * S] += saved
                                saves += saved
                            }
                        }
                    }
                }
            }

            // 6. billing and 7. renewals, compartment by compartment
            var active = 0, churned = 0, involuntary = 0, shockChurned = 0, supportChurn = 0, supportSaved = 0
            var mrr = 0.0, churnedMRR = 0.0, newMRR = 0.0, expansion = 0.0, contraction = 0.0, cash = 0.0
            var atRisk = 0, detractors = 0, promoters = 0, seatCount = 0, usageRevenue = 0.0
            for (kind, range) in groups.enumerated() {
                for g in range {
                    let start = groupStart(g)
                    let age = m - start
                    let renewal = (g < B ? baseTenure[g] : 0) + age + 1
                    let acquired = kind == 1
                    let isNew = kind != 0 && age == 0
                    let reported = acquired && inHorizon ? reportedCohortSlot[start] : -1
                    var groupAlive = 0
                    var groupValue = 0.0
                    for p in 0..<P {
                        for b in 0..<NB {
                            let c = compartment(g, p, b)
                            let n = total(s.count, c)
                            if n == 0 { s.carried[c] = 0; continue }
                            groupAlive += n
                            // 6. billing
                            var base = s.unitPrice[c] * Double(n)
                            if age < introMonths[p] { base *= introFactor[p] }
                            var v = base
                            if let seat = seats[p] {
                                v += seat.pricePerSeat * Double(n + s.extraSeats[c])
                                if inHorizon { seatCount += n + s.extraSeats[c] }
                            }
                            var usageValue = 0.0
                            if let u = usage[p] {
                                // Capped so that decades of compound growth cannot overflow.
                                let mean = min(u.meanUnitsPerMonth * pow(1 + u.growthPerMonth, Double(age)), Usage.maximumMeanUnits)
                                let cv2 = u.cv * u.cv
                                usageValue = u.pricePerUnit * Gamma.draw(shape: Double(n) / cv2, scale: mean * cv2, using: rUsage)
                                v += usageValue
                                if inHorizon { usageRevenue += usageValue }
                            }
                            groupValue += v
                            if acquired && age < lifetime {
                                lifetimeRevenue += v * discount[age]
                                s.revenueByAge[age] += v
                            }
                            let yearStart = b == 1 && age % 12 == 0
                            let monthCash = b == 0 ? v : (v - base) + (yearStart ? 12 * base : 0)
                            if inHorizon {
                                active += n
                                mrr += v
                                cash += monthCash
                                if isNew || (g < B && m == 1) {
                                    if isNew { newMRR += v }
                                } else {
                                    let delta = v - s.carried[c]
                                    if delta > 0 { expansion += delta } else { contraction -= delta }
                                }
                                if sRisk >= 0 { atRisk += s.count[c * S + sRisk] }
                                if sBad >= 0 {
                                    for r in 0..<badMonths { detractors += s.count[c * S + sBad + r] }
                                    for r in 0..<goodMonths { promoters += s.count[c * S + sGood + r] }
                                }
                            }
                            // 7. renewals
                            let h: Double
                            if b == 0 {
                                h = s.hazard[p * HS + renewal]
                            } else {
                                h = renewal % 12 == 0 ? s.annualHazard[p * AS + renewal / 12] : 0
                            }
                            var leaving = 0
                            for st in 0..<S {
                                let k = s.count[c * S + st]
                                if k == 0 { continue }
                                let x = stateMultiplier[st]
                                var gone = Binomial.draw(trials: k, probability: h, using: churn)
                                if x > 1 && h < 1 {
                                    let extra = Binomial.draw(trials: k - gone, probability: (min(1, x * h) - h) / (1 - h), using: churn)
                                    gone += extra
                                    if st == sWait || (sBad >= 0 && st >= sBad && st < sBad + badMonths) { supportChurn += extra }
                                } else if x < 1 && gone > 0 {
                                    let kept = Binomial.draw(trials: gone, probability: 1 - x, using: churn)
                                    gone -= kept
                                    if sGood >= 0 && st >= sGood { supportSaved += kept }
                                }
                                if s.shocked[c] {
                                    let shock = repriceShock(m, plan: p)
                                    let x2 = Binomial.draw(trials: k - gone, probability: shock, using: rPricing)
                                    gone += x2
                                    shockChurned += x2
                                }
                                if let dn = dunning, b == 0 || renewal % 12 == 0 {
                                    let failed = Binomial.draw(trials: k - gone, probability: dn.failureRate, using: rDunning)
                                    let lost = Binomial.draw(trials: failed, probability: 1 - dn.recoveryProbability, using: rDunning)
                                    gone += lost
                                    if inHorizon { involuntary += lost }
                                }
                                s.count[c * S + st] = k - gone
                                leaving += gone
                            }
                            s.shocked[c] = false
                            var leavingValue = s.unitPrice[c] * Double(leaving)
                            if age < introMonths[p] { leavingValue *= introFactor[p] }
                            if let seat = seats[p] {
                                let e = s.extraSeats[c]
                                let eLeaving = leaving == n ? e : Binomial.drawAnySize(trials: e, probability: Double(leaving) / Double(n), using: rUsage)
                                s.extraSeats[c] = e - eLeaving
                                leavingValue += seat.pricePerSeat * Double(leaving + eLeaving)
                            }
                            if usageValue > 0 { leavingValue += usageValue * Double(leaving) / Double(n) }
                            s.carried[c] = v - leavingValue
                            if inHorizon {
                                churned += leaving
                                churnedMRR += leavingValue
                            }
                            // 8. ageing
                            if sBad >= 0 {
                                let o = c * S
                                s.count[o] += s.count[o + sBad] + s.count[o + sGood]
                                for r in 0..<(badMonths - 1) { s.count[o + sBad + r] = s.count[o + sBad + r + 1] }
                                s.count[o + sBad + badMonths - 1] = 0
                                for r in 0..<(goodMonths - 1) { s.count[o + sGood + r] = s.count[o + sGood + r + 1] }
                                s.count[o + sGood + goodMonths - 1] = 0
                            }
                            if sRisk >= 0 {
                                let r = s.count[c * S + sRisk]
                                if r > 0 && age < rampExit.count {
                                    let done = Binomial.draw(trials: r, probability: rampExit[age], using: rOnboarding)
                                    s.count[c * S + sRisk] = r - done
                                    s.count[c * S] += done
                                }
                            }
                        }
                    }
                    if inHorizon {
                        s.groupValue[slot + g] = groupValue
                        if acquired {
                            s.aliveByAge[age] += Double(groupAlive)
                            if reported >= 0, s.arrivedByGroup[g] > 0 {
                                out[cohortOffsets[reported] + age] = Double(groupAlive) / Double(s.arrivedByGroup[g])
                            }
                        }
                    }
                }
            }

            // 9. licence paths and record
            if inHorizon, let l = licence {
                let gl = rLicences
                let fee = l.maintenancePerMonth
                if m < l.switchMonth {
                    let sold = Poisson.draw(mean: l.licencesPerMonth, using: gl)
                    let revenue = Double(sold) * l.licencePrice + Double(maintenanceL) * fee
                    s.licenceRevenue[m] = revenue
                    s.subscriptionRevenue[m] = revenue + mrr
                    maintenanceL = Binomial.draw(trials: maintenanceL, probability: l.maintenanceSurvivalPerMonth, using: gl) + sold
                    maintenanceS = maintenanceL
                } else {
                    let sold = Poisson.draw(mean: l.licencesPerMonth, using: gl)
                    s.licenceRevenue[m] = Double(sold) * l.licencePrice + Double(maintenanceL) * fee
                    s.subscriptionRevenue[m] = Double(maintenanceS) * fee + mrr
                    maintenanceL = Binomial.draw(trials: maintenanceL, probability: l.maintenanceSurvivalPerMonth, using: gl) + sold
                    maintenanceS = Binomial.draw(trials: maintenanceS, probability: l.maintenanceSurvivalPerMonth, using: gl)
                }
                cumulativeL += s.licenceRevenue[m]
                cumulativeS += s.subscriptionRevenue[m]
                put(out, .licencePathRevenue, m, s.licenceRevenue[m])
                put(out, .subscriptionPathRevenue, m, s.subscriptionRevenue[m])
                put(out, .cumulativeLicencePathRevenue, m, cumulativeL)
                put(out, .cumulativeSubscriptionPathRevenue, m, cumulativeS)
                put(out, .maintenancePayers, m, Double(maintenanceS))
                put(out, .migrated, m, Double(migrated))
            }
            if inHorizon {
                let j = m - 1
                cumulativeRevenue += mrr
                cumulativeCash += cash
                churnedTotal += churned
                out[coreMonthly[0] + j] = Double(active)
                out[coreMonthly[1] + j] = Double(arrivals)
                out[coreMonthly[2] + j] = Double(churned)
                out[coreMonthly[3] + j] = mrr
                out[coreMonthly[4] + j] = 12 * mrr
                out[coreMonthly[5] + j] = active > 0 ? mrr / Double(active) : .nan
                out[coreMonthly[6] + j] = active > 0 ? Double(churned) / Double(active) : .nan
                out[coreMonthly[7] + j] = mrr > 0 ? churnedMRR / mrr : .nan
                out[coreMonthly[8] + j] = cumulativeRevenue
                out[coreMonthly[9] + j] = newMRR
                out[coreMonthly[10] + j] = churnedMRR
                put(out, .expansionMRR, m, expansion)
                put(out, .contractionMRR, m, contraction)
                put(out, .netNewMRR, m, newMRR + expansion - contraction - churnedMRR)
                put(out, .cash, m, cash)
                put(out, .cumulativeCash, m, cumulativeCash)
                if m > 12 {
                    let before = ((m - 12) % 13) * G
                    var now = 0.0, then = 0.0, kept = 0.0
                    for range in groups {
                        for g in range where groupStart(g) <= m - 12 {
                            let a = s.groupValue[slot + g], b = s.groupValue[before + g]
                            now += a; then += b; kept += min(a, b)
                        }
                    }
                    if then > 0 {
                        put(out, .nrr, m, now / then)
                        put(out, .grr, m, kept / then)
                    }
                }
                put(out, .involuntaryChurned, m, Double(involuntary))
                put(out, .priceShockChurned, m, Double(shockChurned))
                put(out, .trialStarts, m, Double(trialStartsNow))
                put(out, .trialing, m, Double(trialing))
                put(out, .tickets, m, Double(tickets))
                put(out, .handledTickets, m, Double(handled))
                put(out, .backlog, m, Double(backlog))
                put(out, .goodResolutions, m, Double(good))
                put(out, .badResolutions, m, Double(bad))
                put(out, .supportCost, m, support?.costPerMonth ?? 0)
                put(out, .detractors, m, Double(detractors))
                put(out, .promoters, m, Double(promoters))
                put(out, .supportChurn, m, Double(supportChurn))
                put(out, .supportSaved, m, Double(supportSaved))
                put(out, .upsells, m, Double(upsells))
                put(out, .planMoves, m, Double(moves))
                put(out, .atRisk, m, Double(atRisk))
                put(out, .interventions, m, Double(interventions))
                put(out, .saves, m, Double(saves))
                put(out, .interventionCost, m, Double(interventions) * (onboarding?.costPerIntervention ?? 0))
                put(out, .seats, m, Double(seatCount))
                put(out, .usageRevenue, m, usageRevenue)
            }
        }

        // Pooled retention by tenure.
        var arrivedUpTo = 0
        for a in stride(from: H - 1, through: 0, by: -1) {
            arrivedUpTo += s.arrivedByGroup[cohortBase + H - a - 1]
            if arrivedUpTo > 0 { out[tenureOffset + a] = s.aliveByAge[a] / Double(arrivedUpTo) }
        }
        // Per-trial scalars (as CohortModel).
        CohortModel.writeScalars(into: out, at: coreScalar, acquired: acquiredTotal, lifetimeRevenue: lifetimeRevenue,
                                 revenueByAge: Array(s.revenueByAge), cumulativeRevenue: cumulativeRevenue, churned: churnedTotal,
                                 margin: margin, cac: cac)
        if let l = licence { switchScalars(l, s, out) }
    }

    /// Valley, overtake month and licence customer value of one trial.
    func switchScalars(_ l: LicenceSwitch, _ s: Scratch, _ out: UnsafeMutableBufferPointer<Double>) {
        var depth = 0.0, valley = 0, recovered = false
        var cumulativeL = 0.0, cumulativeS = 0.0
        var overtake: Int? = nil
        for m in 1...H {
            cumulativeL += s.licenceRevenue[m]
            cumulativeS += s.subscriptionRevenue[m]
            guard m >= l.switchMonth else { continue }
            let gap = s.licenceRevenue[m] - s.subscriptionRevenue[m]
            depth = max(depth, gap)
            if !recovered {
                if gap > 0 { valley += 1 } else { recovered = true }
            }
            if overtake == nil && cumulativeS >= cumulativeL { overtake = m }
        }
        out[leverScalar[.valleyDepth]!] = depth
        out[leverScalar[.valleyMonths]!] = Double(valley)
        if let o = overtake { out[leverScalar[.overtakeMonth]!] = Double(o) }
        out[leverScalar[.overtakesInHorizon]!] = overtake == nil ? 0 : 1
        out[leverScalar[.licenceCustomerValue]!] = licenceCustomerValue
    }

    @inline(__always) func put(_ out: UnsafeMutableBufferPointer<Double>, _ metric: Monthly, _ m: Int, _ x: Double) {
        if let o = leverMonthly[metric] { out[o + m - 1] = x }
    }

    @inline(__always) func total(_ count: UnsafeMutableBufferPointer<Int>, _ c: Int) -> Int {
        var n = 0
        for st in 0..<S { n += count[c * S + st] }
        return n
    }

    func repriceShock(_ m: Int, plan p: Int) -> Double {
        var shock = 0.0
        for e in repriceAt[m] where e.plan == p && !e.grandfather { shock = e.shock }
        return shock
    }

    /// Moves the seats and carried MRR of `movers` of the `of` subscribers of compartment `c` to
    /// `d` (the counts by condition are moved by the caller). Extra seats are i.i.d. Poisson
    /// across a compartment's subscribers, so the movers' share is Binomial(E, movers / of).
    func transfer(_ s: Scratch, from c: Int, to d: Int, movers: Int, of n: Int, usage: RandomGenerator, seatsOf p: Int) {
        guard n > 0 else { return }
        let share = Double(movers) / Double(n)
        if seats[p] != nil {
            let e = s.extraSeats[c]
            let moved = movers == n ? e : Binomial.drawAnySize(trials: e, probability: share, using: usage)
            s.extraSeats[c] -= moved
            s.extraSeats[d] += moved
        }
        let carried = s.carried[c] * share
        s.carried[c] -= carried
        s.carried[d] += carried
    }
}

extension LeverModel: TrialModel {
    public var outputWidth: Int { layout.width }
}
