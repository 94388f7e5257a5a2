import Foundation
import Testing
@testable import SubcastCore
@testable import SubcastIO

/// Scenario files with uncertain inputs: the distribution syntax, the family a file loads as,
/// every decoder error, and runs and shard merges of such a family.
@Suite struct UncertainScenarioTests {
    static let seed: UInt64 = 20_261_202

    /// Two plans, acquisition, pricing; `PRICE`, `CHURN`, `AGENTS`, `EXTRA` are substituted.
    static func text(price: String = "29", churn: String = "0.06", extra: String = "") -> String {
        """
        name: uncertain
        horizon_months: 12
        trials: 300
        seed: 7
        plans:
          - name: starter
            price_per_month: \(price)
            churn: {mean_per_month: \(churn), heterogeneity: 0.1}
          - name: team
            price_per_month: 99
            churn: {alpha: 0.3, beta: 9}
        acquisition:
          new_per_month: 80
          mix: {starter: 0.7, team: 0.3}
        \(extra)
        """
    }

    func family(_ text: String) throws(ScenarioError) -> ScenarioFamily { try ScenarioLoader.parseFamily(text: text, file: "u.yaml") }

    func error(_ text: String) -> ScenarioError? {
        do { _ = try family(text); return nil } catch { return error }
    }

    // MARK: the family

    @Test func aFileWithoutDistributionsIsOneFixedScenario() throws {
        let f = try family(Self.text())
        #expect(f.isFixed && f.inputs.isEmpty)
        #expect(f.base == (try ScenarioLoader.parse(text: Self.text(), file: "u.yaml")))
        for file in ["Scenarios/b2b-saas.yaml", "Scenarios/levers-saas.yaml"] where FileManager.default.fileExists(atPath: file) {
            let g = try ScenarioLoader.loadFamily(path: file)
            let loaded = try ScenarioLoader.load(path: file)
            #expect(g.isFixed && g.base == loaded, "\(file)")
        }
    }

    /// The table report lists every uncertain input with the statistics of its draws (JSON and
    /// CSV carry them as `input:<name>` scalars); a fixed scenario has no such section.
    @Test func tableReportShowsTheDrawnInputs() throws {
        let text = Self.text(price: "{distribution: normal, mean: 29, sd: 2}",
                             churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: churn}")
        let r = try Simulation.run(try family(text), trials: 400, seed: Self.seed, threads: 2)
        let info = RunInfo(scenarioFile: "u.yaml")
        let table = TableReport.render(r, info: info)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = try #require(lines.firstIndex(of: "Uncertain inputs, as drawn over the trials"), "seed \(Self.seed): \(table)")
        let price = try #require(r.scalar("input:plans[0].price_per_month")), churn = try #require(r.scalar("input:churn"))
        // Normal(29, 2) and Beta(mean 0.06, sd 0.01) over 400 trials: means within 4 standard errors.
        #expect(abs(price.mean - 29) < 4 * 2 / 20 && abs(churn.mean - 0.06) < 4 * 0.01 / 20, "seed \(Self.seed)")
        let rows = lines[(title + 1)...].prefix(6).joined(separator: "\n")
        #expect(rows.contains("plans[0].price_per_month") && rows.contains(NumberFormat.human(price.p50, decimals: 1)), "\(rows)")
        #expect(rows.contains("churn") && rows.contains(NumberFormat.human(churn.p50, decimals: 4)), "\(rows)")
        let fixed = try Simulation.run(try family(Self.text()), trials: 50, seed: Self.seed, threads: 1)
        #expect(!TableReport.render(fixed, info: info).contains("Uncertain inputs"))
    }

    @Test func distributionsLoadAtTheirMediansAndSubstituteTrialValues() throws {
        let text = Self.text(price: "{distribution: normal, mean: 29, sd: 2}",
                             churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: churn}",
                             extra: """
                             pricing:
                               elasticity: {distribution: pert, min: -2, mode: -1.2, max: -0.5, name: elasticity}
                             support:
                               agents: {distribution: discrete, values: [2, 3, 4], weights: [0.2, 0.5, 0.3]}
                               tickets_per_agent_per_month: 200
                               first_contact_resolution: 0.7
                             correlations:
                               - {between: [elasticity, churn], rho: -0.4}
                             sampling: latin_hypercube
                             """)
        let f = try family(text)
        #expect(f.inputs.names == ["plans[0].price_per_month", "churn", "support.agents", "elasticity"])
        #expect(f.inputs.inputs.map(\.path) == ["plans[0].price_per_month", "plans[0].churn.mean_per_month", "support.agents",
                                                 "pricing.elasticity"])
        #expect(f.inputs.latinHypercube && f.inputs.correlations == [InputCorrelation("elasticity", "churn", rho: -0.4)])
        #expect(f.inputs.inputs[0].distribution == .normal(mean: 29, sd: 2))
        #expect(f.inputs.inputs[1].distribution == (try InputDistribution.beta(mean: 0.06, sd: 0.01)))
        #expect(f.inputs.inputs[2].distribution == .discrete(values: [2, 3, 4], weights: [0.2, 0.5, 0.3]))
        #expect(f.inputs.inputs[3].distribution == .pert(min: -2, mode: -1.2, max: -0.5))
        // The base is the scenario at the medians; `load` gives it too.
        let m = f.inputs.medians
        #expect(f.base.plans[0].pricePerMonth == 29 && f.base.levers.support?.agents == 3)
        #expect(f.base.plans[0].churn == ChurnModel(meanPerMonth: m[1], heterogeneity: 0.1))
        #expect(f.base.levers.priceElasticity == m[3])
        #expect(f.base == (try ScenarioLoader.parse(text: text, file: "u.yaml")))
        #expect(f.scenario(values: m) == f.base)
        // A trial's scenario has its values in place and nothing else changed.
        let s = f.scenario(values: [31, 0.07, 4, -1.5])
        var expected = f.base
        expected.plans[0].pricePerMonth = 31
        expected.plans[0].churn = ChurnModel(meanPerMonth: 0.07, heterogeneity: 0.1)
        expected.levers.support!.agents = 4
        expected.levers.priceElasticity = -1.5
        #expect(s == expected)
        #expect(f.fixedAtMedians.isFixed && f.fixedAtMedians.base == f.base)
    }

    @Test func everyDistributionSyntax() throws {
        let cases: [(String, InputDistribution)] = [
            ("{distribution: normal, mean: 29, sd: 2}", .normal(mean: 29, sd: 2)),
            ("{distribution: truncated_normal, mean: 29, sd: 5, lower: 20, upper: 35}",
             .truncatedNormal(mean: 29, sd: 5, lower: 20, upper: 35)),
            ("{distribution: truncated_normal, mean: 29, sd: 5, lower: 0}", .truncatedNormal(mean: 29, sd: 5, lower: 0, upper: .infinity)),
            ("{distribution: lognormal, median: 29, log_sd: 0.1}", .lognormal(mu: log(29), sigma: 0.1)),
            ("{distribution: lognormal, mean: 29, sd: 3}", try .lognormal(mean: 29, sd: 3)),
            ("{distribution: beta, alpha: 2, beta: 5, lower: 20, upper: 40}", .beta(alpha: 2, beta: 5, lower: 20, upper: 40)),
            ("{distribution: beta, mean: 29, sd: 2, lower: 20, upper: 40}", try .beta(mean: 29, sd: 2, lower: 20, upper: 40)),
            ("{distribution: gamma, shape: 9, scale: 3}", .gamma(shape: 9, scale: 3)),
            ("{distribution: gamma, mean: 29, sd: 3}", try .gamma(mean: 29, sd: 3)),
            ("{distribution: uniform, min: 25, max: 33}", .uniform(min: 25, max: 33)),
            ("{distribution: triangular, min: 25, mode: 29, max: 39}", .triangular(min: 25, mode: 29, max: 39)),
            ("{distribution: pert, min: 25, mode: 29, max: 39}", .pert(min: 25, mode: 29, max: 39)),
            ("{distribution: discrete, values: [19, 29, 39]}", .discrete(values: [19, 29, 39], weights: [1, 1, 1])),
        ]
        for (yaml, expected) in cases {
            let f = try family(Self.text(price: yaml))
            #expect(f.inputs.inputs.map(\.distribution) == [expected], "\(yaml)")
            #expect(f.base.plans[0].pricePerMonth == expected.median, "\(yaml)")
        }
    }

    // MARK: errors

    func expectError(_ text: String, path: String, line: Int? = nil, _ fragments: String...,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = error(text) else {
            Issue.record("expected an error at \(path)", sourceLocation: sourceLocation)
            return
        }
        #expect(e.file == "u.yaml" && e.keyPath == path && e.line > 0, "\(e)", sourceLocation: sourceLocation)
        if let line { #expect(e.line == line, "\(e)", sourceLocation: sourceLocation) }
        for f in fragments { #expect(e.message.contains(f), "\(e) lacks '\(f)'", sourceLocation: sourceLocation) }
    }

    @Test func badDistributionParameters() {
        expectError(Self.text(price: "{distribution: normal, mean: 29, sd: 0}"), path: "plans[0].price_per_month.sd", line: 7,
                    "invalid normal distribution", "sd = 0.0", "> 0")
        expectError(Self.text(churn: "{distribution: beta, mean: 0.06, sd: 0.3}"), path: "plans[0].churn.mean_per_month.sd",
                    "sd^2 <", "no beta distribution has this mean and sd")
        expectError(Self.text(price: "{distribution: pert, min: 30, mode: 25, max: 40}"), path: "plans[0].price_per_month.mode",
                    "from min (30.0) to max (40.0)")
        expectError(Self.text(price: "{distribution: uniform, min: 30, max: 20}"), path: "plans[0].price_per_month.max", "> min")
        expectError(Self.text(price: "{distribution: discrete, values: [20, 30], weights: [1, -2]}"),
                    path: "plans[0].price_per_month.weights", "weights[1] = -2.0", ">= 0")
        expectError(Self.text(price: "{distribution: discrete, values: [20, 30], weights: [0, 0]}"),
                    path: "plans[0].price_per_month.weights", "sum > 0")
        expectError(Self.text(price: "{distribution: discrete, values: [20, 30], weights: [1]}"),
                    path: "plans[0].price_per_month.weights", "one weight per value")
        expectError(Self.text(price: "{distribution: normal, mean: 29}"), path: "plans[0].price_per_month.sd", "missing required key 'sd'")
        expectError(Self.text(price: "{distribution: gamma, mean: 29, sd: 2, shape: 3}"), path: "plans[0].price_per_month",
                    "either 'shape' and 'scale' or 'mean' and 'sd'")
        expectError(Self.text(price: "{distribution: normal, mean: 29, sd: 2, median: 3}"), path: "plans[0].price_per_month.median",
                    "unknown key 'median'")
        expectError(Self.text(price: "{distribution: gaussian, mean: 29, sd: 2}"), path: "plans[0].price_per_month.distribution",
                    "unknown distribution 'gaussian'", "normal, truncated_normal")
        expectError(Self.text(price: "{distribution: normal, mean: {distribution: normal, mean: 29, sd: 1}, sd: 2}"),
                    path: "plans[0].price_per_month.mean", "plain numbers")
        expectError(Self.text(price: "{distribution: truncated_normal, mean: 29, sd: 2}"), path: "plans[0].price_per_month",
                    "needs 'lower', 'upper' or both")
    }

    @Test func integerKeysRejectDistributions() {
        expectError(Self.text(extra: "existing: [{plan: team, count: {distribution: uniform, min: 10, max: 20}}]"),
                    path: "existing[0].count", "must be a fixed integer")
        let horizon = Self.text().replacingOccurrences(of: "horizon_months: 12", with: "horizon_months: {distribution: discrete, values: [12, 24]}")
        expectError(horizon, path: "horizon_months", line: 2, "must be a fixed integer")
        expectError(Self.text().replacingOccurrences(of: "mix: {starter: 0.7, team: 0.3}",
                                                     with: "mix: {starter: {distribution: uniform, min: 0.6, max: 0.8}, team: 0.3}"),
                    path: "acquisition.mix.starter", "must be a fixed number", "add up to 1")
    }

    @Test func supportOutsideTheValidRange() {
        // Churn must stay strictly between 0 and 1; a normal around 6 % with sd 3 % goes negative.
        expectError(Self.text(churn: "{distribution: normal, mean: 0.06, sd: 0.03}"), path: "plans[0].churn.mean_per_month", line: 8,
                    "the distribution of plans[0].churn.mean_per_month reaches -0.", "1e-6 quantile",
                    "outside the valid range (a monthly churn probability strictly between 0 and 1 (at least 1e-15))", "narrow or truncate it")
        expectError(Self.text(price: "{distribution: uniform, min: -1, max: 30}"), path: "plans[0].price_per_month",
                    "reaches -0.99", "a price from 0 to 1e18")
        // Truncated, or a beta on [0, 1], it is fine: draws never reach the open bounds.
        #expect(error(Self.text(churn: "{distribution: truncated_normal, mean: 0.06, sd: 0.03, lower: 0.001, upper: 0.5}")) == nil)
        #expect(error(Self.text(churn: "{distribution: beta, mean: 0.06, sd: 0.03}")) == nil)
        // Checks across keys hold at every corner: moves that can add up to more than 1.
        let moves = Self.text().replacingOccurrences(of: "churn: {mean_per_month: 0.06, heterogeneity: 0.1}", with: """
            churn: {mean_per_month: 0.06, heterogeneity: 0.1}
                moves: {team: {distribution: uniform, min: 0.2, max: 0.7}}
            """).replacingOccurrences(of: "churn: {alpha: 0.3, beta: 9}", with: """
            churn: {alpha: 0.3, beta: 9}
                moves: {starter: {distribution: uniform, min: 0.2, max: 0.7, name: down}}
            """)
        #expect(error(moves) == nil, "moves of separate plans are separate checks: \(String(describing: error(moves)))")
        let both = Self.text().replacingOccurrences(of: "    churn: {mean_per_month: 0.06, heterogeneity: 0.1}", with: """
                churn: {mean_per_month: 0.06, heterogeneity: 0.1}
                moves: {team: {distribution: uniform, min: 0.2, max: 0.7}}
            """)
        #expect(error(both) == nil)
    }

    @Test func crossKeyChecksHoldForEveryDraw() {
        // Three plans, two uncertain moves out of one plan: together they can exceed 1.
        let text = """
            name: moves
            horizon_months: 12
            plans:
              - name: a
                price_per_month: 10
                churn: {mean_per_month: 0.05, heterogeneity: 0}
                moves:
                  b: {distribution: uniform, min: 0.1, max: 0.6}
                  c: {distribution: uniform, min: 0.1, max: 0.6}
              - {name: b, price_per_month: 20, churn: {mean_per_month: 0.05, heterogeneity: 0}}
              - {name: c, price_per_month: 30, churn: {mean_per_month: 0.05, heterogeneity: 0}}
            """
        expectError(text, path: "plans[0].moves", "add up to at most 1", "with the uncertain inputs at", "every draw must give a valid scenario")
    }

    @Test func correlationErrors() {
        let two = Self.text(price: "{distribution: normal, mean: 29, sd: 1, name: price}",
                            churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: churn}", extra: "EXTRA")
        func with(_ extra: String) -> String { two.replacingOccurrences(of: "EXTRA", with: extra) }
        expectError(with("correlations: [{between: [price, chrun], rho: 0.3}]"), path: "correlations[0].between[1]",
                    "no uncertain input is named 'chrun'", "did you mean 'churn'?")
        expectError(with("correlations: [{between: [price, price], rho: 0.3}]"), path: "correlations[0].between", "itself")
        expectError(with("correlations: [{between: [price, churn], rho: 1.3}]"), path: "correlations[0].rho", "from -1 to 1")
        expectError(with("correlations: [{between: [price, churn], rho: 0.3}, {between: [churn, price], rho: 0.2}]"),
                    path: "correlations[1]", "given twice")
        expectError(with("correlations: [{between: [price], rho: 0.3}]"), path: "correlations[0].between", "two uncertain inputs")
        expectError(with("sampling: stratified"), path: "sampling", "unknown sampling 'stratified'", "random or latin_hypercube")
        let three = with("""
            acquisition2: 0
            """).replacingOccurrences(of: "  new_per_month: 80", with: "  new_per_month: {distribution: uniform, min: 60, max: 100, name: new}")
            .replacingOccurrences(of: "acquisition2: 0", with: """
            correlations:
              - {between: [price, churn], rho: 0.9}
              - {between: [price, new], rho: 0.9}
              - {between: [churn, new], rho: -0.9}
            """)
        expectError(three, path: "correlations", "not positive semi-definite", "price ~ churn: 0.9", "weaken some of them")
        expectError(Self.text(price: "{distribution: normal, mean: 29, sd: 1, name: p}", churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: p}"),
                    path: "plans[0].churn.mean_per_month.name", "already used")
    }

    // MARK: runs

    @Test func runsAreThreadIndependentAndShardsMergeToOneRun() throws {
        let text = Self.text(price: "{distribution: normal, mean: 29, sd: 2}",
                             churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: churn}",
                             extra: "sampling: latin_hypercube")
        let f = try family(text)
        let one = try Simulation.run(f, trials: 300, seed: Self.seed, threads: 1)
        let three = try Simulation.run(f, trials: 300, seed: Self.seed, threads: 3)
        #expect("\(one.summaries)" == "\(three.summaries)")
        #expect(one.scalar("input:churn")!.sd > 0.009 && one.scalar("input:churn")!.sd < 0.011)
        // Month-12 MRR spreads wider than the fixed scenario's process noise.
        let fixed = try Simulation.run(f.fixedAtMedians, trials: 300, seed: Self.seed, threads: 2)
        #expect(one.summary("mrr", month: 12)!.sd > 1.1 * fixed.summary("mrr", month: 12)!.sd, "seed \(Self.seed)")
        // Shards of whole merge blocks join to the one-process result (as `subcast merge`).
        let trials = 4200
        let model = ForecastModel(f)
        let parts = try (0..<2).map { shard in
            let blocks = MonteCarloEngine.mergeBlocks(trials: trials, shard: shard, of: 2)
            let r = try MonteCarloEngine.reduce(model, trials: trials, seed: Self.seed, threads: 2, mergeBlocks: blocks, keepBlocks: true)
            return (path: "part\(shard)", partial: PartialResult(info: RunInfo(scenarioFile: "u.yaml"), scenarioText: text, seed: Self.seed,
                                                                  trials: trials, shardIndex: shard, shardCount: 2, reduction: r))
        }
        let (merged, _) = try PartialResult.merge(parts)
        let whole = try Simulation.run(f, trials: trials, seed: Self.seed, threads: 2)
        #expect("\(merged.summaries)" == "\(whole.summaries)" && merged.layout == whole.layout)
    }
}

/// A trial's scenario without reading the document again (`ScenarioPatch`): equal to the decoded
/// scenario at random input values, and used for the bundled uncertain example.
@Suite struct ScenarioPatchTests {
    @Test func patchedScenariosEqualDecodedOnesAtRandomValues() throws {
        let extra = """
        support:
          agents: {distribution: uniform, min: 1, max: 4, name: agents}
          tickets_per_agent_per_month: 300
          first_contact_resolution: {distribution: beta, mean: 0.8, sd: 0.05, name: fcr}
        economics: {gross_margin: {distribution: triangular, min: 0.6, mode: 0.75, max: 0.9, name: margin}}
        """
        let churnBoth = UncertainScenarioTests.text(price: "{distribution: normal, mean: 29, sd: 2, name: price}",
                                                    churn: "{distribution: beta, mean: 0.06, sd: 0.01, name: churn}", extra: extra)
        for text in [churnBoth, UncertainScenarioTests.text(churn: "{distribution: beta, mean: 0.05, sd: 0.01, name: churn}")] {
            let root = try ScenarioLoader.compose(text: text, file: "u.yaml")
            let family = try ScenarioLoader.parseFamily(text: text, file: "u.yaml")
            let paths = family.inputs.inputs.map(\.path)
            let patch = try #require(ScenarioPatch.make(base: family.base, paths: paths, root: root), "no patch for \(paths)")
            var state: UInt64 = 0x9e37_79b9_7f4a_7c15
            for k in 0..<200 {
                let u = paths.indices.map { _ -> Double in
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    return (Double(state >> 11) / Double(1 << 53)) * 0.98 + 0.01
                }
                let values = zip(family.inputs.inputs, u).map { $0.distribution.quantile($1) }
                let decoded = try ScenarioLoader.decode(root, file: "u.yaml", paths: paths, values: values)
                #expect(patch.scenario(values) == decoded, "draw \(k): values \(values) for \(paths)")
                #expect(family.make(values) == decoded, "draw \(k): the family's make differs from decoding")
            }
        }
    }

    @Test func theBundledUncertainExampleCompilesTrialsWithoutDecoding() throws {
        let path = "Scenarios/uncertain-b2b-saas.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let root = try ScenarioLoader.compose(text: text, file: path)
        let family = try ScenarioLoader.parseFamily(text: text, file: path)
        #expect(ScenarioPatch.make(base: family.base, paths: family.inputs.inputs.map(\.path), root: root) != nil,
                "inputs \(family.inputs.inputs.map(\.path))")
    }

    @Test func aKeyThatSpreadsToOtherFieldsKeepsDecoding() throws {
        // support.tickets_per_month is the default of every plan without its own: no patch.
        let text = UncertainScenarioTests.text(extra: """
        support:
          agents: 2
          tickets_per_agent_per_month: 300
          first_contact_resolution: 0.8
          tickets_per_month: {distribution: uniform, min: 0.1, max: 0.3, name: rate}
        """)
        let root = try ScenarioLoader.compose(text: text, file: "u.yaml")
        let family = try ScenarioLoader.parseFamily(text: text, file: "u.yaml")
        #expect(ScenarioPatch.make(base: family.base, paths: family.inputs.inputs.map(\.path), root: root) == nil)
        let v = [0.25]
        #expect(family.make(v).plans.allSatisfy { $0.options.ticketsPerMonth == 0.25 })
    }
}
