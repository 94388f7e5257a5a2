import Foundation
import Testing

@Suite struct RunCommandTests {
    @Test func executableExists() {
        #expect(FileManager.default.isExecutableFile(atPath: subcastExecutable.path), "no subcast at \(subcastExecutable.path)")
    }

    @Test(arguments: ["json", "csv", "table"])
    func formatsWriteParseableOutputAndTiming(_ format: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("small.yaml", smallScenario())
        let r = try ws.run(["run", path, "--format", format, "--trials", "100"])
        #expect(r.status == 0, "seed 4242, format \(format): exit \(r.status), stderr: \(r.stderr)")
        #expect(hasTimingLine(r.stderr, trials: 100), "no timing line on stderr: \(r.stderr)")
        #expect(!r.stderr.contains("error"), "\(r.stderr)")
        switch format {
        case "json":
            let o = try r.json()
            #expect(o["schema"] as? String == "subcast-run/1")
            #expect(o["scenario"] as? String == "cli-small")
            #expect(o["scenario_file"] as? String == path)
            #expect((o["seed"] as? NSNumber)?.uint64Value == 4242)
            #expect((o["trials"] as? NSNumber)?.intValue == 100, "--trials overrides the scenario's trials")
            #expect((o["months"] as? [Any])?.count == 12)
        case "csv":
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first == "month,metric,statistic,value")
            #expect(lines.count > 100)
            for line in lines { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 4, "\(line)") }
            #expect(lines.contains(",seed,info,4242"))
            #expect(lines.contains(",trials,info,100"))
        default:
            #expect(r.stdout.contains("scenario \"cli-small\""), "\(r.stdout)")
            #expect(r.stdout.contains("seed 4242"), "\(r.stdout)")
            #expect(r.stdout.contains("Monthly recurring revenue (EUR)"), "\(r.stdout)")
        }

        let quiet = try ws.run(["run", path, "--format", format, "--trials", "100", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.isEmpty, "--quiet should silence stderr, got: \(quiet.stderr)")
        #expect(quiet.stdoutData == r.stdoutData, "--quiet must not change stdout (seed 4242, format \(format))")
    }

    @Test func defaultFormatIsTable() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("small.yaml", smallScenario(horizon: 3))
        let r = try ws.run(["run", path, "--trials", "20", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Subcast "), "\(r.stdout)")
    }

    @Test(arguments: ["json", "csv", "table"])
    func threadCountDoesNotChangeOutput(_ format: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("small.yaml", smallScenario())
        // 300 trials = 5 engine blocks of 64, so two threads really share the work.
        let args = ["run", path, "--format", format, "--trials", "300", "--seed", "77", "--quiet"]
        let one = try ws.run(args + ["--threads", "1"])
        let two = try ws.run(args + ["--threads", "2"])
        let three = try ws.run(args + ["--threads", "3"])
        #expect(one.status == 0 && two.status == 0 && three.status == 0, "\(one.stderr)\(two.stderr)\(three.stderr)")
        #expect(!one.stdoutData.isEmpty)
        #expect(one.stdoutData == two.stdoutData, "seed 77, 300 trials, \(format): --threads 1 and 2 differ")
        #expect(one.stdoutData == three.stdoutData, "seed 77, 300 trials, \(format): --threads 1 and 3 differ")
        let other = try ws.run(["run", path, "--format", format, "--trials", "300", "--seed", "78", "--quiet"])
        #expect(other.stdoutData != one.stdoutData, "seeds 77 and 78 gave identical \(format) output")
    }

    @Test func drawnSeedIsPrintedRecordedAndReproducible() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("noseed.yaml", smallScenario(seed: nil, horizon: 6))
        let first = try ws.run(["run", path, "--format", "json", "--trials", "50"])
        #expect(first.status == 0, "\(first.stderr)")
        let line = try #require(first.stderr.split(separator: "\n").first { $0.contains("no seed given; drew seed ") },
                                "stderr should say a seed was drawn: \(first.stderr)")
        let digits = line.split(separator: "drew seed ").last?.prefix { $0.isNumber } ?? ""
        let seed = try #require(UInt64(digits), "cannot read the seed from: \(line)")
        #expect(line.contains("--seed \(seed)"), "\(line)")
        #expect(hasTimingLine(first.stderr, trials: 50), "\(first.stderr)")
        let o = try first.json()
        #expect((o["seed"] as? NSNumber)?.uint64Value == seed, "drawn seed \(seed) vs JSON \(String(describing: o["seed"]))")

        let again = try ws.run(["run", path, "--format", "json", "--trials", "50", "--seed", String(seed)])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stderr.contains("drew seed"), "\(again.stderr)")
        #expect(again.stdoutData == first.stdoutData, "re-running with drawn seed \(seed) did not reproduce the output")

        // --quiet keeps the drawn-seed note (it is needed to reproduce the run) but drops timing.
        let quiet = try ws.run(["run", path, "--format", "json", "--trials", "10", "--quiet"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stderr.contains("drew seed"), "\(quiet.stderr)")
        #expect(!hasTimingLine(quiet.stderr, trials: 10), "\(quiet.stderr)")
    }

    @Test func commandLineSeedOverridesTheScenarioSeed() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(seed: 5, horizon: 3))
        let r = try ws.run(["run", path, "--format", "json", "--trials", "10", "--seed", "18446744073709551615", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try r.json()["seed"] as? NSNumber)?.uint64Value == UInt64.max)
        let fromFile = try ws.run(["run", path, "--format", "json", "--trials", "10", "--quiet"])
        #expect((try fromFile.json()["seed"] as? NSNumber)?.uint64Value == 5)
    }

    @Test func benchModelMatchesClosedForm() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let seed: UInt64 = 31_415_926
        let text = """
            name: bench-copy
            horizon_months: 60
            trials: 2000
            plans:
              - name: standard
                price_per_month: 50
                churn: {alpha: 0.5, beta: 12}
            acquisition:
              new_per_month: 1000
            economics:
              gross_margin: 1
              discount_rate_per_year: 0.10
            cltv:
              lifetime_months: 120
            """
        let path = try ws.write("bench.yaml", text)
        let r = try ws.run(["run", path, "--trials", "300", "--seed", String(seed), "--format", "json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try r.json()
        let months = try #require(o["months"] as? [[String: Any]])
        #expect(months.count == 60)
        func check(_ summary: Any?, _ exact: Double, _ what: String) {
            guard let s = summary as? [String: Any], let mean = (s["mean"] as? NSNumber)?.doubleValue,
                  let se = (s["se"] as? NSNumber)?.doubleValue else {
                Issue.record("\(what): no mean/se in \(String(describing: summary))"); return
            }
            #expect(abs(mean - exact) <= 4 * se,
                    "\(what): seed \(seed), 300 trials, sBG(0.5, 12), 1000/month, price 50: mean \(mean) vs exact \(exact), se \(se), |z| = \(abs(mean - exact) / se)")
        }
        for (m, exact) in [(1, 1000.0), (12, 10_061.4618), (60, 34_875.1054)] {
            check(months[m - 1]["active"], exact, "active in month \(m)")
        }
        check(o["cltv"], 1959.905, "cltv over 120 months, 10 % a year")
        let closed = try #require(o["closed_form"] as? [String: Any])
        let cltv = try #require((closed["cltv"] as? NSNumber)?.doubleValue)
        #expect(abs(cltv - 1959.905) < 1e-3, "closed-form cltv \(cltv)")
        let active = try #require(closed["active"] as? [NSNumber])
        #expect(abs(active[11].doubleValue - 10_061.4618) < 1e-3 && abs(active[59].doubleValue - 34_875.1054) < 1e-3,
                "closed-form active \(active[11]), \(active[59])")
    }
}
