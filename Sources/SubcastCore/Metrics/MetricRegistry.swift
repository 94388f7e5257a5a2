/// The registry of every metric (`Metric`), the one place that says what each output means.
///
/// Reports lay out sections by `ProcessKind` and format numbers by `MetricInfo.Unit`;
/// comparisons take the direction and decide which monthly metrics sum over the horizon
/// (flows); the model's output layout is built from it. A metric outside the registry (the
/// drawn value of an uncertain input, `input:<name>`) is a per-trial scalar where higher is
/// better (`MetricDirection`).
public enum MetricRegistry {
    /// Entries indexed by `Metric.rawValue`.
    static let table: [MetricInfo] = Metric.allCases.map(entry)

    private static let byName: [String: Metric] = Dictionary(uniqueKeysWithValues: Metric.allCases.map { ($0.info.name, $0) })

    /// Every metric, in layout order.
    public static var all: [MetricInfo] { table }

    /// The metric called `name` (a series name without `@month`), if it is one of the models'.
    public static func metric(_ name: String) -> Metric? { byName[name] }

    /// True for a metric whose value in every trial is a whole number: counts of people and
    /// tickets (drawn by the samplers) and months (CAC payback excepted, which is interpolated).
    /// Their quantiles are reported as whole numbers, without the quantile sketch's fractions.
    public static func isWholeNumber(_ name: String) -> Bool {
        guard let m = byName[name], m != .cacPaybackMonth else { return false }
        switch table[m.rawValue].unit {
        case .subscribers, .count, .month: return true
        default: return false
        }
    }

    /// The entry of the metric called `name`; a fiscal-year total (`fy2028_revenue`,
    /// `year1_total_costs`) has its metric's entry as a per-trial scalar.
    public static func info(_ name: String) -> MetricInfo? {
        if let m = byName[name] { return table[m.rawValue] }
        guard let (_, base) = fiscalYearParts(name), let m = byName[base] else { return nil }
        let i = table[m.rawValue]
        return MetricInfo(name: name, label: i.label, unit: i.unit, kind: .scalar, direction: i.direction,
                          aggregation: .last, process: i.process, withAnyLever: i.withAnyLever,
                          summary: i.summary + " (fiscal-year total" + (i.kind == .stock ? ", at the year's end)" : ")"))
    }

    /// The metrics totalled per fiscal year (stocks at the year's end), in report order.
    public static let fiscalYearMetrics: [Metric] = [.revenue, .totalCosts, .grossMarginAmount, .contribution,
                                                     .operatingCashFlow, .arr]

    /// (stem, metric name) of a fiscal-year total's name: `fy2028_revenue` -> (`fy2028`, `revenue`).
    public static func fiscalYearParts(_ name: String) -> (stem: String, metric: String)? {
        guard name.hasPrefix("fy") || name.hasPrefix("year"), let underscore = name.firstIndex(of: "_") else { return nil }
        let stem = name[..<underscore]
        let digits = stem.drop(while: { $0.isLetter })
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              stem.prefix(while: { $0.isLetter }) == "fy" || stem.prefix(while: { $0.isLetter }) == "year" else { return nil }
        return (String(stem), String(name[name.index(after: underscore)...]))
    }

    /// The metrics a process reports, in layout order.
    public static func metrics(of process: ProcessKind) -> [Metric] { Metric.allCases.filter { $0.info.process == process } }

    /// Monthly metrics (every kind except `.scalar`).
    public static var monthly: [Metric] { Metric.allCases.filter { $0.info.kind != .scalar } }
    /// Per-trial scalars.
    public static var scalars: [Metric] { Metric.allCases.filter { $0.info.kind == .scalar } }

    private static func entry(_ m: Metric) -> MetricInfo {
        typealias U = MetricInfo.Unit
        let higher = MetricDirection.higherIsBetter, lower = MetricDirection.lowerIsBetter
        func e(_ name: String, _ label: String, _ unit: U, _ kind: MetricInfo.Kind, _ direction: MetricDirection?,
               _ process: ProcessKind, always: Bool = false, _ summary: String) -> MetricInfo {
            let aggregation: MetricInfo.Aggregation = switch kind {
            case .flow: .sum
            case .stock, .scalar: .last
            case .ratio: .mean
            }
            return MetricInfo(name: name, label: label, unit: unit, kind: kind, direction: direction, aggregation: aggregation,
                              process: process, withAnyLever: always, summary: summary)
        }
        switch m {
        case .active: return e("active", "active", .subscribers, .stock, higher, .cohort, "paying subscribers active in the month")
        case .new: return e("new", "new", .subscribers, .flow, higher, .cohort, "new paying subscribers of the month")
        case .churned: return e("churned", "churned", .subscribers, .flow, lower, .cohort, "subscribers who leave at the month's end")
        case .mrr: return e("mrr", "MRR", .currency, .stock, higher, .cohort, "monthly recurring revenue")
        case .arr: return e("arr", "ARR", .currency, .stock, higher, .cohort, "12 x MRR")
        case .arpu: return e("arpu", "ARPU", .currency, .ratio, higher, .cohort, "MRR per active subscriber")
        case .logoChurnRate: return e("logo_churn_rate", "logo churn", .share, .ratio, lower, .cohort, "churned / active")
        case .revenueChurnRate: return e("revenue_churn_rate", "revenue churn", .share, .ratio, lower, .cohort, "churned MRR / MRR")
        case .cumulativeRevenue: return e("cumulative_revenue", "cumulative revenue", .currency, .stock, higher, .cohort,
                                          "revenue (MRR) of months 1 ... m")
        case .newMRR: return e("new_mrr", "new MRR", .currency, .flow, higher, .cohort, "MRR of the month's new subscribers")
        case .churnedMRR: return e("churned_mrr", "churned MRR", .currency, .flow, lower, .cohort,
                                   "MRR of the subscribers who leave at the month's end")
        case .expansionMRR: return e("expansion_mrr", "expansion", .currency, .flow, higher, .billing, always: true,
                                     "MRR gained from existing subscribers (seats, usage, upgrades, discounts ending)")
        case .contractionMRR: return e("contraction_mrr", "contraction", .currency, .flow, lower, .billing, always: true,
                                       "MRR lost from subscribers who stay")
        case .netNewMRR: return e("net_new_mrr", "net new MRR", .currency, .flow, higher, .billing, always: true,
                                  "new + expansion - contraction - churned MRR of the month")
        case .billings: return e("billings", "billings", .currency, .flow, higher, .billing, always: true,
                                 "subscription billings of the month (annual plans pay a year up front)")
        case .cumulativeBillings: return e("cumulative_billings", "cumulative billings", .currency, .stock, higher, .billing,
                                           always: true, "billings of months 1 ... m")
        case .nrr: return e("nrr", "NRR", .share, .ratio, higher, .billing, always: true, "net revenue retention over 12 months")
        case .grr: return e("grr", "GRR", .share, .ratio, higher, .billing, always: true, "gross revenue retention over 12 months")
        case .involuntaryChurned: return e("involuntary_churned", "involuntary churn", .subscribers, .flow, lower, .dunning,
                                           always: true, "subscribers lost to failed payments")
        case .priceShockChurned: return e("price_shock_churned", "price shock churn", .subscribers, .flow, lower, .pricing,
                                          "subscribers who leave over a price rise")
        case .trialStarts: return e("trial_starts", "trial starts", .subscribers, .flow, higher, .freeTrial, "free trials started")
        case .trialing: return e("trialing", "trialing", .subscribers, .stock, higher, .freeTrial, "people on a free trial")
        case .tickets: return e("tickets", "tickets", .count, .flow, lower, .support, "tickets raised by subscribers")
        case .handledTickets: return e("handled_tickets", "handled", .count, .flow, higher, .support, "tickets resolved")
        case .backlog: return e("backlog", "backlog", .count, .stock, lower, .support, "tickets waiting at the month's end")
        case .goodResolutions: return e("good_resolutions", "good", .count, .flow, higher, .support, "tickets resolved well")
        case .badResolutions: return e("bad_resolutions", "bad", .count, .flow, lower, .support, "tickets resolved badly")
        case .supportCost: return e("support_cost", "cost", .currency, .flow, lower, .support, "agents' cost")
        case .detractors: return e("detractors", "detractors", .subscribers, .stock, lower, .support,
                                   "subscribers after a bad resolution, at billing")
        case .promoters: return e("promoters", "promoters", .subscribers, .stock, higher, .support,
                                  "subscribers after a good resolution, at billing")
        case .supportChurn: return e("support_churn", "churn from bad", .subscribers, .flow, lower, .support,
                                     "churners beyond the base hazard among waiting customers and detractors")
        case .supportSaved: return e("support_saved", "saved by good", .subscribers, .flow, higher, .support,
                                     "promoters who renew but would have churned at the base hazard")
        case .upsells: return e("upsells", "upsells", .subscribers, .flow, higher, .support, "upgrades after a good resolution")
        case .planMoves: return e("plan_moves", "moves", .subscribers, .flow, higher, .planMoves, "subscribers who change plan")
        case .atRisk: return e("at_risk", "at risk", .subscribers, .stock, lower, .onboarding,
                               "subscribers not yet productive past the threshold, at billing")
        case .interventions: return e("interventions", "interventions", .count, .flow, higher, .onboarding, "customer-success calls")
        case .saves: return e("saves", "saves", .subscribers, .flow, higher, .onboarding, "at-risk subscribers an intervention saves")
        case .interventionCost: return e("intervention_cost", "cost", .currency, .flow, lower, .onboarding, "cost of the calls")
        case .seats: return e("seats", "seats", .count, .stock, higher, .seats, "seats billed")
        case .usageRevenue: return e("usage_revenue", "usage revenue", .currency, .flow, higher, .usage, "usage part of MRR")
        case .licencePathRevenue: return e("licence_path_revenue", "licence path", .currency, .flow, higher, .licence,
                                           "revenue had the business kept selling licences")
        case .subscriptionPathRevenue: return e("subscription_path_revenue", "subscription path", .currency, .flow, higher,
                                                .licence, "revenue of the switch: MRR plus remaining maintenance")
        case .cumulativeLicencePathRevenue: return e("cumulative_licence_path_revenue", "cumulative licence", .currency, .stock,
                                                     higher, .licence, "licence path revenue of months 1 ... m")
        case .cumulativeSubscriptionPathRevenue: return e("cumulative_subscription_path_revenue", "cumulative subscription",
                                                          .currency, .stock, higher, .licence,
                                                          "subscription path revenue of months 1 ... m")
        case .maintenancePayers: return e("maintenance_payers", "maintenance payers", .subscribers, .stock, higher, .licence,
                                          "licence customers still paying maintenance (subscription path)")
        case .migrated: return e("migrated", "migrated", .subscribers, .flow, higher, .licence,
                                 "licence customers who move to a subscription")
        case .licenceTickets: return e("licence_tickets", "licence tickets", .count, .flow, lower, .licenceSupport,
                                       "tickets raised by maintenance payers")
        case .licenceDetractors: return e("licence_detractors", "licence detractors", .subscribers, .stock, lower, .licenceSupport,
                                          "maintenance payers after a bad resolution")
        case .referred: return e("referred", "referred", .subscribers, .flow, higher, .referrals,
                                 "new subscribers recommended by customers (included in new)")
        case .referralCost: return e("referral_cost", "rewards", .currency, .flow, lower, .referrals, "referral rewards paid")
        case .revenue: return e("revenue", "revenue", .currency, .flow, higher, .costs, always: true,
                                "MRR + licence receipts (licence sales and maintenance of a licence switch)")
        case .acquisitionCost: return e("acquisition_cost", "acquisition", .currency, .flow, lower, .costs, always: true,
                                        "CAC spend (per paying subscriber or per sign-up) plus referral rewards")
        case .servingCost: return e("serving_cost", "serving", .currency, .flow, lower, .costs, always: true,
                                    "cost of serving: (1 - gross_margin) x revenue + per-subscriber, per-seat, per-unit costs")
        case .paymentFees: return e("payment_fees", "fees", .currency, .flow, lower, .costs, always: true,
                                    "payment fees: fee share x billings collected")
        case .fixedCosts: return e("fixed_costs", "fixed", .currency, .flow, lower, .costs, always: true,
                                   "fixed costs of the month (costs.fixed_per_month)")
        case .totalCosts: return e("total_costs", "total costs", .currency, .flow, lower, .costs, always: true,
                                   "serving, fees, acquisition, support, interventions and fixed costs")
        case .grossMarginAmount: return e("gross_margin_amount", "gross margin", .currency, .flow, higher, .costs, always: true,
                                          "revenue - cost of serving - payment fees")
        case .contribution: return e("contribution", "contribution", .currency, .flow, higher, .costs, always: true,
                                     "gross margin - acquisition, support and intervention spend")
        case .operatingCashFlow: return e("operating_cash_flow", "operating cash flow", .currency, .flow, higher, .costs,
                                          always: true, "cash collected (annual prepayments, licences, maintenance) - all costs")
        case .cumulativeCash: return e("cumulative_cash", "cash", .currency, .stock, higher, .costs, always: true,
                                       "opening cash + operating cash flow of months 1 ... m")
        case .npv: return e("npv", "NPV", .currency, .scalar, higher, .costs, always: true,
                            "operating cash flow discounted at the scenario's rate (+ terminal value when asked for)")
        case .terminalValue: return e("terminal_value", "terminal value", .currency, .scalar, higher, .costs, always: true,
                                      "discounted margin of the subscribers active at the horizon over the next lifetime (0 unless costs.terminal_value)")
        case .cashTrough: return e("cash_trough", "cash trough", .currency, .scalar, higher, .costs, always: true,
                                   "lowest cumulative cash over the horizon")
        case .cashTroughMonth: return e("cash_trough_month", "trough month", .month, .scalar, nil, .costs, always: true,
                                        "month of the lowest cumulative cash")
        case .runwayMonths: return e("runway_months", "runway", .month, .scalar, higher, .costs, always: true,
                                     "months before cumulative cash first falls below 0 (the horizon if it never does)")
        case .runsOutOfCash: return e("runs_out_of_cash", "runs out of cash", .share, .scalar, lower, .costs, always: true,
                                      "1 if cumulative cash falls below 0 within the horizon")
        case .breakEvenMonth: return e("break_even_month", "break-even", .month, .scalar, lower, .costs, always: true,
                                       "first month of positive operating cash flow that stays positive to the horizon")
        case .acquired: return e("acquired", "acquired", .subscribers, .scalar, higher, .cohort, "subscribers acquired in the horizon")
        case .cltv: return e("cltv", "CLTV", .currency, .scalar, higher, .cohort,
                             "discounted margin per acquired subscriber over the lifetime horizon")
        case .cltvNaive: return e("cltv_naive", "naive CLTV", .currency, .scalar, higher, .cohort, "ARPU x margin / churn rate")
        case .ltvToCac: return e("ltv_cac", "LTV:CAC", .ratio, .scalar, higher, .cohort, "CLTV / CAC per acquired subscriber")
        case .cacPaybackMonth: return e("cac_payback_month", "CAC payback", .month, .scalar, lower, .cohort,
                                        "first tenure month whose cumulative margin covers the CAC")
        case .valleyDepth: return e("valley_depth", "valley depth", .currency, .scalar, lower, .licence,
                                    "largest monthly shortfall of the subscription path after the switch")
        case .valleyMonths: return e("valley_months", "valley months", .month, .scalar, lower, .licence,
                                     "months from the switch until the subscription path first earns as much in a month")
        case .crossingMonth: return e("crossing_month", "crossing month", .month, .scalar, lower, .licence,
                                      "first month from the switch whose subscription revenue reaches the licence path's (monthly)")
        case .overtakeMonth: return e("overtake_month", "overtake month", .month, .scalar, lower, .licence,
                                      "first month whose cumulative subscription revenue reaches the licence path's (cumulative)")
        case .overtakesInHorizon: return e("overtakes_in_horizon", "overtakes", .share, .scalar, higher, .licence,
                                           "1 if the cumulative overtaking happens within the horizon")
        case .financingNeed: return e("financing_need", "financing need", .currency, .scalar, lower, .licence,
                                      "largest cumulative revenue shortfall of the subscription path against the licence path")
        case .financingNeedMonth: return e("financing_need_month", "financing need month", .month, .scalar, nil, .licence,
                                           "month of the largest cumulative shortfall")
        case .licenceCustomerValue: return e("licence_customer_value", "licence customer value", .currency, .scalar, higher,
                                             .licence, "discounted margin of one licence customer")
        }
    }
}
