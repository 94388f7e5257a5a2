import Foundation
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// Customer-level data drawn subscriber by subscriber from known parameters, written as the
/// three CSV exports `subcast fit` reads. Written from the documented rules, not from the
/// fitting code: each customer has p ~ Beta(alpha, beta) and a lognormal ramp-up time R; month
/// by month a customer without an open ticket raises one with probability 1 - exp(-rate) (on a
/// random day of the month), each open ticket is resolved within the month with probability
/// `resolveInMonth` (good with probability fcr); at each renewal the customer is waiting (a
/// ticket open), a detractor or promoter (for r renewals from the month of the resolution), at
/// risk (R > threshold, not yet activated, no ticket raised yet) or healthy, and leaves with
/// min(1, x p). Cancelling happens on the renewal date.
///
/// Plan changes, from a stream of their own (so that without them the data are the same): a good
/// resolution on plan p upgrades to `upsell[p].to` with probability `upsell[p].probability`, 0 to
/// 9 days after the resolution (before the renewal); in any month a customer on p moves to
/// `moves[p].to` with probability `moves[p].probability` on a random day of the month (a change
/// not after the customer's previous one is dropped). A customer keeps the churn propensity drawn
/// at sign-up and raises tickets at the current plan's rate; the subscriptions file gives the plan
/// on the as-of date (or at the end).
struct CustomerDataGenerator {
    struct Plan { var name: String; var alpha: Double; var beta: Double; var amount: Double; var ticketRate: Double }
    var plans: [Plan]
    var mix: [Double]
    var multipliers: [ChurnCondition: Double] = [.atRisk: 2.5, .waiting: 1.8, .detractor: 3, .promoter: 0.5]
    var fcr = 0.7
    var resolveInMonth = 0.6
    var rampMedian = 1.5, rampLogSD = 0.8, threshold = 3.0
    var detractorMonths = 3, promoterMonths = 6
    var customers = 3000
    /// Sign-ups spread uniformly over the `window` months before the as-of date.
    var window = 36
    var asOf = CalendarDate(year: 2026, month: 10, day: 31)!
    var withTickets = true, withActivations = true
    var upsell: [Int: (to: Int, probability: Double)] = [:]
    var moves: [Int: (to: Int, probability: Double)] = [:]

    struct Output { var subscriptions: String; var tickets: String; var activations: String; var planChanges = "" }

    func generate(seed: UInt64) -> Output {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "customer-data"))
        let h = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "customer-plan-changes"))
        var subs = ["id,plan,start,end,amount"], tix = ["subscription_id,opened,resolved,outcome"], act = ["subscription_id,activated"]
        var changes = ["subscription_id,changed,from_plan,to_plan"]
        let first = asOf.adding(months: -window)
        let span = asOf.dayNumber - first.dayNumber
        func date(fromDay n: Int) -> CalendarDate {
            // Walk from `first` (cheap enough for test data).
            var d = first
            var k = first.dayNumber
            while k < n { d = d.next; k += 1 }
            return d
        }
        func day(in a: CalendarDate, _ b: CalendarDate, _ u: Double) -> CalendarDate {
            let lo = a.dayNumber, hi = max(lo, b.dayNumber - 1)
            var d = a
            for _ in 0..<Int(Double(hi - lo + 1) * u) { d = d.next }
            return d
        }
        for i in 0..<customers {
            let s = date(fromDay: first.dayNumber + Int(g.uniform() * Double(span)))
            var u = g.uniform(), plan = 0
            while plan < plans.count - 1 && u > mix[plan] { u -= mix[plan]; plan += 1 }
            let pl = plans[plan]
            var current = plan
            var lastChange: CalendarDate? = nil
            func change(to q: Int, on d: CalendarDate) {
                if let l = lastChange, d <= l { return }
                changes.append("c\(i),\(d),\(plans[current].name),\(plans[q].name)")
                current = q
                lastChange = d
            }
            let p = try! Beta(a: pl.alpha, b: pl.beta).sample(using: g)
            let r = rampMedian * exp(rampLogSD * (try! InverseCDF.normal(min(max(g.uniform(), 1e-12), 1 - 1e-12))))
            let slow = r > threshold
            var end: CalendarDate? = nil
            var openTicket: (opened: CalendarDate, month: Int)? = nil
            var raisedAny = false
            var lastResolution: (month: Int, good: Bool)? = nil
            var m = 1
            while true {
                let periodStart = s.adding(months: m - 1), renewal = s.adding(months: m)
                if periodStart > asOf { break }
                if withTickets {
                    // Tickets follow the plan of the month (the model's tickets_per_month).
                    if openTicket == nil && g.uniform() < 1 - exp(-plans[current].ticketRate) {
                        let opened = day(in: periodStart, renewal, g.uniform())
                        if opened <= asOf { openTicket = (opened, m); raisedAny = true }
                    }
                    if let t = openTicket, g.uniform() < resolveInMonth {
                        let from = max(t.opened, periodStart)
                        let resolved = day(in: from, renewal, g.uniform())
                        let good = g.uniform() < fcr
                        if resolved <= asOf {
                            tix.append("c\(i),\(t.opened),\(resolved),\(good ? "good" : "bad")")
                            lastResolution = (m, good)
                            openTicket = nil
                            if good, let u = upsell[current], h.uniform() < u.probability {
                                var d = resolved
                                for _ in 0..<Int(h.uniform() * 10) { d = d.next }
                                let lastDay = min(renewal.previous, asOf)
                                change(to: u.to, on: min(d, lastDay))
                            }
                        } else {
                            tix.append("c\(i),\(t.opened),,")
                            openTicket = nil
                            break
                        }
                    }
                }
                if let mv = moves[current], h.uniform() < mv.probability {
                    let d = day(in: periodStart, renewal, h.uniform())
                    if d <= asOf { change(to: mv.to, on: d) }
                }
                if renewal > asOf {
                    if let t = openTicket { tix.append("c\(i),\(t.opened),,"); openTicket = nil }
                    break
                }
                // The condition at renewal m.
                var condition = ChurnCondition.healthy
                if openTicket != nil { condition = .waiting }
                else if let last = lastResolution, !last.good && m - last.month < detractorMonths { condition = .detractor }
                else if let last = lastResolution, last.good && m - last.month < promoterMonths { condition = .promoter }
                else if withActivations && slow && r > Double(m - 1) && !raisedAny { condition = .atRisk }
                let x = multipliers[condition] ?? 1
                if g.uniform() < min(1, x * p) {
                    end = renewal
                    if let t = openTicket { tix.append("c\(i),\(t.opened),,"); openTicket = nil }
                    break
                }
                m += 1
            }
            subs.append("c\(i),\(plans[current].name),\(s),\(end.map { $0.description } ?? ""),\(plans[current].amount)")
            // Activation on s + R months, when it happened by the end of the observation.
            let whole = Int(r.rounded(.down))
            let a = s.adding(months: whole), b = s.adding(months: whole + 1)
            let activated = day(in: a, b, r - Double(whole))
            if withActivations && activated <= (end.map { min($0, asOf) } ?? asOf) {
                act.append("c\(i),\(activated)")
            }
        }
        return Output(subscriptions: subs.joined(separator: "\n") + "\n", tickets: tix.joined(separator: "\n") + "\n",
                      activations: act.joined(separator: "\n") + "\n", planChanges: changes.joined(separator: "\n") + "\n")
    }
}

extension CalendarDate {
    /// The day before.
    var previous: CalendarDate {
        if day > 1 { return CalendarDate(year: year, month: month, day: day - 1)! }
        if month > 1 { return CalendarDate(year: year, month: month - 1, day: CalendarDate.daysIn(year: year, month: month - 1))! }
        return CalendarDate(year: year - 1, month: 12, day: 31)!
    }

    /// The next day.
    var next: CalendarDate {
        if day < CalendarDate.daysIn(year: year, month: month) { return CalendarDate(year: year, month: month, day: day + 1)! }
        if month < 12 { return CalendarDate(year: year, month: month + 1, day: 1)! }
        return CalendarDate(year: year + 1, month: 1, day: 1)!
    }
}
