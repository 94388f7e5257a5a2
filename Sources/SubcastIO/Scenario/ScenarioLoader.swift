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
        /// The largest price of anything (a subscription, seat, unit of usage, licence): with
        /// at most about 1e13 subscribers over a horizon, sums of amounts stay below 1e40,
        /// far inside a double's range, so no derived figure overflows.
        public static let maximumAmount = 1e18
    }

    static let topLevelKeys = ["schema_version", "name", "description", "currency", "horizon_months", "trials",
                               "seed", "plans", "acquisition", "existing", "economics", "cltv", "report",
                               "support", "onboarding", "pricing", "free_trial", "dunning", "licence_switch", "referrals", "variants", "decisions", "objective", "constraints",
                               "costs", "start", "fiscal_year_start_month",
                               "correlations", "sampling"]

    /// Loads a scenario file. A scenario with uncertain inputs loads at their medians (the family's
    /// `base`); `loadFamily(path:)` keeps the distributions.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        try loadFamily(path: path).base
    }

    /// Loads a scenario file with its uncertain inputs (numbers given as distributions, see
    /// `Scenarios/README.md`, "Uncertain inputs"): the scenario at the inputs' medians, the inputs,
    /// and how to build the scenario of one trial's draws.
    public static func loadFamily(path: String) throws(ScenarioError) -> ScenarioFamily {
        try parseFamily(text: readScenarioText(path: path), file: path)
    }

    /// The text of a scenario file: a regular file within the size limit, readable, UTF-8.
    static func readScenarioText(path: String) throws(ScenarioError) -> String {
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
        return try scenarioText(data, file: path)
    }

    /// Scenario bytes as text: within the size limit, UTF-8 without NUL bytes.
    static func scenarioText(_ data: Data, file: String) throws(ScenarioError) -> String {
        if data.count > Limits.maximumFileBytes {
            throw ScenarioError(file: file, message: "document is \(data.count) bytes; scenario files are limited to \(Limits.maximumFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8), !data.contains(0) else {
            throw ScenarioError(file: file, message: "is not UTF-8 text; expected a YAML or JSON scenario")
        }
        return text
    }

    /// Loads a scenario and reports which key paths the file gives explicitly (non-null), e.g.
    /// `economics.gross_margin` or `existing[0].tenure_months`; every other field took its default.
    public static func loadResolved(path: String) throws(ScenarioError) -> (scenario: Scenario, explicitKeys: Set<String>) {
        let scenario = try load(path: path)
        var keys = Set<String>()
        if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
           let root = try? Yams.compose(yaml: text) {
            func walk(_ node: Node, _ path: String) {
                switch node {
                case let .mapping(m):
                    for (k, v) in m {
                        let key = k.string ?? "?"
                        let p = path.isEmpty ? key : "\(path).\(key)"
                        if YAMLNode(node: v, path: p, file: "").isNull { continue }
                        keys.insert(p)
                        walk(v, p)
                    }
                case let .sequence(items):
                    for (i, v) in items.enumerated() { walk(v, "\(path)[\(i)]") }
                default: break
                }
            }
            walk(root, "")
        }
        return (scenario, keys)
    }

    /// Parses scenario text; `file` is used in error messages only. Uncertain inputs are at their medians.
    public static func parse(data: Data, file: String) throws(ScenarioError) -> Scenario {
        try parseFamily(data: data, file: file).base
    }

    /// Parses scenario text with its uncertain inputs; `file` is used in error messages only.
    public static func parseFamily(data: Data, file: String) throws(ScenarioError) -> ScenarioFamily {
        try parseFamily(text: scenarioText(data, file: file), file: file)
    }

    /// Parses scenario text; uncertain inputs are at their medians.
    public static func parse(text: String, file: String) throws(ScenarioError) -> Scenario {
        try parseFamily(text: text, file: file).base
    }

    /// Parses scenario text with its uncertain inputs; `file` is used in error messages only.
    ///
    /// Each uncertain input is checked against its key's valid range at its 1e-6 and 1 - 1e-6
    /// quantiles and its median (where `YAMLNode.number` meets it); the whole scenario is then
    /// decoded again at the inputs' extremes (every corner of the box of those quantiles for up
    /// to 10 inputs; otherwise all low, all high, and each input alone at either end), so that
    /// checks across keys (plan moves adding up to at most 1, growth within bounds) hold for
    /// every draw. Those scenarios also give the family's `shape`.
    ///
    /// A trial's scenario is the base with the trial's values set (`ScenarioPatch`), checked to
    /// equal the decoded scenario at the medians and every extreme vector; a family with an
    /// input the patch cannot set (a key whose value spreads to other fields) decodes the
    /// already parsed document again with the values substituted (`UncertaintyContext`).
    /// Either way the model is then compiled from that scenario's values.
    public static func parseFamily(text: String, file: String) throws(ScenarioError) -> ScenarioFamily {
        try family(root: compose(text: text, file: file), file: file)
    }

    /// Decodes a parsed document (aliases already refused) into a scenario family.
    static func family(root original: Node, file: String) throws(ScenarioError) -> ScenarioFamily {
        // Fitted churn uncertainty becomes two uncertain inputs (see `fittedUncertaintyAsInputs`).
        let root = fittedUncertaintyAsInputs(original)
        let context = UncertaintyContext()
        let base = try ScenarioDecoder(file: file).decode(YAMLNode(node: root, path: "", file: file, uncertainty: context))
        if context.inputs.isEmpty { return ScenarioFamily(base) }
        let inputs = context.plan
        let paths = inputs.inputs.map(\.path)
        let document = ParsedDocument(root: root)
        let decode: @Sendable ([Double]) throws(ScenarioError) -> Scenario = { values throws(ScenarioError) in
            try ScenarioLoader.decode(document.root, file: file, paths: paths, values: values)
        }
        var covered = [base]
        // The per-trial scenario without reading the document again, where every input is a key
        // the patch can set and it gives exactly the decoded scenario at the medians and at
        // every extreme vector (`ScenarioPatch`).
        var patch = ScenarioPatch.make(base: base, paths: paths, root: root)
        if let p = patch, p.scenario(inputs.medians) != base { patch = nil }
        for values in extremeValues(inputs) {
            do {
                let decoded = try decode(values)
                covered.append(decoded)
                if let p = patch, p.scenario(values) != decoded { patch = nil }
            } catch {
                let at = zip(inputs.inputs, values).map { "\($0.0.name) = \($0.1)" }.joined(separator: ", ")
                var e = error
                e.message += " (with the uncertain inputs at \(at): every draw must give a valid scenario; narrow or truncate them)"
                throw e
            }
        }
        if let p = patch {
            return ScenarioFamily(base: base, inputs: inputs, shape: ScenarioFamily.shape(covering: covered)) { p.scenario($0) }
        }
        return ScenarioFamily(base: base, inputs: inputs, shape: ScenarioFamily.shape(covering: covered)) { values in
            do {
                return try decode(values)
            } catch {
                preconditionFailure("the scenario at \(values) is invalid although its inputs' extremes were checked: \(error)")
            }
        }
    }

    /// Decodes a parsed document with the uncertain inputs at `paths` set to `values`.
    static func decode(_ root: Node, file: String, paths: [String], values: [Double]) throws(ScenarioError) -> Scenario {
        let substitute = UncertaintyContext(overrides: Dictionary(uniqueKeysWithValues: zip(paths, values)))
        return try ScenarioDecoder(file: file).decode(YAMLNode(node: root, path: "", file: file, uncertainty: substitute))
    }

    /// The input vectors a family is checked at: every corner of the box of the inputs' 1e-6 and
    /// 1 - 1e-6 quantiles for up to 10 inputs, else `ScenarioFamily.extremeValues`.
    static func extremeValues(_ inputs: UncertainInputs) -> [[Double]] {
        guard inputs.count <= 10 else { return ScenarioFamily.extremeValues(inputs) }
        let low = inputs.quantiles(UncertainInputs.clamp), high = inputs.quantiles(1 - UncertainInputs.clamp)
        return (0..<(1 << inputs.count)).map { corner in
            inputs.inputs.indices.map { corner & (1 << $0) == 0 ? low[$0] : high[$0] }
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

    /// Yams reports a duplicate key with the position of its first occurrence only. To name the
    /// key path and the repeated occurrence like every other error, the first occurrence is
    /// renamed in a copy of the text, the copy composed, and the renamed key found in the tree.
    static func locateDuplicate(_ e: YamlError, text: String, file: String) -> ScenarioError? {
        guard case let .duplicatedKeysInMapping(duplicates, context) = e, let name = duplicates.first,
              context.mark.line >= 1 else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard context.mark.line <= lines.count else { return nil }
        let line = lines[context.mark.line - 1]
        let scalars = Array(line.unicodeScalars)
        let start = max(0, min(scalars.count, context.mark.column - 1))
        let tail = String(String.UnicodeScalarView(scalars[start...]))
        guard let range = tail.range(of: name) else { return nil }
        let marker = "__subcast_first_occurrence__"
        lines[context.mark.line - 1] = String(String.UnicodeScalarView(scalars[..<start])) + tail.replacingCharacters(in: range, with: name + marker)
        guard let root = try? Yams.compose(yaml: lines.joined(separator: "\n")) else { return nil }
        func find(_ node: Node, _ path: String) -> ScenarioError? {
            switch node {
            case let .mapping(m):
                if m.contains(where: { $0.key.string == name + marker }),
                   let second = m.first(where: { $0.key.string == name })?.key {
                    let keyPath = path.isEmpty ? name : "\(path).\(name)"
                    let secondLine = second.mark?.line ?? 0
                    var secondColumn = second.mark?.column ?? 0
                    if secondLine == context.mark.line && secondColumn > context.mark.column {
                        secondColumn -= marker.unicodeScalars.count
                    }
                    return ScenarioError(file: file, line: secondLine, column: secondColumn,
                                         keyPath: keyPath,
                                         message: "duplicate key '\(name)' (first given on line \(context.mark.line)); each key may appear once")
                }
                for (k, v) in m {
                    let key = k.string ?? "?"
                    if let found = find(v, path.isEmpty ? key : "\(path).\(key)") { return found }
                }
            case let .sequence(items):
                for (i, v) in items.enumerated() { if let found = find(v, "\(path)[\(i)]") { return found } }
            default: break
            }
            return nil
        }
        return find(root, "")
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

/// A composed document, shared read-only by the workers that decode trials' scenarios from it
/// (Yams' `Node` is an immutable value, not marked `Sendable`).
struct ParsedDocument: @unchecked Sendable {
    let root: Node
}
