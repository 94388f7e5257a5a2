import SubcastCore
import Yams

/// A cursor over one node of a parsed scenario document that knows its key path and position,
/// so every error names the file, line and key. The accessors check type and range and throw
/// `ScenarioError` with what was expected.
///
/// With an `uncertainty` context (set on the root by `ScenarioLoader`, passed on to every child),
/// `number` also accepts a distribution mapping, `{distribution: normal, mean: 29, sd: 2}`: see
/// `UncertaintyContext`. Without one a distribution is an error.
struct YAMLNode {
    let node: Node
    let path: String
    let file: String
    /// Uncertain inputs met so far, or the values to substitute for them; nil: none allowed.
    var uncertainty: UncertaintyContext? = nil

    var line: Int { node.mark?.line ?? 0 }
    var column: Int { node.mark?.column ?? 0 }

    func error(_ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, column: column, keyPath: path, message: message)
    }

    /// A short description of what the node is, for "got ..." messages.
    var shape: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(s):
            if isNull { return "nothing (null)" }
            let text = s.string.count > 40 ? String(s.string.prefix(37)) + "..." : s.string
            return s.style == .plain ? "'\(text)'" : "the string \"\(text)\""
        }
    }

    var isNull: Bool {
        guard case let .scalar(s) = node, s.style == .plain else { return false }
        switch s.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    // MARK: mappings

    /// The entries of a mapping, checked for duplicate and unknown keys.
    func mapping(allowed: [String]) throws(ScenarioError) -> Mapping {
        guard case let .mapping(m) = node else { throw error("expected a mapping (key: value lines), got \(shape)") }
        // Plain arrays, not a dictionary: mappings are small, and a scenario with uncertain inputs
        // is read again for every trial.
        var keys: [String] = [], values: [YAMLNode] = [], lines: [Int] = []
        for (k, v) in m {
            guard case let .scalar(ks) = k else {
                throw YAMLNode(node: k, path: path, file: file).error("expected a plain key, got \(YAMLNode(node: k, path: path, file: file).shape)")
            }
            let key = ks.string
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let first = keys.firstIndex(of: key) {
                throw YAMLNode(node: k, path: childPath, file: file).error("duplicate key '\(key)' (first given on line \(lines[first]))")
            }
            if !allowed.contains(key) {
                var message = "unknown key '\(key)'"
                if !path.isEmpty { message += " in \(path)" }
                if let suggestion = Self.closest(to: key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
                message += " (allowed: \(allowed.joined(separator: ", ")))"
                throw YAMLNode(node: k, path: childPath, file: file).error(message)
            }
            keys.append(key)
            lines.append(k.mark?.line ?? 0)
            values.append(YAMLNode(node: v, path: childPath, file: file, uncertainty: uncertainty))
        }
        return Mapping(owner: self, keys: keys, values: values)
    }

    struct Mapping {
        let owner: YAMLNode
        /// The keys in document order, and the value of each.
        let keys: [String]
        let values: [YAMLNode]

        /// (key, value) pairs in document order.
        var entries: [(String, YAMLNode)] { Array(zip(keys, values)) }

        subscript(key: String) -> YAMLNode? {
            guard let i = keys.firstIndex(of: key), !values[i].isNull else { return nil }
            return values[i]
        }

        func required(_ key: String, _ what: String) throws(ScenarioError) -> YAMLNode {
            if let v = self[key] { return v }
            if let i = keys.firstIndex(of: key) { throw values[i].error("expected \(what), got nothing (null)") }
            let p = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw ScenarioError(file: owner.file, line: owner.line, column: owner.column, keyPath: p,
                                message: "missing required key '\(key)' (\(what))")
        }
    }

    func sequence() throws(ScenarioError) -> [YAMLNode] {
        guard case let .sequence(s) = node else { throw error("expected a list (lines starting with '- '), got \(shape)") }
        return s.enumerated().map { YAMLNode(node: $0.element, path: "\(path)[\($0.offset)]", file: file, uncertainty: uncertainty) }
    }

    // MARK: scalars

    /// A text value; control characters (other than tab and line breaks) are refused, so names
    /// reach terminals, tables and reports as written.
    func string() throws(ScenarioError) -> String {
        guard case let .scalar(s) = node, !isNull else { throw error("expected a text value, got \(shape)") }
        if let bad = s.string.unicodeScalars.first(where: { c in
            (c.value < 0x20 && c != "\t" && c != "\n" && c != "\r") || (c.value >= 0x7F && c.value < 0xA0)
        }) {
            throw error("expected text without control characters, got one (U+\(String(format: "%04X", bad.value)))")
        }
        return s.string
    }

    /// A finite number in the given range; `what` says the range in words for the message.
    ///
    /// With an `uncertainty` context the value may instead be a distribution mapping (an uncertain
    /// input): checked against `valid` at its extreme quantiles, recorded, and its median returned
    /// (or the trial's value, when the context substitutes values). `fixed`, when given, says why
    /// this key takes no distribution (e.g. "plan-mix shares must add up to 1").
    func number(_ what: String, fixed: String? = nil, _ valid: (Double) -> Bool) throws(ScenarioError) -> Double {
        if isDistribution {
            if let fixed { throw error("must be a fixed number, not a distribution: \(fixed)") }
            guard let uncertainty else {
                throw error("expected \(what), got a distribution; uncertain inputs are not supported here")
            }
            return try uncertainty.value(at: self, what: what, valid: valid)
        }
        guard case let .scalar(s) = node, s.style == .plain, !isNull else {
            if isSchedule {
                throw error("expected \(what), got a schedule; this key cannot change over time (keys that take a "
                            + "schedule: \(Self.scheduleKeys))")
            }
            throw error("expected \(what), got \(shape)")
        }
        // An explicit tag (`!!str 12`, `!custom 3`) says the value is something other than a
        // number: refused rather than read as one.
        let tag = s.tag.rawValue
        if !(tag.isEmpty || tag == "?" || tag == "!" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float") {
            throw error("expected \(what), got a value tagged \(Self.shortTag(tag)); write the number without a tag")
        }
        // Plain Swift, not Foundation: scenarios are re-read once per trial when they have uncertain inputs.
        let text = s.string.utf8.contains(UInt8(ascii: "_")) ? String(s.string.filter { $0 != "_" }) : s.string
        let value: Double?
        if text.hasPrefix(".") || text.hasPrefix("+.") || text.hasPrefix("-.") {
            switch text.lowercased() {
            case ".nan": value = .nan
            case ".inf", "+.inf": value = .infinity
            case "-.inf": value = -.infinity
            default: value = Double(text)
            }
        } else {
            value = Double(text)
        }
        guard let v = value else { throw error("expected \(what), got \(shape)") }
        guard v.isFinite else { throw error("expected \(what), got \(s.string) (NaN and infinity are not allowed)") }
        guard valid(v) else { throw error("expected \(what), got \(s.string)") }
        return v
    }

    /// The keys that take a schedule (`Schedule`), for messages.
    static let scheduleKeys = "acquisition.new_per_month, economics.cac_per_subscriber, support.agents, "
        + "support.tickets_per_agent_per_month, support.cost_per_agent_per_month, onboarding.intervention.cost, "
        + "costs.serving_per_subscriber, costs.serving_per_seat, costs.serving_per_usage_unit, costs.fixed_per_month, "
        + "plans[].price_per_month"

    /// True when the node is a schedule: a mapping with a `steps` or `ramp` key, or whose keys are
    /// all whole numbers (months).
    var isSchedule: Bool {
        guard case let .mapping(m) = node, !m.isEmpty else { return false }
        let keys = m.keys.compactMap(\.string)
        if keys.contains("steps") || keys.contains("ramp") { return true }
        return keys.count == m.keys.count && keys.allSatisfy { k in !k.isEmpty && k.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// A number or a schedule in months 1 ... `horizon`: `{1: 2, 10: 4}` (steps, the first at
    /// month 1), `{steps: {...}, scale: s}` or `{ramp: {1: 40, 12: 120}, scale: s}` (linear between
    /// the points). Every value x must satisfy `valid(x x scale)`; `scale` (default 1, > 0) may be
    /// an uncertain input. A plain number gives a constant schedule.
    func schedule(_ what: String, horizon: Int, _ valid: @escaping (Double) -> Bool) throws(ScenarioError) -> Schedule {
        guard isSchedule else { return Schedule(constant: try number(what, valid)) }
        guard case let .mapping(raw) = node else { return Schedule(constant: try number(what, valid)) }
        var form = Schedule.Form.steps
        var pointsNode = self
        var scaleNode: YAMLNode? = nil
        if raw.keys.contains(where: { $0.string == "steps" || $0.string == "ramp" }) {
            let m = try mapping(allowed: ["steps", "ramp", "scale"])
            if m["steps"] != nil && m["ramp"] != nil { throw error("give either 'steps' or 'ramp', not both") }
            if let r = m["ramp"] { form = .ramp; pointsNode = r } else { pointsNode = try m.required("steps", "the steps, {month: value, ...}") }
            scaleNode = m["scale"]
        }
        guard case let .mapping(points) = pointsNode.node, !points.isEmpty else {
            throw pointsNode.error("expected a schedule {month: value, ...}, got \(pointsNode.shape)")
        }
        var months: [Int] = [], values: [Double] = [], children: [YAMLNode] = []
        for (k, v) in points {
            let keyNode = YAMLNode(node: k, path: pointsNode.path, file: file)
            guard case let .scalar(ks) = k, let month = Int(ks.string), ks.string.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw keyNode.error("expected a month number (1 ... \(horizon)) as the key of a schedule point, got \(keyNode.shape)")
            }
            let child = YAMLNode(node: v, path: "\(pointsNode.path).\(month)", file: file)
            guard month >= 1 && month <= horizon else {
                throw child.error("a schedule's months run from 1 to the horizon (\(horizon)), got month \(month)")
            }
            if let last = months.last, month <= last {
                throw child.error("schedule months must increase: month \(month) comes after month \(last)")
            }
            if child.isDistribution {
                throw child.error("a schedule's values are fixed numbers; to make a schedule uncertain, give it a 'scale' "
                                  + "that is a distribution (e.g. {steps: {...}, scale: {distribution: normal, mean: 1, sd: 0.1}})")
            }
            months.append(month)
            // Checked against `valid` below: as written without a scale, scaled with one.
            values.append(try child.number(what) { _ in true })
            children.append(child)
        }
        if form == .steps && months[0] != 1 {
            throw pointsNode.error("a step schedule starts at month 1 (its value until the next step), got month \(months[0]) first")
        }
        var scale = 1.0
        if scaleNode == nil {
            for (child, value) in zip(children, values) where !valid(value) {
                throw child.error("expected \(what), got \(YAMLNode.plain(value))")
            }
        }
        if let sn = scaleNode {
            let vs = values
            scale = try sn.number("a scale factor > 0 that keeps every value of the schedule \(what)") { f in
                f > 0 && f <= 1e6 && vs.allSatisfy { ($0 * f).isFinite && valid($0 * f) }
            }
        }
        return Schedule(form: form, months: months, values: values, scale: scale)
    }

    /// `!!str` for `tag:yaml.org,2002:str`.
    static func shortTag(_ tag: String) -> String {
        tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
    }

    /// A number as a message shows it (`4`, `2.5`).
    static func plain(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    /// True when the node is a mapping with a `distribution` key (an uncertain input).
    var isDistribution: Bool {
        guard case let .mapping(m) = node else { return false }
        return m.keys.contains { $0.string == "distribution" }
    }

    /// A whole number in `range`; never a distribution.
    func integer(_ range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let what = range.upperBound == Int.max ? "a whole number >= \(range.lowerBound)"
            : "a whole number from \(range.lowerBound) to \(range.upperBound)"
        if isDistribution {
            throw error("must be a fixed integer (\(what)), not a distribution: months, counts and other whole numbers "
                        + "cannot be uncertain inputs")
        }
        let v = try number(what) { _ in true }
        guard v == v.rounded(), abs(v) < 9.0e18 else { throw error("expected \(what), got \(v)") }
        let i = Int(v)
        guard range.contains(i) else { throw error("expected \(what), got \(i)") }
        return i
    }

    /// A 64-bit unsigned integer (seeds), parsed exactly from its digits.
    func unsigned64() throws(ScenarioError) -> UInt64 {
        guard case let .scalar(s) = node, s.style == .plain, let v = UInt64(String(s.string.filter { $0 != "_" })) else {
            throw error("expected a whole number from 0 to 18446744073709551615, got \(shape)")
        }
        return v
    }

    /// A boolean: YAML 1.2 core schema `true`/`True`/`TRUE`/`false`/`False`/`FALSE`, unquoted.
    /// YAML 1.1 spellings (`yes`, `no`, `on`, `off`, `y`, `n`) and numbers are errors, so a value
    /// never changes meaning with the YAML version a reader assumes.
    func boolean() throws(ScenarioError) -> Bool {
        guard case let .scalar(s) = node, s.style == .plain, !isNull else {
            throw error("expected true or false, got \(shape)")
        }
        switch s.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error("expected true or false, got \(shape)")
        }
    }

    // MARK: suggestions

    static func closest(to key: String, in candidates: [String]) -> String? {
        // A beginning of one candidate only (`latin` for `latin_hypercube`) is what was meant.
        let lowered = key.lowercased()
        if lowered.count >= 3 {
            let starting = candidates.filter { $0.lowercased().hasPrefix(lowered) }
            if starting.count == 1 { return starting[0] }
        }
        // Suggestions are for typing slips in names of a usual length: a longer text (a pasted
        // 200,000-character name) gets none, so this stays linear in the input.
        guard key.count <= suggestionLength else { return nil }
        let limit = max(2, key.count / 3)
        let lowered2 = Array(lowered)
        var best: (String, Int)? = nil
        for c in candidates where c.count <= suggestionLength && abs(c.count - key.count) <= limit {
            let d = editDistance(lowered2, Array(c.lowercased()))
            if d <= limit && (best == nil || d < best!.1) { best = (c, d) }
        }
        return best?.0
    }

    /// The longest text `closest(to:in:)` compares.
    static let suggestionLength = 200

    static func editDistance(_ a: String, _ b: String) -> Int { editDistance(Array(a), Array(b)) }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
