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

    /// The entry of the metric called `name`.
    public static func info(_ name: String) -> MetricInfo? { byName[name].map { table[$0.rawValue] } }

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
        case .cash: return e("cash", "cash", .currency, .flow, higher, .billing, always: true,
                             "billings of the month (annual plans pay a year up front)")
        case .cumulativeCash: return e("cumulative_cash", "cumulative cash", .currency, .stock, higher, .billing, always: true,
                                       "billings of months 1 ... m")
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
        case .overtakeMonth: return e("overtake_month", "overtake month", .month, .scalar, lower, .licence,
                                      "first month whose cumulative subscription revenue reaches the licence path's")
        case .overtakesInHorizon: return e("overtakes_in_horizon", "overtakes", .share, .scalar, higher, .licence,
                                           "1 if the cumulative overtaking happens within the horizon")
        case .licenceCustomerValue: return e("licence_customer_value", "licence customer value", .currency, .scalar, higher,
                                             .licence, "discounted margin of one licence customer")
        }
    }
}
