import Foundation
import SubcastStochastics

/// Support load from licence customers (`LicenceSwitch.support`): in a licence switch the
/// subscription path's maintenance payers raise tickets too, at their own rate (each payer
/// without an open ticket raises one with probability 1 - exp(-rate), stream
/// `licence_support`) from the switch month on, queue with the subscribers' tickets for the same agents (see
/// `SupportProcess`), and are resolved at the same quality. A good resolution returns them to
/// healthy; a bad one makes them detractors for support's `badMonths`, whose monthly
/// maintenance lapse hazard is multiplied by `badLapseMultiplier` (default: support's bad churn
/// multiplier) and whose migration rate by `badMigrationMultiplier`; a waiting customer lapses
/// at support's waiting multiplier. Metrics: `licence_tickets`, `licence_detractors`.
struct LicenceSupportProcess: Sendable {
    static let stream = "licence_support"
    let ticketProbability: Double
    let badMonths: Int

    init?(_ scenario: Scenario) {
        guard let s = scenario.levers.licenceSwitch?.support, let sp = scenario.levers.support else { return nil }
        ticketProbability = 1 - Foundation.exp(-s.ticketsPerMonth)
        badMonths = sp.badMonths
    }

    /// Raises the month's tickets (healthy and detractors move to waiting); returns how many.
    func raise(_ state: LicenceState, using g: RandomGenerator) -> Int {
        var raised = 0
        for st in state.count.indices where st != LicenceState.waiting && state.count[st] > 0 {
            let k = Binomial.draw(trials: state.count[st], probability: ticketProbability, using: g)
            state.count[st] -= k
            raised += k
        }
        state.count[LicenceState.waiting] += raised
        return raised
    }

    /// Applies the outcomes: `handled` of the waiting customers are resolved, `good` of them well.
    func resolve(_ state: LicenceState, handled: Int, good: Int) {
        state.count[LicenceState.waiting] -= handled
        state.count[LicenceState.healthy] += good
        state.count[LicenceState.bad + badMonths - 1] += handled - good
    }

    /// Detractor months count down (to healthy).
    func age(_ state: LicenceState) {
        state.count[LicenceState.healthy] += state.count[LicenceState.bad]
        for r in 0..<(badMonths - 1) { state.count[LicenceState.bad + r] = state.count[LicenceState.bad + r + 1] }
        state.count[LicenceState.bad + badMonths - 1] = 0
    }

    var detractorRange: Range<Int> { LicenceState.bad..<(LicenceState.bad + badMonths) }
}
