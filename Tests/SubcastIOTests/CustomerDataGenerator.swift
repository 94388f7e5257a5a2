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

    struct Output { var subscriptions: String; var tickets: String; var activations: String }

    func generate(seed: UInt64) -> Output {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "customer-data"))
        var subs = ["id,plan,start,end,amount"], tix = ["subscription_id,opened,resolved,outcome"], act = ["subscription_id,activated"]
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
            let p = try! Beta(a: pl.alpha, b: pl.beta).sample(using: g)
            let r = rampMedian * exp(rampLogSD * (try! InverseCDF.normal(min(max(g.uniform(), 1e-12), 1 - 1e-12))))
            let slow = r > threshold
            var end: CalendarDate? = nil
            var openTicket: (opened: CalendarDate, month: Int)? = nil
            var raisedAny = false
            var lastResolution: (month: Int, good: Bool)? = nil
            let q = 1 - exp(-pl.ticketRate)
            var m = 1
            while true {
                let periodStart = s.adding(months: m - 1), renewal = s.adding(months: m)
                if periodStart > asOf { break }
                if withTickets {
                    if openTicket == nil && g.uniform() < q {
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
                        } else {
                            tix.append("c\(i),\(t.opened),,")
                            openTicket = nil
                            break
                        }
                    }
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
            subs.append("c\(i),\(pl.name),\(s),\(end.map { $0.description } ?? ""),\(pl.amount)")
            // Activation on s + R months, when it happened by the end of the observation.
            let whole = Int(r.rounded(.down))
            let a = s.adding(months: whole), b = s.adding(months: whole + 1)
            let activated = day(in: a, b, r - Double(whole))
            if withActivations && activated <= (end.map { min($0, asOf) } ?? asOf) {
                act.append("c\(i),\(activated)")
            }
        }
        return Output(subscriptions: subs.joined(separator: "\n") + "\n", tickets: tix.joined(separator: "\n") + "\n",
                      activations: act.joined(separator: "\n") + "\n")
    }
}

extension CalendarDate {
    /// The next day.
    var next: CalendarDate {
        if day < CalendarDate.daysIn(year: year, month: month) { return CalendarDate(year: year, month: month, day: day + 1)! }
        if month < 12 { return CalendarDate(year: year, month: month + 1, day: 1)! }
        return CalendarDate(year: year + 1, month: 1, day: 1)!
    }
}
