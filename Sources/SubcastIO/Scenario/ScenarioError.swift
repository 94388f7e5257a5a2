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
        self.keyPath = ScenarioError.shortened(keyPath)
        self.message = ScenarioError.shortened(message)
    }

    /// The text with every run of more than 120 characters without a space cut to its first 60
    /// and its length (`xxxx...(200000 characters)`), so a pasted giant name gives a readable
    /// message of bounded size.
    static func shortened(_ text: String) -> String {
        guard text.utf8.count > 120 else { return text }
        var out = "", word = ""
        func flush() {
            if word.count > 120 { out += word.prefix(60) + "...(\(word.count) characters)" } else { out += word }
            word = ""
        }
        for c in text {
            if c == " " || c == "\n" { flush(); out.append(c) } else { word.append(c) }
        }
        flush()
        return out
    }

    public var description: String {
        var location = file
        if line > 0 { location += ":\(line)" }
        if column > 0 { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
