import Foundation
import Testing

/// `subcast optimize` end to end: the JSON's `best`, byte-identical outputs across thread
/// counts, CSV rows per candidate, and errors.
@Suite struct OptimizeCommandTests {
    static let scenario = """
        schema_version: 1
        name: price-optimum
        horizon_months: 24
        trials: 60
        seed: 5
        plans:
          - {name: p, price_per_month: 20, churn: {mean_per_month: 0.05, heterogeneity: 0}}
        acquisition: {new_per_month: 2000}
        pricing: {elasticity: -2}
        economics: {gross_margin: 1, discount_rate_per_year: 0.1, cac_per_subscriber: 0}
        costs: {serving_per_subscriber: 10}
        decisions:
          - {key: plans.p.price_per_month, range: {from: 14, to: 26, step: 3}}
        objective: {maximize: npv, statistic: mean}
        constraints:
          - {metric: cash_trough, statistic: p5, at_least: 0}
        """

    @Test func theJSONNamesTheBestDecisionAndIsTheSameOnAnyThreadCount() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("o.yaml", Self.scenario)
        let one = try ws.run(["optimize", path, "--format", "json", "--threads", "1", "--quiet"])
        let two = try ws.run(["optimize", path, "--format", "json", "--threads", "2", "--quiet"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout == two.stdout, "the same seed gave other bytes on 1 and 2 threads")
        let json = try #require(try JSONSerialization.jsonObject(with: one.stdoutData) as? [String: Any])
        let best = try #require(json["best"] as? [String: Any])
        let decision = try #require(best["decision"] as? [String: Any])
        let price = try #require(decision["plans.p.price_per_month"] as? Double)
        // c e / (1 + e) = 10 x -2 / -1 = 20: the grid's nearest values are 17 and 20.
        #expect(price == 20 || price == 17, "chose \(price)")
        #expect(best["objective"] is Double && json["probability_correct_selection"] is Double)
        let constraints = try #require(best["constraints"] as? [[String: Any]])
        #expect(constraints.count == 1 && constraints[0]["holds"] as? Bool == true)
        let candidates = try #require(json["candidates"] as? [[String: Any]])
        #expect(candidates.count == 5)
    }

    @Test func tableAndCSVOutputs() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("o.yaml", Self.scenario)
        let table = try ws.run(["optimize", path, "--quiet"])
        #expect(table.status == 0 && table.stdout.contains("Best: plans.p.price_per_month = "), "\(table.stderr)")
        #expect(table.stdout.contains("probability that it is really the best"))
        let csv = try ws.run(["optimize", path, "--out", "o.csv", "--quiet"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let text = try String(contentsOfFile: ws.file("o.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n")
        #expect(rows.count == 6 && rows[0].hasPrefix("candidate,plans.p.price_per_month,trials,objective"), "\(rows.first ?? "")")
        #expect(rows.dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[8] == "1" }.count == 1,
                "exactly one candidate is marked best")
    }

    @Test func theHTMLReportIsSelfContainedWithItsChart() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("o.yaml", Self.scenario)
        let r = try ws.run(["optimize", path, "--report", "o.html", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: ws.file("o.html"), encoding: .utf8)
        #expect(html.contains("data-chart=\"optimize-objective\"") && html.contains("Best: plans.p.price_per_month = "))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(!html.contains("&amp;gt;"), "text escaped twice")
        // Planned before simulating: the report cannot be the scenario itself.
        let bad = try ws.run(["optimize", path, "--report", "o.yaml", "--quiet"])
        #expect(bad.status == 1 && bad.stderr.contains("input"), "\(bad.stderr)")
    }

    @Test func aScenarioWithoutDecisionsIsALocatedError() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario())
        let r = try ws.run(["optimize", path])
        #expect(r.status == 2 && r.stderr.contains("decisions"), "\(r.stderr)")
        let bad = try ws.write("b.yaml", Self.scenario.replacingOccurrences(of: "statistic: p5", with: "statistic: p500"))
        let b = try ws.run(["optimize", bad])
        #expect(b.status == 2 && b.stderr.contains("b.yaml:") && b.stderr.contains("constraints[0].statistic"), "\(b.stderr)")
        let v = try ws.run(["optimize", path, "--max-trials", "1"])
        #expect(v.status == 2, "\(v.stderr)")
    }

    /// A space above the exhaustive limit is searched by coordinates (auto), refused with
    /// --search exhaustive, and its report shows the search's path.
    @Test func aLargeSpaceIsSearchedByCoordinates() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let large = Self.scenario
            .replacingOccurrences(of: "range: {from: 14, to: 26, step: 3}", with: "range: {from: 14, to: 26}")
            .replacingOccurrences(of: "trials: 60", with: "trials: 20")
            .replacingOccurrences(of: "horizon_months: 24", with: "horizon_months: 12")
            + "\n  - {key: economics.cac_per_subscriber, values: [0, 5]}\n"
        let text = large.replacingOccurrences(of: "constraints:\n  - {metric: cash_trough, statistic: p5, at_least: 0}\n", with: "")
            .replacingOccurrences(of: "objective: {maximize: npv, statistic: mean}\n", with: "")
            + "objective: {maximize: npv, statistic: mean}\n"
        let path = try ws.write("l.yaml", text)
        let refused = try ws.run(["optimize", path, "--search", "exhaustive", "--quiet"])
        #expect(refused.status == 2 && refused.stderr.contains("2002 candidates") && refused.stderr.contains("--search coordinate"),
                "\(refused.stderr)")
        let r = try ws.run(["optimize", path, "--max-trials", "20", "--report", "l.html", "--format", "json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let search = try #require(json["search"] as? [String: Any])
        #expect(search["space_size"] as? Int == 2002 && (search["evaluated"] as? Int ?? 0) < 200, "\(search)")
        let decision = try #require((json["best"] as? [String: Any])?["decision"] as? [String: Any])
        #expect(decision["economics.cac_per_subscriber"] as? Double == 0, "\(decision)")
        let html = try String(contentsOfFile: ws.file("l.html"), encoding: .utf8)
        #expect(html.contains("data-chart=\"optimize-search\"") && html.contains("2,002 candidates in the space"))
    }

    /// Goal seek on the core model: the sign-ups that give a mean of 5,000 active subscribers in
    /// month 12 are 5000 / sum_{k<12} S(k) (sBG alpha 0.5, beta 12: 496.9457), found within 4
    /// of the reported standard errors.
    @Test func goalSeekFindsTheClosedFormArrivals() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("g.yaml", """
            schema_version: 1
            name: goal
            horizon_months: 12
            trials: 200
            seed: 11
            plans:
              - {name: p, price_per_month: 10, churn: {alpha: 0.5, beta: 12}}
            acquisition: {new_per_month: 1000}
            """)
        let r = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "mean:active@12=5000",
                            "--between", "100", "2000", "--format", "json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let solution = try #require(json["solution"] as? [String: Any])
        let value = try #require(solution["value"] as? Double), se = try #require(solution["se"] as? Double)
        let reached = try #require(solution["reached"] as? Double)
        #expect(solution["key"] as? String == "acquisition.new_per_month")
        #expect(se > 0 && abs(value - 496.94568) <= 4 * se, "found \(value) +/- \(se), exact 496.94568, seed 11, 200 trials")
        #expect(abs(reached - 5000) < 20, "reached \(reached)")
        // The same bytes on one thread, and the HTML report beside the JSON.
        let one = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "mean:active@12=5000",
                              "--between", "100", "2000", "--format", "json", "--quiet", "--threads", "1", "--report", "g.html"])
        #expect(one.stdout == r.stdout)
        let html = try String(contentsOfFile: ws.file("g.html"), encoding: .utf8)
        #expect(html.contains("data-chart=\"goal-seek\"") && html.contains("acquisition.new_per_month = 496."), "report")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        let clash = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "mean:active@12=5000",
                                "--between", "100", "2000", "--quiet", "--report", "g.yaml"])
        #expect(clash.status == 1 && clash.stderr.contains("input"), "\(clash.stderr)")
        // A bracket the target is not in, a bad statistic, and a negative end are located errors.
        let out = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "active@12=5000", "--between", "100", "200"])
        #expect(out.status == 2 && out.stderr.contains("widen --between"), "\(out.stderr)")
        let stat = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "p500:active@12=5", "--between", "1", "2"])
        #expect(stat.status == 2 && stat.stderr.contains("--target"), "\(stat.stderr)")
        let neg = try ws.run(["goal-seek", path, "--vary", "acquisition.new_per_month", "--target", "active@12=5", "--between=-5", "2"])
        #expect(neg.status == 2 && neg.stderr.contains("-5") && !neg.stderr.contains("line 0"), "\(neg.stderr)")
    }

    /// A whole-number key (the switch month) is searched over whole numbers, not refused halfway.
    @Test func goalSeekOnAWholeNumberKeyStaysOnWholeNumbers() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("g.yaml", """
            schema_version: 1
            name: goal
            horizon_months: 24
            trials: 50
            seed: 11
            plans:
              - {name: p, price_per_month: 10, churn: {alpha: 0.5, beta: 12}}
            acquisition: {new_per_month: 100}
            free_trial: {months: 1, conversion: 0.5}
            """)
        let r = try ws.run(["goal-seek", path, "--vary", "free_trial.months", "--target", "mean:active@24=900",
                            "--between", "1", "12", "--format", "json", "--quiet"])
        #expect(r.status == 0 || r.status == 2, "\(r.stderr)")
        if r.status == 0 {
            let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
            let solution = try #require(json["solution"] as? [String: Any])
            let value = try #require(solution["value"] as? Double)
            #expect(value == value.rounded() && solution["whole_numbers"] as? Bool == true, "\(solution)")
        } else {
            #expect(r.stderr.contains("widen --between"), "\(r.stderr)")
        }
    }

    /// Range values carry no rounding error, and a step too small to tell values apart is refused.
    @Test func rangeValuesAreClean() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("r.yaml", Self.scenario.replacingOccurrences(
            of: "range: {from: 14, to: 26, step: 3}", with: "range: {from: 14.1, to: 14.7, step: 0.2}"))
        let r = try ws.run(["optimize", path, "--format", "csv", "--quiet", "--trials", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let prices = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(prices == ["14.1", "14.3", "14.5", "14.7"], "\(prices)")
        let tiny = try ws.write("t.yaml", Self.scenario.replacingOccurrences(
            of: "range: {from: 14, to: 26, step: 3}", with: "range: {from: 1e17, to: 1.00000000000001e17, step: 1}"))
        let t = try ws.run(["optimize", tiny, "--quiet"])
        #expect(t.status == 2 && (t.stderr.contains("coincide") || t.stderr.contains("at most")), "\(t.stderr)")
    }
}

