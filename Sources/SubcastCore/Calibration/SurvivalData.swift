/// Observed lifetimes of subscribers, in periods, ready for fitting a churn model.
///
/// A subscriber who has paid t periods and then churned (did not renew at the t-th renewal)
/// contributes P(T = t); a subscriber still active after paying t periods (right-censored: they
/// have renewed t - 1 times and are in their t-th period) contributes S(t - 1), the probability of
/// paying at least t periods. Counts are aggregated, so a million subscribers cost what a hundred do.
public struct SurvivalData: Sendable, Hashable {
    /// `churned[t]`: subscribers who paid exactly t periods and churned at renewal t (index 0 unused).
    public var churned: [Int]
    /// `active[t]`: subscribers observed alive in their t-th period, fate unknown (index 0 unused).
    public var active: [Int]

    public init() { churned = [0]; active = [0] }

    /// Adds `count` subscribers who churned after paying `periods` (>= 1) periods.
    public mutating func addChurned(periods: Int, count: Int = 1) {
        precondition(periods >= 1 && count >= 0)
        grow(periods)
        churned[periods] += count
    }

    /// Adds `count` subscribers still active in their `periods`-th period (>= 1).
    public mutating func addActive(periods: Int, count: Int = 1) {
        precondition(periods >= 1 && count >= 0)
        grow(periods)
        active[periods] += count
    }

    private mutating func grow(_ t: Int) {
        if churned.count <= t {
            churned += Array(repeating: 0, count: t + 1 - churned.count)
            active += Array(repeating: 0, count: t + 1 - active.count)
        }
    }

    /// The longest observed tenure.
    public var maxPeriods: Int { churned.count - 1 }
    /// Total subscribers.
    public var subscribers: Int { churned.reduce(0, +) + active.reduce(0, +) }

    /// Merges two data sets (e.g. several cohorts).
    public mutating func merge(_ other: SurvivalData) {
        for t in 1...max(other.maxPeriods, 1) where t <= other.maxPeriods {
            addChurned(periods: t, count: other.churned[t])
            addActive(periods: t, count: other.active[t])
        }
    }
}

/// One cohort's retention row: `alive[k]` customers alive at the start of period k + 1
/// (`alive[0]` is the cohort size). Non-increasing, non-negative.
public struct CohortRetention: Sendable, Hashable {
    /// The cohort's label as given in the input (e.g. "2024-01").
    public var label: String
    public var alive: [Int]

    public init(label: String, alive: [Int]) {
        self.label = label
        self.alive = alive
    }

    /// The survival data of this cohort when only the first `periods` counts are used (all by
    /// default): churners at each renewal, and the last observed count as right-censored.
    public func survivalData(usingFirst periods: Int? = nil) -> SurvivalData {
        let n = min(periods ?? alive.count, alive.count)
        var d = SurvivalData()
        guard n >= 1 else { return d }
        for t in 1..<n { d.addChurned(periods: t, count: alive[t - 1] - alive[t]) }
        d.addActive(periods: n, count: alive[n - 1])
        return d
    }
}

/// A retention table (one cohort, or a triangle of cohorts of different ages) or subscription
/// records reduced to survival data, with the period length it is measured in.
public struct RetentionTable: Sendable, Hashable {
    public enum Period: String, Sendable, CaseIterable { case month, year }
    public var cohorts: [CohortRetention]
    public var period: Period

    public init(cohorts: [CohortRetention], period: Period) {
        self.cohorts = cohorts
        self.period = period
    }

    /// All cohorts' survival data, holding out the last `holdout` periods of every cohort.
    public func survivalData(holdout: Int = 0) -> SurvivalData {
        var d = SurvivalData()
        for c in cohorts { d.merge(c.survivalData(usingFirst: max(1, c.alive.count - holdout))) }
        return d
    }
}
