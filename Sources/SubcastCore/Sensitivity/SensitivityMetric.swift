/// The one output a sensitivity analysis studies: a scalar metric (`cltv`) or a series metric in
/// one month (`mrr` in month 36; for tenure-indexed series such as `retention`, a tenure month).
///
/// ```swift
/// let m = try SensitivityMetric(name: "mrr", month: 36, in: model.layout)
/// let value = row[m.column]
/// ```
public struct SensitivityMetric: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// The month of a series metric (1 ... its length); nil for a scalar metric.
    public let month: Int?
    /// The metric's column in the layout it was resolved in.
    public let column: Int

    /// Resolves a metric in a layout.
    /// - Parameters:
    ///   - name: a block of `layout` (e.g. `mrr`, `active`, `cltv`); `input:<name>` blocks are not outputs.
    ///   - month: for a series metric, 1 ... its length (default: its last month, the horizon for
    ///     monthly metrics); must be nil or 1 for a scalar metric.
    public init(name: String, month: Int?, in layout: OutputLayout) throws(SensitivityError) {
        let valid = SensitivityMetric.names(in: layout)
        guard let block = layout.block(name), valid.contains(name) else {
            throw .unknownMetric(name, valid: valid)
        }
        self.name = name
        if block.kind == .scalar {
            if let m = month, m != 1 { throw .monthOfScalar(name, month: m) }
            self.month = nil
            column = block.offset
        } else {
            let m = month ?? block.count
            guard m >= 1 && m <= block.count else { throw .monthOutOfRange(name, month: m, months: block.count) }
            self.month = m
            column = block.offset + m - 1
        }
    }

    /// The metrics of a layout, in layout order.
    public static func names(in layout: OutputLayout) -> [String] {
        layout.blocks.map(\.metric).filter { !$0.hasPrefix("input:") }
    }

    /// `mrr month 36` or `cltv`.
    public var description: String { month.map { "\(name) month \($0)" } ?? name }
}

/// Why a sensitivity analysis cannot run on a scenario.
public enum SensitivityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The scenario has no input with a distribution.
    case noUncertainInputs
    case unknownMetric(String, valid: [String])
    case monthOutOfRange(String, month: Int, months: Int)
    case monthOfScalar(String, month: Int)

    public var description: String {
        switch self {
        case .noUncertainInputs:
            "no uncertain inputs: give some parameter a distribution, see Scenarios/README.md"
        case let .unknownMetric(name, valid):
            "no metric named '\(name)'; metrics of this scenario: " + valid.joined(separator: ", ")
        case let .monthOutOfRange(name, month, months):
            "month \(month) is outside 1 ... \(months) for '\(name)'"
        case let .monthOfScalar(name, month):
            "'\(name)' is one value per trial, so it has no month \(month); drop --month"
        }
    }
}
