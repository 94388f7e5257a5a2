import Foundation
import Testing

/// `subcast compare`: a scenario's variants or several files, on common random numbers; output
/// formats, thread invariance, files and errors, run through the built binary.
@Suite struct CompareCommandTests {
    /// `smallScenario` (seed 4242, 12 months) with three variants; `same` repeats the base.
    static func withVariants(horizon: Int = 12) -> String {
        smallScenario(horizon: horizon) + """
        variants:
          - name: same
            description: changes nothing
            set:
              plans.basic.price_per_month: 10
          - name: pro-up
            description: Pro at 50
            set:
              plans.pro.price_per_month: 50
          - name: stickier
            set:
              plans.basic.churn: {alpha: 1, beta: 12}

        """
    }

    static func strategy(_ metric: [String: Any], _ name: String) -> [String: Any]? {
        (metric["strategies"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test func theHTMLReportShowsValueVerdictsAndIsTheSameOnAnyThreadCount() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", CompareCommandTests.withVariants().replacingOccurrences(of: "variants:", with: """
            support: {agents: 2, tickets_per_agent_per_month: 500, cost_per_agent_per_month: 3000, first_contact_resolution: 0.8}
            variants:
              - name: one-more-agent
                set: {support.agents: 3}
            """))
        let one = try ws.run(["compare", path, "--trials", "128", "--threads", "1", "--quiet", "--report", ws.file("one.html")])
        let two = try ws.run(["compare", path, "--trials", "128", "--threads", "2", "--quiet", "--report", ws.file("two.html")])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        let a = try String(contentsOfFile: ws.file("one.html"), encoding: .utf8)
        let b = try String(contentsOfFile: ws.file("two.html"), encoding: .utf8)
        #expect(a == b, "seed 4242: the report differs between 1 and 2 threads")
        #expect(a.contains("one-more-agent: NPV -") && a.contains("it loses money"), "an agent the load does not need costs money")
        #expect(a.contains("data-chart=\"compare-cash\"") && a.contains("data-chart=\"compare-npv\""))
        #expect(one.stdout.contains("What each strategy is worth against the base"))
    }

    @Test func comparesVariantsInJSON() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", CompareCommandTests.withVariants())
        let r = try ws.run(["compare", path, "--format", "json", "--trials", "128"])
        #expect(r.status == 0, "seed 4242: exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("128 trials x 4 strategies in "), "\(r.stderr)")
        let o = try r.json()
        #expect(o["schema"] as? String == "subcast-compare/1")
        #expect((o["seed"] as? NSNumber)?.uint64Value == 4242 && (o["trials"] as? NSNumber)?.intValue == 128)
        let strategies = try #require(o["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["name"] as? String } == ["base", "same", "pro-up", "stickier"])
        #expect(strategies[0]["base"] as? Bool == true && strategies[1]["description"] as? String == "changes nothing")
        let metrics = try #require(o["metrics"] as? [[String: Any]])
        let mrr = try #require(metrics.first { $0["metric"] as? String == "mrr@12" })
        #expect(mrr["better"] as? String == "higher" && (mrr["month"] as? NSNumber)?.intValue == 12)
        let same = try #require(CompareCommandTests.strategy(mrr, "same"))
        let d = try #require(same["difference"] as? [String: Any])
        #expect((d["mean"] as? NSNumber)?.doubleValue == 0 && (d["se"] as? NSNumber)?.doubleValue == 0, "\(d)")
        #expect((same["p_beats_base"] as? NSNumber)?.doubleValue == 0)
        let up = try #require(CompareCommandTests.strategy(mrr, "pro-up"))
        #expect((up["p_beats_base"] as? NSNumber)?.doubleValue == 1, "a higher price with the same subscribers always wins")
        #expect((up["p_best"] as? NSNumber)?.doubleValue ?? 0 > 0)
        let churned = try #require(metrics.first { $0["metric"] as? String == "churned@total" })
        #expect(churned["better"] as? String == "lower" && churned["point"] as? String == "total")
        let sticky = try #require(CompareCommandTests.strategy(churned, "stickier"))
        let ci = try #require(sticky["ci95"] as? [NSNumber])
        #expect(ci.count == 2 && ci[1].doubleValue < 0, "less churn: the interval is below 0, got \(ci)")
        #expect((sticky["variance_removed_by_pairing"] as? NSNumber)?.doubleValue ?? 0 > 0)
    }

    @Test(arguments: ["table", "csv", "json"])
    func outputIsIdenticalForOneAndThreeThreads(_ format: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", CompareCommandTests.withVariants())
        // 200 trials = 4 sub-blocks of 64: three threads really share the work.
        let one = try ws.run(["compare", path, "--format", format, "--trials", "200", "--threads", "1", "--quiet"])
        let three = try ws.run(["compare", path, "--format", format, "--trials", "200", "--threads", "3", "--quiet"])
        #expect(one.status == 0 && three.status == 0, "\(one.stderr) \(three.stderr)")
        #expect(one.stderr.isEmpty && three.stderr.isEmpty)
        #expect(one.stdoutData == three.stdoutData, "seed 4242, format \(format): 1 and 3 threads differ")
    }

    @Test func tableAndCSVShowTheComparison() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", CompareCommandTests.withVariants())
        let table = try ws.run(["compare", path, "--trials", "64", "--quiet"])
        #expect(table.status == 0, "\(table.stderr)")
        for phrase in ["comparing 4 strategies of scenario \"cli-small\"", "seed 4242", "Common random numbers",
                       "mrr@12 (month 12; higher is better)", "churned@total (sum over months 1-12; lower is better)",
                       "P(beats base)", "pairing removed", "more metrics in --format csv or json"] {
            #expect(table.stdout.contains(phrase), "missing '\(phrase)' in:\n\(table.stdout)")
        }
        let chosen = try ws.run(["compare", path, "--trials", "64", "--quiet", "--metrics", "mrr@6, cltv"])
        #expect(chosen.status == 0, "\(chosen.stderr)")
        #expect(chosen.stdout.contains("mrr@6 (month 6") && chosen.stdout.contains("cltv (per trial")
                && !chosen.stdout.contains("mrr@12") && !chosen.stdout.contains("more metrics"), "\(chosen.stdout)")

        let csv = try ws.run(["compare", path, "--trials", "64", "--quiet", "--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "metric,strategy,statistic,value")
        #expect(lines.contains("seed,,info,4242") && lines.contains(",base,base,true") && lines.contains("mrr@12,,direction,higher"))
        #expect(lines.contains("mrr@12,same,diff_mean,0") && lines.contains("mrr@12,pro-up,p_beats_base,1"), "\(csv.stdout.prefix(2000))")
        for line in lines { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 4, "\(line)") }
    }

    @Test func comparesFilesAndWritesTheOutputFile() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let a = try ws.write("plan-a.yaml", smallScenario())
        let b = try ws.write("plan-b.yaml", smallScenario().replacingOccurrences(of: "price_per_month: 45", with: "price_per_month: 55"))
        let out = ws.file("comparison.json")
        let r = try ws.run(["compare", a, b, "--trials", "64", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.contains("wrote \(out)"), "stdout \(r.stdout), stderr \(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any],
                             "the .json extension picks JSON")
        let strategies = try #require(o["strategies"] as? [[String: Any]])
        #expect(strategies.map { $0["name"] as? String } == ["plan-a", "plan-b"])
        #expect(strategies.map { $0["scenario_file"] as? String } == [a, b])
        let metrics = try #require(o["metrics"] as? [[String: Any]])
        let mrr = try #require(metrics.first { $0["metric"] as? String == "mrr@12" })
        #expect((CompareCommandTests.strategy(mrr, "plan-b")?["p_beats_base"] as? NSNumber)?.doubleValue == 1)
    }

    @Test func mistakesExitWithStatusTwo() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let plain = try ws.write("plain.yaml", smallScenario())
        let variants = try ws.write("v.yaml", CompareCommandTests.withVariants())
        let long = try ws.write("long.yaml", smallScenario(horizon: 24))
        let bad = try ws.write("bad.yaml", smallScenario() + """
        variants:
          - name: typo
            set:
              plans.pro.prise_per_month: 50

        """)
        let cases: [([String], String)] = [
            (["compare", plain], "lists no variants"),
            (["compare", plain, long], "compared scenarios must share the horizon"),
            (["compare", bad], "in variant 'typo'"),
            (["compare", variants, "--metrics", "mrr,nonsense"], "'nonsense' is not a metric every strategy reports"),
            (["compare", variants, "--metrics", "mrr@13"], "'mrr@13' is not a metric"),
            (["compare", variants, "--trials", "0"], "--trials"),
            (["compare", ws.file("missing.yaml")], "no such file"),
        ]
        for (arguments, phrase) in cases {
            let r = try ws.run(arguments)
            #expect(r.status == 2 && r.stderr.contains("subcast: error:") && r.stderr.contains(phrase),
                    "\(arguments): exit \(r.status), stderr \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let e = try ws.run(["compare", bad])
        #expect(e.stderr.contains("bad.yaml:") && e.stderr.contains("unknown key 'prise_per_month'"), "\(e.stderr)")
    }

    @Test func variantsDoNotBreakRunAndTheBundledExampleCompares() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("v.yaml", CompareCommandTests.withVariants(horizon: 6))
        let run = try ws.run(["run", path, "--trials", "20", "--quiet"])
        #expect(run.status == 0, "`subcast run` ignores variants: \(run.stderr)")
        let example = packageRoot.appendingPathComponent("Scenarios/levers-saas.yaml").path
        let r = try ws.run(["compare", example, "--trials", "8", "--quiet", "--format", "json"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let strategies = try #require(try r.json()["strategies"] as? [[String: Any]])
        #expect(strategies.count == 4, "the example has three variants besides its base")
    }
}

/// Strategies whose inputs are uncertain: every variant draws the same input values per trial.
@Suite struct UncertainCompareTests {
    @Test func variantsOfAnUncertainScenarioShareTheirInputDraws() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = packageRoot.appendingPathComponent("Scenarios/uncertain-b2b-saas.yaml").path
        let r = try ws.run(["compare", path, "--trials", "64", "--seed", "9", "--format", "json", "--quiet"])
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        let text = r.stdout
        // team-price-up changes only a price without elasticity: the same subscribers in every
        // trial (inputs and process noise shared), so its active difference is exactly 0.
        #expect(text.contains("team-price-up"), "\(text.prefix(400))")
        let o = try r.json()
        #expect(o["schema"] as? String == "subcast-compare/1")
    }
}
