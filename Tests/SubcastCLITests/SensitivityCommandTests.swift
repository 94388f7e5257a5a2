import Foundation
import Testing

/// `subcast sensitivity`: tornado and Sobol indices of a scenario with uncertain inputs, run
/// through the built binary: formats, thread invariance, files and errors.
@Suite struct SensitivityCommandTests {
    /// `smallScenario` (seed 4242, 12 months) with the basic price, the pro churn, arrivals and
    /// CAC uncertain (CAC moves no MRR).
    static func uncertain() -> String {
        smallScenario()
            .replacingOccurrences(of: "price_per_month: 10\n",
                                  with: "price_per_month: {distribution: uniform, min: 8, max: 12, name: basic_price}\n")
            .replacingOccurrences(of: "mean_per_month: 0.03,",
                                  with: "mean_per_month: {distribution: beta, mean: 0.03, sd: 0.01, name: pro_churn},")
            .replacingOccurrences(of: "new_per_month: 40\n",
                                  with: "new_per_month: {distribution: triangular, min: 30, mode: 40, max: 60, name: arrivals}\n")
            .replacingOccurrences(of: "cac_per_subscriber: 100\n",
                                  with: "cac_per_subscriber: {distribution: uniform, min: 50, max: 150, name: cac}\n")
    }

    static let small = ["--trials", "40", "--samples", "24", "--metric", "mrr", "--month", "12"]

    @Test func tableShowsTornadoAndSobol() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain())
        #expect(Self.uncertain().contains("name: cac}"), "the fixture's substitutions took")
        let r = try ws.run(["sensitivity", path] + Self.small + ["--threads", "2"])
        #expect(r.status == 0, "seed 4242: exit \(r.status), stderr: \(r.stderr)")
        for text in ["sensitivity of mrr month 12", "Tornado:", "40 trials per point on common random numbers",
                     "Sobol indices:", "(process noise)", "unexplained by the inputs: process noise and interactions",
                     "basic_price", "pro_churn", "arrivals", "cac"] {
            #expect(r.stdout.contains(text), "missing '\(text)' in:\n\(r.stdout)")
        }
        // CAC moves no MRR: a zero swing, last, and an empty bar.
        let cac = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("cac ") })
        #expect(cac.hasSuffix(" |") && cac.contains(" 0 "), "\(cac)")
        #expect(r.stderr.contains("trials (4 inputs) in "), "\(r.stderr)")
    }

    @Test func jsonIsTheSameForAnyThreadCount() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain())
        let one = try ws.run(["sensitivity", path, "--format", "json", "--threads", "1", "--quiet"] + Self.small)
        let three = try ws.run(["sensitivity", path, "--format", "json", "--threads", "3", "--quiet"] + Self.small)
        #expect(one.status == 0 && three.status == 0, "stderr: \(one.stderr) \(three.stderr)")
        #expect(one.stdoutData == three.stdoutData, "seed 4242: JSON differs between 1 and 3 threads")
        #expect(one.stderr.isEmpty, "--quiet: \(one.stderr)")
        let o = try one.json()
        #expect(o["schema"] as? String == "subcast-sensitivity/1")
        #expect((o["seed"] as? NSNumber)?.uint64Value == 4242 && o["metric"] as? String == "mrr"
                && (o["month"] as? NSNumber)?.intValue == 12)
        let inputs = try #require(o["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["name"] as? String } == ["basic_price", "pro_churn", "arrivals", "cac"])
        let tornado = try #require(o["tornado"] as? [String: Any])
        let bars = try #require(tornado["bars"] as? [[String: Any]])
        #expect(bars.count == 4 && bars.last?["input"] as? String == "cac" && (bars.last?["swing"] as? NSNumber)?.doubleValue == 0)
        let swings = bars.compactMap { ($0["swing"] as? NSNumber)?.doubleValue }
        #expect(swings == swings.sorted(by: >), "bars sorted by swing: \(swings)")
        let sobol = try #require(o["sobol"] as? [String: Any])
        #expect((sobol["samples"] as? NSNumber)?.intValue == 24 && (sobol["evaluations"] as? NSNumber)?.intValue == 24 * 7)
        let indices = try #require(sobol["indices"] as? [[String: Any]])
        #expect(indices.count == 4 && (indices[3]["total"] as? NSNumber)?.doubleValue == 0)
        #expect(sobol["process_noise"] as? [String: Any] != nil)
        let unexplained = try #require(sobol["unexplained"] as? [String: Any])
        #expect(unexplained["meaning"] as? String == "unexplained by the inputs: process noise and interactions")
        // Another seed, other numbers.
        let other = try ws.run(["sensitivity", path, "--format", "json", "--seed", "7", "--quiet"] + Self.small)
        #expect(other.status == 0 && other.stdoutData != one.stdoutData)
    }

    @Test func outWritesTheFileInItsFormat() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("u.yaml", Self.uncertain())
        let r = try ws.run(["sensitivity", path, "--metric", "cltv", "--trials", "30", "--samples", "0", "--out", ws.file("s.csv")])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.contains("wrote \(ws.file("s.csv"))"), "\(r.stderr)")
        let csv = try String(contentsOfFile: ws.file("s.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("analysis,input,statistic,value\n"))
        for row in ["info,,metric,cltv\n", "info,,month,\n", "info,,seed,4242\n", "tornado,(base),mean,", "tornado,cac,rank,4\n",
                    "input,pro_churn,distribution,beta\n"] {
            #expect(csv.contains(row), "missing \(row) in:\n\(csv)")
        }
        #expect(!csv.contains("\nsobol,"), "--samples 0 skips the Sobol indices")
        let bad = try ws.run(["sensitivity", path, "--metric", "cltv", "--trials", "30", "--samples", "0",
                              "--out", ws.file("missing/s.json")])
        #expect(bad.status == 1 && bad.stderr.contains("does not exist"), "exit \(bad.status): \(bad.stderr)")
    }

    @Test func mistakesAreClearErrors() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let fixed = try ws.write("fixed.yaml", smallScenario())
        let path = try ws.write("u.yaml", Self.uncertain())
        let cases: [([String], String)] = [
            (["sensitivity", fixed, "--metric", "mrr"],
             "fixed.yaml: no uncertain inputs: give some parameter a distribution, see Scenarios/README.md"),
            (["sensitivity", path, "--metric", "revenue"], "--metric: no metric named 'revenue'; metrics of this scenario: active, new"),
            (["sensitivity", path, "--metric", "mrr", "--month", "13"], "--month: month 13 is outside 1 ... 12 for 'mrr'"),
            (["sensitivity", path, "--metric", "cltv", "--month", "2"], "--month: 'cltv' is one value per trial"),
            (["sensitivity", path, "--metric", "mrr", "--samples", "1"], "--samples: expected 0 (no Sobol indices) or a whole number"),
            (["sensitivity", path, "--metric", "mrr", "--trials", "0"], "--trials: expected a whole number from 1"),
            (["sensitivity", path, "--metric", "mrr", "--threads", "0"], "--threads: expected a whole number from 1 to 1024"),
            (["sensitivity", path, "--metric", "mrr", "--trials", "10000000", "--samples", "1000000"], "above the bound of 2e10"),
        ]
        for (args, message) in cases {
            let r = try ws.run(args)
            #expect(r.status == 2, "\(args): exit \(r.status), stderr: \(r.stderr)")
            #expect(r.stderr.contains(message) && r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
        let missing = try ws.run(["sensitivity", path])
        #expect(missing.status == 64 && missing.stderr.contains("--metric"), "\(missing.stderr)")
    }
}

/// `sensitivity --breach`: a reverse stress test whose breach one input alone drives.
@Suite struct StressTestCommandTests {
    static let scenario = """
        schema_version: 1
        name: stress
        horizon_months: 6
        trials: 600
        seed: 17
        plans:
          - name: p
            price_per_month: {distribution: uniform, min: 5, max: 15, name: price}
            churn: {mean_per_month: 0.05, heterogeneity: 0.2}
        acquisition: {new_per_month: 500}
        economics:
          discount_rate_per_year: {distribution: uniform, min: 0.05, max: 0.2, name: discount}
        """

    @Test func theBreachIsTracedToTheOneInputThatDrivesIt() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", Self.scenario)
        // MRR in month 6 is price x active; active is about 2,750 whatever the price, so
        // MRR < 27,500 is about price < 10: probability about 1/2, driven by the price alone.
        let r = try ws.run(["sensitivity", path, "--breach", "mrr@6 < 27500", "--format", "json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let p = try #require(json["probability"] as? Double)
        #expect(p > 0.3 && p < 0.7, "P(breach) \(p), seed 17")
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        #expect(inputs.count == 2 && inputs[0]["name"] as? String == "price", "\(inputs.map { $0["name"] ?? "" })")
        let priceKS = try #require(inputs[0]["ks_distance"] as? Double), otherKS = try #require(inputs[1]["ks_distance"] as? Double)
        #expect(priceKS > 0.9 && otherKS < 0.15, "KS price \(priceKS), discount \(otherKS)")
        let breaching = try #require(inputs[0]["breaching"] as? [String: Any])
        #expect((breaching["p95"] as? Double ?? 99) < 11, "breaching prices reach \(breaching["p95"] ?? "")")
        // Reproducible bytes on one thread; a table; errors.
        let one = try ws.run(["sensitivity", path, "--breach", "mrr@6 < 27500", "--format", "json", "--quiet", "--threads", "1"])
        #expect(one.stdout == r.stdout)
        let table = try ws.run(["sensitivity", path, "--breach", "mrr@6 < 27500", "--quiet"])
        #expect(table.status == 0 && table.stdout.contains("depends most on price"), "\(table.stdout)")
        let bad = try ws.run(["sensitivity", path, "--breach", "mrr@6 ~ 3"])
        #expect(bad.status == 2 && bad.stderr.contains("--breach"), "\(bad.stderr)")
        let none = try ws.run(["sensitivity", path])
        #expect(none.status == 64 && none.stderr.contains("--metric"), "\(none.stderr)")
    }

    @Test func sensitivityWritesAnHTMLReportWithTornadoAndSobolCharts() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", Self.scenario)
        let r = try ws.run(["sensitivity", path, "--metric", "mrr", "--samples", "16", "--trials", "20", "--quiet", "--report", "s.html"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: ws.file("s.html"), encoding: .utf8)
        #expect(html.contains("data-chart=\"tornado\"") && html.contains("data-chart=\"sobol\"") && !html.contains("<script"))
        // The rows are named by their inputs on the axis, and the inputs are listed with their
        // distributions.
        let tornado = String(html[html.range(of: "data-chart=\"tornado\"")!.lowerBound...])
        let svg = String(tornado[..<tornado.range(of: "</svg>")!.lowerBound])
        for name in ["price", "discount"] {
            #expect(svg.contains(">\(name)</text>"), "the tornado's axis does not name \(name)")
        }
        #expect(html.contains("<caption>The uncertain inputs as the scenario gives them</caption>"))
        #expect(html.contains("scenario key") && html.contains("distribution"))
    }
}

