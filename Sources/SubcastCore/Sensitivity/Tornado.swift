/// One-at-a-time sensitivity: each input moved to a low and a high value (its P10 and P90)
/// with every other input at its base value (its median), sorted by how far the output swings.
///
/// ```
/// base     = f(x_1^base, ..., x_d^base)
/// low_i    = f(x with x_i = x_i^low),   high_i = f(x with x_i = x_i^high)
/// swing_i  = |high_i - low_i|
/// ```
/// Bars are sorted by swing, largest first (ties and undefined swings keep the inputs' order,
/// undefined swings last). `f` returns the output's mean at a point and the standard error of
/// that mean (0 for an exact function); for a simulation run every point on the same streams
/// (common random numbers), so differences between points are the inputs' effect, not noise.
/// The 2d + 1 points are evaluated in order: base, then low and high of each input.
///
/// A tornado shows local, one-at-a-time effects; interactions and the inputs' joint
/// uncertainty are what `SobolAnalysis` measures.
///
/// ```swift
/// let t = Tornado.run([.init(name: "price", low: 40, base: 50, high: 60),
///                      .init(name: "churn", low: 0.02, base: 0.03, high: 0.05)]) { x in
///     Tornado.Point(mean: x[0] * (1 - x[1]), se: 0)
/// }
/// print(t.bars[0].name, t.bars[0].swing)     // price 19.4
/// ```
public struct Tornado: Sendable {
    /// An input's base value and the values it is moved to.
    public struct Input: Sendable, Hashable {
        public var name: String
        public var low: Double
        public var base: Double
        public var high: Double
        public init(name: String, low: Double, base: Double, high: Double) {
            self.name = name
            self.low = low
            self.base = base
            self.high = high
        }
    }

    /// The output at one point: its mean and the standard error of that mean.
    public struct Point: Sendable, Hashable {
        public var mean: Double
        public var se: Double
        public init(mean: Double, se: Double) {
            self.mean = mean
            self.se = se
        }
    }

    /// One input's bar.
    public struct Bar: Sendable, Hashable {
        public var input: Input
        /// The input's position in the list given to `run`.
        public var index: Int
        public var atLow: Point
        public var atHigh: Point
        public var name: String { input.name }
        /// |f(high) - f(low)|.
        public var swing: Double { abs(atHigh.mean - atLow.mean) }
    }

    /// All inputs at their base values.
    public let base: Point
    /// Largest swing first.
    public let bars: [Bar]

    /// Evaluates the 2d + 1 points and sorts the bars.
    /// - Parameters:
    ///   - inputs: at least one; `f` receives their values in this order.
    ///   - f: the output at a point; its error (e.g. cancellation) ends the run.
    public static func run<E: Error>(_ inputs: [Input], f: ([Double]) throws(E) -> Point) throws(E) -> Tornado {
        precondition(!inputs.isEmpty)
        let baseValues = inputs.map(\.base)
        let base = try f(baseValues)
        var bars: [Bar] = []
        for (i, input) in inputs.enumerated() {
            var x = baseValues
            x[i] = input.low
            let low = try f(x)
            x[i] = input.high
            let high = try f(x)
            bars.append(Bar(input: input, index: i, atLow: low, atHigh: high))
        }
        return Tornado(base: base, bars: sorted(bars))
    }

    /// Largest swing first; ties keep input order; NaN swings last.
    static func sorted(_ bars: [Bar]) -> [Bar] {
        bars.sorted { a, b in
            switch (a.swing.isNaN, b.swing.isNaN) {
            case (false, true): return true
            case (true, false): return false
            case (true, true): return a.index < b.index
            case (false, false): return a.swing != b.swing ? a.swing > b.swing : a.index < b.index
            }
        }
    }
}
