import Foundation
import SubcastStochastics

/// The forecast model as a pipeline of processes: one compartment table (`CompartmentTable`)
/// that every process reads and changes in a fixed order, each process drawing from its own
/// named streams only, so a strategy that changes one process leaves the random numbers of every
/// other process as they were (common random numbers).
///
/// The month step, month m (each process's file states its rule; the stream is in brackets):
/// 1. prices (`Pricing`): price events set list prices; existing compartments that are not
///    grandfathered are repriced and marked for the event's churn shock;
/// 2. arrivals: sign-ups (`AcquisitionProcess` [acquisition]), free trials converting
///    (`FreeTrialProcess` [trials]), referred sign-ups from last month's customers
///    (`ReferralProcess` [referrals]); paying arrivals split over plans (Multinomial
///    [acquisition], referred ones [referrals]), billing (annual share, `BillingProcess`
///    [billing]), onboarding (at risk, `OnboardingProcess` [onboarding]) and seats at sign-up
///    (`SeatsProcess` [seats]); licence customers migrate (`LicenceProcess` [licences]);
/// 3. seats of compartments that started before m ([seats]);
/// 4. plan moves, one simultaneous step (`PlanMoveProcess` [moves]);
/// 5. support: tickets, capacity, resolutions, upsells (`SupportProcess` [support]; licence
///    customers' tickets `LicenceSupportProcess` [licence_support]);
/// 6. interventions (`OnboardingProcess` [onboarding]);
/// 7. billing: MRR, cash and the MRR bridge per compartment (`BillingProcess`; usage
///    `UsageProcess` [usage]); condition stocks (at risk, detractors, promoters) are counted here;
/// 8. renewals: churn by condition class (`RenewalProcess` [churn]), the price shock
///    (`Pricing` [price_shock]), failed payments (`DunningProcess` [dunning]), leavers' seats
///    ([seats]);
/// 9. ageing: detractor and promoter months count down; at-risk subscribers finish ramping up
///    ([onboarding]);
/// 10. licence paths ([licences]) and record: the month's metrics (`Metric`, the registry); then
///     licence detractors count down (`LicenceSupportProcess`).
/// Months 1 ... horizon are reported; when the business can acquire subscribers (sign-ups or
/// referrals), the cohorts acquired in the horizon are then followed without new arrivals until
/// each reaches the CLTV lifetime.
///
/// Every draw is on counts (binomial, multinomial, hypergeometric, Poisson, gamma), so a trial
/// costs O(months x compartments x non-empty conditions), whatever the number of subscribers.
/// With no lever on this makes exactly the draws of `CohortModel`, from the same streams, and
/// reports the same numbers bit for bit (a test checks it); `ForecastModel` then runs the
/// leaner `CohortModel`.
public final class PipelineModel: Sendable {
    public let scenario: Scenario
    public let layout: OutputLayout
    public let streamNames: [String]
    let shape: ModelShape
    /// True when the scenario (or its family's shape) uses some lever: lever metrics are reported.
    let withLevers: Bool

    // Processes, in month order (nil when off).
    let pricing: Pricing
    let acquisition: AcquisitionProcess
    let freeTrial: FreeTrialProcess?
    let referrals: ReferralProcess?
    let billing: BillingProcess
    let seats: SeatsProcess?
    let moves: PlanMoveProcess?
    let support: SupportProcess?
    let onboarding: OnboardingProcess?
    let usage: UsageProcess?
    let renewal: RenewalProcess
    /// Latent classes of churn propensity, where multipliers meet heterogeneous churn.
    let latent: LatentClasses?
    let dunning: DunningProcess?
    let licence: LicenceProcess?
    let licenceSupport: LicenceSupportProcess?
    /// Prices what the others counted (always runs with levers).
    let costs: CostsProcess
    let priceChurn: Bool

    /// Stream indices into `streamNames` (-1 when unused).
    let iParameters: Int, iTrials: Int, iReferrals: Int, iBilling: Int, iShock: Int, iOnboarding: Int
    let iSupport: Int, iLicenceSupport: Int, iMoves: Int, iSeats: Int, iUsage: Int, iDunning: Int, iLicences: Int
    let iClasses: Int

    // Cohort bookkeeping.
    let baseCountInit: [Int], basePlan: [Int]
    /// The condition index of each existing group at the start.
    let baseCondition: [Int]
    let discount: [Double]
    let reportedCohortSlot: [Int]
    let margin: Double, cac: Double
    let licenceCustomerValue: Double

    // Output offsets.
    /// By `Metric.rawValue`: the block's offset, -1 when not reported.
    let offset: [Int]
    /// The reported monthly metrics: (offset, metric raw value).
    let monthlyOut: [(offset: Int, metric: Int)]
    let tenureOffset: Int, cohortOffsets: [Int], coreScalar: [Int]
    /// Fiscal-year totals: by month index m - 1 the year's first output offset (one per
    /// `MetricRegistry.fiscalYearMetrics`), -1 without them.
    let fiscalOffset: [Int]

    /// Compiles a scenario into the model (once per run, or per trial for drawn inputs).
    /// - Parameters:
    ///   - scenario: the values to simulate.
    ///   - shape: decides what is simulated and reported (which streams, compartments and output
    ///     series exist) when it differs from `scenario`'s own: runs that draw some inputs per
    ///     trial pass one shape for all trials so that every trial has the same layout. It must
    ///     have the same plans, sections and integer settings as `scenario`.
    /// Changes of a compartment's MRR smaller than this (in currency units, a billionth of a
    /// cent) are rounding noise of the pro-rata splits, not expansion or contraction; the MRR
    /// bridge then holds to within this per compartment.
    static let roundingNoise = 1e-9

    public init(_ scenario: Scenario, shape: Scenario? = nil) {
        self.scenario = scenario
        let shapeScenario = shape ?? scenario
        precondition(shapeScenario.plans.count == scenario.plans.count && shapeScenario.horizonMonths == scenario.horizonMonths
                     && shapeScenario.lifetimeMonths == scenario.lifetimeMonths)
        let levers = scenario.levers
        let P = scenario.plans.count, B = scenario.existing.count, H = scenario.horizonMonths
        let lifetime = scenario.lifetimeMonths
        let acquires = scenario.acquisition.newPerMonth > 0 || shapeScenario.acquisition.newPerMonth > 0
            || shapeScenario.levers.referrals != nil
        let terminal = scenario.levers.costs?.terminalValue == true || shapeScenario.levers.costs?.terminalValue == true
        let lastMonth = terminal ? H + lifetime : (acquires ? H + lifetime - 1 : H)
        let leversOn = scenario.usesLevers || shapeScenario.usesLevers
        withLevers = leversOn
        margin = scenario.economics.grossMargin
        cac = scenario.economics.cacPerSubscriber

        // Processes.
        pricing = Pricing(scenario, shape: shapeScenario, lastMonth: lastMonth)
        acquisition = AcquisitionProcess(scenario, pricing: pricing)
        freeTrial = FreeTrialProcess(scenario)
        referrals = ReferralProcess(scenario)
        billing = BillingProcess(scenario)
        seats = SeatsProcess(scenario, shape: shapeScenario)
        moves = PlanMoveProcess(scenario, shape: shapeScenario)
        support = SupportProcess(scenario)
        // Ramp-up exits by months since sign-up: an existing base at risk is `tenure_months` older.
        onboarding = OnboardingProcess(scenario, lastMonth: lastMonth + (scenario.existing.map(\.tenureMonths).max() ?? 0))
        usage = UsageProcess(scenario, shape: shapeScenario)
        renewal = RenewalProcess(scenario, shape: shapeScenario, lastMonth: lastMonth, followAll: terminal)
        dunning = DunningProcess(scenario)
        licence = LicenceProcess(scenario, support: levers.support)
        licenceSupport = LicenceSupportProcess(scenario)
        costs = CostsProcess(scenario, lastMonth: lastMonth)
        priceChurn = renewal.priceChurn != nil

        // Shape.
        let anyAnnual = shapeScenario.plans.contains { $0.options.annualShare > 0 }
        let migrantBase = (shapeScenario.levers.licenceSwitch?.migrationPerMonth ?? 0) > 0 ? B + H : -1
        let conditions = Conditions(onboarding: levers.onboarding, support: levers.support)
        var shape = ModelShape(P: P, B: B, H: H, lifetime: lifetime, lastMonth: lastMonth, NB: anyAnnual ? 2 : 1,
                               G: B + H + (migrantBase >= 0 ? H : 0), cohortBase: B, migrantBase: migrantBase,
                               baseTenure: scenario.existing.map(\.tenureMonths),
                               conditions: conditions, followAll: terminal)
        latent = LatentClasses(scenario, shape: shapeScenario, lastRenewal: renewal.hazardStride - 1)
        if let lc = latent {
            shape.L = lc.L
            shape.classPlans = lc.classPlans
            shape.medianClass = lc.medianClass
        } else {
            shape.classPlans = [Bool](repeating: false, count: P)
            shape.medianClass = [Int](repeating: 0, count: P)
        }
        self.shape = shape

        // Streams: the core ones first, in CohortModel's order, then each process's.
        var names = ["acquisition", "churn"]
        func stream(_ name: String, _ used: Bool) -> Int {
            guard used else { return -1 }
            names.append(name)
            return names.count - 1
        }
        iParameters = stream(RenewalProcess.parameterStream, shapeScenario.plans.contains { $0.churnUncertainty != nil })
        iTrials = stream(FreeTrialProcess.stream, freeTrial != nil)
        iReferrals = stream(ReferralProcess.stream, referrals != nil)
        iBilling = stream(BillingProcess.stream, anyAnnual)
        iShock = stream(Pricing.stream, pricing.hasShock)
        iOnboarding = stream(OnboardingProcess.stream, onboarding != nil)
        iSupport = stream(SupportProcess.stream, support != nil)
        iLicenceSupport = stream(LicenceSupportProcess.stream, licenceSupport != nil)
        iMoves = stream(PlanMoveProcess.stream, moves != nil)
        iSeats = stream(SeatsProcess.stream, seats != nil)
        iUsage = stream(UsageProcess.stream, usage != nil)
        iDunning = stream(DunningProcess.stream, dunning != nil)
        iLicences = stream(LicenceProcess.stream, licence != nil)
        iClasses = stream(LatentClasses.stream, latent != nil)
        streamNames = names

        baseCountInit = scenario.existing.map(\.count)
        basePlan = scenario.existing.map(\.plan)
        let cond0 = conditions
        // The loader checks that a condition's lever is present; without it the base is healthy.
        baseCondition = scenario.existing.map { e in
            switch e.condition {
            case .healthy: return 0
            case .atRisk: return max(0, cond0.risk)
            case .waiting: return max(0, cond0.wait)
            case let .detractor(r): return cond0.bad >= 0 ? cond0.bad + min(max(r, 1), cond0.badMonths) - 1 : 0
            case let .promoter(r): return cond0.good >= 0 ? cond0.good + min(max(r, 1), cond0.goodMonths) - 1 : 0
            }
        }
        let v = CohortModel.discountFactors(scenario)
        discount = v
        let cohorts: [Int]
        (cohorts, reportedCohortSlot) = CohortModel.reportedCohorts(scenario)
        licenceCustomerValue = licence?.customerValue(margin: margin, discount: v, lifetime: lifetime) ?? .nan

        // Layout, from the registry: monthly metrics, retention, scalars.
        let running = PipelineModel.running(shape: shapeScenario, withLevers: leversOn, hasShock: pricing.hasShock)
        func reported(_ m: Metric) -> Bool {
            let info = m.info
            return info.process == .cohort || (leversOn && info.withAnyLever) || running.contains(info.process)
        }
        var l = OutputLayout()
        var offsets = [Int](repeating: -1, count: Metric.allCases.count)
        var monthly: [(offset: Int, metric: Int)] = []
        for m in MetricRegistry.monthly where reported(m) {
            offsets[m.rawValue] = l.add(m.name, .monthly, count: H)
            monthly.append((offsets[m.rawValue], m.rawValue))
        }
        tenureOffset = l.add("retention", .byTenure, count: H)
        cohortOffsets = cohorts.map { c in l.add("retention_cohort_\(c)", .cohort(month: c), count: H - c + 1) }
        for m in MetricRegistry.scalars where reported(m) { offsets[m.rawValue] = l.add(m.name, .scalar, count: 1) }
        coreScalar = [Metric.acquired, .cltv, .cltvNaive, .ltvToCac, .cacPaybackMonth].map { offsets[$0.rawValue] }
        var fiscal = [Int](repeating: -1, count: H)
        if leversOn {
            for year in scenario.fiscalYears {
                let first = l.width
                for metric in MetricRegistry.fiscalYearMetrics { l.add("\(year.stem)_\(metric.name)", .scalar, count: 1) }
                for m in year.months { fiscal[m - 1] = first }
            }
        }
        fiscalOffset = fiscal
        offset = offsets
        monthlyOut = monthly
        layout = l
    }

    /// The processes a run of `shape` runs (the cohort core always), which decide the metrics reported.
    static func running(shape: Scenario, withLevers: Bool, hasShock: Bool) -> Set<ProcessKind> {
        var s: Set<ProcessKind> = [.cohort]
        guard withLevers else { return s }
        let levers = shape.levers
        s.insert(.billing)
        s.insert(.costs)
        if hasShock { s.insert(.pricing) }
        if levers.freeTrial != nil { s.insert(.freeTrial) }
        if levers.referrals != nil { s.insert(.referrals) }
        if levers.support != nil { s.insert(.support) }
        if shape.plans.contains(where: { !$0.options.moves.isEmpty }) { s.insert(.planMoves) }
        if levers.onboarding != nil { s.insert(.onboarding) }
        if shape.plans.contains(where: { $0.options.seats != nil }) { s.insert(.seats) }
        if shape.plans.contains(where: { $0.options.usage != nil }) { s.insert(.usage) }
        if levers.dunning != nil { s.insert(.dunning) }
        if levers.licenceSwitch != nil { s.insert(.licence) }
        if levers.licenceSwitch?.support != nil && levers.support != nil { s.insert(.licenceSupport) }
        return s
    }

    /// Compartment-months x conditions one trial simulates at most (for work bounds).
    public var stepsPerTrial: Int {
        let H = shape.H, lifetime = shape.lifetime, last = shape.lastMonth
        let groupMonths: Int
        if shape.followAll {
            // Every group is followed to the last month: the base for all of them, each cohort
            // (and migrant group) from its month on.
            let cohortMonths = H * (last + 1) - H * (H + 1) / 2
            groupMonths = shape.B * last + cohortMonths * (shape.migrantBase >= 0 ? 2 : 1)
        } else {
            groupMonths = shape.B * H + (H * max(H, last > H ? lifetime : 0)) * (shape.migrantBase >= 0 ? 2 : 1)
        }
        return groupMonths * shape.P * shape.NB * shape.L * shape.conditions.count
    }

    /// The bytes of one worker's `Scratch`: the compartment table (counts, staged moves and the
    /// per-compartment columns) and the per-trial buffers.
    public var bytesPerWorker: Int {
        let s = shape
        let cells = s.compartments.multipliedReportingOverflow(by: s.conditions.count)
        guard !cells.overflow, cells.partialValue < Int.max / 64 else { return Int.max / 2 }
        let table = 3 * 8 * cells.partialValue + 14 * 8 * s.compartments
        let buffers = 8 * (Metric.allCases.count + 15 * s.G + 3 * s.H + 2 * s.lifetime
                           + s.P * (renewal.hazardStride + renewal.annualStride) + 4 * s.P + 3 * s.P * s.L + 2 * s.L)
        return table + buffers + 4096
    }

    /// Reusable per-worker buffers, allocated once per worker.
    public final class Scratch {
        let table: CompartmentTable
        let acc: UnsafeMutableBufferPointer<Double>             // by Metric.rawValue
        let arrivedByGroup: UnsafeMutableBufferPointer<Int>
        let groupValue: UnsafeMutableBufferPointer<Double>      // [(month % 13) * G + group]
        let aliveByAge: UnsafeMutableBufferPointer<Double>
        let revenueByAge: UnsafeMutableBufferPointer<Double>
        let costByAge: UnsafeMutableBufferPointer<Double>
        let cashFlow: UnsafeMutableBufferPointer<Double>
        let trialStarts: UnsafeMutableBufferPointer<Int>
        let split: UnsafeMutableBufferPointer<Int>              // plans
        let referredSplit: UnsafeMutableBufferPointer<Int>      // plans
        let moveSplit: UnsafeMutableBufferPointer<Int>
        let hazard: UnsafeMutableBufferPointer<Double>
        let annualHazard: UnsafeMutableBufferPointer<Double>
        /// This trial's latent classes: nodes and weights [plan * L + class], the existing base's
        /// tilted weights and the split of a count [class].
        let classNode: UnsafeMutableBufferPointer<Double>
        let classWeight: UnsafeMutableBufferPointer<Double>
        let classTilt: UnsafeMutableBufferPointer<Double>
        let classSplit: UnsafeMutableBufferPointer<Int>
        let licence: LicenceState?

        init(_ model: PipelineModel) {
            let s = model.shape
            table = CompartmentTable(compartments: s.compartments, conditions: s.conditions.count)
            acc = zeroedBuffer(Metric.allCases.count, 0.0)
            arrivedByGroup = zeroedBuffer(s.G, 0)
            groupValue = zeroedBuffer(13 * s.G, 0.0)
            aliveByAge = zeroedBuffer(s.H, 0.0)
            revenueByAge = zeroedBuffer(s.lifetime, 0.0)
            costByAge = zeroedBuffer(s.lifetime, 0.0)
            cashFlow = zeroedBuffer(s.H, 0.0)
            trialStarts = zeroedBuffer(s.H + 1, 0)
            split = zeroedBuffer(s.P, 0)
            referredSplit = zeroedBuffer(s.P, 0)
            moveSplit = zeroedBuffer(model.moves?.maxCategories ?? 1, 0)
            hazard = zeroedBuffer(s.P * model.renewal.hazardStride, 0.0)
            annualHazard = zeroedBuffer(s.P * model.renewal.annualStride, 0.0)
            classNode = zeroedBuffer(s.P * s.L, 0.0)
            classWeight = zeroedBuffer(s.P * s.L, 0.0)
            classTilt = zeroedBuffer(s.L, 0.0)
            classSplit = zeroedBuffer(s.L, 0)
            licence = model.licence.map { _ in LicenceState(badMonths: model.licenceSupport?.badMonths ?? 0, horizon: s.H) }
        }

        deinit {
            for b in [acc, groupValue, aliveByAge, revenueByAge, costByAge, cashFlow, hazard, annualHazard] { b.deallocate() }
            for b in [classNode, classWeight, classTilt] { b.deallocate() }
            for b in [arrivedByGroup, trialStarts, split, referredSplit, moveSplit, classSplit] { b.deallocate() }
        }
    }

    public func makeScratch() -> Scratch { Scratch(self) }

    /// Simulates one trial and writes `layout.width` values into `out`.
    public func simulate(streams: [RandomGenerator], scratch s: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count == layout.width && streams.count == streamNames.count)
        let sh = shape, t = s.table, cond = sh.conditions
        let P = sh.P, B = sh.B, H = sh.H, NB = sh.NB, lifetime = sh.lifetime
        precondition(t.compartments == sh.compartments && t.conditions == cond.count, "scratch of another shape")
        // The streams, bound once per trial; an unused stream's local is never drawn from.
        let rAcquisition = streams[0], rChurn = streams[1]
        func stream(_ i: Int) -> RandomGenerator { i >= 0 ? streams[i] : rChurn }
        let rTrials = stream(iTrials), rReferrals = stream(iReferrals), rBilling = stream(iBilling)
        let rShock = stream(iShock), rOnboarding = stream(iOnboarding), rSupport = stream(iSupport)
        let rLicenceSupport = stream(iLicenceSupport), rMoves = stream(iMoves), rSeats = stream(iSeats)
        let rUsage = stream(iUsage), rDunning = stream(iDunning), rLicences = stream(iLicences)
        let rClasses = stream(iClasses)
        let L = sh.L
        let classNode = s.classNode, classWeight = s.classWeight
        let HS = renewal.hazardStride, AS = renewal.annualStride
        let classes = cond.classes
        let hazard = s.hazard, annualHazard = s.annualHazard
        let acc = s.acc

        // Parameters: this trial's hazards (and latent classes).
        let drawn = renewal.prepare(hazards: hazard, annual: annualHazard, using: iParameters >= 0 ? streams[iParameters] : nil)
        if let lc = latent {
            for p in 0..<P where sh.classPlans[p] {
                var nodes = lc.nodes[p], weights = lc.weights[p]
                if let d = drawn.first(where: { $0.plan == p }) {
                    let rule = LatentClasses.rule(.shiftedBetaGeometric(alpha: d.alpha, beta: d.beta), points: L)
                    nodes = rule.nodes
                    weights = rule.weights
                }
                for l in 0..<L { classNode[p * L + l] = nodes[l]; classWeight[p * L + l] = weights[l] }
            }
        }
        /// Calls body(class, count) for the classes of n subscribers of plan p (tenure paid
        /// before: the existing base's tilt); one call with class 0 for a plan without classes.
        func placeInClasses(_ n: Int, plan p: Int, tenure: Int, _ body: (Int, Int) -> Void) {
            guard let lc = latent, sh.classPlans[p], n > 0 else { body(0, n); return }
            lc.split(n, plan: p, tenure: tenure, nodes: classNode, weights: classWeight, scratch: s.classTilt,
                     into: s.classSplit, using: rClasses)
            for l in 0..<L where s.classSplit[l] > 0 { body(l, s.classSplit[l]) }
        }
        t.reset()
        for g in 0..<sh.G { s.arrivedByGroup[g] = 0 }
        for i in 0..<s.groupValue.count { s.groupValue[i] = 0 }
        for a in 0..<H { s.aliveByAge[a] = 0 }
        for a in 0..<lifetime { s.revenueByAge[a] = 0; s.costByAge[a] = 0 }
        for m in 0...H { s.trialStarts[m] = 0 }
        for i in 0..<out.count { out[i] = .nan }
        if let l = licence, let state = s.licence { state.reset(installedBase: l.licence.installedBase) }

        // Existing base: in its condition (healthy unless given), at month 1's list prices, seats
        // drawn at the start.
        for i in 0..<B {
            let p = basePlan[i]
            for q in 0..<P { for c in sh.classes(i, q, 0) { t.unitPrice[c] = scenario.plans[q].pricePerMonth } }
            let st = baseCondition[i]
            placeInClasses(baseCountInit[i], plan: p, tenure: sh.baseTenure[i]) { l, n in
                let c = sh.compartment(i, p, 0, l)
                t.set(c, st, n)
                if let se = seats { t.extraSeats[c] = se.atSignUp(n, plan: p, using: rSeats) }
            }
        }

        var acquiredTotal = 0, referredTotal = 0, churnedTotal = 0
        var lifetimeRevenue = 0.0, cumulativeRevenue = 0.0, cumulativeBillings = 0.0
        var lifetimeCost = 0.0, terminalValue = 0.0, cumulativeCash = costs.costs.openingCash
        var signUpsTotal = 0, cacSpend = 0.0
        let unitCosts = costs.hasUnitCosts
        var cumulativeL = 0.0, cumulativeS = 0.0
        var activeBefore = 0.0, promotersBefore = 0.0

        for m in 1...sh.lastMonth {
            // A stop request (Ctrl-C) ends a long trial within a month; its results are discarded.
            if SimulationControl.stopRequested { return }
            let inHorizon = m <= H
            let slot = (m % 13) * sh.G
            let gr = sh.groups(month: m)
            let x = Month(m: m, inHorizon: inHorizon, existing: gr.existing, cohorts: gr.cohorts, migrants: gr.migrants, acc: acc)
            for i in 0..<acc.count { acc[i] = 0 }
            if inHorizon { for g in 0..<sh.G { s.groupValue[slot + g] = 0 } }

            // 1. prices
            pricing.reprice(t, sh, x)

            // 2. arrivals
            var arrivals = 0, signUps = 0, payingNew = 0
            if inHorizon {
                signUps = acquisition.signUps(month: m, using: rAcquisition)
                signUpsTotal += signUps
                if scenario.economics.cacSchedule != nil {
                    cacSpend += costs.cac(m) * Double(costs.cacPerSignUp ? signUps : 0)
                }
                var paying = signUps
                if let ft = freeTrial { paying = ft.step(starts: signUps, x, history: s.trialStarts, using: rTrials) }
                var referred = 0
                if let rf = referrals {
                    referred = rf.referred(month: m, activeBefore: activeBefore, promotersBefore: promotersBefore, using: rReferrals)
                    x.add(.referred, referred)
                    x.add(.referralCost, Double(referred) * rf.rewardPerReferral)
                }
                arrivals = paying + referred
                payingNew = paying
                if scenario.economics.cacSchedule != nil && !costs.cacPerSignUp { cacSpend += costs.cac(m) * Double(paying) }
                acquiredTotal += arrivals
                referredTotal += referred
                let g = sh.cohortBase + m - 1
                for q in 0..<P {
                    for b in 0..<NB {
                        let price = pricing.unitPrice(plan: q, billing: b, month: m)
                        for c in sh.classes(g, q, b) { t.unitPrice[c] = price }
                    }
                }
                s.arrivedByGroup[g] = arrivals
                let split = s.split
                if P == 1 {
                    split[0] = paying
                } else if paying > 0 {
                    acquisition.mix.withUnsafeBufferPointer { w in
                        Multinomial.draw(trials: paying, weights: w, into: split, using: rAcquisition)
                    }
                } else {
                    for p in 0..<P { split[p] = 0 }
                }
                if referred > 0, let rf = referrals {
                    if P == 1 {
                        split[0] += referred
                    } else {
                        rf.mix.withUnsafeBufferPointer { w in
                            Multinomial.draw(trials: referred, weights: w, into: s.referredSplit, using: rReferrals)
                        }
                        for p in 0..<P { split[p] += s.referredSplit[p] }
                    }
                }
                for p in 0..<P where split[p] > 0 {
                    let annual = billing.annual(split[p], plan: p, using: rBilling)
                    for b in 0..<NB {
                        let arriving = b == 0 ? split[p] - annual : annual
                        if arriving == 0 { continue }
                        placeInClasses(arriving, plan: p, tenure: 0) { l, n in
                            let c = sh.compartment(g, p, b, l)
                            var risk = 0
                            if let o = onboarding {
                                risk = o.atRisk(n, using: rOnboarding)
                                t.set(c, cond.risk, risk)
                            }
                            t.set(c, 0, n - risk)
                            if let se = seats { t.extraSeats[c] = se.atSignUp(n, plan: p, using: rSeats) }
                        }
                    }
                }
                if let l = licence, let state = s.licence, m >= l.licence.switchMonth, sh.migrantBase >= 0 {
                    let migrated = l.migrate(state, using: rLicences)
                    x.add(.migrated, migrated)
                    let g = sh.migrantBase + m - 1
                    for q in 0..<P { for c in sh.classes(g, q, 0) { t.unitPrice[c] = pricing.listPrice[q][m] } }
                    let mp = l.licence.migrationPlan
                    for c in sh.classes(g, mp, 0) { t.unitPrice[c] = l.migrationPrice }
                    placeInClasses(migrated, plan: mp, tenure: 0) { k, n in
                        let c = sh.compartment(g, mp, 0, k)
                        t.set(c, 0, n)
                        if let se = seats { t.extraSeats[c] = se.atSignUp(n, plan: mp, using: rSeats) }
                    }
                }
            }

            // 3. seats and 4. plan moves of compartments that started before this month
            if let se = seats {
                x.forEachCompartment(sh, startedBefore: true) { _, p, _, c in se.drift(t, c, plan: p, using: rSeats) }
            }
            if let mv = moves {
                var moved = 0
                x.forEachCompartment(sh, startedBefore: true) { g, p, b, c in
                    moved += mv.draw(t, sh, c: c, g: g, p: p, b: b, seats: seats, split: s.moveSplit, using: rMoves, seatStream: rSeats)
                }
                PlanMoveProcess.apply(t, sh, x)
                x.add(.planMoves, moved)
            }

            // 5. support
            support?.step(t, sh, x, seats: seats, licence: licenceSupport,
                          licenceState: inHorizon && licenceSupport != nil && m >= (licence?.licence.switchMonth ?? Int.max)
                              ? s.licence : nil,
                          using: rSupport, licenceStream: rLicenceSupport, seatStream: rSeats)

            // 6. interventions
            onboarding?.intervene(t, sh, x, using: rOnboarding)

            // 7. billing, 8. renewals, 9. ageing, compartment by compartment
            var active = 0, churned = 0, detractors = 0, promoters = 0, atRisk = 0, seatCount = 0
            var mrr = 0.0, churnedMRR = 0.0, newMRR = 0.0, expansion = 0.0, contraction = 0.0, cash = 0.0
            var usageRevenue = 0.0, usageUnits = 0.0, involuntary = 0, shockChurned = 0
            func group(_ g: Int, acquired: Bool) {
                let start = sh.groupStart(g)
                let age = m - start
                let tenureBefore = sh.tenureAtStart(g) + age     // months paid before this one
                let renewalNumber = tenureBefore + 1
                let isNew = g >= B && age == 0
                let reported = acquired && inHorizon ? reportedCohortSlot[start] : -1
                var groupAlive = 0
                var groupValue = 0.0
                for p in 0..<P {
                    let classed = sh.classPlans[p]
                    for b in 0..<NB {
                      // The MRR change of (group, plan, billing), summed over its latent classes
                      // before it counts as expansion or contraction (the classes are one
                      // compartment of the bridge).
                      var change = 0.0
                      for l in 0..<L {
                        let c = sh.compartment(g, p, b, l)
                        let n = t.total[c]
                        if n == 0 {
                            // Emptied by moves this month: what its carried MRR still holds (its
                            // seat changes before everybody moved) is this month's change.
                            // (A group billed for the first time has no carried MRR to compare.)
                            if inHorizon && !isNew && !(g < B && m == 1) { change -= t.carried[c] }
                            t.carried[c] = 0
                            continue
                        }
                        groupAlive += n
                        // 7. billing
                        let unit = billing.unitValue(t.unitPrice[c], plan: p, tenure: tenureBefore)
                        let base = unit * Double(n)
                        var v = base
                        var seatPrice = 0.0, billedSeats = 0
                        if let se = seats, let seat = se.seats[p] {
                            seatPrice = seat.pricePerSeat
                            billedSeats = n + t.extraSeats[c]
                            v += seatPrice * Double(billedSeats)
                            if inHorizon { seatCount += billedSeats }
                        }
                        var usageValue = 0.0, units = 0.0
                        if let u = usage {
                            units = u.units(n, plan: p, tenure: tenureBefore, using: rUsage)
                            usageValue = u.price(plan: p) * units
                            v += usageValue
                            if inHorizon { usageRevenue += usageValue; usageUnits += units }
                        }
                        groupValue += v
                        let cost = unitCosts ? costs.unitCosts(n, seats: billedSeats, units: units, revenue: v, month: m) : 0
                        if acquired && age < lifetime {
                            lifetimeRevenue += v * discount[age]
                            s.revenueByAge[age] += v
                            if unitCosts {
                                lifetimeCost += cost * discount[age]
                                s.costByAge[age] += cost
                            }
                        }
                        if !inHorizon && sh.followAll {
                            // On the cash basis of operating cash flow: an annual subscriber's year,
                            // prepaid in the horizon, is not counted again.
                            let collected = b == 0 ? v : (v - base) + (age % 12 == 0 ? 12 * base : 0)
                            let serving = unitCosts ? costs.unitCosts(n, seats: billedSeats, units: units, revenue: collected, month: m) : 0
                            terminalValue += (margin * collected - serving) * costs.discount[m - 1]
                        }
                        if inHorizon {
                            active += n
                            mrr += v
                            let yearStart = b == 1 && age % 12 == 0
                            cash += b == 0 ? v : (v - base) + (yearStart ? 12 * base : 0)
                            if isNew {
                                newMRR += v
                            } else if !(g < B && m == 1) {
                                change += v - t.carried[c]
                            }
                            let occupied = t.occupied[c]
                            if cond.risk >= 0 { atRisk += t.n(c, cond.risk) }
                            if occupied & cond.badMask != 0 { forEachBit(occupied & cond.badMask) { detractors += t.n(c, $0) } }
                            if occupied & cond.goodMask != 0 { forEachBit(occupied & cond.goodMask) { promoters += t.n(c, $0) } }
                        }
                        t.lastUnit[c] = unit
                        t.lastUsage[c] = usageValue / Double(n)
                        // 8. renewals
                        var h: Double
                        var leaving: Int
                        if classed {
                            // A latent class: its own monthly probability, the multipliers on it;
                            // annual billing compounds the (multiplied) monthly probability.
                            if b == 1 && renewalNumber % 12 != 0 {
                                leaving = 0
                            } else {
                                h = classNode[p &* L &+ l]
                                if let lc = latent { h = lc.hazard(node: h, plan: p, renewal: renewalNumber, annual: b == 1) }
                                if priceChurn { h = renewal.priceAdjusted(h, unitPrice: t.unitPrice[c], plan: p, billing: b) }
                                leaving = renewal.churn(t, c, hazard: h, classes: classes, x, compounded: b == 1 ? 12 : 1, using: rChurn)
                            }
                        } else {
                            if b == 0 {
                                h = hazard[p &* HS &+ renewalNumber]
                            } else {
                                h = renewalNumber % 12 == 0 ? annualHazard[p &* AS &+ renewalNumber / 12] : 0
                            }
                            if priceChurn { h = renewal.priceAdjusted(h, unitPrice: t.unitPrice[c], plan: p, billing: b) }
                            leaving = renewal.churn(t, c, hazard: h, classes: classes, x, using: rChurn)
                        }
                        if t.shocked[c] {
                            let k = pricing.shock(t, c, plan: p, x, using: rShock)
                            leaving += k
                            shockChurned += k
                            t.shocked[c] = false
                        }
                        if let dn = dunning, b == 0 || renewalNumber % 12 == 0 {
                            let k = dn.step(t, c, month: m, using: rDunning)
                            leaving += k
                            if inHorizon { involuntary += k }
                        }
                        var leavingValue = unit * Double(leaving)
                        if let se = seats, se.seats[p] != nil {
                            let seatsLeaving = se.leave(t, c, leaving: leaving, of: n, using: rSeats)
                            leavingValue += seatPrice * Double(leaving + seatsLeaving)
                        }
                        if usageValue > 0 { leavingValue += usageValue * Double(leaving) / Double(n) }
                        t.carried[c] = v - leavingValue
                        if inHorizon {
                            churned += leaving
                            churnedMRR += leavingValue
                        }
                        // 9. ageing
                        if cond.bad >= 0 {
                            let o = c * cond.count
                            let toHealthy = t.count[o + cond.bad] + t.count[o + cond.good]
                            if toHealthy > 0 || t.occupied[c] & (cond.badMask | cond.goodMask) != 0 {
                                t.add(c, 0, toHealthy)
                                for r in 0..<(cond.badMonths - 1) { t.set(c, cond.bad + r, t.count[o + cond.bad + r + 1]) }
                                t.set(c, cond.bad + cond.badMonths - 1, 0)
                                for r in 0..<(cond.goodMonths - 1) { t.set(c, cond.good + r, t.count[o + cond.good + r + 1]) }
                                t.set(c, cond.good + cond.goodMonths - 1, 0)
                            }
                        }
                        // Months since sign-up (the existing base's tenure counts): a cohort's age.
                        if let o = onboarding { o.age(t, c, risk: cond.risk, age: tenureBefore, using: rOnboarding) }
                      }
                      if change > PipelineModel.roundingNoise { expansion += change }
                      else if change < -PipelineModel.roundingNoise { contraction -= change }
                    }
                }
                if inHorizon {
                    s.groupValue[slot + g] = groupValue
                    if acquired {
                        s.aliveByAge[age] += Double(groupAlive)
                        if reported >= 0, s.arrivedByGroup[g] > 0 {
                            out[cohortOffsets[reported] + age] = Double(groupAlive) / Double(s.arrivedByGroup[g])
                        }
                    }
                }
            }
            for g in gr.existing { group(g, acquired: false) }
            for g in gr.cohorts { group(g, acquired: true) }
            for g in gr.migrants { group(g, acquired: false) }

            // 10. licence paths and record
            if inHorizon, let l = licence, let state = s.licence {
                l.step(state, x, mrr: mrr, using: rLicences)
                cumulativeL += state.licenceRevenue[m]
                cumulativeS += state.subscriptionRevenue[m]
                x[.licencePathRevenue] = state.licenceRevenue[m]
                x[.subscriptionPathRevenue] = state.subscriptionRevenue[m]
                x[.cumulativeLicencePathRevenue] = cumulativeL
                x[.cumulativeSubscriptionPathRevenue] = cumulativeS
                x[.maintenancePayers] = Double(state.subscriptionPath)
                if let ls = licenceSupport {
                    var d = 0
                    for st in ls.detractorRange { d += state.count[st] }
                    x[.licenceDetractors] = Double(d)
                    // After their month's lapse and migration draws and the count: a bad
                    // resolution of month m weighs on months m ... m + badMonths - 1.
                    ls.age(state)
                }
            }
            if inHorizon {
                let j = m - 1
                cumulativeRevenue += mrr
                cumulativeBillings += cash
                churnedTotal += churned
                x[.active] = Double(active)
                x[.new] = Double(arrivals)
                x[.churned] = Double(churned)
                x[.mrr] = mrr
                x[.arr] = 12 * mrr
                x[.arpu] = active > 0 ? mrr / Double(active) : .nan
                x[.logoChurnRate] = active > 0 ? Double(churned) / Double(active) : .nan
                x[.revenueChurnRate] = mrr > 0 ? churnedMRR / mrr : .nan
                x[.cumulativeRevenue] = cumulativeRevenue
                x[.newMRR] = newMRR
                x[.churnedMRR] = churnedMRR
                x[.expansionMRR] = expansion
                x[.contractionMRR] = contraction
                x[.netNewMRR] = newMRR + expansion - contraction - churnedMRR
                x[.billings] = cash
                x[.cumulativeBillings] = cumulativeBillings
                if withLevers {
                    // Licence receipts of the subscription path (licence sales before the switch, maintenance).
                    let receipts = licence != nil && s.licence != nil ? s.licence!.subscriptionRevenue[m] - mrr : 0
                    let flow = costs.record(x, revenue: mrr + receipts, collected: cash + receipts, active: active,
                                            seats: seatCount, units: usageUnits, signUps: signUps, payingNew: payingNew)
                    s.cashFlow[j] = flow
                    cumulativeCash += flow
                    x[.cumulativeCash] = cumulativeCash
                    x[.revenue] = mrr + receipts
                    let f = fiscalOffset[j]
                    if f >= 0 {
                        if j == 0 || fiscalOffset[j - 1] != f {
                            for k in 0..<MetricRegistry.fiscalYearMetrics.count { out[f + k] = 0 }
                        }
                        for (k, metric) in MetricRegistry.fiscalYearMetrics.enumerated() {
                            if metric.info.kind == .flow { out[f + k] += x[metric] } else { out[f + k] = x[metric] }
                        }
                    }
                }
                x[.nrr] = .nan
                x[.grr] = .nan
                if m > 12 {
                    let before = ((m - 12) % 13) * sh.G
                    var now = 0.0, then = 0.0, kept = 0.0
                    x.forEachGroup { g in
                        guard sh.groupStart(g) <= m - 12 else { return }
                        let a = s.groupValue[slot + g], b = s.groupValue[before + g]
                        now += a; then += b; kept += min(a, b)
                    }
                    if then > 0 {
                        x[.nrr] = now / then
                        x[.grr] = kept / then
                    }
                }
                x[.involuntaryChurned] = Double(involuntary)
                x[.priceShockChurned] = Double(shockChurned)
                x[.detractors] = Double(detractors)
                x[.promoters] = Double(promoters)
                x[.atRisk] = Double(atRisk)
                x[.seats] = Double(seatCount)
                x[.usageRevenue] = usageRevenue
                for o in monthlyOut { out[o.offset + j] = acc[o.metric] }
                activeBefore = Double(active)
                promotersBefore = Double(promoters)
            }
        }

        // Pooled retention by tenure.
        var arrivedUpTo = 0
        for a in stride(from: H - 1, through: 0, by: -1) {
            arrivedUpTo += s.arrivedByGroup[sh.cohortBase + H - a - 1]
            if arrivedUpTo > 0 { out[tenureOffset + a] = s.aliveByAge[a] / Double(arrivedUpTo) }
        }
        // Per-trial scalars; with referrals, CAC is the blended acquisition cost per acquired subscriber.
        // CAC per acquired subscriber: the horizon's acquisition spend over the subscribers acquired
        // (blended with referral rewards; per sign-up when `cac_basis: sign_up`).
        var cacPerAcquired = cac
        if acquiredTotal > 0 && scenario.economics.cacSchedule != nil {
            cacPerAcquired = (cacSpend + (referrals?.rewardPerReferral ?? 0) * Double(referredTotal)) / Double(acquiredTotal)
        } else if acquiredTotal > 0 && (referrals != nil || costs.cacPerSignUp) {
            let paid = costs.cacPerSignUp ? signUpsTotal : acquiredTotal - referredTotal
            cacPerAcquired = (cac * Double(paid) + (referrals?.rewardPerReferral ?? 0) * Double(referredTotal))
                / Double(acquiredTotal)
        }
        CohortModel.writeScalars(into: out, at: coreScalar, acquired: acquiredTotal, lifetimeRevenue: lifetimeRevenue,
                                 revenueByAge: UnsafeBufferPointer(s.revenueByAge), cumulativeRevenue: cumulativeRevenue,
                                 churned: churnedTotal, margin: margin, cac: cacPerAcquired,
                                 lifetimeCost: lifetimeCost, costByAge: unitCosts ? UnsafeBufferPointer(s.costByAge) : nil)
        if withLevers {
            costs.scalars(flow: s.cashFlow, horizon: H, terminal: terminalValue) { metric, value in
                out[offset[metric.rawValue]] = value
            }
        }
        if let l = licence, let state = s.licence {
            l.scalars(state, horizon: H, customerValue: licenceCustomerValue) { metric, value in
                out[offset[metric.rawValue]] = value
            }
        }
    }
}

extension PipelineModel: TrialModel {
    public var outputWidth: Int { layout.width }
}
