/// The state of one trial: subscriber counts by (compartment, condition), struct of arrays on
/// flat unsafe buffers allocated once per worker.
///
/// A compartment is (group, plan, billing): a group is a block of the existing base, the
/// acquisition cohort of a month or the licence customers who migrated in a month; billing is
/// monthly (0) or annual (1). Conditions are the processes' (healthy = 0, at risk, waiting,
/// detractor with r months left, promoter with r months left; at most 64). Each compartment
/// keeps its total and a bit mask of its non-empty conditions, so a process visits only
/// non-empty (compartment, condition) pairs: an empty pair costs nothing.
///
/// Invariant: `total[c]` = sum of `count[c * S + s]` over s, and bit s of `occupied[c]` is set
/// exactly when `count[c * S + s] > 0`. Only `add`, `set` and `clear` change counts.
public final class CompartmentTable {
    /// Compartments and conditions.
    public let compartments: Int, conditions: Int
    let count: UnsafeMutableBufferPointer<Int>          // [c * S + s]
    let total: UnsafeMutableBufferPointer<Int>          // [c]
    let occupied: UnsafeMutableBufferPointer<UInt64>    // [c]
    /// Seats beyond the first of all subscribers of a compartment.
    let extraSeats: UnsafeMutableBufferPointer<Int>
    /// Monthly-equivalent list price of one subscriber of the compartment (before discounts).
    let unitPrice: UnsafeMutableBufferPointer<Double>
    /// Last month's MRR of this month's subscribers (the MRR bridge's reference).
    let carried: UnsafeMutableBufferPointer<Double>
    /// Last month's base MRR per subscriber and usage MRR per subscriber.
    let lastUnit: UnsafeMutableBufferPointer<Double>
    let lastUsage: UnsafeMutableBufferPointer<Double>
    /// A non-grandfathered price event repriced the compartment this month.
    let shocked: UnsafeMutableBufferPointer<Bool>
    /// Tickets raised this month (support's scratch).
    let raised: UnsafeMutableBufferPointer<Int>
    /// Plan moves staged for the simultaneous apply: counts [c * S + s] and seats [c].
    let incoming: UnsafeMutableBufferPointer<Int>
    let incomingSeats: UnsafeMutableBufferPointer<Int>
    let incomingCarried: UnsafeMutableBufferPointer<Double>
    /// Conditions with staged moves per compartment (0: nothing staged).
    let incomingMask: UnsafeMutableBufferPointer<UInt64>

    init(compartments: Int, conditions: Int) {
        precondition(conditions >= 1 && conditions <= 64, "at most 64 conditions")
        self.compartments = compartments
        self.conditions = conditions
        count = zeroedBuffer(compartments * conditions, 0)
        total = zeroedBuffer(compartments, 0)
        occupied = zeroedBuffer(compartments, 0)
        extraSeats = zeroedBuffer(compartments, 0)
        unitPrice = zeroedBuffer(compartments, 0.0)
        carried = zeroedBuffer(compartments, 0.0)
        lastUnit = zeroedBuffer(compartments, 0.0)
        lastUsage = zeroedBuffer(compartments, 0.0)
        shocked = zeroedBuffer(compartments, false)
        raised = zeroedBuffer(compartments, 0)
        incoming = zeroedBuffer(compartments * conditions, 0)
        incomingSeats = zeroedBuffer(compartments, 0)
        incomingCarried = zeroedBuffer(compartments, 0.0)
        incomingMask = zeroedBuffer(compartments, 0)
    }

    deinit {
        for b in [count, total, extraSeats, raised, incoming, incomingSeats] { b.deallocate() }
        for b in [unitPrice, carried, lastUnit, lastUsage, incomingCarried] { b.deallocate() }
        occupied.deallocate(); incomingMask.deallocate()
        shocked.deallocate()
    }

    /// Empties every compartment.
    func reset() {
        for i in 0..<count.count { count[i] = 0; incoming[i] = 0 }
        for c in 0..<total.count {
            total[c] = 0; occupied[c] = 0; extraSeats[c] = 0; unitPrice[c] = 0; carried[c] = 0
            lastUnit[c] = 0; lastUsage[c] = 0; shocked[c] = false; raised[c] = 0; incomingSeats[c] = 0
            incomingCarried[c] = 0; incomingMask[c] = 0
        }
    }

    @inline(__always) func n(_ c: Int, _ s: Int) -> Int { count[c &* conditions &+ s] }

    /// Adds `k` (which may be negative, never below zero) to condition `s` of compartment `c`.
    @inline(__always) func add(_ c: Int, _ s: Int, _ k: Int) {
        if k == 0 { return }
        let i = c &* conditions &+ s
        let v = count[i] &+ k
        count[i] = v
        total[c] &+= k
        if v == 0 { occupied[c] &= ~(1 << UInt64(s)) } else { occupied[c] |= 1 << UInt64(s) }
    }

    /// Sets condition `s` of compartment `c` to `k` >= 0.
    @inline(__always) func set(_ c: Int, _ s: Int, _ k: Int) { add(c, s, k - count[c &* conditions &+ s]) }
}

/// A buffer of max(n, 1) elements, each `zero` (the model's per-worker scratch; the caller
/// deallocates it).
func zeroedBuffer<T>(_ n: Int, _ zero: T) -> UnsafeMutableBufferPointer<T> {
    let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(n, 1))
    b.initialize(repeating: zero)
    return b
}

/// Iterates the set bits of a mask, lowest first.
@inline(__always) func forEachBit(_ mask: UInt64, _ body: (Int) -> Void) {
    var bits = mask
    while bits != 0 {
        body(bits.trailingZeroBitCount)
        bits &= bits &- 1
    }
}
