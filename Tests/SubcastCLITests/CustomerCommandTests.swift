import Foundation
import Testing

// End to end: `subcast fit` with tickets and activations, the fitted scenario run, `subcast
// score` with its CSV and HTML, on the first 600 customers of the bundled synthetic data.
@Suite struct CustomerCommandTests {
    /// The bundled example files restricted to customers c0 ... c599.
    static func sample(in w: Workspace) throws -> (String, String, String) {
        let dir = packageRoot.appendingPathComponent("Examples/customer-data")
        func keep(_ name: String, idColumn: Int) throws -> String {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                if line.hasPrefix("#") || line.isEmpty { return false }
                let id = line.split(separator: ",", omittingEmptySubsequences: false)[idColumn]
                guard id.hasPrefix("c"), let n = Int(id.dropFirst()) else { return true }   // the header
                return n < 600
            }
            return try w.write(name, lines.joined(separator: "\n") + "\n")
        }
        return (try keep("subscriptions.csv", idColumn: 0), try keep("tickets.csv", idColumn: 0), try keep("activations.csv", idColumn: 0))
    }

    @Test func fitWritesAScenarioThatRuns() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let (s, t, a) = try Self.sample(in: w)
        let r = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", t, "--activations", a, "--scenario-out", "fitted.yaml", "--out", "fit"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("at_risk") && r.stdout.contains("LR vs 1"))
        for f in ["fitted.yaml", "fit/fit.txt", "fit/fit.json", "fit/fitted-scenario.yaml"] {
            #expect(FileManager.default.fileExists(atPath: w.file(f)), "\(f) missing")
        }
        let json = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", t, "--activations", a, "--format", "json"]).json()
        #expect(json["schema"] as? String == "subcast-customer-fit/1")
        let names = (json["parameters"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names == ["alpha", "beta", "at_risk", "waiting", "detractor", "promoter"], "\(names)")
        let run = try w.run(["run", "fitted.yaml", "--trials", "20"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Monthly recurring revenue"))
    }

    @Test func scoreWritesTheListAndItsPage() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let (s, t, a) = try Self.sample(in: w)
        try w.write("cs.yaml", """
            schema_version: 1
            name: cs
            currency: EUR
            horizon_months: 12
            plans:
              - {name: starter, price_per_month: 29, churn: {alpha: 1, beta: 10}}
            onboarding:
              ramp_months: {median: 1.5, log_sd: 0.8}
              threshold_months: 3
              at_risk_churn_multiplier: 2.5
              intervention: {detection_rate: 0.6, success_rate: 0.4, cost: 30}
            """)
        let r = try w.run(["score", s, "--as-of", "2026-10-31", "--tickets", t, "--activations", a, "--scenario", "cs.yaml",
                           "--out", "at-risk.csv", "--report", "at-risk.html", "--top", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("customers to call") && r.stdout.contains("call worth"))
        let csv = try String(contentsOfFile: w.file("at-risk.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first?.hasPrefix("rank,id,plan,tenure_months,condition") == true)
        let active = try String(contentsOfFile: s, encoding: .utf8).split(separator: "\n").dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[3].isEmpty }.count
        #expect(lines.count == active + 1, "\(lines.count - 1) rows for \(active) active customers")
        let html = try String(contentsOfFile: w.file("at-risk.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("EUR"))
    }

    @Test func backtestComparesTheForecastWithWhatHappened() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let (s, t, a) = try Self.sample(in: w)
        let r = try w.run(["backtest", s, "--as-of", "2026-10-31", "--cutoff", "2026-04-30", "--tickets", t, "--activations", a,
                           "--trials", "60", "--out", "bt.csv", "--report", "bt.html", "--scenario-out", "bt.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Coverage of the 90 % band") && r.stdout.contains("log score"))
        let csv = try String(contentsOfFile: w.file("bt.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 2 * 6, "\(csv.count) lines")
        #expect(try String(contentsOfFile: w.file("bt.html"), encoding: .utf8).contains("backtest-active"))
        #expect(try w.run(["validate", "bt.yaml"]).status == 0)
        let same = try w.run(["backtest", s, "--as-of", "2026-10-31", "--cutoff", "2026-04-30", "--tickets", t, "--activations", a,
                              "--trials", "60", "--threads", "1"])
        #expect(same.stdout == r.stdout, "one thread and two give the same backtest")
        let late = try w.run(["backtest", s, "--as-of", "2026-10-31", "--cutoff", "2026-10-15"])
        #expect(late.status == 2 && late.stderr.contains("--cutoff"), "\(late.stderr)")
    }

    /// With the plan changes (the bundled data upgrade starter customers to pro after 30 % of good
    /// resolutions): moves and an upsell in the fit and in the scenario it writes.
    @Test func fitWithPlanChangesWritesMovesAndUpsells() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let (s, t, _) = try Self.sample(in: w)
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Examples/customer-data/plan_changes.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { line in
            let id = line.split(separator: ",")[0]
            guard id.hasPrefix("c"), let n = Int(id.dropFirst()) else { return true }
            return n < 600
        }
        let c = try w.write("plan_changes.csv", lines.joined(separator: "\n") + "\n")
        let r = try w.run(["fit", s, "--as-of", "2026-10-31", "--by-plan", "--tickets", t, "--plan-changes", c, "--scenario-out", "fitted.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Plan changes:") && r.stdout.contains("upsell_to: pro"), "\(r.stdout)")
        let scenario = try String(contentsOf: URL(fileURLWithPath: w.file("fitted.yaml")), encoding: .utf8)
        #expect(scenario.contains("moves: {pro: ") && scenario.contains("upsell_probability: {distribution: beta"), "\(scenario)")
        let run = try w.run(["run", "fitted.yaml", "--trials", "20"])
        #expect(run.status == 0, "\(run.stderr)")
        let noPlans = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", t, "--plan-changes", c])
        #expect(noPlans.status == 2 && noPlans.stderr.contains("--plan-changes") && noPlans.stderr.contains("--by-plan"), "\(noPlans.stderr)")
    }

    @Test func badInputGetsLocatedErrors() throws {
        let w = try Workspace()
        defer { w.cleanup() }
        let (s, t, _) = try Self.sample(in: w)
        let bad = try w.write("bad-tickets.csv", "subscription_id,opened,resolved,outcome\nnobody,2026-01-01,,\n")
        let r1 = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", bad])
        #expect(r1.status == 2 && r1.stderr.contains("bad-tickets.csv:2:1") && r1.stderr.contains("unknown subscription 'nobody'"), "\(r1.stderr)")
        let retention = try w.write("retention.csv", "cohort,0,1,2\na,100,80,70\n")
        let r2 = try w.run(["fit", retention, "--tickets", t])
        #expect(r2.status == 2 && r2.stderr.contains("--tickets"), "\(r2.stderr)")
        let r3 = try w.run(["score", s, "--tickets", t])
        #expect(r3.status == 2 && r3.stderr.contains("--as-of"), "\(r3.stderr)")
        let r4 = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", t, "--detractor-months", "0"])
        #expect(r4.status == 2 && r4.stderr.contains("--detractor-months"), "\(r4.stderr)")
        // An output onto an input is refused, and the input is left as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: t))
        let r5 = try w.run(["fit", s, "--as-of", "2026-10-31", "--tickets", t, "--scenario-out", t])
        #expect(r5.status != 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: t)) == before)
    }
}
