import Foundation
import Testing

// End-to-end tests of `subcast fit` with the built binary: the published Fader & Hardie (2007)
// estimates, both retention-table layouts, holdout, the scenario snippet fed back into
// `subcast run`, recovery of known parameters from a simulated subscriptions export,
// grouping by plan, errors and exit codes, and `--out`.

// MARK: - Data

/// Fader & Hardie (2007), "How to Project Customer Retention", Table 1: customers of a cohort of
/// 1,000 alive at the start of years 1 ... 8, and the paper's maximum-likelihood estimates.
private struct PublishedCohort: Sendable, CustomTestStringConvertible {
    let name: String
    let alive: [Int]
    let alpha: Double
    let beta: Double
    let logLikelihood: Double
    var testDescription: String { name }

    /// `cohort,0,1,...` and one row.
    var wideCSV: String {
        "cohort," + alive.indices.map(String.init).joined(separator: ",") + "\n"
            + "\(name)," + alive.map(String.init).joined(separator: ",") + "\n"
    }

    /// `period,customers` and one row per period.
    var longCSV: String {
        "period,customers\n" + alive.enumerated().map { "\($0.offset),\($0.element)\n" }.joined()
    }
}

private let regular = PublishedCohort(name: "regular", alive: [1000, 631, 468, 382, 326, 289, 262, 241],
                                      alpha: 0.704, beta: 1.182, logLikelihood: -1680.265)
private let highEnd = PublishedCohort(name: "high end", alive: [1000, 869, 743, 653, 593, 551, 517, 491],
                                      alpha: 0.668, beta: 3.806, logLikelihood: -1611.158)

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny deterministic generator for test data, so the
/// data depend only on the seed printed by each test (also the numeric battery's picks).
struct FitTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }

    /// Uniform on 0 ..< n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Beta(a, b) by Jöhnk's algorithm: X = U^(1/a), Y = V^(1/b), accepted when X + Y <= 1, gives
    /// X / (X + Y). Computed in logarithms so that small exponents cannot underflow.
    mutating func beta(_ a: Double, _ b: Double) -> Double {
        while true {
            let lx = log(uniform()) / a, ly = log(uniform()) / b
            let m = max(lx, ly)
            let lsum = m + log(exp(lx - m) + exp(ly - m))
            if lsum <= 0 { return exp(lx - lsum) }
        }
    }

    /// Periods paid before churning when churning with probability p at every renewal:
    /// P(T > t) = (1 - p)^t, t = 0, 1, ... (capped at 100,000).
    mutating func geometric(_ p: Double) -> Int {
        if p >= 1 { return 1 }
        let t = (log(uniform()) / log1p(-p)).rounded(.up)
        return t >= 100_000 ? 100_000 : max(1, Int(t))
    }
}

/// `YYYY-MM-01` for month index m (0 = January 2023).
private func firstOfMonth(_ m: Int) -> String {
    let year = 2023 + m / 12, month = m % 12 + 1
    return "\(year)-" + (month < 10 ? "0" : "") + "\(month)-01"
}

/// The as-of date of the simulated exports and its month index (June 2026).
private let exportAsOf = "2026-06-30"
private let exportAsOfMonth = 3 * 12 + 5

/// One simulated plan of a subscriptions export.
private struct SimulatedPlan {
    var name: String
    var alpha: Double
    var beta: Double
    var customers: Int
    /// Amounts cycled through the plan's rows (empty: no amount column).
    var amounts: [Double] = []
}

/// A subscriptions export for sBG churn: each customer draws p ~ Beta(alpha, beta), then a
/// geometric lifetime T (periods paid); starts are the first of a month in 2023-01 ... 2025-12;
/// the end date is start + T months, left empty when that is after the as-of date. Rows of all
/// plans are interleaved (plans in the given order, so the file is not sorted by plan).
private func subscriptionsCSV(_ plans: [SimulatedPlan], seed: UInt64) -> String {
    var rng = FitTestRandom(seed: seed)
    let withPlan = plans.count > 1 || plans.contains { !$0.amounts.isEmpty }
    let withAmount = plans.contains { !$0.amounts.isEmpty }
    var lines = ["id,start,end" + (withPlan ? ",plan" : "") + (withAmount ? ",amount" : "")]
    var remaining = plans.map(\.customers)
    var id = 0
    while remaining.contains(where: { $0 > 0 }) {
        for (i, plan) in plans.enumerated() where remaining[i] > 0 {
            remaining[i] -= 1
            id += 1
            let start = rng.below(36)
            let p = rng.beta(plan.alpha, plan.beta)
            let lifetime = rng.geometric(p)
            let end = start + lifetime <= exportAsOfMonth ? firstOfMonth(start + lifetime) : ""
            var line = "sub_\(id),\(firstOfMonth(start)),\(end)"
            if withPlan { line += ",\(plan.name)" }
            if withAmount {
                line += plan.amounts.isEmpty ? "," : "," + String(format: "%.2f", plan.amounts[(plan.customers - remaining[i] - 1) % plan.amounts.count])
            }
            lines.append(line)
        }
    }
    return lines.joined(separator: "\n") + "\n"
}

// MARK: - Helpers

/// The groups of a `subcast fit --format json` output.
private func fitGroups(_ r: CLIResult) throws -> [[String: Any]] {
    let json = try r.json()
    #expect(json["schema"] as? String == "subcast-fit/1")
    return try #require(json["groups"] as? [[String: Any]], "no groups in \(r.stdout)")
}

private func number(_ group: [String: Any], _ key: String) throws -> Double {
    try #require(group[key] as? Double, "\(key) missing or not a number in \(group)")
}

private func pair(_ group: [String: Any], _ key: String) throws -> (Double, Double) {
    let v = try #require(group[key] as? [Double], "\(key) missing or not a pair in \(group)")
    try #require(v.count == 2, "\(key) has \(v.count) values")
    return (v[0], v[1])
}

/// A scenario with one plan whose churn is `snippet`, indented under the plan as a user would
/// paste it, and enough new subscribers that parameter uncertainty dominates process noise.
private func scenario(pasting snippet: String, seed: UInt64, trials: Int) -> String {
    let pasted = snippet.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    return """
    schema_version: 1
    name: fitted churn
    horizon_months: 12
    trials: \(trials)
    seed: \(seed)
    plans:
      - name: fitted
        price_per_month: 10
    \(pasted)
    acquisition:
      new_per_month: 10000

    """
}

// MARK: - Tests

@Suite struct FitCommandTests {
    // MARK: Published estimates

    @Test(arguments: [regular, highEnd])
    fileprivate func reproducesFaderHardie2007(_ cohort: PublishedCohort) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("table.csv", cohort.wideCSV)
        let r = try ws.run(["fit", path, "--format", "json"])
        #expect(r.status == 0, "\(cohort.name): exit \(r.status), stderr: \(r.stderr)")
        let groups = try fitGroups(r)
        try #require(groups.count == 1)
        let g = groups[0]
        let alpha = try number(g, "alpha"), beta = try number(g, "beta"), ll = try number(g, "log_likelihood")
        print("Fader & Hardie \(cohort.name): alpha \(alpha) beta \(beta) LL \(ll); published \(cohort.alpha) \(cohort.beta) \(cohort.logLikelihood)")
        #expect(abs(alpha - cohort.alpha) <= 0.0006, "\(cohort.name): alpha \(alpha), published \(cohort.alpha)")
        #expect(abs(beta - cohort.beta) <= 0.0006, "\(cohort.name): beta \(beta), published \(cohort.beta)")
        #expect(abs(ll - cohort.logLikelihood) <= 0.001, "\(cohort.name): log-likelihood \(ll), published \(cohort.logLikelihood)")
        #expect(g["subscribers"] as? Int == 1000)
        #expect(g["churn_events"] as? Int == cohort.alive[0] - cohort.alive.last!)
        #expect(g["plan"] is NSNull)
        // The standard errors and intervals are consistent with each other (log-scale intervals).
        let seLogAlpha = try number(g, "se_log_alpha"), seLogBeta = try number(g, "se_log_beta")
        #expect(abs(try number(g, "se_alpha") - alpha * seLogAlpha) <= 1e-12 * alpha)
        #expect(abs(try number(g, "se_beta") - beta * seLogBeta) <= 1e-12 * beta)
        let (aLow, aHigh) = try pair(g, "alpha_ci95"), (bLow, bHigh) = try pair(g, "beta_ci95")
        #expect(abs(aLow - alpha * exp(-1.959964 * seLogAlpha)) <= 1e-9 && abs(aHigh - alpha * exp(1.959964 * seLogAlpha)) <= 1e-9)
        #expect(abs(bLow - beta * exp(-1.959964 * seLogBeta)) <= 1e-9 && abs(bHigh - beta * exp(1.959964 * seLogBeta)) <= 1e-9)
        let correlation = try number(g, "correlation")
        #expect(correlation > -1 && correlation < 1)
        // One renewal check per observed renewal, with the observed churn of the table.
        let checks = try #require(g["renewal_check"] as? [[String: Any]])
        #expect(checks.map { $0["observed_churn"] as? Int } == (1..<cohort.alive.count).map { cohort.alive[$0 - 1] - cohort.alive[$0] })
        // Tenure tables: renewal rates rise with tenure (sBG), DERL is positive.
        let byTenure = try #require(g["by_tenure"] as? [[String: Any]])
        #expect(byTenure.map { $0["tenure"] as? Int } == [1, 2, 3, 6, 12, 24])
        let rates = byTenure.compactMap { $0["retention_rate"] as? Double }
        #expect(rates.count == 6 && zip(rates, rates.dropFirst()).allSatisfy { $0 < $1 }, "\(rates)")
        #expect(byTenure.allSatisfy { ($0["derl"] as? Double ?? 0) > 0 })
    }

    @Test(arguments: [regular, highEnd])
    fileprivate func longLayoutGivesTheSameNumbers(_ cohort: PublishedCohort) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        try ws.write("wide.csv", cohort.wideCSV)
        try ws.write("long.csv", cohort.longCSV)
        // Relative paths, so the outputs can differ only by the file name and the cohort label.
        let wide = try ws.run(["fit", "wide.csv", "--format", "json"])
        let long = try ws.run(["fit", "long.csv", "--format", "json"])
        #expect(wide.status == 0 && long.status == 0, "\(wide.stderr) \(long.stderr)")
        var w = try fitGroups(wide)[0], l = try fitGroups(long)[0]
        #expect(((w["cohort_check"] as? [[String: Any]])?.first?["cohort"] as? String) == cohort.name)
        #expect(((l["cohort_check"] as? [[String: Any]])?.first?["cohort"] as? String) == "customers")
        let wPeriods = (w["cohort_check"] as? [[String: Any]])?.first?["periods"] as? NSArray
        let lPeriods = (l["cohort_check"] as? [[String: Any]])?.first?["periods"] as? NSArray
        #expect(wPeriods != nil && wPeriods == lPeriods)
        w["cohort_check"] = nil
        l["cohort_check"] = nil
        #expect(NSDictionary(dictionary: w) == NSDictionary(dictionary: l), "\(cohort.name): wide and long fits differ")
        // Bit-identical numbers: the JSON texts differ only in the file name and the label.
        let normalise = { (text: String, file: String, label: String) in
            text.replacingOccurrences(of: file, with: "FILE").replacingOccurrences(of: "\"cohort\": \"\(label)\"", with: "\"cohort\": \"LABEL\"")
        }
        #expect(normalise(wide.stdout, "wide.csv", cohort.name) == normalise(long.stdout, "long.csv", "customers"))
    }

    @Test func holdoutLeavesTheLastPeriodsOutOfTheFit() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("regular.csv", regular.wideCSV)
        let r = try ws.run(["fit", path, "--holdout", "3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try r.json()["holdout_periods"] as? Int == 3)
        let g = try fitGroups(r)[0]
        // Only periods 1-5 (four renewals) are fitted: 369 + 163 + 86 + 56 churners.
        #expect(g["churn_events"] as? Int == 674)
        #expect(g["subscribers"] as? Int == 1000)
        let checks = try #require(g["renewal_check"] as? [[String: Any]])
        #expect(checks.map { $0["observed_churn"] as? Int } == [369, 163, 86, 56])
        let cohorts = try #require(g["cohort_check"] as? [[String: Any]])
        try #require(cohorts.count == 1)
        let periods = try #require(cohorts[0]["periods"] as? [[String: Any]])
        #expect(periods.map { $0["period"] as? Int } == Array(1...8))
        #expect(periods.map { $0["actual"] as? Int } == regular.alive)
        #expect(periods.map { $0["held_out"] as? Bool } == [false, false, false, false, false, true, true, true])
        // Predictions are n0 S(k) of the fitted model: 1000 at period 1, then falling.
        let predicted = periods.compactMap { $0["predicted"] as? Double }
        #expect(predicted.count == 8 && predicted[0] == 1000 && zip(predicted, predicted.dropFirst()).allSatisfy { $0 > $1 })
        // The fit differs from the full-data one.
        let full = try fitGroups(try ws.run(["fit", path, "--format", "json"]))[0]
        #expect(try number(full, "alpha") != number(g, "alpha"))
        // The table says which periods were held out.
        let table = try ws.run(["fit", path, "--holdout", "3"])
        #expect(table.status == 0)
        #expect(table.stdout.components(separatedBy: "held out").count - 1 == 4, "\(table.stdout)")  // 3 rows + the header line
    }

    // MARK: Snippet into `subcast run`

    @Test func snippetsLoadAndRunAndUncertaintyWidensTheSpread() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let table = try ws.write("regular.csv", regular.wideCSV)
        let seed: UInt64 = 99, trials = 200
        var sdByStyle: [String: Double] = [:]
        for style in ["point", "uncertain"] {
            let fit = try ws.run(["fit", table, "--format", "snippet", "--snippet", style])
            #expect(fit.status == 0, "\(style): \(fit.stderr)")
            #expect(fit.stdout.contains("churn:\n  alpha: "), "\(fit.stdout)")
            #expect(fit.stdout.contains("uncertainty:") == (style == "uncertain"), "\(fit.stdout)")
            let path = try ws.write("fitted-\(style).yaml", scenario(pasting: fit.stdout, seed: seed, trials: trials))
            let run = try ws.run(["run", path, "--format", "json", "--quiet"])
            #expect(run.status == 0, "\(style): exit \(run.status), stderr: \(run.stderr)")
            let json = try run.json()
            let closed = try #require(json["closed_form"] as? [String: Any])
            #expect(closed["at_point_estimates"] as? Bool == (style == "uncertain"), "\(style)")
            let months = try #require(json["months"] as? [[String: Any]])
            let mrr = try #require(months.last?["mrr"] as? [String: Any])
            let sd = try #require(mrr["sd"] as? Double)
            sdByStyle[style] = sd
            // Uncertain or not, the simulated mean stays near the closed form at the estimates.
            let mean = try #require(mrr["mean"] as? Double)
            let exact = try #require((closed["mrr"] as? [Double])?.last)
            print("snippet \(style): seed \(seed), \(trials) trials, month-12 MRR mean \(mean) sd \(sd), closed form \(exact)")
            #expect(abs(mean - exact) <= 0.02 * exact, "\(style): mean \(mean) vs closed form \(exact)")
        }
        let point = try #require(sdByStyle["point"]), uncertain = try #require(sdByStyle["uncertain"])
        #expect(uncertain > 2 * point, "seed \(seed): sd of MRR with uncertainty \(uncertain), without \(point)")
    }

    @Test func snippetInJSONMatchesSnippetFormat() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("regular.csv", regular.wideCSV)
        for style in ["point", "uncertain"] {
            let json = try ws.run(["fit", path, "--format", "json", "--snippet", style])
            let snippet = try ws.run(["fit", path, "--format", "snippet", "--snippet", style])
            #expect(try json.json()["scenario_snippet"] as? String == snippet.stdout, "\(style)")
        }
    }

    // MARK: Subscriptions export

    @Test func recoversKnownParametersFromASubscriptionsExport() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let seed: UInt64 = 20_260_630, alpha = 0.8, beta = 2.5, customers = 3000
        print("recovery: seed \(seed), alpha \(alpha), beta \(beta), \(customers) customers, starts 2023-01..2025-12, as of \(exportAsOf)")
        let csv = subscriptionsCSV([SimulatedPlan(name: "all", alpha: alpha, beta: beta, customers: customers)], seed: seed)
        let path = try ws.write("subscriptions.csv", csv)
        let r = try ws.run(["fit", path, "--as-of", exportAsOf, "--format", "json"])
        #expect(r.status == 0, "seed \(seed): exit \(r.status), stderr: \(r.stderr)")
        let json = try r.json()
        #expect(json["input_kind"] as? String == "subscriptions export")
        #expect(json["as_of"] as? String == exportAsOf)
        let g = try fitGroups(r)[0]
        let a = try number(g, "alpha"), b = try number(g, "beta")
        let seA = try number(g, "se_alpha"), seB = try number(g, "se_beta")
        let (aLow, aHigh) = try pair(g, "alpha_ci95"), (bLow, bHigh) = try pair(g, "beta_ci95")
        print("recovery: seed \(seed): alpha \(a) (se \(seA), 95 % \(aLow)-\(aHigh)), beta \(b) (se \(seB), 95 % \(bLow)-\(bHigh)), "
              + "\(g["churn_events"] ?? "?") churn events")
        #expect(g["subscribers"] as? Int == customers)
        let churned = csv.split(separator: "\n").dropFirst().filter { !$0.hasSuffix(",") }.count
        #expect(g["churn_events"] as? Int == churned, "seed \(seed)")
        #expect(aLow <= alpha && alpha <= aHigh, "seed \(seed): true alpha \(alpha) outside \(aLow)-\(aHigh)")
        #expect(bLow <= beta && beta <= bHigh, "seed \(seed): true beta \(beta) outside \(bLow)-\(bHigh)")
        #expect(abs(a - alpha) <= 4 * seA, "seed \(seed): alpha \(a), se \(seA), truth \(alpha)")
        #expect(abs(b - beta) <= 4 * seB, "seed \(seed): beta \(b), se \(seB), truth \(beta)")
    }

    @Test func byPlanFitsEachPlanSortedByNameWithItsMeanAmount() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let seed: UInt64 = 7
        let plans = [SimulatedPlan(name: "team", alpha: 1.5, beta: 12, customers: 1500, amounts: [95, 103]),
                     SimulatedPlan(name: "starter", alpha: 0.8, beta: 2.5, customers: 1500, amounts: [28, 30, 32])]
        print("by plan: seed \(seed), " + plans.map { "\($0.name) alpha \($0.alpha) beta \($0.beta) n \($0.customers)" }.joined(separator: "; "))
        let path = try ws.write("subscriptions.csv", subscriptionsCSV(plans, seed: seed))
        let r = try ws.run(["fit", path, "--as-of", exportAsOf, "--by-plan", "--format", "json"])
        #expect(r.status == 0, "seed \(seed): \(r.stderr)")
        let groups = try fitGroups(r)
        #expect(groups.map { $0["plan"] as? String } == ["starter", "team"])
        #expect(groups.map { $0["subscribers"] as? Int } == [1500, 1500])
        #expect(abs(try number(groups[0], "mean_amount") - 30) <= 1e-9)
        #expect(abs(try number(groups[1], "mean_amount") - 99) <= 1e-9)
        for (g, plan) in zip(groups, [plans[1], plans[0]]) {
            let (aLow, aHigh) = try pair(g, "alpha_ci95"), (bLow, bHigh) = try pair(g, "beta_ci95")
            print("by plan: seed \(seed): \(plan.name) alpha 95 % \(aLow)-\(aHigh), beta 95 % \(bLow)-\(bHigh)")
            #expect(abs(try number(g, "alpha") - plan.alpha) <= 4 * (try number(g, "se_alpha")), "seed \(seed) \(plan.name)")
            #expect(abs(try number(g, "beta") - plan.beta) <= 4 * (try number(g, "se_beta")), "seed \(seed) \(plan.name)")
        }

        // The snippet is a `plans:` list with the mean amounts as prices; it makes a scenario.
        let snippet = try ws.run(["fit", path, "--as-of", exportAsOf, "--by-plan", "--format", "snippet", "--snippet", "uncertain"])
        #expect(snippet.status == 0, "\(snippet.stderr)")
        let lines = snippet.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("plans:"), "\(snippet.stdout)")
        let names = lines.filter { $0.hasPrefix("  - name: ") }
        #expect(names.count == 2 && names[0].hasPrefix("  - name: starter ") && names[1].hasPrefix("  - name: team "), "\(names)")
        #expect(lines.filter { $0.hasPrefix("    price_per_month: ") }.map { $0.split(separator: " ")[1] } == ["30.00", "99.00"], "\(snippet.stdout)")
        #expect(lines.filter { $0 == "    churn:" }.count == 2)
        #expect(lines.filter { $0 == "      uncertainty:" }.count == 2)
        let scenarioPath = try ws.write("plans.yaml", """
            schema_version: 1
            name: by plan
            horizon_months: 6
            trials: 50
            seed: \(seed)
            \(snippet.stdout)
            acquisition:
              new_per_month: 100
              mix: {starter: 0.6, team: 0.4}

            """)
        let run = try ws.run(["run", scenarioPath, "--format", "json", "--quiet"])
        #expect(run.status == 0, "exit \(run.status), stderr: \(run.stderr)")
        #expect(((try run.json()["closed_form"] as? [String: Any])?["at_point_estimates"] as? Bool) == true)
    }

    // MARK: Errors

    @Test func subscriptionsNeedAsOf() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("subs.csv", "id,start,end\na,2024-01-01,2024-03-01\nb,2024-02-01,\n")
        let r = try ws.run(["fit", path])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("--as-of"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty)
        let bad = try ws.run(["fit", path, "--as-of", "2024-02-30"])
        #expect(bad.status == 2 && bad.stderr.contains("--as-of"), "\(bad.stderr)")
    }

    @Test func holdoutDoesNotApplyToSubscriptions() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("subs.csv", "id,start,end\na,2024-01-01,2024-03-01\nb,2024-02-01,\n")
        let r = try ws.run(["fit", path, "--as-of", "2024-06-30", "--holdout", "2"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("--holdout"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test func holdoutThatLeavesNothingToFitIsNamed() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("t.csv", "cohort,0,1,2,3,4,5,6,7\nregular,1000,631,468,382,326,289,262,241\n")
        let r = try ws.run(["fit", path, "--holdout", "6"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("--holdout") && r.stderr.contains("leaves no cohort"), "\(r.stderr)")
        #expect(try ws.run(["fit", path, "--holdout", "5"]).status == 0)
    }

    @Test func increasingSurvivorsAreReportedWithFileAndLine() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        try ws.write("bad.csv", "cohort,0,1,2,3\n2024-01,1000,631,468,382\n2024-02,800,500,520\n")
        let r = try ws.run(["fit", "bad.csv"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("bad.csv:3:4: 2: survivors must not increase: 520 at period 2 after 500 at period 1"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test func noChurnCannotBeFitted() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        try ws.write("flat.csv", "cohort,0,1,2,3\na,100,100,100,100\nb,50,50\n")
        let r = try ws.run(["fit", "flat.csv"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("flat.csv: cannot fit: no churn observed"), "\(r.stderr)")
    }

    @Test func exactlyGeometricDataIsHomogeneous() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        // 5^9 (4/5)^k: every renewal loses exactly 20 %; the likelihood is maximal at alpha, beta -> infinity.
        var n = 1_953_125
        var counts: [Int] = []
        for _ in 0...9 { counts.append(n); n = n / 5 * 4 }
        #expect(counts.last == 262_144)
        try ws.write("geometric.csv", "cohort," + (0...9).map(String.init).joined(separator: ",") + "\nall,"
                     + counts.map(String.init).joined(separator: ",") + "\n")
        let r = try ws.run(["fit", "geometric.csv"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("homogeneous"), "\(r.stderr)")
        #expect(r.stderr.contains("0.2 per period"), "\(r.stderr)")
    }

    @Test func missingFileIsBadInput() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let r = try ws.run(["fit", "no-such-file.csv"])
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("no-such-file.csv"), "\(r.stderr)")
    }

    @Test(arguments: [["--period", "week"], ["--format", "yaml"], ["--snippet", "fuzzy"], ["--holdout", "two"]])
    func unparseableOptionsExit64(_ extra: [String]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("regular.csv", regular.wideCSV)
        let r = try ws.run(["fit", path] + extra)
        #expect(r.status == 64, "\(extra): exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test(arguments: [["--holdout=-1"], ["--discount-rate", "0"], ["--as-of", "2024-01-01"], ["--by-plan"]])
    func invalidOptionValuesForATableExit2(_ extra: [String]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("regular.csv", regular.wideCSV)
        let r = try ws.run(["fit", path] + extra)
        #expect(r.status == 2, "\(extra): exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("<command line>"), "\(extra): \(r.stderr)")
    }

    // MARK: --out

    @Test func outWritesTheThreeFiles() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("regular.csv", regular.wideCSV)
        let dir = ws.file("fit/regular")
        let json = try ws.run(["fit", path, "--format", "json", "--snippet", "uncertain", "--out", dir])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["churn-snippet.yaml", "fit.json", "fit.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/fit.json")) == json.stdoutData, "fit.json differs from --format json")
        let snippet = try ws.run(["fit", path, "--format", "snippet", "--snippet", "uncertain"])
        #expect(try String(contentsOfFile: dir + "/churn-snippet.yaml", encoding: .utf8) == snippet.stdout)
        let table = try ws.run(["fit", path, "--snippet", "uncertain"])
        let text = try String(contentsOfFile: dir + "/fit.txt", encoding: .utf8)
        #expect(text + "\nScenario snippet:\n" + snippet.stdout == table.stdout, "fit.txt is not the table part of the table output")
        #expect(text.contains("All subscribers") && text.contains("DERL"))
    }
}

/// Fitted churn uncertainty is an uncertain input for every command that works with them.
@Suite struct FittedUncertaintyAsInputsTests {
    static let scenario = """
        schema_version: 1
        name: fitted
        horizon_months: 24
        trials: 2000
        seed: 3
        plans:
          - name: p
            price_per_month: 20
            churn: {alpha: 0.7, beta: 9, uncertainty: {se_log_alpha: 0.15, se_log_beta: 0.2, correlation: 0.8}}
        acquisition: {new_per_month: 300}
        """

    @Test func sensitivityAndSeparateUncertaintySeeTheFittedInputs() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("f.yaml", Self.scenario)
        let s = try ws.run(["sensitivity", path, "--metric", "mrr", "--samples", "32", "--trials", "40", "--quiet"])
        #expect(s.status == 0 && s.stdout.contains("plans[0].churn.alpha") && s.stdout.contains("plans[0].churn.beta"), "\(s.stderr)")
        let sep = try ws.run(["run", path, "--separate-uncertainty", "--trials", "200", "--quiet"])
        #expect(sep.status == 0 && sep.stdout.contains("from inputs"), "\(sep.stderr)")
        // The draws: lognormal with median 0.7 and log-sd 0.15: mean 0.7 exp(0.15^2 / 2), sd mean sqrt(exp(0.15^2) - 1).
        let r = try ws.run(["run", path, "--format", "json", "--quiet"])
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let alpha = try #require(json["input:plans[0].churn.alpha"] as? [String: Any])
        let mean = try #require(alpha["mean"] as? Double), sd = try #require(alpha["sd"] as? Double)
        let exactMean = 0.7 * exp(0.15 * 0.15 / 2), exactSD = exactMean * (exp(0.15 * 0.15) - 1).squareRoot()
        #expect(abs(mean - exactMean) < 4 * exactSD / sqrt(2000) && abs(sd / exactSD - 1) < 0.08,
                "alpha drawn with mean \(mean) (exact \(exactMean)), sd \(sd) (exact \(exactSD)), seed 3, 2000 trials")
        // The run report lists the plan's parameters as drawn, not "none", with the draws' table.
        let h = try ws.run(["run", path, "--trials", "50", "--quiet", "--report", "f.html"])
        #expect(h.status == 0, "\(h.stderr)")
        let html = try String(contentsOfFile: ws.file("f.html"), encoding: .utf8)
        #expect(html.contains("drawn: plans[0].churn.alpha, plans[0].churn.beta") && html.contains("Uncertain inputs, as drawn over the trials"))
    }
}
