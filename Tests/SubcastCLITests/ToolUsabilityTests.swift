import Foundation
import Testing

/// `init`, `validate`, `--report`, the work bound, and clean interruption.
@Suite struct ToolUsabilityTests {
    @Test func initWritesAStarterThatValidatesAndRuns() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let r = try ws.run(["init", "acme"])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: ws.file("acme.yaml"), encoding: .utf8)
        #expect(text.contains("name: \"acme\"") && text.contains("# "), "starter should be commented")
        let v = try ws.run(["validate", "acme.yaml"])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("valid") && v.stdout.contains("name: acme"), "\(v.stdout)")
        let run = try ws.run(["run", "acme.yaml", "--trials", "40", "--quiet", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        // Never overwrites without --force.
        let again = try ws.run(["init", "acme"])
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try ws.run(["init", "acme", "--force"]).status == 0)
    }

    @Test func validateMarksDefaultsAndReportsErrors() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", """
        name: minimal
        horizon_months: 12
        plans:
          - name: only
            price_per_month: 10
            churn: {alpha: 1, beta: 9}
        """)
        let v = try ws.run(["validate", path])
        #expect(v.status == 0, "\(v.stderr)")
        for line in ["currency: USD   (default)", "trials: 1000   (default)", "gross_margin: 1   (default)",
                     "lifetime_months: 120   (default)", "horizon_months: 12\n"] {
            #expect(v.stdout.contains(line), "missing '\(line)' in:\n\(v.stdout)")
        }
        let bad = try ws.write("b.yaml", "name: x\nhorizon_months: 12\nplans:\n  - name: a\n    price_per_month: 1\n    churm: {alpha: 1, beta: 1}\n")
        let e = try ws.run(["validate", bad])
        #expect(e.status == 2 && e.stderr.contains("b.yaml:6:5: plans[0].churm") && e.stderr.contains("did you mean 'churn'"), "\(e.stderr)")
        #expect(e.stdout.isEmpty)
    }

    @Test func reportIsWrittenOnlyOnSuccess() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario())
        let r = try ws.run(["run", path, "--report", "r.html", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: ws.file("r.html"), encoding: .utf8)
        #expect(html.contains("data-chart=\"mrr-fan\"") && !html.contains("https://") && !html.contains("http://"))
        let missingDir = try ws.run(["run", path, "--report", "no/such/dir/r.html", "--quiet"])
        #expect(missingDir.status == 1 && missingDir.stderr.contains("does not exist"), "\(missingDir.stderr)")
        let bad = try ws.write("bad.yaml", "name: x\n")
        let b = try ws.run(["run", bad, "--report", "bad.html"])
        #expect(b.status == 2 && !FileManager.default.fileExists(atPath: ws.file("bad.html")))
        let table = try ws.write("t.csv", "cohort,0,1,2,3\nc,1000,631,468,382\n")
        let f = try ws.run(["fit", table, "--report", "fit.html"])
        #expect(f.status == 0, "\(f.stderr)")
        #expect(try String(contentsOfFile: ws.file("fit.html"), encoding: .utf8).contains("data-chart=\"fit-check\""))
    }

    @Test func hugeRunsNeedAnExplicitOverride() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(horizon: 120))
        let r = try ws.run(["run", path, "--trials", "10000000"], timeout: 20)
        #expect(r.status == 2 && r.stderr.contains("--allow-large") && r.stderr.contains("binomial draws"), "\(r.stderr)")
    }

    @Test func ctrlCStopsCleanlyWithoutOutput() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("s.yaml", smallScenario(horizon: 24, trials: 200_000))
        let p = Process()
        p.executableURL = subcastExecutable
        p.arguments = ["run", path, "--out", ws.file("out"), "--report", ws.file("r.html"), "--allow-large"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.5)
        kill(p.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 130, "exit \(p.terminationStatus), stderr: \(stderr)")
        #expect(stderr.contains("interrupted after"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.file("out")))
        #expect(!FileManager.default.fileExists(atPath: ws.file("r.html")))
    }

    @Test func everyCommandHasHelpWithExamples() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        for command in ["run", "fit", "validate", "init"] {
            let r = try ws.run([command, "--help"])
            #expect(r.status == 0 && r.stdout.contains("Examples:"), "\(command): \(r.stdout)")
        }
    }
}

/// Every command's `--help` examples fit an 80-column terminal: no example wraps mid-command
/// (a long one continues on its own line after a shell `\`).
@Suite struct HelpExampleTests {
    @Test(arguments: [[], ["run"], ["compare"], ["optimize"], ["goal-seek"], ["sensitivity"], ["fit"], ["validate"], ["init"], ["merge"]])
    func examplesDoNotWrap(_ command: [String]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let r = try ws.run(command + ["--help"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Examples:") else {
            Issue.record("\(command): no Examples section")
            return
        }
        var previous = ""
        for line in lines[(start + 1)...] {
            if line.isEmpty || (line.first.map { !$0.isWhitespace } ?? false) { break }
            let continued = previous.hasSuffix("\\") && line.hasPrefix("      ")
            #expect(line.hasPrefix("  subcast ") || continued, "\(command): a wrapped example line '\(line)'")
            #expect(line.count <= 79, "\(command): '\(line)' is \(line.count) characters")
            previous = line
        }
    }
}
