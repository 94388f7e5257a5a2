import SubcastStochastics

/// Per-seat pricing (`Seats`): the extra seats (beyond the first) of every compartment.
///
/// At sign-up n subscribers bring Poisson(n (mu - 1)) extra seats; each month (step 3, before
/// plan moves, for compartments that started before the month) every extra seat is removed with
/// probability `contraction` (Binomial) and the n subscribers add Poisson(n x expansion); at
/// renewals the leavers take Binomial(E, leavers / n) of the E extra seats (all when everybody
/// leaves). The extra seats of a subscriber stay Poisson and independent of the others', so
/// these aggregate draws are exact (stream `seats`). Metric: `seats` (billed, at billing).
struct SeatsProcess: Sendable {
    static let stream = "seats"
    let seats: [Seats?]

    init?(_ scenario: Scenario, shape: Scenario) {
        guard shape.plans.contains(where: { $0.options.seats != nil }) else { return nil }
        seats = scenario.plans.map(\.options.seats)
    }

    /// Extra seats of n new subscribers of plan p.
    @inline(__always) func atSignUp(_ n: Int, plan p: Int, using g: RandomGenerator) -> Int {
        guard let s = seats[p], n > 0, s.meanAtSignup > 1 else { return 0 }
        return Poisson.drawAnySize(mean: Double(n) * (s.meanAtSignup - 1), using: g)
    }

    /// Step 3: the month's seat changes of compartment c (plan p).
    @inline(__always) func drift(_ t: CompartmentTable, _ c: Int, plan p: Int, using g: RandomGenerator) {
        guard let s = seats[p] else { return }
        let n = t.total[c]
        if n == 0 { return }
        if s.contractionPerMonth > 0 && t.extraSeats[c] > 0 {
            t.extraSeats[c] -= Binomial.drawAnySize(trials: t.extraSeats[c], probability: s.contractionPerMonth, using: g)
        }
        if s.expansionPerMonth > 0 {
            t.extraSeats[c] += Poisson.drawAnySize(mean: Double(n) * s.expansionPerMonth, using: g)
        }
    }

    /// Renewals: the extra seats that leave with `leaving` of the `n` subscribers of c.
    @inline(__always) func leave(_ t: CompartmentTable, _ c: Int, leaving: Int, of n: Int, using g: RandomGenerator) -> Int {
        let e = t.extraSeats[c]
        if e == 0 || leaving == 0 { return 0 }
        let gone = leaving == n ? e : Binomial.drawAnySize(trials: e, probability: Double(leaving) / Double(n), using: g)
        t.extraSeats[c] = e - gone
        return gone
    }
}
