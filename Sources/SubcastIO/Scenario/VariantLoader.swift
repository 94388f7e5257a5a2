import Foundation
import SubcastCore
import Yams

/// Strategies in scenario files: a `variants:` list of named overrides of the file's base.
///
/// ```yaml
/// variants:
///   - name: two-more-agents
///     description: hire two support agents      # optional
///     set:                                      # key path -> new value (any YAML value)
///       support.agents: 5
///   - name: price-up-10
///     set:
///       plans.starter.price_per_month: 32       # after `plans`, a plan is named
///       pricing.events: [{month: 13, plan: starter, price_per_month: 35, grandfather: true}]
/// ```
/// The file is read, checked and composed once. Each variant is the composed document with its
/// overrides applied, in order, and without `variants`, decoded by the normal decoder, so a
/// variant is checked exactly like a file that had its values written out:
/// - a key path is a dotted list of keys; a value replaces the whole value at its path (to
///   change one key of a section, give that key's full path);
/// - the segment after `plans` selects the plan with that name; setting `plans.<name>` to a
///   mapping replaces that plan, or adds it when no plan has that name;
/// - missing mappings along the path are created (so `free_trial.months: 1` switches the free
///   trial on when the base has none), and then a key the schema does not know, or a section
///   left incomplete, is reported by the decoder at the override's line;
/// - every error in a variant names the variant, and the override's line when the error is in
///   an override's value.
/// Variant names are unique, non-empty, made of letters, digits, `-`, `_`, `.` and `+`, and not
/// `base`, which names the file as written. A variant cannot set `trials`, `seed`, or
/// `horizon_months` (strategies are compared on the same trials, seed and months) or `variants`.
extension ScenarioLoader {
    /// Loads a scenario file and its variants: the base first (named `base`), then each variant
    /// in file order. A file without `variants:` gives the base alone.
    public static func loadVariants(path: String) throws(ScenarioError) -> [Variant] {
        try parseVariants(text: readScenarioText(path: path), file: path)
    }

    /// Parses scenario text with variants; `file` is used in error messages only.
    public static func parseVariants(text: String, file: String) throws(ScenarioError) -> [Variant] {
        let root = try compose(text: text, file: file)
        guard case let .mapping(top) = root, let index = top.firstIndex(where: { $0.key.string == "variants" }) else {
            return [Variant(name: "base", family: try family(root: root, file: file))]
        }
        let variantsNode = YAMLNode(node: top[index].value, path: "variants", file: file)
        var pairs = Array(top).map { ($0.key, $0.value) }
        pairs.remove(at: index)
        let baseRoot = Node.mapping(Node.Mapping(pairs, top.tag, top.style, top.mark))
        let baseFamily = try family(root: baseRoot, file: file)
        var variants = [Variant(name: "base", family: baseFamily)]
        if variantsNode.isNull { return variants }
        var seen: [String: Int] = [:]
        for (i, item) in try variantsNode.sequence().enumerated() {
            let m = try item.mapping(allowed: ["name", "description", "set"])
            let nameNode = try m.required("name", "the variant's name, e.g. two-more-agents")
            let name = try nameNode.string()
            try checkName(name, node: nameNode)
            if let first = seen[name] {
                throw nameNode.error("variant name '\(name)' is used twice (first on line \(first)); variant names must be unique")
            }
            seen[name] = nameNode.line
            let description = try m["description"]?.string()
            let setNode = try m.required("set", "the values this variant changes, e.g. `support.agents: 5`")
            guard case let .mapping(overrides) = setNode.node else {
                throw setNode.error("expected a mapping of key paths to new values (e.g. `support.agents: 5`), got \(setNode.shape)")
            }
            if overrides.isEmpty {
                throw setNode.error("variant '\(name)' changes nothing; give at least one `key.path: value` under set")
            }
            var overrideList: [(key: String, value: Node, at: YAMLNode)] = []
            for (key, value) in overrides {
                let keyNode = YAMLNode(node: key, path: "\(setNode.path)", file: file)
                guard case let .scalar(k) = key, !keyNode.isNull else {
                    throw keyNode.error("expected a key path such as support.agents, got \(keyNode.shape)")
                }
                overrideList.append((k.string, value, YAMLNode(node: key, path: "\(setNode.path).\(k.string)", file: file)))
            }
            variants.append(try makeVariant(name: name, description: description, overrides: overrideList, baseRoot: baseRoot,
                                            baseFamily: baseFamily, setNode: setNode, file: file,
                                            context: "variants[\(i)]", contextLine: item.line))
        }
        return variants
    }

    /// Loads several scenario files as strategies, the first the base: each file's own scenario
    /// (its `variants`, if any, are checked but not used), named by the file name without its
    /// extension (made unique with `-2`, `-3`, ...). All must share `horizon_months`.
    public static func loadStrategies(paths: [String]) throws(ScenarioError) -> [Variant] {
        precondition(!paths.isEmpty)
        var out: [Variant] = []
        for path in paths {
            let base = try loadVariants(path: path)[0]
            let stem = (URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
            var name = String(stem.unicodeScalars.map { allowedNameCharacter($0) ? Character($0) : "-" })
            if name.isEmpty || name == "base" && !out.isEmpty { name = "scenario" }
            let taken = Set(out.map(\.name))
            if taken.contains(name) {
                var k = 2
                while taken.contains("\(name)-\(k)") { k += 1 }
                name = "\(name)-\(k)"
            }
            if let first = out.first, base.scenario.horizonMonths != first.scenario.horizonMonths {
                throw ScenarioError(file: path, keyPath: "horizon_months",
                                    message: "is \(base.scenario.horizonMonths) months but the base \(paths[0]) has "
                                        + "\(first.scenario.horizonMonths); compared scenarios must share the horizon")
            }
            if let f = base.family {
                out.append(Variant(name: name, description: base.scenario.name, family: f))
            } else {
                out.append(Variant(name: name, description: base.scenario.name, scenario: base.scenario))
            }
        }
        return out
    }

    // MARK: overrides

    /// A strategy: the base document with `overrides` (key path, value, the key's node for
    /// messages) applied, decoded and checked as a variant (the messages name `context`). A
    /// changed price keeps the base's reference price when a price response is set; otherwise
    /// the variant carries a note.
    static func makeVariant(name: String, description: String?, overrides: [(key: String, value: Node, at: YAMLNode)],
                            baseRoot: Node, baseFamily: ScenarioFamily, setNode: YAMLNode, file: String,
                            context: String, contextLine: Int) throws(ScenarioError) -> Variant {
        var document = baseRoot
        var spans: [(path: String, lines: ClosedRange<Int>)] = []
        for (path, value, at) in overrides {
            let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if segments.contains(where: { $0.isEmpty }) {
                throw at.error("'\(path)' is not a key path; write keys separated by single dots, e.g. support.agents")
            }
            switch segments[0] {
            case "trials", "seed":
                throw at.error("variants run on the base's trials and seed (that is what makes them comparable); "
                               + "set \(segments[0]) on the base or with --\(segments[0])")
            case "horizon_months":
                throw at.error("variants share the base's horizon (their months are compared); change horizon_months on the base")
            case "variants", "schema_version", "decisions", "objective", "constraints":
                throw at.error("a variant cannot set \(segments[0])")
            default: break
            }
            document = try apply(value, at: segments[...], in: document, done: [], key: at)
            let lines = lineSpan(value)
            spans.append((path, min(at.line, lines.lowerBound)...max(at.line, lines.upperBound)))
        }
        do {
            var variant = Variant(name: name, description: description, family: try family(root: document, file: file))
            // A price a variant changes is compared with the base's price: the reference of the
            // price responses stays where the base has it (else it would move with the override).
            let base = baseFamily.base
            var pinned = false
            for (p, plan) in variant.scenario.plans.enumerated() {
                guard let b = base.plans.first(where: { $0.name == plan.name }), b.pricePerMonth != plan.pricePerMonth,
                      plan.options.referencePrice == nil else { continue }
                let levers = variant.scenario.levers
                if (levers.priceElasticity != 0 || levers.priceChurn != nil) && b.pricePerMonth > 0 {
                    let value = Node.scalar(Node.Scalar(String(b.pricePerMonth), .implicit, .plain, setNode.node.mark))
                    document = try apply(value, at: ["plans", plan.name, "reference_price"], in: document, done: [],
                                         key: YAMLNode(node: setNode.node, path: "\(setNode.path).plans.\(plan.name).reference_price", file: file))
                    pinned = true
                } else {
                    variant.notes.append("variant '\(name)' changes plan '\(plans(variant)[p])' from \(b.pricePerMonth) to "
                                         + "\(plan.pricePerMonth) a month, but neither pricing.elasticity nor pricing.churn_elasticity "
                                         + "is set: the price changes revenue only, not sign-ups or churn")
                }
            }
            if pinned {
                let notes = variant.notes
                variant = Variant(name: name, description: description, family: try family(root: document, file: file))
                variant.notes = notes
            }
            return variant
        } catch {
            var e = error
            let place: String
            if contextLine <= 0 {
                place = context
            } else if e.line > 0, let span = spans.last(where: { $0.lines.contains(e.line) }) {
                place = "\(context), override \(span.path) on line \(span.lines.lowerBound)"
            } else {
                place = "\(context) on line \(contextLine), overrides on line\(spans.count == 1 ? "" : "s") "
                    + spans.map { String($0.lines.lowerBound) }.joined(separator: ", ")
            }
            e.message = "in variant '\(name)' (\(place)): \(e.message)"
            throw e
        }
    }

    private static func plans(_ v: Variant) -> [String] { v.scenario.plans.map(\.name) }

    static func allowedNameCharacter(_ u: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || "-_.+".unicodeScalars.contains(u)
    }

    static func checkName(_ name: String, node: YAMLNode) throws(ScenarioError) {
        if name.isEmpty { throw node.error("expected a non-empty variant name") }
        if name == "base" { throw node.error("'base' names the scenario as written; give the variant another name") }
        if name.count > 64 { throw node.error("expected a variant name of at most 64 characters, got \(name.count)") }
        if let bad = name.unicodeScalars.first(where: { !allowedNameCharacter($0) }) {
            throw node.error("variant names use letters, digits, '-', '_', '.' and '+' (e.g. price-up-10), got '\(name)' with '\(bad)'")
        }
    }

    /// `node` with `value` set at `path` (`done`: the keys above `node`, for messages). Created
    /// keys and mappings carry the override key's position, so errors about them point there.
    static func apply(_ value: Node, at path: ArraySlice<String>, in node: Node, done: [String],
                      key: YAMLNode) throws(ScenarioError) -> Node {
        guard let segment = path.first else { return value }
        let rest = path.dropFirst()
        let here = done.joined(separator: ".")
        if done == ["plans"] {
            guard case let .sequence(plans) = node else {
                throw key.error("plans is \(YAMLNode(node: node, path: "plans", file: key.file).shape) in the base, not a list of plans")
            }
            var items = Array(plans)
            let names = items.map { $0.mapping?["name"]?.string }
            if let i = names.firstIndex(where: { $0 == segment }) {
                if rest.isEmpty {
                    items[i] = try namedPlan(value, segment, key: key)
                } else {
                    items[i] = try apply(value, at: rest, in: items[i], done: done + [segment], key: key)
                }
            } else if rest.isEmpty {
                items.append(try namedPlan(value, segment, key: key))
            } else {
                let known = names.compactMap { $0 }.map { "'\($0)'" }.joined(separator: ", ")
                throw key.error("no plan named '\(segment)' (plans: \(known)); to add a plan, set plans.\(segment) to the whole plan")
            }
            return .sequence(Node.Sequence(items, plans.tag, plans.style, plans.mark))
        }
        var mapping: Node.Mapping
        switch node {
        case let .mapping(m):
            mapping = m
        case .scalar where YAMLNode(node: node, path: here, file: key.file).isNull:
            mapping = Node.Mapping([], .implicit, .block, key.node.mark)
        default:
            throw key.error("cannot set \(segment) inside \(here): it is \(YAMLNode(node: node, path: here, file: key.file).shape), "
                            + "not a mapping; set \(here) as a whole")
        }
        if let i = mapping.firstIndex(where: { $0.key.string == segment }) {
            let child = try apply(value, at: rest, in: mapping[i].value, done: done + [segment], key: key)
            mapping[i] = (key: mapping[i].key, value: child)
        } else {
            let empty = Node.mapping(Node.Mapping([], .implicit, .block, key.node.mark))
            let child = try apply(value, at: rest, in: empty, done: done + [segment], key: key)
            var pairs = Array(mapping).map { ($0.key, $0.value) }
            pairs.append((Node.scalar(Node.Scalar(segment, .implicit, .plain, key.node.mark)), child))
            mapping = Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)
        }
        return .mapping(mapping)
    }

    /// A whole plan given as `plans.<name>: {...}`: a mapping whose `name`, if given, is `name`.
    static func namedPlan(_ value: Node, _ name: String, key: YAMLNode) throws(ScenarioError) -> Node {
        guard case let .mapping(m) = value else {
            throw YAMLNode(node: value, path: key.path, file: key.file)
                .error("expected the whole plan (a mapping with price_per_month, churn, ...), got \(YAMLNode(node: value, path: key.path, file: key.file).shape)")
        }
        if let given = m["name"] {
            guard given.string == name else {
                throw YAMLNode(node: given, path: key.path + ".name", file: key.file)
                    .error("the plan is set as plans.\(name) but named '\(given.string ?? "")'; leave out name or make it match")
            }
            return value
        }
        var pairs = Array(m).map { ($0.key, $0.value) }
        pairs.insert((Node.scalar(Node.Scalar("name", .implicit, .plain, key.node.mark)),
                      Node.scalar(Node.Scalar(name, .implicit, .plain, key.node.mark))), at: 0)
        return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
    }

    /// The first and last line any part of `node` is on.
    static func lineSpan(_ node: Node) -> ClosedRange<Int> {
        var lo = Int.max, hi = 0
        func walk(_ n: Node) {
            if let line = n.mark?.line, line > 0 { lo = min(lo, line); hi = max(hi, line) }
            switch n {
            case let .mapping(m): for (k, v) in m { walk(k); walk(v) }
            case let .sequence(s): for v in s { walk(v) }
            default: break
            }
        }
        walk(node)
        return lo <= hi ? lo...hi : 0...0
    }

    // MARK: reading (the steps of `parse(text:file:)` up to decoding)

    /// Checks and composes scenario text into one document (no aliases, bounded size).
    static func compose(text: String, file: String) throws(ScenarioError) -> Node {
        if text.utf8.count > Limits.maximumFileBytes {
            throw ScenarioError(file: file, message: "document is \(text.utf8.count) bytes; scenario files are limited to \(Limits.maximumFileBytes) bytes")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ScenarioError(file: file, message: "file is empty; expected a scenario (see Scenarios/README.md)")
        }
        try ScenarioPrescan.check(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, message: "file holds no document; expected a scenario mapping")
            }
            root = node
        } catch let e as ScenarioError {
            throw e
        } catch let e as YamlError {
            throw locateDuplicate(e, text: text, file: file) ?? yamlError(e, file: file)
        } catch {
            throw ScenarioError(file: file, message: "not valid YAML or JSON: \(error)")
        }
        try checkNoAliases(root, file: file)
        return root
    }
}
