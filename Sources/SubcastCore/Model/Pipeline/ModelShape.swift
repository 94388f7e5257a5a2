import SubcastStochastics

/// The dimensions of a compiled model and how compartments, groups and conditions are indexed:
/// shared by every process, fixed for a run (all trials of a family share one shape).
struct ModelShape: Sendable {
    /// Plans, existing-base groups, horizon, CLTV lifetime, last simulated month.
    let P: Int, B: Int, H: Int, lifetime: Int, lastMonth: Int
    /// Billings (1, or 2 with annual billing), groups.
    let NB: Int, G: Int
    /// First acquisition-cohort group and first migrant group (-1 without migration).
    let cohortBase: Int, migrantBase: Int
    /// Months already paid before month 1, per existing-base group.
    let baseTenure: [Int]
    let conditions: Conditions
    /// Every group (existing base and migrants too) is followed after the horizon to
    /// H + lifetime, for the terminal value.
    let followAll: Bool
    /// Latent classes of churn propensity per (group, plan, billing): 1 without them (see
    /// `LatentClasses`).
    var L: Int = 1
    /// Per plan: whether its subscribers are split into latent classes (heterogeneous churn
    /// under condition multipliers), and the class a subscriber arriving from a plan without
    /// classes joins (the class holding the median propensity).
    var classPlans: [Bool] = []
    var medianClass: [Int] = []

    var compartments: Int { G * P * NB * L }

    /// The compartment of (group, plan, billing) and latent class 0.
    @inline(__always) func compartment(_ g: Int, _ p: Int, _ b: Int) -> Int { ((g &* P &+ p) &* NB &+ b) &* L }
    @inline(__always) func compartment(_ g: Int, _ p: Int, _ b: Int, _ l: Int) -> Int { ((g &* P &+ p) &* NB &+ b) &* L &+ l }
    /// The compartments of (group, plan, billing): one per latent class.
    @inline(__always) func classes(_ g: Int, _ p: Int, _ b: Int) -> Range<Int> {
        let c = compartment(g, p, b)
        return c..<(c &+ L)
    }
    /// The compartments of a group: every plan, billing and latent class.
    @inline(__always) func compartments(ofGroup g: Int) -> Range<Int> {
        let c = compartment(g, 0, 0)
        return c..<(c &+ P &* NB &* L)
    }
    /// The latent class of compartment c.
    @inline(__always) func latentClass(_ c: Int) -> Int { L == 1 ? 0 : c % L }

    /// The class a subscriber of class l on plan `from` has on plan `to` (a plan move or an
    /// upsell): the same class (the same rank of propensity) between plans with classes, the
    /// median class when coming from a plan without them.
    @inline(__always) func movedClass(_ l: Int, from p: Int, to q: Int) -> Int {
        if L == 1 { return 0 }
        if classPlans[q] && !classPlans[p] { return medianClass[q] }
        return l
    }

    /// The month a group started (1 for the existing base).
    @inline(__always) func groupStart(_ g: Int) -> Int {
        if g < B { return 1 }
        if migrantBase >= 0 && g >= migrantBase { return g - migrantBase + 1 }
        return g - cohortBase + 1
    }

    /// Months a group's subscribers had paid before its start (their tenure at month 1 for the
    /// existing base, 0 otherwise).
    @inline(__always) func tenureAtStart(_ g: Int) -> Int { g < B ? baseTenure[g] : 0 }

    /// The groups simulated in month m: existing base (in the horizon), the acquisition cohorts
    /// still followed (to the horizon, then to the CLTV lifetime), migrants (in the horizon).
    func groups(month m: Int) -> (existing: Range<Int>, cohorts: Range<Int>, migrants: Range<Int>) {
        let inHorizon = m <= H
        if followAll {
            let last = min(m, H)
            return (0..<B, cohortBase..<(cohortBase + last), migrantBase >= 0 ? migrantBase..<(migrantBase + last) : 0..<0)
        }
        let first = inHorizon ? 1 : max(1, m - lifetime + 1)
        let last = min(m, H)
        return (inHorizon ? 0..<B : 0..<0,
                first <= last ? (cohortBase + first - 1)..<(cohortBase + last) : 0..<0,
                (inHorizon && migrantBase >= 0) ? migrantBase..<(migrantBase + m) : 0..<0)
    }
}

/// The conditions a subscriber can be in, declared by the processes that use them: healthy (0,
/// always), at risk (onboarding), waiting on a ticket, detractor with r months left, promoter
/// with r months left (support). Each has a churn hazard multiplier; conditions with the same
/// multiplier and the same support attribution form one renewal class, drawn together.
struct Conditions: Sendable {
    let count: Int
    let risk: Int, wait: Int, bad: Int, good: Int     // -1 when absent
    let badMonths: Int, goodMonths: Int
    let multiplier: [Double]
    /// Renewal classes: conditions (bit mask), multiplier, attribution (0 none, 1 support churn
    /// (waiting, detractors), 2 support saved (promoters)).
    let classes: [(mask: UInt64, multiplier: Double, attribution: Int)]
    /// Bit masks of the detractor and promoter conditions.
    let badMask: UInt64, goodMask: UInt64

    init(onboarding: Onboarding?, support: Support?) {
        var s = 1
        risk = onboarding != nil ? s : -1
        if onboarding != nil { s += 1 }
        badMonths = support?.badMonths ?? 0
        goodMonths = support?.goodMonths ?? 0
        if support != nil {
            wait = s; bad = s + 1; good = s + 1 + badMonths
            s += 1 + badMonths + goodMonths
        } else {
            wait = -1; bad = -1; good = -1
        }
        count = s
        var mult = [Double](repeating: 1, count: s)
        var tag = [Int](repeating: 0, count: s)
        if let o = onboarding { mult[risk] = o.atRiskChurnMultiplier }
        var bm: UInt64 = 0, gm: UInt64 = 0
        if let sp = support {
            mult[wait] = sp.waitingChurnMultiplier; tag[wait] = 1
            for r in 0..<badMonths { mult[bad + r] = sp.badChurnMultiplier; tag[bad + r] = 1; bm |= 1 << UInt64(bad + r) }
            for r in 0..<goodMonths { mult[good + r] = sp.goodChurnMultiplier; tag[good + r] = 2; gm |= 1 << UInt64(good + r) }
        }
        multiplier = mult
        badMask = bm
        goodMask = gm
        var classes: [(mask: UInt64, multiplier: Double, attribution: Int)] = []
        for st in 0..<s {
            let a = tag[st] == 1 && mult[st] <= 1 ? 0 : (tag[st] == 2 && mult[st] >= 1 ? 0 : tag[st])
            if let i = classes.firstIndex(where: { $0.multiplier == mult[st] && $0.attribution == a }) {
                classes[i].mask |= 1 << UInt64(st)
            } else {
                classes.append((1 << UInt64(st), mult[st], a))
            }
        }
        self.classes = classes
    }
}

/// One month of one trial as the processes see it: the month, its groups, and the month's
/// metric accumulators (indexed by `Metric.rawValue`), which the record step writes out.
struct Month {
    let m: Int
    let inHorizon: Bool
    let existing: Range<Int>, cohorts: Range<Int>, migrants: Range<Int>
    let acc: UnsafeMutableBufferPointer<Double>

    @inline(__always) func add(_ metric: Metric, _ x: Double) { acc[metric.rawValue] += x }
    @inline(__always) func add(_ metric: Metric, _ k: Int) { acc[metric.rawValue] += Double(k) }
    @inline(__always) subscript(_ metric: Metric) -> Double {
        get { acc[metric.rawValue] }
        nonmutating set { acc[metric.rawValue] = newValue }
    }

    /// Calls `body(g)` for every group simulated this month, in order.
    @inline(__always) func forEachGroup(_ body: (Int) -> Void) {
        for g in existing { body(g) }
        for g in cohorts { body(g) }
        for g in migrants { body(g) }
    }

    /// Calls `body(group, plan, billing, compartment)` for every compartment of the month's
    /// groups, in group, plan, billing, latent class order (the order every step draws in); with
    /// `startedBefore`, only for groups that started before this month.
    @inline(__always) func forEachCompartment(_ shape: ModelShape, startedBefore: Bool = false,
                                              _ body: (Int, Int, Int, Int) -> Void) {
        forEachGroup { g in
            if startedBefore && shape.groupStart(g) >= m { return }
            for p in 0..<shape.P {
                for b in 0..<shape.NB {
                    for c in shape.classes(g, p, b) { body(g, p, b, c) }
                }
            }
        }
    }
}

/// Removes Binomial(n, q) of the n subscribers of compartment c, taken uniformly over its
/// conditions (`splitOverConditions`), and returns how many: one thinning draw for a mechanism
/// that does not depend on the condition (the price shock, failed payments).
@inline(__always)
func thin(_ t: CompartmentTable, _ c: Int, probability q: Double, using g: RandomGenerator) -> Int {
    let n = t.total[c]
    let lost = Binomial.draw(trials: n, probability: q, using: g)
    splitOverConditions(t, c, mask: t.occupied[c], pooled: n, take: lost, using: g) { st, k in t.add(c, st, -k) }
    return lost
}

/// Takes `k` subscribers chosen uniformly at random from the conditions in `mask` of
/// compartment `c` (sequential hypergeometric draws in condition order; none once all `k` are
/// placed) and calls `body(condition, taken)` for each condition that gives some. The counts
/// are not changed. Exact: a uniform random subset of size k of the pooled subscribers.
@inline(__always)
func splitOverConditions(_ t: CompartmentTable, _ c: Int, mask: UInt64, pooled: Int, take k: Int, using g: RandomGenerator,
                         _ body: (Int, Int) -> Void) {
    if k == 0 { return }
    var left = pooled, need = k
    var bits = mask
    while bits != 0 && need > 0 {
        let st = bits.trailingZeroBitCount
        bits &= bits &- 1
        let n = t.n(c, st)
        if n == 0 { continue }
        let x = bits == 0 || need == left ? min(n, need) : Hypergeometric.draw(marked: n, unmarked: left - n, sample: need, using: g)
        left -= n
        if x > 0 { need -= x; body(st, x) }
    }
}
