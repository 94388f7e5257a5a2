import Foundation
import SubcastStochastics

/// Renewals and churn: the plans' hazards (`ChurnModel`) and each month's churners.
///
/// Parameters (once per trial, stream `parameters`): plans whose sBG parameters are uncertain
/// draw (ln alpha, ln beta) from their bivariate normal and get the hazards of the drawn values.
/// Annual billing renews at every 12th paid month, with the hazard of leaving over those 12
/// months, 1 - prod (1 - h_t).
///
/// Renewal step (stream `churn`), per compartment whose subscribers have now paid t months
/// (their renewal t; monthly billing every month, annual at t = 12, 24, ...): the conditions
/// form classes of equal hazard multiplier x (`Conditions.classes`); each non-empty class of n
/// churns Binomial(n, min(1, x h_t)), taken uniformly over the class's conditions (sequential
/// hypergeometric draws, only when the class has more than one non-empty condition). In the
/// horizon, with q = min(1, x h), of the churners of waiting and detractor classes (x > 1)
/// Binomial(churners, 1 - h / q) count as `support_churn` (those the base hazard would have
/// kept), and of the stayers of promoter classes (x < 1) Binomial(stayers, (h - q) / (1 - q)) as
/// `support_saved` (those it would have taken). With no condition but healthy this is one
/// Binomial(n, h_t) per compartment, the draw of `CohortModel`.
///
/// Where multipliers meet heterogeneous churn the compartments are latent classes
/// (`LatentClasses`): h is the class's own probability and the multiplier acts on it, as on each
/// subscriber's propensity. Elsewhere (no multiplier, or constant churn) the multiplier acts on
/// the cohort's hazard, which is then the same thing.
struct RenewalProcess: Sendable {
    static let stream = "churn", parameterStream = "parameters"
    /// [plan][t], t = 0 ... maxRenewal (t = 0 unused).
    let hazard: [[Double]]
    let uncertainPlans: [(plan: Int, alpha: Double, beta: Double, draw: BivariateNormal)]
    let annual: Bool
    /// Churn response to price (`PriceChurn`): elasticity, reference list price and
    /// monthly-equivalent factor of annual billing per plan.
    let priceChurn: (elasticity: Double, reference: [Double], annualFactor: [Double])?
    var hazardStride: Int { hazard[0].count }
    var annualStride: Int { (hazardStride - 1) / 12 + 1 }

    init(_ scenario: Scenario, shape: Scenario, lastMonth: Int, followAll: Bool = false) {
        let maxTenure = scenario.existing.map(\.tenureMonths).max() ?? 0
        let maxRenewal = max(lastMonth, maxTenure + (followAll ? lastMonth : scenario.horizonMonths)) + 1
        hazard = scenario.plans.map { plan in
            (0...maxRenewal).map { t in t == 0 ? 0 : plan.churn.churnProbability(atRenewal: t) }
        }
        uncertainPlans = scenario.plans.enumerated().compactMap { p, plan in
            guard let u = plan.churnUncertainty, case let .shiftedBetaGeometric(a, b) = plan.churn else { return nil }
            // Validated by the scenario loader.
            let draw = try! BivariateNormal(meanX: 0, meanY: 0, sdX: u.seLogAlpha, sdY: u.seLogBeta, correlation: u.correlation)
            return (p, a, b, draw)
        }
        annual = shape.plans.contains { $0.options.annualShare > 0 }
        if let pc = scenario.levers.priceChurn ?? shape.levers.priceChurn.map({ _ in PriceChurn(elasticity: 0) }) {
            priceChurn = (pc.elasticity, scenario.plans.map { $0.options.referencePrice ?? $0.pricePerMonth },
                          scenario.plans.map { 1 - $0.options.annualDiscount })
        } else {
            priceChurn = nil
        }
    }

    /// The hazard h of a compartment billed `unitPrice` a month (monthly-equivalent) on plan p,
    /// billing b, after the churn response to price: h x (price / reference)^elasticity when the
    /// list price exceeds the reference, capped at 1.
    @inline(__always) func priceAdjusted(_ h: Double, unitPrice: Double, plan p: Int, billing b: Int) -> Double {
        guard let pc = priceChurn, pc.elasticity != 0, h > 0 else { return h }
        let list = b == 0 ? unitPrice : unitPrice / pc.annualFactor[p]
        let reference = pc.reference[p]
        guard reference > 0, list > reference else { return h }
        return Swift.min(1, h * _pow(list / reference, pc.elasticity))
    }

    /// This trial's hazards into `h` ([plan * stride + t]) and annual hazards into `a`; returns
    /// the sBG parameters drawn for plans with uncertain churn.
    @discardableResult
    func prepare(hazards h: UnsafeMutableBufferPointer<Double>, annual a: UnsafeMutableBufferPointer<Double>,
                 using g: RandomGenerator?) -> [(plan: Int, alpha: Double, beta: Double)] {
        var drawn: [(plan: Int, alpha: Double, beta: Double)] = []
        let HS = hazardStride, AS = annualStride
        for p in hazard.indices {
            precondition(hazard[p].count == HS, "a scenario of this shape has another hazard table length")
            for t in 0..<HS { h[p * HS + t] = hazard[p][t] }
        }
        for (p, alphaHat, betaHat, draw) in uncertainPlans {
            let (za, zb) = draw.sample(using: g!)
            let alpha = alphaHat * exp(za), beta = betaHat * exp(zb)
            for t in 1..<HS { h[p * HS + t] = ChurnModel.sbgHazard(alpha: alpha, beta: beta, renewal: t) }
            drawn.append((p, alpha, beta))
        }
        if annual {
            for p in hazard.indices {
                let years = (HS - 1) / 12
                for k in 0..<AS { a[p * AS + k] = 0 }
                for k in stride(from: 1, through: years, by: 1) {
                    var keep = 1.0
                    for t in (12 * k - 11)...(12 * k) { keep *= 1 - h[p * HS + t] }
                    a[p * AS + k] = 1 - keep
                }
            }
        }
        return drawn
    }

    /// The churners of compartment c at hazard h (removed from its counts). `compounded` k > 1
    /// (a latent class billed yearly): h is a monthly probability, and a renewal covers k months,
    /// leaving with 1 - (1 - min(1, x h))^k under multiplier x.
    @inline(__always)
    func churn(_ t: CompartmentTable, _ c: Int, hazard monthly: Double, classes: [(mask: UInt64, multiplier: Double, attribution: Int)],
               _ x: Month, compounded months: Int = 1, using g: RandomGenerator) -> Int {
        if monthly <= 0 { return 0 }
        @inline(__always) func over(_ q: Double) -> Double { months == 1 ? q : 1 - _pow(1 - q, Double(months)) }
        let h = over(monthly)
        let occupied = t.occupied[c]
        if t.conditions == 1 {
            // Only healthy subscribers can exist: the core model's single draw.
            let n = t.total[c]
            let k = Binomial.draw(trials: n, probability: h, using: g)
            t.add(c, 0, -k)
            return k
        }
        var gone = 0
        for cls in classes {
            let mask = cls.mask & occupied
            if mask == 0 { continue }
            var pooled = 0, single = -1
            var many = false
            forEachBit(mask) { st in
                pooled += t.n(c, st)
                if single < 0 { single = st } else { many = true }
            }
            let q = over(Swift.min(1, cls.multiplier * monthly))
            let k = Binomial.draw(trials: pooled, probability: q, using: g)
            if x.inHorizon && cls.attribution != 0 {
                if cls.attribution == 1 && k > 0 {
                    x.add(.supportChurn, Binomial.draw(trials: k, probability: 1 - h / q, using: g))
                } else if cls.attribution == 2 && q < 1 && pooled > k {
                    x.add(.supportSaved, Binomial.draw(trials: pooled - k, probability: (h - q) / (1 - q), using: g))
                }
            }
            if k == 0 { continue }
            if many {
                splitOverConditions(t, c, mask: mask, pooled: pooled, take: k, using: g) { st, taken in t.add(c, st, -taken) }
            } else {
                t.add(c, single, -k)
            }
            gone += k
        }
        return gone
    }
}
