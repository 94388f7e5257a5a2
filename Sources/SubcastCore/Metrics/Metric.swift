/// Every output metric of the forecast models, with what it means: its unit, whether it is a
/// stock, a flow, a ratio or a per-trial scalar, which way is better, how it aggregates over
/// months, and the process that reports it.
///
/// This is the one registry that reports, `compare` and `sensitivity` read (`MetricInfo`,
/// `MetricRegistry`): no other code keeps lists of metric names. A process declares its metrics
/// here; a model's output layout holds those of the processes it runs, in this order.
///
/// ```swift
/// Metric.tickets.info.kind            // .flow
/// MetricRegistry.info("churned_mrr")  // unit .currency, direction .lowerIsBetter
/// ```
public enum Metric: Int, CaseIterable, Sendable, Hashable {
    // Cohort (always): the core metrics, in the order of `CohortModel`.
    case active, new, churned, mrr, arr, arpu, logoChurnRate, revenueChurnRate, cumulativeRevenue, newMRR, churnedMRR
    // Billing (with any lever).
    case expansionMRR, contractionMRR, netNewMRR, billings, cumulativeBillings, nrr, grr
    // Dunning (reported with any lever; 0 without dunning).
    case involuntaryChurned
    // Prices.
    case priceShockChurned
    // Free trial.
    case trialStarts, trialing
    // Support.
    case tickets, handledTickets, backlog, goodResolutions, badResolutions, supportCost, detractors, promoters
    case supportChurn, supportSaved, upsells
    // Plan moves.
    case planMoves
    // Onboarding.
    case atRisk, interventions, saves, interventionCost
    // Seats and usage.
    case seats, usageRevenue
    // Licence switch.
    case licencePathRevenue, subscriptionPathRevenue, cumulativeLicencePathRevenue, cumulativeSubscriptionPathRevenue
    case maintenancePayers, migrated
    // Support load from licence customers.
    case licenceTickets, licenceDetractors
    // Referrals.
    case referred, referralCost
    // Costs, cash and value (with any lever).
    case revenue, acquisitionCost, servingCost, paymentFees, fixedCosts, totalCosts, grossMarginAmount, contribution
    case operatingCashFlow, cumulativeCash
    // Per-trial scalars.
    case acquired, cltv, cltvNaive, ltvToCac, cacPaybackMonth
    case npv, terminalValue, cashTrough, cashTroughMonth, runwayMonths, runsOutOfCash, breakEvenMonth
    case valleyDepth, valleyMonths, crossingMonth, overtakeMonth, overtakesInHorizon, financingNeed, financingNeedMonth
    case licenceCustomerValue

    /// Its registry entry.
    public var info: MetricInfo { MetricRegistry.table[rawValue] }
    /// The series name in outputs (`logo_churn_rate`).
    public var name: String { info.name }
}

/// What a metric is.
public struct MetricInfo: Sendable, Hashable {
    /// What a metric counts.
    public enum Unit: String, Sendable, Hashable {
        /// Money in the scenario's currency.
        case currency
        /// People (subscribers, customers, trialists).
        case subscribers
        /// Events or items (tickets, seats, interventions).
        case count
        /// A fraction in [0, 1] or a ratio such as NRR.
        case share
        /// A month number or a number of months.
        case month
        /// A ratio of two amounts (LTV:CAC).
        case ratio
    }

    /// How a metric behaves over time.
    public enum Kind: String, Sendable, Hashable {
        /// A level at a month's end or during it (active subscribers, MRR, backlog).
        case stock
        /// What happens in a month; its sum over months is a total (new, churned, costs).
        case flow
        /// A quotient of two monthly figures (ARPU, churn rates, NRR).
        case ratio
        /// One value per trial.
        case scalar
    }

    /// How monthly values combine into one figure for a period (a fiscal year, the horizon).
    public enum Aggregation: String, Sendable, Hashable {
        case sum, last, mean
    }

    /// The series name.
    public let name: String
    /// A short column header for tables.
    public let label: String
    public let unit: Unit
    public let kind: Kind
    /// Which way is better; nil when neither is (a count of trialists, the seats of a base).
    public let direction: MetricDirection?
    public let aggregation: Aggregation
    /// The process that reports it.
    public let process: ProcessKind
    /// Reported whenever any lever is on, even when its process is off (then 0 or undefined),
    /// so lever reports keep one shape; otherwise only when `process` runs.
    public let withAnyLever: Bool
    /// One line on what it is.
    public let summary: String

    /// True for a flow: its monthly values add up to a total over a period.
    public var isFlow: Bool { kind == .flow }
}

/// The processes of the forecast model, in the order of the month step (see `PipelineModel`).
public enum ProcessKind: String, CaseIterable, Sendable, Hashable {
    case cohort, billing, pricing, acquisition, freeTrial = "free_trial", referrals, seats, planMoves = "plan_moves"
    case support, onboarding, usage, renewal, dunning, licence, licenceSupport = "licence_support", costs

    /// A title for report sections.
    public var title: String {
        switch self {
        case .cohort: "Subscribers and MRR"
        case .billing: "MRR bridge"
        case .pricing: "Prices"
        case .acquisition: "Acquisition"
        case .freeTrial: "Free trial"
        case .referrals: "Referrals (word of mouth)"
        case .seats: "Seats"
        case .planMoves: "Plan moves"
        case .support: "Support"
        case .onboarding: "Onboarding"
        case .usage: "Usage"
        case .renewal: "Renewals"
        case .dunning: "Dunning"
        case .licence: "Switch from licences"
        case .licenceSupport: "Support for licence customers"
        case .costs: "Costs, cash and value"
        }
    }
}
