import Foundation
import SubcastCore
import Yams

/// Reads and validates scenario files (YAML, or JSON, which is read as YAML's flow style).
///
/// The schema (version 1) is documented field by field in `Scenarios/README.md`. Every
/// mistake is reported as a `ScenarioError` naming the file, line, column and key path and
/// what was expected; nothing is simulated or written until the whole file is valid.
public enum ScenarioLoader {
    /// The schema version this build reads.
    public static let schemaVersion = 1

    /// Limits that keep a bad file from exhausting memory or time.
    public enum Limits {
        public static let maximumFileBytes = 4 << 20
        public static let maximumNesting = 64
        public static let maximumHorizonMonths = 1200
        public static let maximumLifetimeMonths = 1200
        public static let maximumTrials = 10_000_000
        public static let maximumPlans = 100
        public static let maximumExisting = 10_000
        /// Largest Poisson mean / compartment count GSL's `unsigned int` samplers take safely.
        public static let maximumCount = 4_000_000_000.0
    }

    static let topLevelKeys = ["schema_version", "name", "description", "currency", "horizon_months", "trials",
                               "seed", "plans", "acquisition", "existing", "economics", "cltv", "report"]

    /// Loads a scenario file.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
                throw ScenarioError(file: path, message: "is a directory, expected a scenario file (.yaml or .json)")
            }
            if let size = attributes[.size] as? Int, size > Limits.maximumFileBytes {
                throw ScenarioError(file: path, message: "file is \(size) bytes; scenario files are limited to \(Limits.maximumFileBytes) bytes")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: path, message: "cannot read the file: \(FileManager.default.fileExists(atPath: path) ? "permission denied or I/O error" : "no such file")")
        }
        return try parse(data: data, file: path)
    }

    /// Parses scenario text; `file` is used in error messages only.
    public static func parse(data: Data, file: String) throws(ScenarioError) -> Scenario {
        if data.count > Limits.maximumFileBytes {
            throw ScenarioError(file: file, message: "document is \(data.count) bytes; scenario files are limited to \(Limits.maximumFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8), !data.contains(0) else {
            throw ScenarioError(file: file, message: "is not UTF-8 text; expected a YAML or JSON scenario")
        }
        return try parse(text: text, file: file)
    }

    public static func parse(text: String, file: String) throws(ScenarioError) -> Scenario {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ScenarioError(file: file, message: "file is empty; expected a scenario (see Scenarios/README.md)")
        }
        try checkNesting(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, message: "file holds no document; expected a scenario mapping")
            }
            root = node
        } catch let e as ScenarioError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e, file: file)
        } catch {
            throw ScenarioError(file: file, message: "not valid YAML or JSON: \(error)")
        }
        try checkNoAliases(root, file: file)
        return try ScenarioDecoder(file: file).decode(YAMLNode(node: root, path: "", file: file))
    }

    /// Rejects, before the recursive composer sees the text, flow nesting deeper than the limit
    /// and YAML anchors and aliases (Yams resolves aliases silently, so they are found here: an
    /// `&` or `*` that starts a value, outside quotes and comments).
    static func checkNesting(_ text: String, file: String) throws(ScenarioError) {
        var depth = 0, line = 1, column = 0
        var quote: Character? = nil
        var comment = false
        var valueStart = true       // at a position where a node may begin
        var previous: Character = "\n"
        let chars = Array(text)
        for (index, ch) in chars.enumerated() {
            column += 1
            if ch == "\n" { line += 1; column = 0; comment = false; valueStart = true; previous = ch; continue }
            if comment { continue }
            if let q = quote { if ch == q { quote = nil }; previous = ch; continue }
            switch ch {
            case "#" where previous == " " || previous == "\t" || previous == "\n": comment = true
            case "\"" where valueStart, "'" where valueStart: quote = ch
            case "&" where valueStart, "*" where valueStart:
                let next = index + 1 < chars.count ? chars[index + 1] : " "
                if !next.isWhitespace && next != "," && next != "]" && next != "}" {
                    throw ScenarioError(file: file, line: line, column: column,
                                        message: "YAML anchors (&name) and aliases (*name) are not supported in scenarios; write each value out")
                }
            case "[", "{":
                depth += 1
                if depth > Limits.maximumNesting {
                    throw ScenarioError(file: file, line: line, column: column, message: "nested deeper than \(Limits.maximumNesting) levels; a scenario needs at most 4")
                }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
            if ch == " " || ch == "\t" {
                if previous == ":" || previous == "-" || previous == "," { valueStart = true }
            } else if ch == "[" || ch == "{" || ch == "," {
                valueStart = true
            } else {
                valueStart = false
            }
            previous = ch
        }
        // Block-style nesting is bounded by indentation; check it too.
        var l = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            l += 1
            let indent = raw.prefix { $0 == " " || $0 == "-" }.count
            if indent > 4 * Limits.maximumNesting {
                throw ScenarioError(file: file, line: l, message: "indented deeper than \(4 * Limits.maximumNesting) columns; a scenario needs a few levels")
            }
        }
    }

    /// Bounds the size of the composed document (aliases are already rejected by `checkNesting`;
    /// an `.alias` node is rejected here too in case a Yams version keeps them).
    static func checkNoAliases(_ node: Node, file: String) throws(ScenarioError) {
        var count = 0
        func walk(_ n: Node) throws(ScenarioError) {
            count += 1
            if count > 200_000 {
                throw ScenarioError(file: file, message: "document has more than 200000 values; a scenario needs a few hundred")
            }
            switch n {
            case .alias:
                throw ScenarioError(file: file, line: n.mark?.line ?? 0, column: n.mark?.column ?? 0,
                                    message: "YAML anchors and aliases (*name) are not supported in scenarios; write the value out")
            case let .mapping(m):
                for (k, v) in m { try walk(k); try walk(v) }
            case let .sequence(s):
                for v in s { try walk(v) }
            case .scalar:
                break
            }
        }
        try walk(node)
    }

    static func yamlError(_ e: YamlError, file: String) -> ScenarioError {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ScenarioError(file: file, line: mark.line, column: mark.column, message: "invalid YAML/JSON: \(what)")
        case let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return ScenarioError(file: file, line: mark.line, column: mark.column, message: "invalid YAML/JSON: \(what)")
        case let .reader(problem, offset, value, _):
            return ScenarioError(file: file, message: "unreadable text: \(problem) at byte \(offset ?? 0) (value \(value))")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ScenarioError(file: file, line: context.mark.line, column: context.mark.column,
                                 message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping; each key may appear once")
        default:
            return ScenarioError(file: file, message: "invalid YAML/JSON: \(e)")
        }
    }
}
