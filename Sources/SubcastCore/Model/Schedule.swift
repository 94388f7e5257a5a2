/// A scenario input that changes over the horizon: a plan over time (a hiring plan, a marketing
/// ramp, fixed costs stepping up).
///
/// Two forms, each given as points (month, value) with strictly increasing months:
/// - `steps`: the value of the latest point at or before the month (the first point is month 1):
///   `{1: 2, 10: 4}` is 2 in months 1 ... 9 and 4 from month 10 on;
/// - `ramp`: linear between consecutive points, the first value before the first point and the
///   last value after the last: `{ramp: {1: 40, 12: 120}}` rises from 40 in month 1 to 120 in
///   month 12 and stays there.
/// Every value is multiplied by `scale` (1 unless an uncertain input scales the schedule).
///
/// ```swift
/// let agents = Schedule(steps: [(1, 2), (10, 4)])
/// agents.value(month: 9)   // 2
/// agents.value(month: 10)  // 4
/// ```
public struct Schedule: Sendable, Hashable {
    public enum Form: String, Sendable, Hashable { case steps, ramp }
    public var form: Form
    /// Months of the points, strictly increasing, >= 1 (steps start at month 1).
    public var months: [Int]
    /// Values of the points.
    public var values: [Double]
    /// Multiplies every value (default 1).
    public var scale: Double

    /// The same value in every month.
    public init(constant value: Double) {
        self.init(form: .steps, months: [1], values: [value])
    }

    public init(steps points: [(month: Int, value: Double)], scale: Double = 1) {
        self.init(form: .steps, months: points.map(\.month), values: points.map(\.value), scale: scale)
    }

    public init(ramp points: [(month: Int, value: Double)], scale: Double = 1) {
        self.init(form: .ramp, months: points.map(\.month), values: points.map(\.value), scale: scale)
    }

    public init(form: Form, months: [Int], values: [Double], scale: Double = 1) {
        precondition(!months.isEmpty && months.count == values.count, "a schedule needs at least one point")
        precondition(zip(months, months.dropFirst()).allSatisfy { $0 < $1 } && months[0] >= 1, "schedule months must increase")
        precondition(form == .ramp || months[0] == 1, "a step schedule starts at month 1")
        self.form = form
        self.months = months
        self.values = values
        self.scale = scale
    }

    /// True when the value is the same in every month.
    public var isConstant: Bool { values.allSatisfy { $0 == values[0] } }

    /// The value in month m (before month 1: month 1's).
    public func value(month m: Int) -> Double {
        var i = 0
        while i + 1 < months.count && months[i + 1] <= m { i += 1 }
        switch form {
        case .steps:
            return scale * values[i]
        case .ramp:
            if m <= months[0] { return scale * values[0] }
            if i + 1 >= months.count { return scale * values[values.count - 1] }
            let (m0, m1) = (Double(months[i]), Double(months[i + 1]))
            let t = (Double(m) - m0) / (m1 - m0)
            return scale * (values[i] + t * (values[i + 1] - values[i]))
        }
    }

    /// The largest value over months 1 ... n.
    public func maximum(months n: Int) -> Double {
        (1...max(n, 1)).reduce(-Double.infinity) { Swift.max($0, value(month: $1)) }
    }

    /// The value in month 1 (what a constant input would be).
    public var first: Double { value(month: 1) }
}

extension MonthlyValue {
    /// A schedule read by month, tabulated for months 1 ... n (later months keep month n's value).
    init(_ schedule: Schedule, months n: Int) {
        if schedule.isConstant {
            self.init(schedule.first)
        } else {
            self.init(byMonth: (1...max(n, 1)).map { schedule.value(month: $0) })
        }
    }
}
