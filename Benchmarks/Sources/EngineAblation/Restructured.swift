import CGSL
import SubcastCore
import SubcastStochastics

/// CohortModel.simulate for the benchmark's case (one plan, no existing base, no churn
/// uncertainty, `lifetimeMonths: 1`, no CAC), restructured the way a fix of the engine's hot loop
/// could be: the per-cohort loop does only what needs each draw (the active count, the churners,
/// the survivors by age) on unsafe buffers, and everything else (MRR, churned MRR, revenue, the
/// reported cohorts' retention) is computed per month from those counts outside it. Money amounts
/// are whole multiples of the price, so price x count gives the same doubles as the engine's
/// per-cohort sums, and the output rows are the engine's bit for bit (checked by the
/// `restructured-check` variant).
struct RestructuredModel {
    let horizon: Int
    let price: Double
    let lambda: Double
    let hazard: UnsafeMutablePointer<Double>        // by age a: h(a + 1)
    let width: Int
    let monthly: [Int]                               // offsets of CohortModel.monthlyMetrics
    let tenure: Int
    let reported: [(month: Int, offset: Int)]
    let acquired: Int, cltv: Int, cltvNaive: Int, payback: Int

    init(_ scenario: Scenario) {
        let model = CohortModel(scenario)
        let layout = model.layout
        horizon = scenario.horizonMonths
        price = scenario.plans[0].pricePerMonth
        lambda = scenario.acquisition.newPerMonth
        hazard = .allocate(capacity: horizon)
        for a in 0..<horizon { hazard[a] = scenario.plans[0].churn.churnProbability(atRenewal: a + 1) }
        width = layout.width
        monthly = CohortModel.monthlyMetrics.map { layout.block($0.name)!.offset }
        tenure = layout.block("retention")!.offset
        reported = scenario.reportedCohorts.map { ($0, layout.block("retention_cohort_\($0)")!.offset) }
        acquired = layout.block("acquired")!.offset
        cltv = layout.block("cltv")!.offset
        cltvNaive = layout.block("cltv_naive")!.offset
        payback = layout.block("cac_payback_month")!.offset
    }

    struct Scratch {
        let alive: UnsafeMutablePointer<Int>
        let arrived: UnsafeMutablePointer<Int>
        let aliveByAge: UnsafeMutablePointer<Int>
        init(horizon: Int) {
            alive = .allocate(capacity: horizon)
            arrived = .allocate(capacity: horizon)
            aliveByAge = .allocate(capacity: horizon)
        }
    }

    func simulate(acquisition: UnsafeMutablePointer<gsl_rng>, churn: UnsafeMutablePointer<gsl_rng>,
                  scratch s: Scratch, into out: UnsafeMutablePointer<Double>) {
        let H = horizon
        out.update(repeating: .nan, count: width)
        s.aliveByAge.update(repeating: 0, count: H)
        let oActive = monthly[0], oNew = monthly[1], oChurned = monthly[2], oMRR = monthly[3]
        let oARR = monthly[4], oARPU = monthly[5], oLogo = monthly[6], oRevChurn = monthly[7]
        let oCum = monthly[8], oNewMRR = monthly[9], oChurnedMRR = monthly[10]
        var acquiredTotal = 0, churnedTotal = 0
        var cumulativeRevenue = 0.0
        for m in 1...H {
            let arrivals = lambda > 0 ? Int(gsl_ran_poisson(acquisition, lambda)) : 0
            acquiredTotal += arrivals
            s.alive[m - 1] = arrivals
            s.arrived[m - 1] = arrivals
            // The reported cohorts' retention, from the counts at the start of the month.
            for (c, offset) in reported where c <= m {
                let a = s.arrived[c - 1]
                if a > 0 { out[offset + m - c] = Double(s.alive[c - 1]) / Double(a) }
            }
            // The hot loop: one binomial draw per active cohort, nothing else.
            var active = 0, churned = 0
            for c in 0..<m {
                let n = s.alive[c]
                if n == 0 { continue }
                let age = m &- 1 &- c
                active &+= n
                s.aliveByAge[age] &+= n
                let p = hazard[age]
                let k = p <= 0 ? 0 : p >= 1 ? n : Int(gsl_ran_binomial(churn, p, UInt32(truncatingIfNeeded: n)))
                s.alive[c] = n &- k
                churned &+= k
            }
            let j = m - 1
            let mrr = price * Double(active), churnedMRR = price * Double(churned)
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
            out[oNewMRR + j] = price * Double(arrivals)
            out[oChurnedMRR + j] = churnedMRR
        }
        var arrivedUpTo = 0
        for a in stride(from: H - 1, through: 0, by: -1) {
            arrivedUpTo += s.arrived[H - a - 1]
            if arrivedUpTo > 0 { out[tenure + a] = Double(s.aliveByAge[a]) / Double(arrivedUpTo) }
        }
        out[acquired] = Double(acquiredTotal)
        if acquiredTotal > 0 {
            // With lifetimeMonths 1, CLTV counts each subscriber's first payment only.
            out[cltv] = price * Double(acquiredTotal) / Double(acquiredTotal)
            out[payback] = 0
        }
        if churnedTotal > 0 { out[cltvNaive] = cumulativeRevenue / Double(churnedTotal) }
    }
}
