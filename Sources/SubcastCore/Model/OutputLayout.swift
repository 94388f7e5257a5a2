/// The named outputs of one trial, laid out as one flat vector of doubles.
///
/// The model writes one value per series per trial; the engine stores the vectors without
/// knowing what they mean; statistics summarise each series across trials; reports look series
/// up by metric name. A value of NaN means "undefined in this trial" (for example a retention
/// ratio of a cohort that acquired nobody) and is left out of that series' statistics.
public struct OutputLayout: Sendable, Hashable {
    /// What a block of series is indexed by.
    public enum Kind: Sendable, Hashable {
        /// One value per reporting month, months 1 ... horizon.
        case monthly
        /// One value per tenure month since acquisition, 1 ... n.
        case byTenure
        /// A retention curve of the cohort acquired in the given month, by tenure month.
        case cohort(month: Int)
        /// One value per trial.
        case scalar
    }

    /// A run of consecutive series for one metric.
    public struct Block: Sendable, Hashable {
        public let metric: String
        public let kind: Kind
        public let offset: Int
        public let count: Int
    }

    public private(set) var blocks: [Block] = []
    /// Number of doubles per trial.
    public private(set) var width = 0

    public init() {}

    /// Appends a block and returns its offset.
    @discardableResult
    public mutating func add(_ metric: String, _ kind: Kind, count: Int) -> Int {
        precondition(count >= 1)
        precondition(block(metric) == nil, "duplicate metric \(metric)")
        let offset = width
        blocks.append(Block(metric: metric, kind: kind, offset: offset, count: count))
        width += count
        return offset
    }

    /// The block of a metric, if present.
    public func block(_ metric: String) -> Block? { blocks.first { $0.metric == metric } }
}
