import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

// `churn.uncertainty` in scenario files: the estimation uncertainty of sBG parameters (as written
// by `subcast fit --snippet uncertain`), parsed into `ChurnUncertainty`, and its errors.

/// The base scenario (Support.swift) with its churn (lines 8-10) replaced by `lines`, which
/// start on line 8. Acquisition follows the churn.
private func withChurn(_ lines: String...) -> String {
    base(replacing: 8...10, with: lines.joined(separator: "\n"))
}

/// One bad `uncertainty` block and the error it must produce.
private struct BadUncertainty: Sendable, CustomTestStringConvertible {
    let label: String
    let text: String
    let line: Int
    let column: Int
    let keyPath: String
    let fragments: [String]

    init(_ label: String, _ text: String, line: Int, column: Int, keyPath: String, _ fragments: String...) {
        self.label = label
        self.text = text
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.fragments = fragments
    }

    var testDescription: String { label }
}

private let uncertaintyPath = "plans[0].churn.uncertainty"

private let badUncertainties: [BadUncertainty] = [
    BadUncertainty("with mean_per_month churn",
                   withChurn("    churn:",
                             "      mean_per_month: 0.05",
                             "      heterogeneity: 0.1",
                             "      uncertainty: {se_log_alpha: 0.1, se_log_beta: 0.1}"),
                   line: 11, column: 20, keyPath: uncertaintyPath,
                   "uncertainty applies to churn given as 'alpha' and 'beta'"),
    BadUncertainty("with mean_per_month churn, block style (reported at the mapping's first key)",
                   withChurn("    churn:",
                             "      mean_per_month: 0.05",
                             "      heterogeneity: 0.1",
                             "      uncertainty:",
                             "        se_log_alpha: 0.1",
                             "        se_log_beta: 0.1"),
                   line: 12, column: 9, keyPath: uncertaintyPath,
                   "uncertainty applies to churn given as 'alpha' and 'beta'"),
    BadUncertainty("negative se_log_alpha",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty:",
                             "        se_log_alpha: -0.1",
                             "        se_log_beta: 0.2"),
                   line: 12, column: 23, keyPath: uncertaintyPath + ".se_log_alpha",
                   "expected a standard error from 0 to 10, got -0.1"),
    BadUncertainty("negative se_log_beta",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty:",
                             "        se_log_alpha: 0.1",
                             "        se_log_beta: -2"),
                   line: 13, column: 22, keyPath: uncertaintyPath + ".se_log_beta",
                   "expected a standard error from 0 to 10, got -2"),
    BadUncertainty("se_log_alpha above 10",
                   withChurn("    churn: {alpha: 1, beta: 5, uncertainty: {se_log_alpha: 10.5, se_log_beta: 0.1}}"),
                   line: 8, column: 60, keyPath: uncertaintyPath + ".se_log_alpha", "got 10.5"),
    BadUncertainty("NaN se_log_beta",
                   withChurn("    churn: {alpha: 1, beta: 5, uncertainty: {se_log_alpha: 0.1, se_log_beta: .nan}}"),
                   line: 8, column: 78, keyPath: uncertaintyPath + ".se_log_beta", "NaN and infinity are not allowed"),
    BadUncertainty("quoted se (text, not a number)",
                   withChurn("    churn: {alpha: 1, beta: 5, uncertainty: {se_log_alpha: \"0.1\", se_log_beta: 0.1}}"),
                   line: 8, column: 60, keyPath: uncertaintyPath + ".se_log_alpha", "got the string \"0.1\""),
    BadUncertainty("correlation 1.5",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty:",
                             "        se_log_alpha: 0.1",
                             "        se_log_beta: 0.2",
                             "        correlation: 1.5"),
                   line: 14, column: 22, keyPath: uncertaintyPath + ".correlation",
                   "expected a correlation from -1 to 1, got 1.5"),
    BadUncertainty("correlation -1.01",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty: {se_log_alpha: 0.1, se_log_beta: 0.2, correlation: -1.01}"),
                   line: 11, column: 71, keyPath: uncertaintyPath + ".correlation",
                   "expected a correlation from -1 to 1, got -1.01"),
    BadUncertainty("unknown key inside uncertainty",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty:",
                             "        se_log_alpha: 0.1",
                             "        se_log_beta: 0.2",
                             "        corelation: 0.5"),
                   line: 14, column: 9, keyPath: uncertaintyPath + ".corelation",
                   "unknown key 'corelation' in plans[0].churn.uncertainty", "did you mean 'correlation'?",
                   "(allowed: se_log_alpha, se_log_beta, correlation)"),
    BadUncertainty("unknown key: the sd spelled out",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty: {se_alpha: 0.1, se_log_beta: 0.2}"),
                   line: 11, column: 21, keyPath: uncertaintyPath + ".se_alpha",
                   "unknown key 'se_alpha' in plans[0].churn.uncertainty"),
    BadUncertainty("missing se_log_alpha",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty: {se_log_beta: 0.2, correlation: 0.5}"),
                   line: 11, column: 20, keyPath: uncertaintyPath + ".se_log_alpha",
                   "missing required key 'se_log_alpha' (the standard error of ln alpha)"),
    BadUncertainty("missing se_log_beta",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty: {se_log_alpha: 0.2}"),
                   line: 11, column: 20, keyPath: uncertaintyPath + ".se_log_beta",
                   "missing required key 'se_log_beta' (the standard error of ln beta)"),
    BadUncertainty("null se_log_alpha",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty:",
                             "        se_log_alpha:",
                             "        se_log_beta: 0.2"),
                   line: 12, column: 22, keyPath: uncertaintyPath + ".se_log_alpha",
                   "expected the standard error of ln alpha, got nothing (null)"),
    BadUncertainty("a number instead of a mapping",
                   withChurn("    churn:",
                             "      alpha: 1",
                             "      beta: 5",
                             "      uncertainty: 0.1"),
                   line: 11, column: 20, keyPath: uncertaintyPath, "expected a mapping", "got '0.1'"),
]

@Suite struct FitScenarioTests {
    /// The fitted uncertainty as the loader reads it: two lognormal inputs on alpha and beta
    /// (median the estimate, log-sd the standard error), rank-correlated so that the Gaussian
    /// copula's normal-score correlation is the fit's correlation of ln alpha and ln beta.
    static func checkFittedInputs(_ family: ScenarioFamily, plan p: Int, alpha: Double, beta: Double, seA: Double, seB: Double,
                                  r: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let names = ["plans[\(p)].churn.alpha", "plans[\(p)].churn.beta"]
        let inputs = family.inputs.inputs.filter { names.contains($0.name) }
        #expect(inputs.map(\.name) == names, sourceLocation: sourceLocation)
        #expect(inputs.first?.distribution == .lognormal(mu: log(alpha), sigma: seA), sourceLocation: sourceLocation)
        #expect(inputs.last?.distribution == .lognormal(mu: log(beta), sigma: seB), sourceLocation: sourceLocation)
        let c = family.inputs.correlations.first { Set([$0.first, $0.second]) == Set(names) }
        if r == 0 {
            #expect(c == nil, sourceLocation: sourceLocation)
        } else {
            let rho = try? #require(c?.rho, sourceLocation: sourceLocation)
            #expect(abs(2 * sin(Double.pi * (rho ?? 0) / 6) - r) < 1e-12, "normal-score correlation of \(rho ?? .nan)", sourceLocation: sourceLocation)
        }
        // At the medians, exp(ln x): the estimate to within rounding.
        if case let .shiftedBetaGeometric(a, b) = family.base.plans[p].churn {
            #expect(abs(a / alpha - 1) < 1e-12 && abs(b / beta - 1) < 1e-12, "\(a), \(b)", sourceLocation: sourceLocation)
        } else {
            Issue.record("not sBG", sourceLocation: sourceLocation)
        }
        #expect(family.base.plans[p].churnUncertainty == nil, sourceLocation: sourceLocation)
    }

    @Test func blockUncertaintyParses() throws {
        let text = withChurn("    churn:",
                             "      alpha: 0.704077",
                             "      beta: 1.182043",
                             "      uncertainty:",
                             "        se_log_alpha: 0.0931701",
                             "        se_log_beta: 0.128993",
                             "        correlation: 0.888920")
        let family = try ScenarioLoader.parseFamily(text: text, file: "fitted.yaml")
        try #require(family.base.plans.count == 1)
        Self.checkFittedInputs(family, plan: 0, alpha: 0.704077, beta: 1.182043, seA: 0.0931701, seB: 0.128993, r: 0.888920)
        // Each trial draws them from the input streams; the model is the fixed one's, plus those.
        #expect(ForecastModel(family).streamNames.contains("input:plans[0].churn.alpha"))
    }

    @Test func correlationDefaultsToZero() throws {
        let text = withChurn("    churn: {alpha: 1, beta: 5, uncertainty: {se_log_alpha: 0.2, se_log_beta: 0.3}}")
        Self.checkFittedInputs(try ScenarioLoader.parseFamily(text: text, file: "flow.yaml"), plan: 0, alpha: 1, beta: 5,
                               seA: 0.2, seB: 0.3, r: 0)
    }

    @Test func withoutUncertaintyNothingChanges() throws {
        let s = try ScenarioLoader.parse(text: baseText, file: "base.yaml")
        #expect(s.plans[0].churnUncertainty == nil)
        #expect(CohortModel(s).streamNames == ["acquisition", "churn"])
        #expect(!ClosedForm(s).atPointEstimates)
        // A null `uncertainty` counts as not given, like every optional key.
        let null = try ScenarioLoader.parse(text: withChurn("    churn:", "      alpha: 1", "      beta: 5", "      uncertainty:"),
                                            file: "null.yaml")
        #expect(null.plans[0].churnUncertainty == nil)
    }

    /// Standard errors both 0 (nothing uncertain) or so large that a draw could leave alpha's and
    /// beta's range stay a draw of the renewal process (stream `parameters`), as written.
    @Test(arguments: [(0.0, 0.0, -1.0), (10.0, 10.0, 1.0)])
    func boundaryValuesAreAccepted(_ seA: Double, _ seB: Double, _ r: Double) throws {
        let text = withChurn("    churn: {alpha: 2, beta: 3, uncertainty: {se_log_alpha: \(seA), se_log_beta: \(seB), correlation: \(r)}}")
        let s = try ScenarioLoader.parse(text: text, file: "edge.yaml")
        #expect(s.plans[0].churnUncertainty == ChurnUncertainty(seLogAlpha: seA, seLogBeta: seB, correlation: r))
        #expect(CohortModel(s).streamNames == ["acquisition", "churn", "parameters"])
        #expect(ClosedForm(s).atPointEstimates)
    }

    @Test func aTinyStandardErrorIsStillAnInput() throws {
        let text = withChurn("    churn: {alpha: 2, beta: 3, uncertainty: {se_log_alpha: 0.5, se_log_beta: 1e-9, correlation: -0.25}}")
        Self.checkFittedInputs(try ScenarioLoader.parseFamily(text: text, file: "edge.yaml"), plan: 0, alpha: 2, beta: 3,
                               seA: 0.5, seB: 1e-9, r: -0.25)
    }

    @Test func onlyThePlansThatCarryItAreUncertain() throws {
        let text = base(replacing: 10, with: """
                  beta: 5
              - name: pro
                price_per_month: 30
                churn: {alpha: 2, beta: 3, uncertainty: {se_log_alpha: 0.1, se_log_beta: 0.1, correlation: 0.5}}
            """) + "  mix: {basic: 0.5, pro: 0.5}\n"
        let family = try ScenarioLoader.parseFamily(text: text, file: "two.yaml")
        #expect(family.inputs.inputs.count == 2)
        Self.checkFittedInputs(family, plan: 1, alpha: 2, beta: 3, seA: 0.1, seB: 0.1, r: 0.5)
    }

    @Test func jsonScenarioCarriesUncertainty() throws {
        let json = """
            {"schema_version": 1, "name": "fitted", "horizon_months": 6,
             "plans": [{"name": "pro", "price_per_month": 20,
                        "churn": {"alpha": 0.668, "beta": 3.806,
                                  "uncertainty": {"se_log_alpha": 0.1, "se_log_beta": 0.15, "correlation": 0.9}}}],
             "acquisition": {"new_per_month": 100}}
            """
        Self.checkFittedInputs(try ScenarioLoader.parseFamily(text: json, file: "fitted.json"), plan: 0, alpha: 0.668, beta: 3.806,
                               seA: 0.1, seB: 0.15, r: 0.9)
        let bad = json.replacingOccurrences(of: "\"correlation\": 0.9", with: "\"correlation\": 2")
        let e = try #require(scenarioError(bad, file: "fitted.json"))
        #expect(e.line == 4 && e.keyPath == "plans[0].churn.uncertainty.correlation", "\(e)")
    }

    @Test(arguments: badUncertainties)
    fileprivate func badUncertaintyIsReported(_ c: BadUncertainty) throws {
        let e = try #require(scenarioError(c.text, file: "case.yaml"), "\(c.label): expected an error")
        #expect(e.file == "case.yaml")
        #expect(e.line == c.line, "\(c.label): \(e)")
        #expect(e.column == c.column, "\(c.label): \(e)")
        #expect(e.keyPath == c.keyPath, "\(c.label): \(e)")
        for f in c.fragments { #expect(e.message.contains(f), "\(c.label): '\(f)' not in: \(e.message)") }
        #expect(e.description.hasPrefix("case.yaml:\(c.line):\(c.column): \(c.keyPath): "), "\(e)")
    }
}
