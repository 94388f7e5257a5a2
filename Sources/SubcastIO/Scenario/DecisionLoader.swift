import Foundation
import SubcastCore
import Yams

/// Reads `decisions:`, `objective:` and `constraints:` (see `OptimizationProblem`) and builds one
/// candidate strategy per combination of decision values, each checked as a variant of the base
/// (the same overrides `variants:` takes), so a decision key is any key a variant may set.
///
/// ```yaml
/// decisions:
///   - {key: plans.basic.price_per_month, range: {from: 10, to: 40, step: 1}}
///   - {key: support.agents, values: [1, 2, 3, 4]}
/// objective: {maximize: npv, statistic: mean, indifference: 1000, confidence: 0.95}
/// constraints:
///   - {metric: cash_trough, statistic: p5, at_least: -200000}
///   - {metric: cash_trough, statistic: {probability_above: -200000}, at_least: 0.9}
/// ```
extension ScenarioLoader {
    /// The most candidates an exhaustive search takes.
    public static let maximumCandidates = 1000

    /// The most candidates a decision space may have (a coordinate search explores spaces above
    /// `maximumCandidates`).
    public static let maximumSearchSpace = 1_000_000_000_000

    /// The values a `range:` without a `step` takes: 1,001 evenly spaced, from and to included.
    public static let continuousRangePoints = 1001

    /// The most values one decision may take.
    public static let maximumValuesPerDecision = 100_000

    /// A decision space: the problem and a builder of any candidate, checked as a variant of the
    /// base. `candidates` holds every candidate when the space is small enough for an exhaustive
    /// search (at most `maximumCandidates`), else it is nil.
    public struct OptimizationSpace {
        public let problem: OptimizationProblem
        public let candidates: [Variant]?
        /// The candidate with every decision at its middle value.
        public let middle: Variant
        /// The most compartment-month steps a trial takes among the middle candidate and each
        /// decision at its first and last value with the others in the middle (for the work bound
        /// of a search's batches).
        public let largestStepsPerTrial: Int
        let base: Node
        let baseFamily: ScenarioFamily
        let decisionsNode: YAMLNode
        let keyNodes: [YAMLNode]
        let file: String

        /// The candidate with value `indices[d]` of every decision d.
        public func candidate(_ indices: [Int]) throws(ScenarioError) -> Variant {
            try ScenarioLoader.makeCandidate(problem.decisions, indices: indices, keyNodes: keyNodes, base: base,
                                             baseFamily: baseFamily, decisionsNode: decisionsNode, file: file)
        }
    }

    /// The problem and its candidates (candidate k has `problem.values(ofCandidate: k)`).
    public static func loadOptimization(path: String) throws(ScenarioError) -> (problem: OptimizationProblem, candidates: [Variant]) {
        let space = try parseOptimizationSpace(text: readScenarioText(path: path), file: path)
        guard let candidates = space.candidates else { try tooManyCandidates(space) }
        return (space.problem, candidates)
    }

    public static func parseOptimization(text: String, file: String) throws(ScenarioError) -> (problem: OptimizationProblem, candidates: [Variant]) {
        let space = try parseOptimizationSpace(text: text, file: file)
        guard let candidates = space.candidates else { try tooManyCandidates(space) }
        return (space.problem, candidates)
    }

    static func tooManyCandidates(_ space: OptimizationSpace) throws(ScenarioError) -> Never {
        throw space.decisionsNode.error("the decisions make \(space.problem.candidateCount) candidates; an exhaustive search takes at most "
                                        + "\(maximumCandidates) (use fewer values or larger steps, or a coordinate search: --search coordinate)")
    }

    public static func loadOptimizationSpace(path: String) throws(ScenarioError) -> OptimizationSpace {
        try parseOptimizationSpace(text: readScenarioText(path: path), file: path)
    }

    static func makeCandidate(_ decisions: [OptimizationProblem.Decision], indices: [Int], keyNodes: [YAMLNode], base: Node,
                              baseFamily: ScenarioFamily, decisionsNode: YAMLNode, file: String) throws(ScenarioError) -> Variant {
        let chosen = zip(decisions, indices).map { $0.values[$1] }
        let overrides = zip(decisions, zip(chosen, keyNodes)).map { d, pair in
            (key: d.key, value: Node.scalar(Node.Scalar(OptimizationProblem.plain(pair.0), .implicit, .plain, pair.1.node.mark)),
             at: pair.1)
        }
        var k = 0
        for (d, i) in zip(decisions, indices) { k = k * d.values.count + i }
        let label = zip(decisions, chosen).map { "\($0.key) = \(OptimizationProblem.plain($1))" }.joined(separator: ", ")
        return try makeVariant(name: "candidate-\(k + 1)", description: label, overrides: overrides,
                               baseRoot: base, baseFamily: baseFamily, setNode: decisionsNode, file: file,
                               context: "decisions, candidate \(label)", contextLine: decisionsNode.line)
    }

    public static func parseOptimizationSpace(text: String, file: String) throws(ScenarioError) -> OptimizationSpace {
        let root = try compose(text: text, file: file)
        guard case let .mapping(top) = root else {
            throw ScenarioError(file: file, message: "expected a scenario mapping")
        }
        let rootNode = YAMLNode(node: root, path: "", file: file)
        func section(_ key: String) -> YAMLNode? {
            guard let value = top.first(where: { $0.key.string == key })?.value else { return nil }
            let node = YAMLNode(node: value, path: key, file: file)
            return node.isNull ? nil : node
        }
        guard let decisionsNode = section("decisions") else {
            throw ScenarioError(file: file, line: rootNode.line, keyPath: "decisions",
                                message: "the scenario has no `decisions:` section; list the inputs to choose, e.g. "
                                    + "`decisions: [{key: support.agents, values: [1, 2, 3]}]` (see Scenarios/README.md, Optimising)")
        }
        guard let objectiveNode = section("objective") else {
            throw ScenarioError(file: file, line: rootNode.line, keyPath: "objective",
                                message: "the scenario has no `objective:`; say what to maximise or minimise, e.g. "
                                    + "`objective: {maximize: npv, statistic: mean}`")
        }
        // The base: the document without the optimisation sections and variants.
        let pairs = Array(top).filter { !["variants", "decisions", "objective", "constraints"].contains($0.key.string ?? "") }
            .map { ($0.key, $0.value) }
        let baseRoot = Node.mapping(Node.Mapping(pairs, top.tag, top.style, top.mark))
        let baseFamily = try family(root: baseRoot, file: file)

        // Decisions.
        var decisions: [OptimizationProblem.Decision] = []
        var keyNodes: [YAMLNode] = []
        let items = try decisionsNode.sequence()
        if items.isEmpty { throw decisionsNode.error("expected at least one decision") }
        var count = 1
        for item in items {
            let m = try item.mapping(allowed: ["key", "values", "range"])
            let keyNode = try m.required("key", "the scenario key to choose, e.g. support.agents")
            let key = try keyNode.string()
            if let other = decisions.first(where: { $0.key == key }) {
                throw keyNode.error("'\(other.key)' is a decision twice; give each key once")
            }
            var values: [Double] = []
            switch (m["values"], m["range"]) {
            case let (v?, nil):
                for x in try v.sequence() { values.append(try x.number("a number") { _ in true }) }
                if values.isEmpty { throw v.error("expected at least one value") }
                if values.count > maximumValuesPerDecision {
                    throw v.error("the decision lists \(values.count) values; at most \(maximumValuesPerDecision) (use a range)")
                }
                if Set(values).count != values.count { throw v.error("a value is listed twice") }
            case let (nil, r?):
                let rm = try r.mapping(allowed: ["from", "to", "step"])
                let from = try rm.required("from", "the first value").number("a finite number") { $0.isFinite }
                let to = try rm.required("to", "the last value").number("a finite number >= from (\(from))") { $0 >= from && $0.isFinite }
                // No step: a continuous range, searched on 1,001 evenly spaced values.
                let stepNode = rm["step"] ?? r
                let step = try rm["step"]?.number("a step > 0") { $0 > 0 }
                    ?? (to > from ? (to - from) / Double(continuousRangePoints - 1) : 1)
                if !((to - from) / step).isFinite {
                    throw stepNode.error("the range \(OptimizationProblem.plain(from)) ... \(OptimizationProblem.plain(to)) is too wide to step through")
                }
                let n = ((to - from) / step + 1e-9).rounded(.down) + 1
                if n > Double(maximumValuesPerDecision) {
                    throw stepNode.error("the range has \(Int(min(n, 1e15))) values; at most \(maximumValuesPerDecision) (use a larger step)")
                }
                // from + i step, rid of its rounding error (0.1 + 2 x 0.1 is 0.3, not
                // 0.30000000000000004) and never past `to`.
                values = (0..<Int(n)).map { i in
                    let x = from + Double(i) * step
                    return min(Double(String(format: "%.15g", x)) ?? x, to)
                }
                if Set(values).count != values.count {
                    throw stepNode.error("the step \(OptimizationProblem.plain(step)) is too small for values near "
                                         + "\(OptimizationProblem.plain(from)): some values coincide; use a larger step")
                }
            case (nil, nil):
                throw item.error("give the decision's `values: [...]` or `range: {from, to, step}`")
            default:
                throw item.error("give either `values` or `range`, not both")
            }
            count *= values.count
            if count > maximumSearchSpace {
                throw item.error("the decisions make \(count) or more candidates; a search takes at most "
                                 + "\(maximumSearchSpace) (use fewer decisions, fewer values or larger steps)")
            }
            decisions.append(.init(key: key, values: values))
            keyNodes.append(keyNode)
        }

        // Candidates: every combination, each a variant of the base, when the space is small
        // enough for an exhaustive search; else the candidates a search needs are built as it goes,
        // and here the values of each decision the search's first coarse pass takes (17 evenly
        // spaced, first and last included) are checked with the others at their middle values, so a
        // value the scenario refuses is usually reported now rather than halfway through the search.
        let problemShape = OptimizationProblem(decisions: decisions, objective: .init(metric: ComparisonMetric(metric: "npv"), maximize: true))
        func build(_ indices: [Int]) throws(ScenarioError) -> Variant {
            try makeCandidate(decisions, indices: indices, keyNodes: keyNodes, base: baseRoot, baseFamily: baseFamily,
                              decisionsNode: decisionsNode, file: file)
        }
        var candidates: [Variant]? = nil
        let models: [ForecastModel]
        let middle = decisions.map { $0.values.count / 2 }
        /// The middle candidate and each decision at its first and last value, the others in the
        /// middle (`at` gives a candidate's indices).
        let ends: [[Int]] = decisions.indices.flatMap { d in
            [0, decisions[d].values.count - 1].filter { $0 != middle[d] }.map { i in var at = middle; at[d] = i; return at }
        }
        let middleCandidate: Variant
        let largest: Int
        if count <= maximumCandidates {
            var all: [Variant] = []
            for k in 0..<count { all.append(try build(problemShape.indices(ofCandidate: k))) }
            candidates = all
            models = all.map(\.model)
            func at(_ indices: [Int]) -> Variant { all[zip(decisions, indices).reduce(0) { $0 * $1.0.values.count + $1.1 }] }
            middleCandidate = at(middle)
            largest = ([middle] + ends).map { at($0).model.stepsPerTrial }.max()!
        } else {
            var checked: [Variant] = [try build(middle)]
            for (d, decision) in decisions.enumerated() {
                let n = decision.values.count
                let coarse = n <= CoordinateSearch.coarsePoints ? Array(0..<n)
                    : (0..<CoordinateSearch.coarsePoints).map { Int((Double($0) * Double(n - 1) / Double(CoordinateSearch.coarsePoints - 1)).rounded()) }
                for i in coarse where i != middle[d] {
                    var at = middle
                    at[d] = i
                    let v = try build(at)
                    if i == 0 || i == n - 1 { checked.append(v) }
                }
            }
            models = checked.map(\.model)
            middleCandidate = checked[0]
            largest = models.map(\.stepsPerTrial).max()!
        }

        // Objective and constraints.
        func metric(_ node: YAMLNode) throws(ScenarioError) -> ComparisonMetric {
            let text = try node.string()
            guard let c = ComparisonModel.resolve(text, in: models) else {
                let (monthly, scalar) = ComparisonModel.commonMetrics(models)
                var message = "'\(text)' is not a metric the scenario reports"
                if let s = YAMLNode.closest(to: text, in: monthly + scalar) { message += "; did you mean '\(s)'?" }
                throw node.error(message + " (per-trial metrics: \(scalar.joined(separator: ", ")); monthly metrics as "
                                 + "name@month, name@total or name for the horizon month)")
            }
            return c
        }
        func statistic(_ node: YAMLNode?) throws(ScenarioError) -> OptimizationProblem.Statistic {
            guard let node else { return .mean }
            if case .mapping = node.node {
                let m = try node.mapping(allowed: ["probability_above"])
                return .probabilityAbove(try m.required("probability_above", "the value X of P(metric > X)").number("a number") { _ in true })
            }
            let text = try node.string()
            if text == "mean" { return .mean }
            if text.hasPrefix("p"), let q = Double(text.dropFirst()), q > 0, q < 100 { return .quantile(q / 100) }
            throw node.error("expected a statistic: mean, p5 ... p95 (any percentile p1 to p99) or {probability_above: X}, got '\(text)'")
        }
        let om = try objectiveNode.mapping(allowed: ["maximize", "minimize", "statistic", "indifference", "confidence"])
        let objective: OptimizationProblem.Objective
        switch (om["maximize"], om["minimize"]) {
        case let (node?, nil), let (nil, node?):
            objective = .init(metric: try metric(node), statistic: try statistic(om["statistic"]), maximize: om["maximize"] != nil,
                              indifference: try om["indifference"]?.number("an indifference zone >= 0 (in the objective's unit)") { $0 >= 0 } ?? 0)
        case (nil, nil): throw objectiveNode.error("expected `maximize: METRIC` or `minimize: METRIC`")
        default: throw objectiveNode.error("give either maximize or minimize, not both")
        }
        let confidence = try om["confidence"]?.number("a probability of correct selection from 0.5 to 0.999") { $0 >= 0.5 && $0 <= 0.999 } ?? 0.95
        var constraints: [OptimizationProblem.Constraint] = []
        if let cn = section("constraints") {
            for item in try cn.sequence() {
                let m = try item.mapping(allowed: ["metric", "statistic", "at_least", "at_most"])
                let c = try metric(try m.required("metric", "the metric the constraint is on, e.g. cash_trough"))
                let s = try statistic(m["statistic"])
                switch (m["at_least"], m["at_most"]) {
                case let (b?, nil): constraints.append(.init(metric: c, statistic: s, bound: try b.number("a number") { _ in true }, atLeast: true))
                case let (nil, b?): constraints.append(.init(metric: c, statistic: s, bound: try b.number("a number") { _ in true }, atLeast: false))
                case (nil, nil): throw item.error("expected `at_least: X` or `at_most: X`")
                default: throw item.error("give either at_least or at_most, not both")
                }
            }
        }
        let problem = OptimizationProblem(decisions: decisions, objective: objective, constraints: constraints, confidence: confidence)
        return OptimizationSpace(problem: problem, candidates: candidates, middle: middleCandidate,
                                 largestStepsPerTrial: largest, base: baseRoot, baseFamily: baseFamily,
                                 decisionsNode: decisionsNode, keyNodes: keyNodes, file: file)
    }

    /// The scenario at `path` without its optimisation sections and variants (its document and
    /// decoded family), to build strategies from with `variant(of:setting:to:)`.
    public struct Base {
        let root: Node
        let keyNode: YAMLNode
        public let family: ScenarioFamily
        public let file: String
    }

    public static func loadBase(path: String) throws(ScenarioError) -> Base {
        try parseBase(text: readScenarioText(path: path), file: path)
    }

    public static func parseBase(text: String, file: String) throws(ScenarioError) -> Base {
        let root = try compose(text: text, file: file)
        guard case let .mapping(top) = root else { throw ScenarioError(file: file, message: "expected a scenario mapping") }
        let pairs = Array(top).filter { !["variants", "decisions", "objective", "constraints"].contains($0.key.string ?? "") }
            .map { ($0.key, $0.value) }
        let baseRoot = Node.mapping(Node.Mapping(pairs, top.tag, top.style, top.mark))
        return Base(root: baseRoot, keyNode: YAMLNode(node: root, path: "", file: file), family: try family(root: baseRoot, file: file), file: file)
    }

    /// The base with one key set to a number (checked as a variant's override; the error names
    /// `option`, e.g. `--vary`).
    public static func variant(of base: Base, setting key: String, to value: Double, option: String) throws(ScenarioError) -> Variant {
        let at = YAMLNode(node: .scalar(Node.Scalar(key)), path: option, file: "<command line>")
        let node = Node.scalar(Node.Scalar(OptimizationProblem.plain(value), .implicit, .plain))
        return try makeVariant(name: "goal", description: "\(key) = \(OptimizationProblem.plain(value))",
                               overrides: [(key: key, value: node, at: at)], baseRoot: base.root, baseFamily: base.family,
                               setNode: base.keyNode, file: base.file, context: "\(option) \(key) = \(OptimizationProblem.plain(value))",
                               contextLine: 0)
    }
}
