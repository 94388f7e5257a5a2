import SubcastStochastics

/// Acquisition: the month's sign-ups and the plans they choose.
///
/// A_m ~ Poisson(lambda_m x elasticity factor) (stream `acquisition`), lambda_m = lambda
/// (1 + g)^(m - 1), none before the switch month of a licence switch; the elasticity factor is
/// sum_p mix_p (price_p(m) / reference_p)^e. Without a free trial the sign-ups pay at once;
/// paying arrivals split over plans by Multinomial(n, mix) (stream `acquisition`). Metric: `new`
/// (with referrals, which add their own sign-ups).
struct AcquisitionProcess: Sendable {
    static let stream = "acquisition"
    /// The largest mean of sign-ups a month (the scenario limit, 4e9).
    static let maximumMean = 4e9
    /// Mean sign-ups by month index m - 1.
    let arrivalsMean: [Double]
    let mix: [Double]

    init(_ scenario: Scenario, pricing: Pricing) {
        let plans = scenario.plans, levers = scenario.levers
        let e = levers.priceElasticity
        let reference = plans.map { $0.options.referencePrice ?? $0.pricePerMonth }
        mix = scenario.acquisition.planMix
        arrivalsMean = (1...scenario.horizonMonths).map { m in
            var mean = scenario.acquisition.meanArrivals(month: m)
            if let l = levers.licenceSwitch, m < l.switchMonth { mean = 0 }
            if e != 0 {
                var factor = 0.0
                for p in 0..<plans.count {
                    let price = pricing.listPrice[p][m]
                    let ratio = reference[p] > 0 && price > 0 ? price / reference[p] : 1
                    factor += scenario.acquisition.planMix[p] * _pow(ratio, e)
                }
                // A price far below the reference can overflow the factor (ratio^e): the cap
                // below then applies; no sign-ups stay none (inf x 0 would be NaN).
                if mean > 0 { mean = factor.isFinite ? mean * factor : AcquisitionProcess.maximumMean }
            }
            // Elasticity can push the mean far beyond what was written (a price far below the
            // reference): capped at 4e9 a month, the scenario limit of sign-ups.
            return min(mean, AcquisitionProcess.maximumMean)
        }
    }

    /// The month's sign-ups.
    @inline(__always) func signUps(month m: Int, using g: RandomGenerator) -> Int {
        // Exact for any mean (an elasticity can push it past the 32-bit sampler's range); the
        // same draw as `Poisson.draw` up to 1e9.
        Poisson.drawAnySize(mean: arrivalsMean[m - 1], using: g)
    }
}
