/// A mistake in a scenario file or a command-line value, with where it is and what was expected.
///
/// ```
/// Scenarios/b2b.yaml:14:12: plans[1].churn.alpha: expected a number > 0, got -0.5
/// ```
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, as given by the user (or `<command line>`).
    public var file: String
    /// 1-based line, 0 when unknown (e.g. an empty file).
    public var line: Int
    /// 1-based column, 0 when unknown.
    public var column: Int
    /// Dotted key path, e.g. `plans[1].churn.alpha`; empty for the whole document.
    public var keyPath: String
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int = 0, column: Int = 0, keyPath: String = "", message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var location = file
        if line > 0 { location += ":\(line)" }
        if column > 0 { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
