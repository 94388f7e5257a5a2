import Foundation
import SubcastCore
import Yams

/// Fitted churn uncertainty as uncertain inputs.
///
/// `subcast fit --snippet uncertain` writes `churn: {alpha: A, beta: B, uncertainty: {se_log_alpha:
/// sa, se_log_beta: sb, correlation: r}}`: ln alpha and ln beta are jointly normal around the
/// estimates. Before decoding, the loader rewrites each such churn into two uncertain inputs,
/// ```
/// alpha: {distribution: lognormal, median: A, log_sd: sa, name: plans[i].churn.alpha}
/// beta:  {distribution: lognormal, median: B, log_sd: sb, name: plans[i].churn.beta}
/// correlations: [{between: [plans[i].churn.alpha, plans[i].churn.beta], rho: (6 / pi) asin(r / 2)}]
/// ```
/// the same joint distribution (a lognormal of median A and log-sd sa is exp(ln A + sa Z); the
/// rank correlation is the Spearman correlation of a bivariate normal with correlation r, which
/// the Gaussian copula turns back into r). So every command that works with uncertain inputs sees
/// the estimation uncertainty: `run --separate-uncertainty`, `sensitivity`, `compare`, `optimize`.
///
/// Left as written (drawn by the renewal process from the stream `parameters`, as before) when a
/// value is not a plain number, when a standard error is out of range (the decoder then reports
/// it), or when the lognormal's 1e-6 ... 1 - 1e-6 quantiles would leave the range alpha and beta
/// may take (0, 1e9]: a very uncertain fit stays a draw that no check refuses.
extension ScenarioLoader {
    static func fittedUncertaintyAsInputs(_ root: Node) -> Node {
        guard case let .mapping(top) = root,
              let plansIndex = top.firstIndex(where: { $0.key.string == "plans" }),
              case let .sequence(plans) = top[plansIndex].value else { return root }
        var newPlans: [Node] = []
        var correlations: [Node] = []
        var changed = false
        for (i, plan) in plans.enumerated() {
            guard case let .mapping(pm) = plan, let churnIndex = pm.firstIndex(where: { $0.key.string == "churn" }),
                  case let .mapping(churn) = pm[churnIndex].value,
                  let rewritten = rewrite(churn, plan: i, correlations: &correlations) else {
                newPlans.append(plan)
                continue
            }
            var entries = Array(pm).map { ($0.key, $0.value) }
            entries[Array(pm).firstIndex(where: { $0.key.string == "churn" })!].1 = .mapping(rewritten)
            newPlans.append(.mapping(Node.Mapping(entries, pm.tag, pm.style, pm.mark)))
            changed = true
        }
        guard changed else { return root }
        var entries = Array(top).map { ($0.key, $0.value) }
        entries[Array(top).firstIndex(where: { $0.key.string == "plans" })!].1 = .sequence(Node.Sequence(newPlans, plans.tag, plans.style, plans.mark))
        if !correlations.isEmpty {
            if let k = entries.firstIndex(where: { $0.0.string == "correlations" }) {
                if case let .sequence(given) = entries[k].1 {
                    entries[k].1 = .sequence(Node.Sequence(Array(given) + correlations, given.tag, given.style, given.mark))
                } else if YAMLNode(node: entries[k].1, path: "correlations", file: "").isNull {
                    entries[k].1 = .sequence(Node.Sequence(correlations))
                }
                // Anything else is left for the decoder to report.
            } else {
                entries.append((.scalar(Node.Scalar("correlations")), .sequence(Node.Sequence(correlations))))
            }
        }
        return .mapping(Node.Mapping(entries, top.tag, top.style, top.mark))
    }

    private static func plainNumber(_ node: Node?) -> Double? {
        guard let node, case let .scalar(s) = node, s.style == .plain, let x = Double(s.string), x.isFinite else { return nil }
        return x
    }

    /// The churn mapping with its alpha and beta as lognormal inputs, or nil to leave it.
    private static func rewrite(_ churn: Node.Mapping, plan i: Int, correlations: inout [Node]) -> Node.Mapping? {
        let entries = Array(churn)
        func value(_ key: String) -> Node? { entries.first { $0.key.string == key }?.value }
        guard let uNode = value("uncertainty"), case let .mapping(u) = uNode,
              let a = plainNumber(value("alpha")), let b = plainNumber(value("beta")), a > 0, b > 0, a <= 1e9, b <= 1e9 else { return nil }
        let ue = Array(u)
        func uValue(_ key: String) -> Node? { ue.first { $0.key.string == key }?.value }
        guard Set(ue.compactMap { $0.key.string }).isSubset(of: ["se_log_alpha", "se_log_beta", "correlation"]),
              let sa = plainNumber(uValue("se_log_alpha")), let sb = plainNumber(uValue("se_log_beta")),
              sa >= 0, sa <= 10, sb >= 0, sb <= 10, sa > 0 || sb > 0 else { return nil }
        let r: Double
        if let c = uValue("correlation") {
            guard let x = plainNumber(c), x >= -1, x <= 1 else { return nil }
            r = x
        } else {
            r = 0
        }
        // The extremes a trial can draw must stay in (0, 1e9].
        let z = 4.8
        for (m, s) in [(a, sa), (b, sb)] where s > 0 {
            let lo = exp(log(m) - z * s), hi = exp(log(m) + z * s)
            if !(lo > 1e-300 && hi <= 1e9) { return nil }
        }
        let names = ["plans[\(i)].churn.alpha", "plans[\(i)].churn.beta"]
        func distribution(_ median: Double, _ sd: Double, _ name: String, mark: Mark?) -> Node {
            func s(_ text: String) -> Node { .scalar(Node.Scalar(text, .implicit, .plain, mark)) }
            return .mapping(Node.Mapping([(s("distribution"), s("lognormal")), (s("median"), s(String(median))),
                                          (s("log_sd"), s(String(sd))), (s("name"), .scalar(Node.Scalar(name, .implicit, .doubleQuoted, mark)))],
                                         .implicit, .flow, mark))
        }
        var out: [(Node, Node)] = []
        for (key, v) in entries {
            switch key.string {
            case "uncertainty": continue
            case "alpha" where sa > 0: out.append((key, distribution(a, sa, names[0], mark: v.mark)))
            case "beta" where sb > 0: out.append((key, distribution(b, sb, names[1], mark: v.mark)))
            default: out.append((key, v))
            }
        }
        if sa > 0 && sb > 0 && r != 0 {
            let rho = 6 / Double.pi * asin(r / 2)
            let mark = uNode.mark
            func s(_ text: String, _ style: Node.Scalar.Style = .plain) -> Node { .scalar(Node.Scalar(text, .implicit, style, mark)) }
            correlations.append(.mapping(Node.Mapping([(s("between"), .sequence(Node.Sequence([s(names[0], .doubleQuoted), s(names[1], .doubleQuoted)], .implicit, .flow, mark))),
                                                        (s("rho"), s(String(rho)))], .implicit, .flow, mark)))
        }
        return Node.Mapping(out, churn.tag, churn.style, churn.mark)
    }
}
