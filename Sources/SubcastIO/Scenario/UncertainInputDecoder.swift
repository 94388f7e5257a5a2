import Foundation
import SubcastCore
import SubcastStochastics
import Yams

/// What the decoder learns about uncertain inputs while it reads a scenario, and the values it
/// substitutes for them.
///
/// Reading a file (`collecting`): wherever `YAMLNode.number` meets a mapping with a
/// `distribution` key it parses and checks the distribution, records it as an input (key path,
/// name, source position) and returns the median, so the decoded scenario is the one at the
/// medians. Re-reading the same tree with `init(overrides:)` returns those values instead,
/// without parsing the distributions again: that is how each trial's scenario is built.
final class UncertaintyContext {
    /// An input met while collecting.
    struct Input {
        var input: UncertainInput
        var line: Int
        var column: Int
    }

    /// Values by key path when re-reading; nil when collecting.
    let overrides: [String: Double]?
    /// The inputs in the order the decoder met them.
    private(set) var inputs: [Input] = []
    /// The inputs with their correlations and sampling plan, once `readPlan` has run.
    private(set) var plan = UncertainInputs()

    init(overrides: [String: Double]? = nil) {
        self.overrides = overrides
    }

    /// The value of the distribution at `node` (a mapping with a `distribution` key), for a key
    /// whose valid values satisfy `valid` (`what` says which in words).
    func value(at node: YAMLNode, what: String, valid: (Double) -> Bool) throws(ScenarioError) -> Double {
        if let overrides {
            guard let v = overrides[node.path] else {
                preconditionFailure("no value for the uncertain input \(node.path)")
            }
            return v
        }
        if let seen = inputs.first(where: { $0.input.path == node.path }) { return seen.input.distribution.median }
        let (distribution, name, nameNode) = try UncertaintyContext.parseDistribution(node)
        let c = UncertainInputs.clamp
        for (label, u) in [("1e-6 quantile", c), ("median", 0.5), ("1 - 1e-6 quantile", 1 - c)] {
            let x = distribution.quantile(u)
            if !(x.isFinite && valid(x)) {
                throw node.error("the distribution of \(node.path) reaches \(x) (its \(label)), outside the valid range "
                                 + "(\(what)); narrow or truncate it")
            }
        }
        if let other = inputs.first(where: { $0.input.name == name }) {
            throw (nameNode ?? node).error("the name '\(name)' is already used by the uncertain input \(other.input.path) "
                                           + "(line \(other.line)); input names must be unique")
        }
        inputs.append(Input(input: UncertainInput(name: name, path: node.path, distribution: distribution),
                            line: node.line, column: node.column))
        return distribution.median
    }

    /// The distribution from parameters already read (and checked for presence).
    static func distribution(_ kind: String, _ p: [String: Double], values: [Double],
                             weights: [Double]) throws(DistributionError) -> InputDistribution {
        switch kind {
        case "normal":
            return try InputDistribution.normal(mean: p["mean"]!, sd: p["sd"]!).validated()
        case "truncated_normal":
            return try InputDistribution.truncatedNormal(mean: p["mean"]!, sd: p["sd"]!, lower: p["lower"] ?? -.infinity,
                                                         upper: p["upper"] ?? .infinity).validated()
        case "lognormal":
            if p["first"] == 0 { return try InputDistribution.lognormal(mean: p["mean"]!, sd: p["sd"]!) }
            let median = p["median"]!
            if !(median > 0) { throw DistributionError("lognormal", "median", median, expected: "a number > 0") }
            return try InputDistribution.lognormal(mu: log(median), sigma: p["log_sd"]!).validated()
        case "beta":
            let lower = p["lower"] ?? 0, upper = p["upper"] ?? 1
            if p["first"] == 0 { return try InputDistribution.beta(mean: p["mean"]!, sd: p["sd"]!, lower: lower, upper: upper) }
            return try InputDistribution.beta(alpha: p["alpha"]!, beta: p["beta"]!, lower: lower, upper: upper).validated()
        case "gamma":
            if p["first"] == 0 { return try InputDistribution.gamma(mean: p["mean"]!, sd: p["sd"]!) }
            return try InputDistribution.gamma(shape: p["shape"]!, scale: p["scale"]!).validated()
        case "uniform":
            return try InputDistribution.uniform(min: p["min"]!, max: p["max"]!).validated()
        case "triangular":
            return try InputDistribution.triangular(min: p["min"]!, mode: p["mode"]!, max: p["max"]!).validated()
        case "pert":
            return try InputDistribution.pert(min: p["min"]!, mode: p["mode"]!, max: p["max"]!).validated()
        default:
            return try InputDistribution.discrete(values: values, weights: weights).validated()
        }
    }

    /// Reads `correlations:` and `sampling:` (after every input has been met) into `plan`.
    ///
    /// ```yaml
    /// correlations:
    ///   - {between: [elasticity, plans[0].churn.mean_per_month], rho: -0.4}
    /// sampling: latin_hypercube      # or random (the default)
    /// ```
    func readPlan(correlations: YAMLNode?, sampling: YAMLNode?) throws(ScenarioError) {
        var latinHypercube = false
        if let node = sampling {
            let text = try node.string()
            switch text {
            case "random": latinHypercube = false
            case "latin_hypercube": latinHypercube = true
            default:
                var message = "unknown sampling '\(text)'"
                if let s = YAMLNode.closest(to: text, in: ["random", "latin_hypercube"]) { message += "; did you mean '\(s)'?" }
                throw node.error(message + " (random or latin_hypercube)")
            }
        }
        var pairs: [InputCorrelation] = []
        let names = inputs.map(\.input.name)
        if let node = correlations {
            for item in try node.sequence() {
                let m = try item.mapping(allowed: ["between", "rho"])
                let between = try m.required("between", "the names of the two correlated inputs, e.g. [elasticity, churn]")
                let ends = try between.sequence()
                if ends.count != 2 { throw between.error("expected the names of two uncertain inputs, got \(ends.count) entries") }
                var pair: [String] = []
                for end in ends {
                    let name = try end.string()
                    if !names.contains(name) {
                        var message = "no uncertain input is named '\(name)'"
                        if let s = YAMLNode.closest(to: name, in: names) { message += "; did you mean '\(s)'?" }
                        message += names.isEmpty ? " (the scenario has no distributions)"
                            : " (uncertain inputs: \(names.joined(separator: ", ")); an input is named by its 'name' or else its key path)"
                        throw end.error(message)
                    }
                    pair.append(name)
                }
                if pair[0] == pair[1] { throw between.error("'\(pair[0])' is correlated with itself; name two different inputs") }
                let rho = try m.required("rho", "the rank correlation (Spearman), from -1 to 1")
                    .number("a rank correlation from -1 to 1", fixed: "a correlation is not an uncertain input") { $0 >= -1 && $0 <= 1 }
                if let other = pairs.first(where: { Set([$0.first, $0.second]) == Set(pair) }) {
                    throw item.error("the correlation of '\(pair[0])' and '\(pair[1])' is given twice (rho \(other.rho) before)")
                }
                pairs.append(InputCorrelation(pair[0], pair[1], rho: rho))
            }
        }
        do {
            plan = try UncertainInputs(inputs.map(\.input), correlations: pairs, latinHypercube: latinHypercube)
        } catch {
            let at = correlations ?? sampling
            let message: String
            if case .notPositiveSemiDefinite = error {
                message = "the correlation matrix (unit diagonal, "
                    + pairs.map { "\($0.first) ~ \($0.second): \($0.rho)" }.joined(separator: ", ")
                    + ", every other pair 0) is not positive semi-definite: no joint distribution has all these correlations "
                    + "at once (e.g. a strongly with b and with c, but b strongly against c); weaken some of them"
            } else {
                message = error.description
            }
            throw at.map { $0.error(message) } ?? ScenarioError(file: "", message: message)
        }
    }

    static let distributionNames = ["normal", "truncated_normal", "lognormal", "beta", "gamma", "uniform",
                                    "triangular", "pert", "discrete"]

    /// Parses `{distribution: NAME, parameters..., name: N}`; the parameters are plain numbers.
    static func parseDistribution(_ node: YAMLNode) throws(ScenarioError) -> (InputDistribution, String, YAMLNode?) {
        var plain = node
        plain.uncertainty = nil
        guard case let .mapping(raw) = node.node, let kindNode = raw.first(where: { $0.key.string == "distribution" })?.value else {
            throw node.error("expected a distribution mapping")
        }
        let kindCursor = YAMLNode(node: kindNode, path: node.path + ".distribution", file: node.file)
        let kind = try kindCursor.string()
        let parameters: [String]
        switch kind {
        case "normal": parameters = ["mean", "sd"]
        case "truncated_normal": parameters = ["mean", "sd", "lower", "upper"]
        case "lognormal": parameters = ["median", "log_sd", "mean", "sd"]
        case "beta": parameters = ["alpha", "beta", "mean", "sd", "lower", "upper"]
        case "gamma": parameters = ["shape", "scale", "mean", "sd"]
        case "uniform": parameters = ["min", "max"]
        case "triangular", "pert": parameters = ["min", "mode", "max"]
        case "discrete": parameters = ["values", "weights"]
        default:
            var message = "unknown distribution '\(kind)'"
            if let s = YAMLNode.closest(to: kind, in: distributionNames) { message += "; did you mean '\(s)'?" }
            throw kindCursor.error(message + " (distributions: \(distributionNames.joined(separator: ", ")))")
        }
        let m = try plain.mapping(allowed: ["distribution", "name"] + parameters)
        var name = node.path
        var nameNode: YAMLNode? = nil
        if let n = m["name"] {
            name = try n.string()
            nameNode = n
            if name.isEmpty || name.utf8.contains(0) { throw n.error("expected a non-empty name") }
        }
        // Every parameter is a plain number (a list of them for `discrete`), read first.
        let fixedParameter = "the parameters of a distribution are plain numbers"
        var p: [String: Double] = [:]
        for key in parameters where key != "values" && key != "weights" {
            if let v = m[key] { p[key] = try v.number("a number", fixed: fixedParameter) { _ in true } }
        }
        func require(_ keys: [String]) throws(ScenarioError) {
            for k in keys where p[k] == nil {
                _ = try m.required(k, "the \(kind) distribution's parameter '\(k)' (\(keys.joined(separator: ", ")))")
            }
        }
        /// Whether the first parameterisation (`a`, `b`) is given rather than the second (`c`, `d`).
        func first(_ a: String, _ b: String, or c: String, _ d: String) throws(ScenarioError) -> Bool {
            let one = p[a] != nil || p[b] != nil, two = p[c] != nil || p[d] != nil
            if one == two {
                throw node.error("a \(kind) distribution takes either '\(a)' and '\(b)' or '\(c)' and '\(d)'"
                                 + (one ? ", not both" : ""))
            }
            try require(one ? [a, b] : [c, d])
            return one
        }
        var values: [Double] = [], weights: [Double] = []
        switch kind {
        case "normal": try require(["mean", "sd"])
        case "truncated_normal":
            try require(["mean", "sd"])
            if p["lower"] == nil && p["upper"] == nil {
                throw node.error("a truncated_normal distribution needs 'lower', 'upper' or both (use normal for no truncation)")
            }
        case "lognormal": p["first"] = try first("median", "log_sd", or: "mean", "sd") ? 1 : 0
        case "beta": p["first"] = try first("alpha", "beta", or: "mean", "sd") ? 1 : 0
        case "gamma": p["first"] = try first("shape", "scale", or: "mean", "sd") ? 1 : 0
        case "uniform": try require(["min", "max"])
        case "triangular", "pert": try require(["min", "mode", "max"])
        default:
            let valuesNode = try m.required("values", "the list of possible values")
            for v in try valuesNode.sequence() { values.append(try v.number("a number", fixed: fixedParameter) { _ in true }) }
            if let w = m["weights"] {
                for v in try w.sequence() { weights.append(try v.number("a number", fixed: fixedParameter) { _ in true }) }
            } else {
                weights = [Double](repeating: 1, count: values.count)
            }
        }
        let d: InputDistribution
        do {
            d = try UncertaintyContext.distribution(kind, p, values: values, weights: weights)
        } catch {
            let key = String(error.parameter.prefix { $0 != "[" && $0 != " " })
            let at = m[key == "mu" ? "median" : key] ?? node
            throw at.error("invalid \(kind) distribution: \(error.parameter) = \(error.value); expected \(error.expected)")
        }
        return (d, name, nameNode)
    }
}
