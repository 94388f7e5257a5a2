import Foundation
import SubcastStochastics

/// The chain-binomial cohort model of one scenario: subscriber counts per
/// (acquisition cohort, plan) compartment evolve month by month with Poisson, multinomial and
/// binomial draws, so one trial costs O(months x cohorts x plans) whatever the number of
/// subscribers.
///
/// Order of events inside month m (the timing of `benchmark-model.md`), after drawing the trial's
/// churn parameters for plans with `churnUncertainty` (stream `parameters`):
/// 1. arrivals: A_m ~ Poisson(lambda (1 + g)^(m-1)) new subscribers (stream `acquisition`),
///    split over plans by Multinomial(A_m, plan mix) into the cohort of month m;
/// 2. billing: every active subscriber pays its plan's monthly price (the arrival month
///    included); this month's MRR is the sum;
/// 3. renewals: every active subscriber who has now paid t months renews or churns; the
///    churners of a compartment of n are Binomial(n, h(t)) (stream `churn`), h from `ChurnModel`;
/// 4. record: the month's metrics. The MRR bridge holds exactly in every trial:
///    MRR_m = MRR_(m-1) - churned_mrr_(m-1) + new_mrr_m (no expansion or contraction in this model).
/// Months 1 ... horizon are reported. To value CLTV over `lifetimeMonths` independently of the
/// reporting horizon, the cohorts acquired in the horizon are then followed without new
/// arrivals until each has reached that age (months horizon + 1 ... horizon + lifetime - 1).
///
/// Reproducibility: the draws of trial i come only from the streams keyed (seed, i, name), in
/// a fixed order (compartments by cohort, then plan), so a trial's outputs do not depend on the
/// thread or process that simulates it.
public struct CohortModel: Sendable {
    public let scenario: Scenario
    public let layout: OutputLayout

    /// The random streams one trial uses, in the order `simulate` expects them: `acquisition`,
    /// `churn`, and `parameters` when a plan's churn parameters are uncertain.
    public let streamNames: [String]

    /// The monthly metrics (the registry's `.cohort` process), in layout order.
    public static let monthlyMetrics: [Metric] = MetricRegistry.metrics(of: .cohort).filter { $0.info.kind != .scalar }
    /// The per-trial scalars of the cohort process, in layout order.
    public static let scalarMetrics: [Metric] = MetricRegistry.metrics(of: .cohort).filter { $0.info.kind == .scalar }

    let planCount: Int
    let baseCount: Int
    let horizon: Int
    let lifetime: Int
    let lastMonth: Int
    let price: [Double]
    let margin: Double
    let cac: Double
    let mix: [Double]
    let arrivalsMean: [Double]          // by month 1...horizon (index m - 1)
    let hazard: [[Double]]              // [plan][t], t = 1 ... maxRenewal (index t)
    let uncertainPlans: [(plan: Int, alpha: Double, beta: Double, draw: BivariateNormal)]
    let baseTenure: [Int]
    let basePlan: [Int]
    let baseCountInit: [Int]
    let discount: [Double]              // v^a, a = 0 ..< lifetime
    let reportedCohortSlot: [Int]       // by cohort month (index m), -1 if not reported
    let monthlyOffset: [Int]            // by Monthly.allCases order
    let tenureOffset: Int
    let cohortOffsets: [Int]
    let scalarOffset: [Int]

    public init(_ scenario: Scenario) {
        self.scenario = scenario
        planCount = scenario.plans.count
        baseCount = scenario.existing.count
        horizon = scenario.horizonMonths
        lifetime = scenario.lifetimeMonths
        lastMonth = scenario.acquisition.newPerMonth > 0 ? horizon + lifetime - 1 : horizon
        price = scenario.plans.map(\.pricePerMonth)
        margin = scenario.economics.grossMargin
        cac = scenario.economics.cacPerSubscriber
        mix = scenario.acquisition.planMix
        arrivalsMean = (1...horizon).map { scenario.acquisition.meanArrivals(month: $0) }
        let maxTenure = scenario.existing.map(\.tenureMonths).max() ?? 0
        let maxRenewal = max(lastMonth, maxTenure + horizon) + 1
        hazard = scenario.plans.map { plan in
            (0...maxRenewal).map { t in t == 0 ? 0 : plan.churn.churnProbability(atRenewal: t) }
        }
        uncertainPlans = scenario.plans.enumerated().compactMap { p, plan in
            guard let u = plan.churnUncertainty, case let .shiftedBetaGeometric(a, b) = plan.churn else { return nil }
            // Validated by the scenario loader; an invalid value here is a programmer error.
            // Deviations of (ln alpha, ln beta) from the estimate; alpha-hat exp(0) is alpha-hat exactly.
            let draw = try! BivariateNormal(meanX: 0, meanY: 0, sdX: u.seLogAlpha, sdY: u.seLogBeta,
                                            correlation: u.correlation)
            return (p, a, b, draw)
        }
        streamNames = ["acquisition", "churn"] + (uncertainPlans.isEmpty ? [] : ["parameters"])
        baseTenure = scenario.existing.map(\.tenureMonths)
        basePlan = scenario.existing.map(\.plan)
        baseCountInit = scenario.existing.map(\.count)
        discount = CohortModel.discountFactors(scenario)
        let cohorts: [Int]
        (cohorts, reportedCohortSlot) = CohortModel.reportedCohorts(scenario)

        var l = OutputLayout()
        monthlyOffset = CohortModel.monthlyMetrics.map { l.add($0.name, .monthly, count: scenario.horizonMonths) }
        tenureOffset = l.add("retention", .byTenure, count: scenario.horizonMonths)
        cohortOffsets = cohorts.map { c in
            l.add("retention_cohort_\(c)", .cohort(month: c), count: scenario.horizonMonths - c + 1)
        }
        scalarOffset = CohortModel.scalarMetrics.map { l.add($0.name, .scalar, count: 1) }
        self.layout = l
    }

    /// The discount factors v^a = (1 + d)^-a, a = 0 ..< lifetime (d the monthly discount rate),
    /// by which CLTV values a cohort's revenue in its month a + 1. Shared with `PipelineModel`.
    static func discountFactors(_ scenario: Scenario) -> [Double] {
        let d = scenario.discountPerMonth, lifetime = scenario.lifetimeMonths
        var v = [Double](repeating: 1, count: lifetime)
        for a in 1..<max(lifetime, 1) { v[a] = v[a - 1] / (1 + d) }
        return v
    }

    /// The reported cohorts within the horizon and, by cohort month 0 ... horizon, each one's
    /// slot among them (-1 if not reported). Shared with `PipelineModel`.
    static func reportedCohorts(_ scenario: Scenario) -> (cohorts: [Int], slot: [Int]) {
        let h = scenario.horizonMonths
        var slots = [Int](repeating: -1, count: h + 1)
        let cohorts = scenario.reportedCohorts.filter { $0 >= 1 && $0 <= h }
        for (i, c) in cohorts.enumerated() { slots[c] = i }
        return (cohorts, slots)
    }

    /// Writes the per-trial scalars (`Scalar` order, at `offsets`): acquired; CLTV = margin x
    /// discounted lifetime revenue per acquired subscriber; the naive ARPU x margin / churn rate =
    /// margin x total revenue / total churned (same exposure); LTV:CAC; and the CAC payback month
    /// (the first tenure month whose cumulative margin per acquired subscriber reaches the CAC).
    /// Undefined values stay as they are (NaN). Shared with `PipelineModel`.
    static func writeScalars<Ages: RandomAccessCollection>(into out: UnsafeMutableBufferPointer<Double>, at offsets: [Int],
                                                           acquired: Int, lifetimeRevenue: Double, revenueByAge: Ages,
                                                           cumulativeRevenue: Double, churned: Int, margin: Double, cac: Double,
                                                           lifetimeCost: Double = 0, costByAge: UnsafeBufferPointer<Double>? = nil)
        where Ages.Element == Double, Ages.Index == Int {
        out[offsets[0]] = Double(acquired)
        if acquired > 0 {
            // With per-unit serving costs or payment fees (`Costs`), CLTV is the discounted gross
            // margin amount: margin x revenue - those costs.
            let cltv = costByAge == nil ? margin * lifetimeRevenue / Double(acquired)
                : (margin * lifetimeRevenue - lifetimeCost) / Double(acquired)
            out[offsets[1]] = cltv
            if cac > 0 {
                out[offsets[3]] = cltv / cac
                var cumulative = 0.0
                for a in 0..<revenueByAge.count {
                    cumulative += costByAge == nil ? margin * revenueByAge[a] / Double(acquired)
                        : (margin * revenueByAge[a] - costByAge![a]) / Double(acquired)
                    if cumulative >= cac { out[offsets[4]] = Double(a + 1); break }
                }
            } else {
                out[offsets[4]] = 0
            }
        }
        if churned > 0 {
            out[offsets[2]] = margin * cumulativeRevenue / Double(churned)
        }
    }

    /// Compartment-months one trial simulates (one binomial draw each, the dominant cost):
    /// existing-base groups x horizon + plans x sum over acquisition cohorts of the months each is
    /// followed (to the horizon, or to the CLTV lifetime if longer).
    public var stepsPerTrial: Int {
        var steps = baseCount * horizon
        if lastMonth > horizon || scenario.acquisition.newPerMonth > 0 {
            for c in 1...horizon { steps += planCount * max(horizon - c + 1, lastMonth > horizon ? lifetime : 0) }
        }
        return steps
    }

    /// Reusable per-worker buffers, so the hot loop does not allocate.
    public struct Scratch {
        var alive: [Int]
        var arrived: [Int]
        var split: [Int]
        var aliveByAge: [Double]
        var revenueByAge: [Double]
        var hazard: [[Double]]
    }

    public func makeScratch() -> Scratch {
        let compartments = baseCount + horizon * planCount
        return Scratch(alive: .init(repeating: 0, count: compartments),
                       arrived: .init(repeating: 0, count: compartments),
                       split: .init(repeating: 0, count: planCount),
                       aliveByAge: .init(repeating: 0, count: horizon),
                       revenueByAge: .init(repeating: 0, count: lifetime),
                       hazard: hazard)
    }

    /// Simulates one trial and writes `layout.width` values into `out`.
    /// - Parameter streams: one generator per name in `streamNames`, each positioned at the
    ///   start of this trial's stream.
    public func simulate(streams: [RandomGenerator], scratch s: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count == layout.width && streams.count == streamNames.count)
        let acquisition = streams[0], churn = streams[1]
        // 0. parameters: this trial's churn parameters for plans whose parameters are uncertain.
        for (p, alphaHat, betaHat, draw) in uncertainPlans {
            let (za, zb) = draw.sample(using: streams[2])
            let a = alphaHat * exp(za), b = betaHat * exp(zb)
            for t in 1..<s.hazard[p].count { s.hazard[p][t] = ChurnModel.sbgHazard(alpha: a, beta: b, renewal: t) }
        }
        let P = planCount, B = baseCount
        for i in 0..<B { s.alive[i] = baseCountInit[i] }
        for i in B..<s.alive.count { s.alive[i] = 0; s.arrived[i] = 0 }
        for a in 0..<horizon { s.aliveByAge[a] = 0 }
        for a in 0..<lifetime { s.revenueByAge[a] = 0 }
        for i in 0..<out.count { out[i] = .nan }

        let oActive = monthlyOffset[0], oNew = monthlyOffset[1], oChurned = monthlyOffset[2]
        let oMRR = monthlyOffset[3], oARR = monthlyOffset[4], oARPU = monthlyOffset[5]
        let oLogo = monthlyOffset[6], oRevChurn = monthlyOffset[7], oCum = monthlyOffset[8]
        let oNewMRR = monthlyOffset[9], oChurnedMRR = monthlyOffset[10]

        var acquiredTotal = 0
        var lifetimeRevenue = 0.0     // discounted to each subscriber's arrival, before margin
        var cumulativeRevenue = 0.0
        var churnedTotal = 0

        for m in 1...lastMonth {
            if SimulationControl.stopRequested { return }   // Ctrl-C: the trial is discarded
            let inHorizon = m <= horizon
            // 1. arrivals
            var arrivals = 0
            var newMRR = 0.0
            if inHorizon {
                arrivals = Poisson.draw(mean: arrivalsMean[m - 1], using: acquisition)
                acquiredTotal += arrivals
                let base = B + (m - 1) * P
                if P == 1 {
                    s.alive[base] = arrivals
                    s.arrived[base] = arrivals
                    newMRR = price[0] * Double(arrivals)
                } else if arrivals > 0 {
                    Multinomial.draw(trials: arrivals, weights: mix, into: &s.split, using: acquisition)
                    for p in 0..<P {
                        s.alive[base + p] = s.split[p]
                        s.arrived[base + p] = s.split[p]
                        newMRR += price[p] * Double(s.split[p])
                    }
                }
            }
            // 2. billing and 3. renewals, compartment by compartment
            var active = 0, churned = 0
            var mrr = 0.0, churnedMRR = 0.0
            if inHorizon {
                for i in 0..<B {
                    let n = s.alive[i]
                    if n == 0 { continue }
                    let p = basePlan[i]
                    active += n
                    mrr += price[p] * Double(n)
                    let k = Binomial.draw(trials: n, probability: s.hazard[p][baseTenure[i] + m], using: churn)
                    s.alive[i] = n - k
                    churned += k
                    churnedMRR += price[p] * Double(k)
                }
            }
            let firstCohort = inHorizon ? 1 : max(1, m - lifetime + 1)
            let lastCohort = min(m, horizon)
            if firstCohort <= lastCohort {
                for c in firstCohort...lastCohort {
                    let age = m - c
                    let slot = inHorizon ? reportedCohortSlot[c] : -1
                    var cohortAlive = 0
                    for p in 0..<P {
                        let i = B + (c - 1) * P + p
                        let n = s.alive[i]
                        if n == 0 { continue }
                        cohortAlive += n
                        let revenue = price[p] * Double(n)
                        if age < lifetime {
                            lifetimeRevenue += revenue * discount[age]
                            s.revenueByAge[age] += revenue
                        }
                        let k = Binomial.draw(trials: n, probability: s.hazard[p][age + 1], using: churn)
                        s.alive[i] = n - k
                        if inHorizon {
                            active += n
                            mrr += revenue
                            churned += k
                            churnedMRR += price[p] * Double(k)
                        }
                    }
                    if inHorizon {
                        s.aliveByAge[age] += Double(cohortAlive)
                        if slot >= 0 {
                            var arrivedC = 0
                            for p in 0..<P { arrivedC += s.arrived[B + (c - 1) * P + p] }
                            if arrivedC > 0 { out[cohortOffsets[slot] + age] = Double(cohortAlive) / Double(arrivedC) }
                        }
                    }
                }
            }
            // 4. record
            if inHorizon {
                let j = m - 1
                cumulativeRevenue += mrr
                churnedTotal += churned
                out[oActive + j] = Double(active)
                out[oNew + j] = Double(arrivals)
                out[oChurned + j] = Double(churned)
                out[oMRR + j] = mrr
                out[oARR + j] = 12 * mrr
                out[oARPU + j] = active > 0 ? mrr / Double(active) : .nan
                out[oLogo + j] = active > 0 ? Double(churned) / Double(active) : .nan
                out[oRevChurn + j] = mrr > 0 ? churnedMRR / mrr : .nan
                out[oCum + j] = cumulativeRevenue
                out[oNewMRR + j] = newMRR
                out[oChurnedMRR + j] = churnedMRR
            }
        }

        // Pooled retention by tenure: survivors at age a over arrivals of cohorts old enough.
        var arrivedUpTo = 0   // arrivals of cohorts 1 ... horizon - a
        var arrivedByCohort = [Int](repeating: 0, count: horizon + 1)
        for c in 1...horizon {
            var n = 0
            for p in 0..<P { n += s.arrived[B + (c - 1) * P + p] }
            arrivedByCohort[c] = n
        }
        for a in stride(from: horizon - 1, through: 0, by: -1) {
            arrivedUpTo += arrivedByCohort[horizon - a]
            if arrivedUpTo > 0 { out[tenureOffset + a] = s.aliveByAge[a] / Double(arrivedUpTo) }
        }

        // Per-trial scalars.
        CohortModel.writeScalars(into: out, at: scalarOffset, acquired: acquiredTotal, lifetimeRevenue: lifetimeRevenue,
                                 revenueByAge: s.revenueByAge, cumulativeRevenue: cumulativeRevenue, churned: churnedTotal,
                                 margin: margin, cac: cac)
    }
}
