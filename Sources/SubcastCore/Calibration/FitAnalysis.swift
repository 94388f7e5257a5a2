import Foundation

/// A fitted churn model for one group of subscribers together with what users ask of it:
/// how well it fits, retention by tenure, survival of customers of a given tenure, and their
/// discounted expected residual lifetime (DERL).
public struct FitAnalysis: Sendable {
    /// The plan the group stands for (nil: all subscribers).
    public var group: String?
    public var fit: SBGFit
    /// The beta-discrete-Weibull fit of the same data (nil when it failed: `bdwFailure` says why).
    public var bdw: BdWFit?
    public var bdwFailure: String?
    /// The churn model the tables and the snippet use: sBG, or BdW when `useBdW`.
    public var useBdW = false
    public var churnModel: ChurnModel { useBdW ? (bdw?.model ?? fit.model) : fit.model }
    /// Observed vs expected churn at each renewal (all data used by the fit).
    public var renewalCheck: [RenewalCheck]
    /// For retention tables: actual vs predicted survivors per cohort and period, including
    /// held-out periods that the fit did not see.
    public var cohortCheck: [CohortCheck]
    /// Tenure -> renewal probability at the end of that period.
    public var retentionByTenure: [(tenure: Int, rate: Double)]
    /// Tenure -> probability still active after k more periods, for `horizons`.
    public var survivalByTenure: [(tenure: Int, probabilities: [Double])]
    public var horizons: [Int]
    /// Tenure -> DERL at `discountPerPeriod`.
    public var derlByTenure: [(tenure: Int, derl: Double)]
    public var discountPerPeriod: Double
    /// Mean monthly amount of the group's subscriptions, when the input had amounts.
    public var meanAmount: Double?

    public struct RenewalCheck: Sendable, Hashable {
        public var renewal: Int
        /// Subscribers observed at this renewal (churned at it or later, or still active after it).
        public var atRisk: Int
        public var observedChurn: Int
        /// atRisk x h(renewal).
        public var expectedChurn: Double
    }

    public struct CohortCheck: Sendable {
        public var label: String
        /// Per period k = 0, 1, ...: (actual alive, predicted n0 S(k), held out of the fit?).
        public var periods: [(actual: Int, predicted: Double, heldOut: Bool)]
    }

    /// Which churn model `analyse` reports.
    public enum ModelChoice: String, Sendable, CaseIterable {
        /// Shifted-beta-geometric (the default).
        case sbg
        /// Beta-discrete-Weibull.
        case bdw
        /// The lower AIC of the two.
        case best
    }

    /// Tenures reported in the tables.
    public static let tenures = [1, 2, 3, 6, 12, 24]

    /// Fits `data` and derives the tables.
    /// - Parameters:
    ///   - cohorts: retention-table cohorts (for the cohort check), with `holdout` periods that
    ///     were left out of `data`.
    ///   - discountPerPeriod: for DERL, > 0.
    ///   - churn: which model the tables use: sBG, BdW, or the one with the lower AIC.
    public static func analyse(_ data: SurvivalData, group: String? = nil, cohorts: [CohortRetention] = [],
                               holdout: Int = 0, discountPerPeriod: Double, meanAmount: Double? = nil,
                               horizons: [Int] = [1, 3, 6, 12], churn: ModelChoice = .sbg) throws(SBGFit.FitError) -> FitAnalysis {
        let fit = try SBGFit.fit(data)
        var bdw: BdWFit? = nil
        var bdwFailure: String? = nil
        do { bdw = try BdWFit.fit(data, from: fit) } catch { bdwFailure = error.message }
        let useBdW: Bool
        switch churn {
        case .sbg: useBdW = false
        case .bdw:
            guard bdw != nil else { throw SBGFit.FitError(message: "beta-discrete-Weibull: \(bdwFailure ?? "no fit")") }
            useBdW = true
        case .best: useBdW = bdw.map { $0.aic < $0.sbgAIC } ?? false
        }
        let model = useBdW ? bdw!.model : fit.model
        var checks: [RenewalCheck] = []
        for t in 1...max(data.maxPeriods, 1) where t <= data.maxPeriods {
            var atRisk = 0
            for s in t...data.maxPeriods { atRisk += data.churned[s] + (s > t ? data.active[s] : 0) }
            if atRisk == 0 { continue }
            checks.append(RenewalCheck(renewal: t, atRisk: atRisk, observedChurn: data.churned[t],
                                       expectedChurn: Double(atRisk) * model.churnProbability(atRenewal: t)))
        }
        let cohortChecks = cohorts.map { c in
            CohortCheck(label: c.label, periods: c.alive.enumerated().map { k, n in
                (n, Double(c.alive[0]) * model.survival(k), k >= max(1, c.alive.count - holdout))
            })
        }
        return FitAnalysis(
            group: group, fit: fit, bdw: bdw, bdwFailure: bdwFailure, useBdW: useBdW, renewalCheck: checks, cohortCheck: cohortChecks,
            retentionByTenure: tenures.map { ($0, model.retentionRate(tenure: $0)) },
            survivalByTenure: tenures.map { n in (n, horizons.map { model.probabilityActive(tenure: n, afterMore: $0) }) },
            horizons: horizons,
            derlByTenure: tenures.map { ($0, model.discountedExpectedResidualLifetime(tenure: $0, discountPerPeriod: discountPerPeriod)) },
            discountPerPeriod: discountPerPeriod, meanAmount: meanAmount)
    }
}
