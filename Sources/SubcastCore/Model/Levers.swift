/// The business levers of a scenario: support, onboarding, pricing, seats and usage, plan
/// moves, dunning and the switch from licences. Every lever is off by default; with all of them
/// off, `PipelineModel` reproduces `CohortModel` bit for bit. Per-plan levers live in
/// `PlanOptions` (`Plan.options`).
///
/// All levers act on counts of subscribers in compartments, through binomial, multinomial,
/// Poisson, hypergeometric and gamma draws, so a trial's cost does not depend on the number of
/// subscribers. See `PipelineModel` for the order of events in a month.
public struct Levers: Sendable, Hashable {
    public var support: Support?
    public var onboarding: Onboarding?
    /// Dated list-price changes, in month order.
    public var priceEvents: [PriceEvent]
    /// Price elasticity of acquisition e: the month's mean arrivals are multiplied by
    /// sum_p mix_p (price_p(m) / referencePrice_p)^e (0 = prices do not affect acquisition).
    public var priceElasticity: Double
    public var freeTrial: FreeTrial?
    public var dunning: Dunning?
    public var licenceSwitch: LicenceSwitch?
    /// Word of mouth: customers refer new ones (nil = off).
    public var referrals: Referrals?
    /// Costs beyond the support agents and interventions, and the opening cash (nil = none).
    public var costs: Costs?
    /// Churn response to price (nil = price does not affect churn).
    public var priceChurn: PriceChurn?

    public init(support: Support? = nil, onboarding: Onboarding? = nil, priceEvents: [PriceEvent] = [],
                priceElasticity: Double = 0, freeTrial: FreeTrial? = nil, dunning: Dunning? = nil,
                licenceSwitch: LicenceSwitch? = nil, referrals: Referrals? = nil, costs: Costs? = nil,
                priceChurn: PriceChurn? = nil) {
        self.support = support
        self.onboarding = onboarding
        self.priceEvents = priceEvents
        self.priceElasticity = priceElasticity
        self.freeTrial = freeTrial
        self.dunning = dunning
        self.licenceSwitch = licenceSwitch
        self.referrals = referrals
        self.costs = costs
        self.priceChurn = priceChurn
    }

    /// True when no scenario-level lever is set.
    public var isEmpty: Bool {
        support == nil && onboarding == nil && priceEvents.isEmpty && priceElasticity == 0
            && freeTrial == nil && dunning == nil && licenceSwitch == nil && referrals == nil && costs == nil
            && priceChurn == nil
    }
}

/// Customer support, the retention engine.
///
/// Each month every active subscriber without an open ticket raises one with probability
/// 1 - exp(-rate) (rate = the plan's `ticketsPerMonth`). Agents handle at most
/// `agents x ticketsPerAgentPerMonth` tickets a month, oldest first; the rest wait in a backlog
/// that carries over. A handled ticket is resolved well with probability
/// `firstContactResolution x exp(-backlogPenalty x backlog / capacity)` (backlog at the start
/// of the month, in months of capacity), else badly. A bad resolution makes the subscriber a
/// detractor for `badMonths` months (churn hazard x `badChurnMultiplier`); a good one a promoter
/// for `goodMonths` months (hazard x `goodChurnMultiplier`) with a chance `upsellProbability` of
/// an upgrade to the plan's `upsellTo` plan.
public struct Support: Sendable, Hashable {
    /// Agents, >= 0 (month 1's when `agentsSchedule` is set).
    public var agents: Double
    /// A hiring plan: agents by month (nil = `agents` in every month).
    public var agentsSchedule: Schedule?
    /// Tickets one agent resolves a month, > 0 (month 1's when `ticketsPerAgentSchedule` is set).
    public var ticketsPerAgentPerMonth: Double
    /// Productivity by month (tooling, training), nil = constant.
    public var ticketsPerAgentSchedule: Schedule?
    /// Cost of one agent a month, >= 0 (month 1's when `costPerAgentSchedule` is set).
    public var costPerAgentPerMonth: Double
    /// Pay by month (raises), nil = `costPerAgentPerMonth` in every month.
    public var costPerAgentSchedule: Schedule?
    /// Probability that a ticket handled without backlog is resolved well, in [0, 1].
    public var firstContactResolution: Double
    /// How fast quality falls with the backlog (per month of capacity waiting), >= 0.
    public var backlogPenalty: Double
    /// Churn hazard multiplier while a ticket waits in the backlog, >= 0 (default 1).
    public var waitingChurnMultiplier: Double
    /// Churn hazard multiplier of a detractor, >= 0.
    public var badChurnMultiplier: Double
    /// Months a detractor stays one, >= 1.
    public var badMonths: Int
    /// Churn hazard multiplier of a promoter, >= 0.
    public var goodChurnMultiplier: Double
    /// Months a promoter stays one, >= 1.
    public var goodMonths: Int
    /// Probability that a well resolved ticket leads to an upgrade, in [0, 1].
    public var upsellProbability: Double

    public init(agents: Double, ticketsPerAgentPerMonth: Double, costPerAgentPerMonth: Double = 0,
                firstContactResolution: Double, backlogPenalty: Double = 0, waitingChurnMultiplier: Double = 1,
                badChurnMultiplier: Double = 1, badMonths: Int = 1, goodChurnMultiplier: Double = 1,
                goodMonths: Int = 1, upsellProbability: Double = 0) {
        self.agents = agents
        self.ticketsPerAgentPerMonth = ticketsPerAgentPerMonth
        self.costPerAgentPerMonth = costPerAgentPerMonth
        self.firstContactResolution = firstContactResolution
        self.backlogPenalty = backlogPenalty
        self.waitingChurnMultiplier = waitingChurnMultiplier
        self.badChurnMultiplier = badChurnMultiplier
        self.badMonths = badMonths
        self.goodChurnMultiplier = goodChurnMultiplier
        self.goodMonths = goodMonths
        self.upsellProbability = upsellProbability
    }

    /// Tickets handled a month at most (rounded down).
    public var capacity: Int { Int((agents * ticketsPerAgentPerMonth).rounded(.down)) }
    public var costPerMonth: Double { agents * costPerAgentPerMonth }
    /// Agents in month m.
    public func agents(month m: Int) -> Double { agentsSchedule?.value(month: m) ?? agents }
}

/// Onboarding and management by exception.
///
/// A new subscriber's ramp-up time R is lognormal with median `rampMedianMonths` and log-sd
/// `rampLogSD`. Those with R > `thresholdMonths` are at risk from their first month (probability
/// q = P(R > threshold)): their churn hazard is multiplied by `atRiskChurnMultiplier`, until
/// they finish ramping up (each month an at-risk subscriber of age a finishes with the
/// conditional probability P(R <= a + 1 | R > max(a, threshold))) or an intervention saves them.
/// Each month the exception report detects each at-risk subscriber with probability
/// `detectionRate`; up to `capacityPerMonth` detected ones get an intervention that succeeds
/// with `successRate` and costs `costPerIntervention`.
public struct Onboarding: Sendable, Hashable {
    public var rampMedianMonths: Double
    public var rampLogSD: Double
    public var thresholdMonths: Double
    public var atRiskChurnMultiplier: Double
    public var detectionRate: Double
    public var successRate: Double
    public var costPerIntervention: Double
    /// Cost per intervention by month, nil = `costPerIntervention` in every month.
    public var costSchedule: Schedule?
    /// nil = unlimited.
    public var capacityPerMonth: Int?

    public init(rampMedianMonths: Double, rampLogSD: Double, thresholdMonths: Double, atRiskChurnMultiplier: Double,
                detectionRate: Double = 0, successRate: Double = 0, costPerIntervention: Double = 0,
                capacityPerMonth: Int? = nil) {
        self.rampMedianMonths = rampMedianMonths
        self.rampLogSD = rampLogSD
        self.thresholdMonths = thresholdMonths
        self.atRiskChurnMultiplier = atRiskChurnMultiplier
        self.detectionRate = detectionRate
        self.successRate = successRate
        self.costPerIntervention = costPerIntervention
        self.capacityPerMonth = capacityPerMonth
    }
}

/// A list-price change of one plan from a month on.
public struct PriceEvent: Sendable, Hashable {
    /// First month billed at the new price, 1 ... horizon.
    public var month: Int
    /// Index into `Scenario.plans`.
    public var plan: Int
    /// The new monthly list price, >= 0 (annual billing scales with it).
    public var newPricePerMonth: Double
    /// One-off extra churn probability of existing subscribers who see the new price, at the end
    /// of the event month, in [0, 1].
    public var churnShock: Double
    /// Existing subscribers keep their price (and see no shock); only new ones pay the new price.
    public var grandfather: Bool

    public init(month: Int, plan: Int, newPricePerMonth: Double, churnShock: Double = 0, grandfather: Bool = false) {
        self.month = month
        self.plan = plan
        self.newPricePerMonth = newPricePerMonth
        self.churnShock = churnShock
        self.grandfather = grandfather
    }
}

/// Free trials: every new sign-up first trials for `months` months without paying; at the end
/// a Binomial(trialists, conversion) number convert and start paying (their tenure starts then).
public struct FreeTrial: Sendable, Hashable {
    public var months: Int
    public var conversion: Double
    public init(months: Int, conversion: Double) {
        self.months = months
        self.conversion = conversion
    }
}

/// Involuntary churn: at each payment (monthly, or the annual renewal) a payment fails with
/// probability `failureRate`; dunning recovers it with `recoveryProbability`; unrecovered
/// subscribers churn.
public struct Dunning: Sendable, Hashable {
    public var failureRate: Double
    public var recoveryProbability: Double
    public init(failureRate: Double, recoveryProbability: Double) {
        self.failureRate = failureRate
        self.recoveryProbability = recoveryProbability
    }
}

/// Today's licence business and the switch to subscriptions.
///
/// Licence path (the counterfactual): every month Poisson(`licencesPerMonth`) licences are sold
/// at `licencePrice`; each licence customer then pays maintenance of
/// `maintenanceShare x licencePrice / 12` a month from the month after the sale, and keeps paying
/// with monthly survival `maintenanceRenewal^(1/12)` (the annual renewal rate spread over the
/// year). The installed base at month 1 is `installedBase` maintenance payers.
///
/// Subscription path: the same until month `switchMonth - 1` (same draws). From `switchMonth`
/// on no licences are sold; new customers arrive through the scenario's acquisition (which
/// starts at the switch), and each month a Binomial(base, `migrationPerMonth`) share of the
/// maintenance payers migrates to plan `migrationPlan` at `migrationPricePerMonth` (or the plan's
/// price); the others keep paying maintenance.
public struct LicenceSwitch: Sendable, Hashable {
    public var switchMonth: Int
    public var licencesPerMonth: Double
    public var licencePrice: Double
    public var maintenanceShare: Double
    public var maintenanceRenewal: Double
    public var installedBase: Int
    public var migrationPerMonth: Double
    public var migrationPlan: Int
    public var migrationPricePerMonth: Double?
    /// Support load from the maintenance payers (nil = they raise no tickets).
    public var support: LicenceSupport?

    public init(switchMonth: Int, licencesPerMonth: Double, licencePrice: Double, maintenanceShare: Double,
                maintenanceRenewal: Double, installedBase: Int = 0, migrationPerMonth: Double = 0,
                migrationPlan: Int = 0, migrationPricePerMonth: Double? = nil, support: LicenceSupport? = nil) {
        self.switchMonth = switchMonth
        self.licencesPerMonth = licencesPerMonth
        self.licencePrice = licencePrice
        self.maintenanceShare = maintenanceShare
        self.maintenanceRenewal = maintenanceRenewal
        self.installedBase = installedBase
        self.migrationPerMonth = migrationPerMonth
        self.migrationPlan = migrationPlan
        self.migrationPricePerMonth = migrationPricePerMonth
        self.support = support
    }

    /// Monthly maintenance fee of one licence customer.
    public var maintenancePerMonth: Double { maintenanceShare * licencePrice / 12 }
    /// Monthly probability that a maintenance payer keeps paying.
    public var maintenanceSurvivalPerMonth: Double { pow(maintenanceRenewal, 1.0 / 12) }
}

/// Support load from licence customers in a switch (`LicenceSupportProcess`): maintenance
/// payers raise `ticketsPerMonth` tickets a month (a Poisson rate) from the switch month on,
/// served by the same agents; a bad resolution multiplies their monthly maintenance lapse hazard
/// by `badLapseMultiplier` (nil = support's bad churn multiplier) and their migration rate by
/// `badMigrationMultiplier` while they are detractors. Needs the `support` lever.
public struct LicenceSupport: Sendable, Hashable {
    public var ticketsPerMonth: Double
    public var badLapseMultiplier: Double?
    public var badMigrationMultiplier: Double
    public init(ticketsPerMonth: Double, badLapseMultiplier: Double? = nil, badMigrationMultiplier: Double = 1) {
        self.ticketsPerMonth = ticketsPerMonth
        self.badLapseMultiplier = badLapseMultiplier
        self.badMigrationMultiplier = badMigrationMultiplier
    }
}

/// What running the business costs beyond support agents (`Support.costPerAgentPerMonth`),
/// interventions (`Onboarding.costPerIntervention`), referral rewards and acquisition
/// (`Economics.cacPerSubscriber`), and the cash it starts with (`CostsProcess`).
///
/// Cost of serving a month: (1 - `Economics.grossMargin`) x revenue + `servingPerSubscriber` x
/// active + `servingPerSeat` x seats + `servingPerUsageUnit` x usage units; payment fees:
/// `paymentFeeShare` x billings collected; fixed costs: `fixedPerMonth` (a schedule).
public struct Costs: Sendable, Hashable {
    /// Cost of serving one active subscriber a month (hosting, licences of tools), >= 0.
    public var servingPerSubscriber: Double
    /// Cost of serving one billed seat a month, >= 0.
    public var servingPerSeat: Double
    /// Cost of one usage unit (hosting), >= 0.
    public var servingPerUsageUnit: Double
    /// The serving costs by month (nil = the constant above; the constant is then month 1's).
    public var servingPerSubscriberSchedule: Schedule?, servingPerSeatSchedule: Schedule?, servingPerUsageUnitSchedule: Schedule?
    /// Payment fees as a share of billings collected, in [0, 1).
    public var paymentFeeShare: Double
    /// Fixed costs a month (salaries, rent, development), a schedule.
    public var fixedPerMonth: Schedule
    /// Cash at the start of month 1.
    public var openingCash: Double
    /// Add to NPV the discounted margin that the subscribers active at the horizon earn over the
    /// following CLTV lifetime (the model follows them without new arrivals).
    public var terminalValue: Bool

    public init(servingPerSubscriber: Double = 0, servingPerSeat: Double = 0, servingPerUsageUnit: Double = 0,
                paymentFeeShare: Double = 0, fixedPerMonth: Schedule = Schedule(constant: 0), openingCash: Double = 0,
                terminalValue: Bool = false) {
        self.servingPerSubscriber = servingPerSubscriber
        self.servingPerSeat = servingPerSeat
        self.servingPerUsageUnit = servingPerUsageUnit
        self.paymentFeeShare = paymentFeeShare
        self.fixedPerMonth = fixedPerMonth
        self.openingCash = openingCash
        self.terminalValue = terminalValue
    }
}

/// Churn response to price (`RenewalProcess`): a subscriber of plan p whose monthly price
/// (list price after price events, the introductory discount left out) exceeds the plan's
/// reference price r_p renews with the churn hazard multiplied by (price / r_p)^`elasticity`
/// (capped so the probability stays <= 1); at or below the reference the hazard is unchanged.
/// The reference is `PlanOptions.referencePrice`, else the plan's price as the base scenario
/// writes it (a variant that changes the price keeps the base's reference).
public struct PriceChurn: Sendable, Hashable {
    /// Churn elasticity to price, >= 0 (1: 10 % above the reference, 10 % more churn).
    public var elasticity: Double
    public init(elasticity: Double) { self.elasticity = elasticity }
}

/// Referrals, word of mouth (`ReferralProcess`): each month Poisson(`perActivePerMonth` x last
/// month's active subscribers + `extraPerPromoterPerMonth` x last month's promoters) referred
/// sign-ups, who pay at once (no free trial), choose plans by `planMix` (nil = the acquisition
/// mix) and cost `rewardPerReferral` each.
public struct Referrals: Sendable, Hashable {
    /// Referred sign-ups per active subscriber a month, >= 0.
    public var perActivePerMonth: Double
    /// Extra referred sign-ups per promoter a month (support's good resolutions), >= 0.
    public var extraPerPromoterPerMonth: Double
    /// Plan shares of referred sign-ups, in plan order (nil = the acquisition mix).
    public var planMix: [Double]?
    /// Reward paid per referred sign-up, >= 0.
    public var rewardPerReferral: Double
    public init(perActivePerMonth: Double, extraPerPromoterPerMonth: Double = 0, planMix: [Double]? = nil,
                rewardPerReferral: Double = 0) {
        self.perActivePerMonth = perActivePerMonth
        self.extraPerPromoterPerMonth = extraPerPromoterPerMonth
        self.planMix = planMix
        self.rewardPerReferral = rewardPerReferral
    }
}

/// Levers of one plan.
public struct PlanOptions: Sendable, Hashable {
    /// Share of this plan's new subscribers who choose annual billing, in [0, 1].
    public var annualShare: Double
    /// Annual billing pays 12 x the monthly price x (1 - annualDiscount) up front, in [0, 1).
    public var annualDiscount: Double
    /// Introductory discount: a fraction off for the first `introMonths` months.
    public var introDiscount: Double
    public var introMonths: Int
    /// Per-seat pricing (nil = none).
    public var seats: Seats?
    /// Usage pricing (nil = none).
    public var usage: Usage?
    /// Monthly probabilities of moving to other plans (index, probability), total <= 1.
    public var moves: [(plan: Int, probability: Double)]
    /// Support tickets a subscriber raises a month (a Poisson rate), >= 0.
    public var ticketsPerMonth: Double
    /// The plan a support upsell moves to (nil = no upsell from this plan).
    public var upsellTo: Int?
    /// Reference price for elasticity (nil = the plan's initial price).
    public var referencePrice: Double?

    public init(annualShare: Double = 0, annualDiscount: Double = 0, introDiscount: Double = 0, introMonths: Int = 0,
                seats: Seats? = nil, usage: Usage? = nil, moves: [(plan: Int, probability: Double)] = [],
                ticketsPerMonth: Double = 0, upsellTo: Int? = nil, referencePrice: Double? = nil) {
        self.annualShare = annualShare
        self.annualDiscount = annualDiscount
        self.introDiscount = introDiscount
        self.introMonths = introMonths
        self.seats = seats
        self.usage = usage
        self.moves = moves
        self.ticketsPerMonth = ticketsPerMonth
        self.upsellTo = upsellTo
        self.referencePrice = referencePrice
    }

    public static func == (a: PlanOptions, b: PlanOptions) -> Bool {
        a.annualShare == b.annualShare && a.annualDiscount == b.annualDiscount && a.introDiscount == b.introDiscount
            && a.introMonths == b.introMonths && a.seats == b.seats && a.usage == b.usage
            && a.moves.map(\.plan) == b.moves.map(\.plan) && a.moves.map(\.probability) == b.moves.map(\.probability)
            && a.ticketsPerMonth == b.ticketsPerMonth && a.upsellTo == b.upsellTo && a.referencePrice == b.referencePrice
    }

    public func hash(into h: inout Hasher) {
        h.combine(annualShare); h.combine(annualDiscount); h.combine(introDiscount); h.combine(introMonths)
        h.combine(seats); h.combine(usage); h.combine(ticketsPerMonth); h.combine(upsellTo); h.combine(referencePrice)
        for m in moves { h.combine(m.plan); h.combine(m.probability) }
    }

    /// True when this plan uses no lever.
    public var isEmpty: Bool { self == PlanOptions() }
}

/// Per-seat pricing. A subscriber signs up with 1 + Poisson(`meanAtSignup` - 1) seats; each month
/// every seat beyond the first is removed with probability `contractionPerMonth`, and each
/// subscriber adds Poisson(`expansionPerMonth`) seats. The extra seats of a subscriber stay
/// Poisson and independent of the others', so the seats of a compartment and of its churners are
/// drawn exactly from aggregate Poisson and binomial draws.
public struct Seats: Sendable, Hashable {
    public var pricePerSeat: Double
    public var meanAtSignup: Double
    public var expansionPerMonth: Double
    public var contractionPerMonth: Double
    public init(pricePerSeat: Double, meanAtSignup: Double, expansionPerMonth: Double = 0, contractionPerMonth: Double = 0) {
        self.pricePerSeat = pricePerSeat
        self.meanAtSignup = meanAtSignup
        self.expansionPerMonth = expansionPerMonth
        self.contractionPerMonth = contractionPerMonth
    }
}

/// Usage pricing: a subscriber's usage in a month is Gamma with mean `meanUnitsPerMonth x
/// (1 + growthPerMonth)^age` and coefficient of variation `cv`, independently across
/// subscribers and months; n subscribers' total is one Gamma(n / cv^2, scale) draw.
public struct Usage: Sendable, Hashable {
    /// Mean units per subscriber and month are capped here (1e12), so that compound growth over
    /// a long horizon and CLTV lifetime stays finite.
    public static let maximumMeanUnits = 1e12
    public var pricePerUnit: Double
    public var meanUnitsPerMonth: Double
    public var cv: Double
    public var growthPerMonth: Double
    public init(pricePerUnit: Double, meanUnitsPerMonth: Double, cv: Double, growthPerMonth: Double = 0) {
        self.pricePerUnit = pricePerUnit
        self.meanUnitsPerMonth = meanUnitsPerMonth
        self.cv = cv
        self.growthPerMonth = growthPerMonth
    }
}

import Foundation
