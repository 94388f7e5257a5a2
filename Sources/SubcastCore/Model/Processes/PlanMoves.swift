import SubcastStochastics

/// Plan moves (`PlanOptions.moves`): each month every subscriber of a compartment that started
/// before the month draws once where to be, from the plan it started the month on.
///
/// Step 4, one simultaneous step: for every compartment, Multinomial(n, (stay, moves...))
/// (stream `moves`) movers to each destination plan (same group, billing and latent class, see
/// `ModelShape.movedClass`), taken uniformly
/// over the compartment's conditions (sequential hypergeometric draws), with Binomial(E, movers
/// / n) of its extra seats (stream `seats`; kept only if the destination bills seats); all are
/// staged and added
/// to their destinations only after every compartment has drawn, so the order of plans in the
/// file does not matter and nobody moves twice in a month. The movers' carried MRR (what they
/// paid last month: base price, seats at the origin's seat price, their share of usage) moves
/// with them, so a move that changes no price or seat count creates no expansion or
/// contraction. The existing base moves from month 2 (like every group, from its second month).
/// Metric: `plan_moves`.
struct PlanMoveProcess: Sendable {
    static let stream = "moves"
    let targets: [[Int]]
    /// Per plan: (stay, targets...) probabilities.
    let weights: [[Double]]
    let maxCategories: Int

    init?(_ scenario: Scenario, shape: Scenario) {
        guard shape.plans.contains(where: { !$0.options.moves.isEmpty }) else { return nil }
        targets = scenario.plans.map { $0.options.moves.map(\.plan) }
        weights = scenario.plans.map { p in
            let moving = p.options.moves.map(\.probability)
            return [max(0, 1 - moving.reduce(0, +))] + moving
        }
        maxCategories = max(1, shape.plans.map { $0.options.moves.count + 1 }.max() ?? 1)
    }

    /// Draws and stages the moves out of compartment c = (g, p, b).
    func draw(_ t: CompartmentTable, _ shape: ModelShape, c: Int, g grp: Int, p: Int, b: Int, seats: SeatsProcess?,
              split: UnsafeMutableBufferPointer<Int>, using g: RandomGenerator, seatStream: RandomGenerator) -> Int {
        let n = t.total[c]
        let k = targets[p].count
        if n == 0 || k == 0 { return 0 }
        weights[p].withUnsafeBufferPointer { w in
            Multinomial.draw(trials: n, weights: w, into: UnsafeMutableBufferPointer(rebasing: split[0..<(k + 1)]), using: g)
        }
        var moved = 0
        for d in 0..<k where split[d + 1] > 0 {
            let x = split[d + 1]
            let q = targets[p][d]
            let dest = shape.compartment(grp, q, b, shape.movedClass(shape.latentClass(c), from: p, to: q))
            let before = t.total[c]
            let S = t.conditions
            splitOverConditions(t, c, mask: t.occupied[c], pooled: before, take: x, using: g) { st, taken in
                t.add(c, st, -taken)
                t.incoming[dest * S + st] += taken
                t.incomingMask[dest] |= 1 << UInt64(st)
            }
            stageCarried(t, from: c, to: dest, movers: x, of: before, originSeats: seats?.seats[p],
                         destinationBillsSeats: seats?.seats[targets[p][d]] != nil, using: seatStream)
            moved += x
        }
        return moved
    }

    /// Adds the staged moves into their compartments (after every compartment has drawn).
    static func apply(_ t: CompartmentTable, _ shape: ModelShape, _ x: Month) {
        let S = t.conditions
        x.forEachCompartment(shape) { _, _, _, c in
            // Movers always bring some condition, so an empty mask means nothing was staged.
            guard t.incomingMask[c] != 0 else { return }
            forEachBit(t.incomingMask[c]) { st in
                t.add(c, st, t.incoming[c * S + st])
                t.incoming[c * S + st] = 0
            }
            t.incomingMask[c] = 0
            t.extraSeats[c] += t.incomingSeats[c]
            t.incomingSeats[c] = 0
            t.carried[c] += t.incomingCarried[c]
            t.incomingCarried[c] = 0
        }
    }
}

/// Moves the seats and carried MRR of `movers` of the `n` subscribers of compartment c to the
/// staging of `dest` (the counts are moved by the caller): the movers' extra seats are
/// Binomial(E, movers / n) (all when everybody moves; `g` is the seats process's stream), their carried MRR their base price of last
/// month, their seats at the origin's seat price and their share of last month's usage.
@inline(__always)
func stageCarried(_ t: CompartmentTable, from c: Int, to dest: Int, movers: Int, of n: Int, originSeats: Seats?,
                  destinationBillsSeats: Bool, staged: Bool = true, using g: RandomGenerator) {
    var value = (t.lastUnit[c] + t.lastUsage[c]) * Double(movers)
    if let seat = originSeats {
        let e = t.extraSeats[c]
        let seats = movers == n ? e : (e > 0 ? Binomial.drawAnySize(trials: e, probability: Double(movers) / Double(n), using: g) : 0)
        t.extraSeats[c] -= seats
        value += seat.pricePerSeat * Double(movers + seats)
        if destinationBillsSeats {
            if staged { t.incomingSeats[dest] += seats } else { t.extraSeats[dest] += seats }
        }
    }
    t.carried[c] -= value
    if staged { t.incomingCarried[dest] += value } else { t.carried[dest] += value }
}
