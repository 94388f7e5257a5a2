import SubcastStochastics

/// Referrals (word of mouth): loyal customers recommend the product.
///
/// In month m, R_m ~ Poisson(rate x active_(m-1) + promoter rate x promoters_(m-1)) referred
/// sign-ups (stream `referrals`; active and promoters of the previous month, so none in month
/// 1), where the promoter rate is what a promoter refers on top of the base rate. Referred
/// people start paying at once (a recommendation replaces the trial: they skip a free trial),
/// join the month's acquisition cohort, choose plans by Multinomial(R_m, referral mix) (stream
/// `referrals`; the acquisition mix by default) and cost the referral reward each. They count in
/// `new` and `acquired`, and in CLTV and LTV:CAC, whose CAC is then the blended acquisition cost
/// per acquired subscriber. Metrics: `referred`, `referral_cost`.
///
/// Closed form without churn heterogeneity: with constant churn c, no other arrivals and an
/// existing base N_0, E[active_m] = N_0 (1 - c + rate)^(m - 1) (survivors of last month plus
/// the referred of this month; tested in the model's tests).
struct ReferralProcess: Sendable {
    static let stream = "referrals"
    /// Referral rates by month.
    let ratePerActive: MonthlyValue
    let extraPerPromoter: MonthlyValue
    let mix: [Double]
    let rewardPerReferral: Double

    init?(_ scenario: Scenario) {
        guard let r = scenario.levers.referrals else { return nil }
        ratePerActive = MonthlyValue(r.perActivePerMonth)
        extraPerPromoter = MonthlyValue(r.extraPerPromoterPerMonth)
        mix = r.planMix ?? scenario.acquisition.planMix
        rewardPerReferral = r.rewardPerReferral
    }

    /// The month's referred sign-ups, from last month's active subscribers and promoters.
    @inline(__always) func referred(month m: Int, activeBefore: Double, promotersBefore: Double, using g: RandomGenerator) -> Int {
        // Referrals compound (each referred subscriber refers others): capped, as sign-ups
        // are, at 4e9 a month, so counts stay far inside Int whatever the rate and horizon.
        let mean = Swift.min(ratePerActive(m) * activeBefore + extraPerPromoter(m) * promotersBefore, AcquisitionProcess.maximumMean)
        return mean > 0 ? Poisson.drawAnySize(mean: mean, using: g) : 0
    }
}
