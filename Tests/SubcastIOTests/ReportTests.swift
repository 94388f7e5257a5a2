import Foundation
import SubcastCore
import Testing
@testable import SubcastIO

@Suite struct ReportTests {
    static let seed: UInt64 = 9_182_736
    static let statKeys: Set<String> = ["n", "mean", "sd", "se", "p5", "p25", "p50", "p75", "p95", "se_p5", "se_p25", "se_p50", "se_p75", "se_p95"]
    static let monthKeys: Set<String> = ["month", "active", "new", "churned", "mrr", "arr", "arpu",
                                         "logo_churn_rate", "revenue_churn_rate", "cumulative_revenue", "new_mrr", "churned_mrr"]
    static let topKeys = ["schema", "subcast_version", "generator", "gsl_version", "scenario", "scenario_file",
                          "currency", "seed", "trials", "horizon_months", "lifetime_months", "months", "retention",
                          "acquired", "cltv", "cltv_naive", "ltv_cac", "cac_payback_month", "closed_form"]

    static func run(_ s: Scenario, seed: UInt64 = seed, threads: Int = 2) throws -> SimulationResult {
        try Simulation.run(s, seed: seed, threads: threads)
    }

    static func object(_ json: String) throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        return try #require(any as? [String: Any], "top level is not an object")
    }

    /// Checks a summary object: exactly the documented keys, n an integer, statistics numbers or null.
    static func checkSummary(_ value: Any?, _ context: String, allNull: Bool = false) {
        guard let s = value as? [String: Any] else {
            Issue.record("\(context): not an object: \(String(describing: value))"); return
        }
        #expect(Set(s.keys) == statKeys, "\(context): keys \(s.keys.sorted())")
        #expect(s["n"] is NSNumber, "\(context): n \(String(describing: s["n"]))")
        for k in statKeys where k != "n" {
            if allNull {
                #expect(s[k] is NSNull, "\(context).\(k) should be null, got \(String(describing: s[k]))")
            } else {
                #expect(s[k] is NSNumber || s[k] is NSNull, "\(context).\(k): \(String(describing: s[k]))")
            }
        }
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let scenario = reportScenario(cac: 120)
        let r = try Self.run(scenario)
        let text = JSONReport.render(r, info: RunInfo(scenarioFile: "dir/report test.yaml"))
        #expect(text.hasSuffix("}\n"))
        let o = try Self.object(text)
        #expect(Set(o.keys) == Set(Self.topKeys), "top-level keys \(o.keys.sorted())")
        // Keys keep the documented order (top-level keys are the lines indented by two spaces).
        let order = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  \""), !line.hasPrefix("   ") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "\"" })
        }
        #expect(order == Self.topKeys)

        #expect(o["schema"] as? String == "subcast-run/1")
        #expect(o["scenario"] as? String == "report test")
        #expect(o["scenario_file"] as? String == "dir/report test.yaml")
        #expect(o["currency"] as? String == "EUR")
        #expect((o["seed"] as? NSNumber)?.uint64Value == Self.seed)
        #expect((o["trials"] as? NSNumber)?.intValue == scenario.trials)
        #expect((o["horizon_months"] as? NSNumber)?.intValue == 6)
        #expect((o["lifetime_months"] as? NSNumber)?.intValue == 24)
        #expect(o["subcast_version"] as? String == Simulation.version)

        let months = try #require(o["months"] as? [[String: Any]])
        #expect(months.count == 6)
        for (i, m) in months.enumerated() {
            #expect(Set(m.keys) == Self.monthKeys, "months[\(i)] keys \(m.keys.sorted())")
            #expect((m["month"] as? NSNumber)?.intValue == i + 1)
            for k in Self.monthKeys where k != "month" { Self.checkSummary(m[k], "months[\(i)].\(k)") }
            let active = try #require(m["active"] as? [String: Any])
            #expect((active["n"] as? NSNumber)?.intValue == scenario.trials)
            // The values are the simulation's summaries.
            // Foundation's JSONSerialization on Linux is not correctly rounded (it can read
            // 146.22500000000002 as 146.22500000000005), so compare within a few ulps.
            let parsed = try #require((active["mean"] as? NSNumber)?.doubleValue)
            let exact = r.summary("active", month: i + 1)!.mean
            #expect(abs(parsed - exact) <= 1e-13 * abs(exact), "\(parsed) vs \(exact)")
            let mrr = try #require(m["mrr"] as? [String: Any]), arr = try #require(m["arr"] as? [String: Any])
            let mrrMean = try #require((mrr["mean"] as? NSNumber)?.doubleValue)
            let arrMean = try #require((arr["mean"] as? NSNumber)?.doubleValue)
            #expect(abs(arrMean - 12 * mrrMean) <= 1e-9 * arrMean, "month \(i + 1): arr \(arrMean) vs 12 x mrr \(mrrMean)")
        }

        let retention = try #require(o["retention"] as? [String: Any])
        #expect(Set(retention.keys) == ["pooled", "cohorts"])
        let pooled = try #require(retention["pooled"] as? [[String: Any]])
        #expect(!pooled.isEmpty)
        for (i, p) in pooled.enumerated() {
            #expect((p["tenure_month"] as? NSNumber)?.intValue == i + 1)
            #expect(Set(p.keys) == Self.statKeys.union(["tenure_month"]), "pooled[\(i)] keys \(p.keys.sorted())")
        }
        let cohorts = try #require(retention["cohorts"] as? [[String: Any]])
        #expect(cohorts.compactMap { ($0["cohort_month"] as? NSNumber)?.intValue } == [1, 3])
        for c in cohorts {
            let curve = try #require(c["curve"] as? [[String: Any]])
            #expect(!curve.isEmpty)
            #expect(curve.allSatisfy { Set($0.keys) == Self.statKeys.union(["tenure_month"]) })
        }

        for k in ["acquired", "cltv", "cltv_naive", "ltv_cac", "cac_payback_month"] {
            Self.checkSummary(o[k], k)
        }
        let ltvCac = try #require(o["ltv_cac"] as? [String: Any])
        #expect(ltvCac["mean"] is NSNumber, "with a CAC, LTV:CAC is defined: \(ltvCac)")

        let closed = try #require(o["closed_form"] as? [String: Any])
        #expect(Set(closed.keys) == ["active", "mrr", "new", "retention", "cltv", "cltv_unlimited_lifetime", "at_point_estimates"])
        for k in ["active", "mrr", "new"] { #expect((closed[k] as? [Any])?.count == 6, "closed_form.\(k)") }
        #expect((closed["cltv"] as? NSNumber)?.doubleValue == r.closedForm.cltv)
    }

    @Test func undefinedStatisticsAreJSONNull() throws {
        // Without a CAC, LTV:CAC is undefined in every trial.
        let r = try Self.run(reportScenario(cac: 0))
        #expect(r.scalar("ltv_cac")!.n == 0)
        let o = try Self.object(JSONReport.render(r, info: RunInfo(scenarioFile: "x.yaml")))
        Self.checkSummary(o["ltv_cac"], "ltv_cac", allNull: true)
        #expect(((o["ltv_cac"] as? [String: Any])?["n"] as? NSNumber)?.intValue == 0)
        #expect(!JSONReport.render(r, info: RunInfo(scenarioFile: "x.yaml")).contains("nan"))

        // CSV: empty cells; table: no LTV:CAC line.
        let csv = try #require(parseCSV(CSVReport.render(r, info: RunInfo(scenarioFile: "x.yaml"))))
        let rows = csv.filter { $0.count == 4 && $0[1] == "ltv_cac" }
        #expect(rows.count == 14)
        #expect(rows.first { $0[2] == "n" }?[3] == "0")
        #expect(rows.filter { $0[2] != "n" }.allSatisfy { $0[3].isEmpty }, "\(rows)")
        #expect(!TableReport.render(r, info: RunInfo(scenarioFile: "x.yaml")).contains("LTV : CAC"))
    }

    @Test func jsonEscapesStrings() throws {
        let name = "Quote \" backslash \\ newline \n tab \t bell \u{7} unicode é ✓ 🚀"
        let r = try Self.run(reportScenario(name: name, horizon: 2, trials: 5))
        let file = "C:\\dir\\a \"b\".yaml"
        let o = try Self.object(JSONReport.render(r, info: RunInfo(scenarioFile: file)))
        #expect(o["scenario"] as? String == name)
        #expect(o["scenario_file"] as? String == file)
    }

    @Test func csvRowsHaveFourFields() throws {
        let r = try Self.run(reportScenario(cac: 50))
        let text = CSVReport.render(r, info: RunInfo(scenarioFile: "plain.yaml"))
        #expect(text.hasPrefix("month,metric,statistic,value\n"))
        #expect(text.hasSuffix("\n"))
        // Without special characters in the strings, a naive split already gives 4 fields.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for (i, line) in lines.enumerated() {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 4, "line \(i + 1): \(line)")
        }
        let rows = try #require(parseCSV(text))
        #expect(rows.count == lines.count)
        #expect(rows[0] == ["month", "metric", "statistic", "value"])
        let data = rows.dropFirst()
        for row in data {
            #expect(row[0].isEmpty || Int(row[0]) != nil, "month cell \(row)")
            if row[2] != "info" { #expect(row[3].isEmpty || Double(row[3]) != nil, "value cell \(row)") }
        }
        // Every monthly metric has all statistics in every month, plus closed_form for active/new/mrr.
        for m in 1...6 {
            for metric in Self.monthKeys.subtracting(["month"]) {
                let stats = Set(data.filter { $0[0] == String(m) && $0[1] == metric }.map { $0[2] })
                let expected = ["active", "new", "mrr"].contains(metric) ? Self.statKeys.union(["closed_form"]) : Self.statKeys
                #expect(stats == expected, "month \(m) \(metric): \(stats.sorted())")
            }
        }
        let info = Dictionary(uniqueKeysWithValues: data.filter { $0[2] == "info" }.map { ($0[1], $0[3]) })
        #expect(info["scenario"] == "report test")
        #expect(info["seed"] == String(Self.seed))
        #expect(info["trials"] == "40")
        #expect(info["scenario_file"] == "plain.yaml")
        #expect(data.contains { $0 == ["", "cltv", "closed_form", NumberFormat.exact(r.closedForm.cltv)!] })
        #expect(data.contains { $0[1] == "retention_cohort_3" && $0[2] == "mean" })
        #expect(data.contains { $0[1] == "retention" && $0[0] == "1" && $0[2] == "p50" })
    }

    @Test func csvQuotesTextWithCommasQuotesAndLineBreaks() throws {
        let name = "Acme, \"Inc\"\nsecond line"
        let file = "dir,with,commas/\"x\".yaml"
        let r = try Self.run(reportScenario(name: name, horizon: 2, trials: 5))
        let rows = try #require(parseCSV(CSVReport.render(r, info: RunInfo(scenarioFile: file))), "malformed CSV quoting")
        for (i, row) in rows.enumerated() { #expect(row.count == 4, "record \(i): \(row)") }
        #expect(rows.contains { $0 == ["", "scenario", "info", name] })
        #expect(rows.contains { $0 == ["", "scenario_file", "info", file] })
        #expect(CSVReport.field("plain") == "plain")
        #expect(CSVReport.field("a,b") == "\"a,b\"")
        #expect(CSVReport.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }

    @Test func tableNamesScenarioAndSeed() throws {
        let r = try Self.run(reportScenario(name: "Table Scenario", cac: 80))
        let text = TableReport.render(r, info: RunInfo(scenarioFile: "t.yaml"))
        #expect(text.contains("scenario \"Table Scenario\" (t.yaml)"), "\(text)")
        #expect(text.contains("seed \(Self.seed)"), "\(text)")
        #expect(text.contains("40 trials"), "\(text)")
        #expect(text.contains("Monthly recurring revenue (EUR)"), "\(text)")
        #expect(text.contains("LTV : CAC"), "with a CAC the table shows LTV:CAC: \(text)")
        // One row per key month: 1, 3, 6.
        let monthRows = text.split(separator: "\n").filter { line in ["1 ", "3 ", "6 "].contains { line.hasPrefix($0) } }
        #expect(monthRows.count == 3, "\(text)")
    }

    @Test func tableKeyMonths() {
        #expect(TableReport.keyMonths(horizon: 1) == [1])
        #expect(TableReport.keyMonths(horizon: 6) == [1, 3, 6])
        #expect(TableReport.keyMonths(horizon: 13) == [1, 3, 6, 12, 13])
        #expect(TableReport.keyMonths(horizon: 60) == [1, 3, 6, 12, 24, 36, 48, 60])
    }

    @Test func outputIsIdenticalForAnyThreadCountAndChangesWithTheSeed() throws {
        // Enough trials for several engine blocks, so the threads really split the work.
        let scenario = reportScenario(cac: 60, horizon: 12, trials: 300)
        let info = RunInfo(scenarioFile: "det.yaml")
        let one = try Self.run(scenario, threads: 1), two = try Self.run(scenario, threads: 2), four = try Self.run(scenario, threads: 4)
        let json1 = JSONReport.render(one, info: info)
        #expect(json1 == JSONReport.render(two, info: info), "seed \(Self.seed): JSON differs between 1 and 2 threads")
        #expect(json1 == JSONReport.render(four, info: info), "seed \(Self.seed): JSON differs between 1 and 4 threads")
        #expect(CSVReport.render(one, info: info) == CSVReport.render(two, info: info), "seed \(Self.seed): CSV differs")
        #expect(TableReport.render(one, info: info) == TableReport.render(two, info: info), "seed \(Self.seed): table differs")
        let other = try Self.run(scenario, seed: Self.seed + 1, threads: 2)
        #expect(JSONReport.render(other, info: info) != json1, "seeds \(Self.seed) and \(Self.seed + 1) gave the same JSON")
    }

    @Test func horizonOfOneMonth() throws {
        let r = try Self.run(reportScenario(horizon: 1, trials: 5))
        let o = try Self.object(JSONReport.render(r, info: RunInfo(scenarioFile: "one.yaml")))
        #expect((o["months"] as? [Any])?.count == 1)
        let rows = try #require(parseCSV(CSVReport.render(r, info: RunInfo(scenarioFile: "one.yaml"))))
        #expect(rows.allSatisfy { $0.count == 4 })
        #expect(TableReport.render(r, info: RunInfo(scenarioFile: "one.yaml")).contains("Median MRR in month 1"))
    }
}

@Suite struct WholeNumberFormattingTests {
    @Test func wholeNumbersOffByRoundingArePrintedWhole() {
        #expect(NumberFormat.exact(139.99999999999994) == "140")
        #expect(NumberFormat.exact(140.00000000000003) == "140")
        #expect(NumberFormat.exact(22.001266179252028) == "22.001266179252028")
        #expect(NumberFormat.exact(0.30000000000000004) == "0.30000000000000004")
        #expect(NumberFormat.exact(2.5) == "2.5")
        #expect(NumberFormat.exact(-7.000000000000001) == "-7")
    }
}
