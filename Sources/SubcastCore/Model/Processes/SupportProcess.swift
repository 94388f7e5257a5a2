import Foundation
import SubcastStochastics

/// Customer support (`Support`), the retention engine.
///
/// Step 5 of the month (stream `support`):
/// 1. tickets: in every compartment each subscriber without an open ticket raises one with
///    probability 1 - exp(-rate) (Binomial per non-empty condition; rate = the plan's
///    `ticketsPerMonth`); raising moves an at-risk, detractor or promoter subscriber to waiting.
///    (a compartment expecting few tickets draws them as one pool split uniformly over its
///    conditions: the same distribution with fewer draws).
///    With support load from licence customers, maintenance payers raise tickets too (their
///    own stream, `licence_support`, see `LicenceSupportProcess`) and are served like the
///    subscribers' tickets of the same age (the licence queue comes last in the draws);
/// 2. capacity: agents handle min(capacity, queue) tickets, oldest first: first those waiting
///    from earlier months (the backlog at the month's start), then the month's new ones; which
///    tickets of a class (old or new) are handled is spread over compartments by sequential
///    hypergeometric draws, in compartment order (no draw is made when all are handled);
/// 3. quality: a handled ticket is resolved well with probability fcr x exp(-penalty x backlog /
///    capacity) (backlog at the month's start, in months of capacity): Binomial(handled,
///    quality) good (promoters for `goodMonths`, and Binomial(good, upsell) move to the plan's
///    `upsellTo` plan with their carried MRR and seats), the rest bad (detractors for
///    `badMonths`); unhandled tickets stay waiting (the backlog). The upsold subscribers' extra
///    seats are drawn from the seats process's stream.
/// Condition stocks (`detractors`, `promoters`) are counted at billing, after this step and
/// before renewals. Metrics: `tickets`, `handled_tickets`, `backlog`, `good_resolutions`,
/// `bad_resolutions`, `support_cost`, `detractors`, `promoters`, `upsells`; `support_churn`
/// (churners beyond the base hazard among waiting customers and detractors) and
/// `support_saved` (promoters who renew although the base hazard would have taken them) are
/// counted by the renewal process.
struct SupportProcess: Sendable {
    static let stream = "support"
    /// A compartment whose expected tickets are at most this many draws them as one pool
    /// (Binomial(pool, q), then a uniform split over conditions); otherwise one binomial per
    /// condition. Both are exact; the choice depends only on the counts, so it is reproducible.
    static let pooledTicketsBelow = 4.0
    let support: Support
    /// Tickets handled a month at most and the agents' cost, by month.
    let capacity: MonthlyValue, cost: MonthlyValue
    let ticketProbability: [Double]
    let upsellTo: [Int]

    init?(_ scenario: Scenario) {
        guard let s = scenario.levers.support else { return nil }
        support = s
        if s.agentsSchedule != nil || s.costPerAgentSchedule != nil || s.ticketsPerAgentSchedule != nil {
            let plan = s.agentsSchedule ?? Schedule(constant: s.agents)
            let pay = s.costPerAgentSchedule ?? Schedule(constant: s.costPerAgentPerMonth)
            let productivity = s.ticketsPerAgentSchedule ?? Schedule(constant: s.ticketsPerAgentPerMonth)
            // A hiring plan: capacity and pay follow the agents of each month.
            let months = scenario.horizonMonths + scenario.lifetimeMonths + 1
            capacity = MonthlyValue(byMonth: (1...months).map { m in
                (plan.value(month: m) * productivity.value(month: m)).rounded(.down)
            })
            cost = MonthlyValue(byMonth: (1...months).map { m in plan.value(month: m) * pay.value(month: m) })
        } else {
            capacity = MonthlyValue(Double(s.capacity))
            cost = MonthlyValue(s.costPerMonth)
        }
        ticketProbability = scenario.plans.map { 1 - exp(-$0.options.ticketsPerMonth) }
        upsellTo = scenario.plans.map { $0.options.upsellTo ?? -1 }
    }

    /// The month's support step. `licence` is the licence customers' queue (nil without support
    /// load from licence customers).
    func step(_ t: CompartmentTable, _ shape: ModelShape, _ x: Month, seats: SeatsProcess?,
              licence: LicenceSupportProcess?, licenceState: LicenceState?,
              using g: RandomGenerator, licenceStream: RandomGenerator?, seatStream: RandomGenerator) {
        let cond = shape.conditions
        let wait = cond.wait
        let waitBit: UInt64 = 1 << UInt64(wait)
        var waitingBefore = 0, tickets = 0
        // 1. tickets
        x.forEachCompartment(shape) { grp, p, b, c in
            if t.total[c] == 0 { return }
            waitingBefore += t.n(c, wait)
            let q = ticketProbability[p]
            if q <= 0 { return }
            var raised = 0
            let mask = t.occupied[c] & ~waitBit
            let pool = t.total[c] - t.n(c, wait)
            if mask.nonzeroBitCount > 1 && Double(pool) * q <= SupportProcess.pooledTicketsBelow {
                // Few tickets expected: one draw for the pool, then a uniform split over
                // the conditions (the same distribution as one binomial per condition,
                // fewer draws when most conditions raise none).
                raised = Binomial.draw(trials: pool, probability: q, using: g)
                splitOverConditions(t, c, mask: mask, pooled: pool, take: raised, using: g) { st, k in t.add(c, st, -k) }
            } else {
                forEachBit(mask) { st in
                    let k = Binomial.draw(trials: t.n(c, st), probability: q, using: g)
                    if k > 0 { t.add(c, st, -k); raised += k }
                }
            }
            t.raised[c] = raised
            tickets += raised
        }
        var licenceWaiting = 0, licenceRaised = 0
        if let l = licence, let state = licenceState, let lg = licenceStream {
            licenceWaiting = state.count[LicenceState.waiting]
            licenceRaised = l.raise(state, using: lg)
            x.add(.licenceTickets, licenceRaised)
        }
        let queueBefore = waitingBefore + licenceWaiting
        let newTickets = tickets + licenceRaised
        // 2. capacity and 3. quality
        let capacity = Int(self.capacity(x.m))
        let oldHandled = min(capacity, queueBefore)
        let newHandled = min(capacity - oldHandled, newTickets)
        let quality = capacity > 0
            ? support.firstContactResolution * exp(-support.backlogPenalty * Double(queueBefore) / Double(capacity)) : 0
        var oldLeft = queueBefore, oldTake = oldHandled, newLeft = newTickets, newTake = newHandled
        var handled = 0, good = 0, bad = 0, upsells = 0
        let goodNew = cond.good + cond.goodMonths - 1, badNew = cond.bad + cond.badMonths - 1
        x.forEachCompartment(shape) { grp, p, b, c in
            let w = t.total[c] == 0 ? 0 : t.n(c, wait), r = t.raised[c]
            t.raised[c] = 0
            if w == 0 && r == 0 { return }
            let ho = Hypergeometric.draw(marked: w, unmarked: oldLeft - w, sample: oldTake, using: g)
            oldLeft -= w; oldTake -= ho
            let hn = Hypergeometric.draw(marked: r, unmarked: newLeft - r, sample: newTake, using: g)
            newLeft -= r; newTake -= hn
            let h = ho + hn
            t.add(c, wait, r - hn - ho)
            if h == 0 { return }
            let ok = Binomial.draw(trials: h, probability: quality, using: g)
            t.add(c, goodNew, ok)
            t.add(c, badNew, h - ok)
            handled += h; good += ok; bad += h - ok
            let target = upsellTo[p]
            if target >= 0 && ok > 0 && support.upsellProbability > 0 {
                let u = Binomial.draw(trials: ok, probability: support.upsellProbability, using: g)
                if u > 0 {
                    let n = t.total[c]
                    let d = shape.compartment(grp, target, b, shape.movedClass(shape.latentClass(c), from: p, to: target))
                    t.add(c, goodNew, -u)
                    t.add(d, goodNew, u)
                    stageCarried(t, from: c, to: d, movers: u, of: n, originSeats: seats?.seats[p],
                                 destinationBillsSeats: seats?.seats[target] != nil, staged: false, using: seatStream)
                    upsells += u
                }
            }
        }
        if let l = licence, let state = licenceState, let lg = licenceStream {
            // The licence customers' tickets are last in each age class, so they take what is left;
            // their outcomes are drawn from their own stream.
            let ho = min(oldTake, licenceWaiting), hn = min(newTake, licenceRaised)
            let h = ho + hn
            let ok = Binomial.draw(trials: h, probability: quality, using: lg)
            l.resolve(state, handled: h, good: ok)
            handled += h; good += ok; bad += h - ok
        }
        x.add(.tickets, tickets)
        x.add(.handledTickets, handled)
        x.add(.goodResolutions, good)
        x.add(.badResolutions, bad)
        x.add(.upsells, upsells)
        x[.backlog] = Double(queueBefore + newTickets - handled)
        x[.supportCost] = cost(x.m)
    }
}
