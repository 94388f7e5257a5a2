import Foundation
import Testing

@Suite struct ErrorHandlingTests {
    static let badScenario = """
        name: broken
        horizon_months: 12
        plans:
          - name: basic
            price_per_month: 10
            churn:
              alpha: -0.5
              beta: 5

        """

    @Test func badScenarioExitsTwoNamingFileLineAndKey() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("broken.yaml", Self.badScenario)
        let outDir = ws.file("results")
        for format in ["table", "json"] {
            let r = try ws.run(["run", path, "--format", format, "--out", outDir])
            #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
            #expect(r.stdoutData.isEmpty, "stdout should be empty: \(r.stdout)")
            #expect(r.stderr.contains("\(path):7:"), "stderr should name file and line 7: \(r.stderr)")
            #expect(r.stderr.contains("plans[0].churn.alpha"), "stderr should name the key: \(r.stderr)")
            #expect(r.stderr.contains("expected alpha from 1e-300 to 1e9, got -0.5"), "\(r.stderr)")
            #expect(r.stderr.hasPrefix("subcast: error: "), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: outDir), "--out directory was created for a bad scenario")
        }
        // An existing, empty --out directory stays empty.
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let r = try ws.run(["run", path, "--out", outDir])
        #expect(r.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outDir).isEmpty)
    }

    @Test func relativeScenarioPathIsReportedAsGiven() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        try ws.write("typo.yaml", "name: t\nhorizon_month: 12\n")
        let r = try ws.run(["run", "typo.yaml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("typo.yaml:2:1: horizon_month: unknown key 'horizon_month'; did you mean 'horizon_months'?"), "\(r.stderr)")
    }

    @Test(arguments: [
        (["--trials", "0"], "--trials"),
        (["--trials=-5"], "--trials"),
        (["--trials", "10000001"], "--trials"),
        (["--threads", "0"], "--threads"),
        (["--threads", "5000"], "--threads"),
    ])
    func badOptionValuesExitTwo(_ extra: [String], _ key: String) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("ok.yaml", smallScenario(horizon: 3))
        let r = try ws.run(["run", path] + extra)
        #expect(r.status == 2, "\(extra): exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("<command line>: \(key): expected a whole number"), "\(extra): \(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test(arguments: [
        ["--format", "xml"],
        ["--trials", "abc"],
        ["--seed", "-1"],
        ["--seed", "18446744073709551616"],
        ["--frobnicate"],
    ])
    func unparseableCommandLinesExit64(_ extra: [String]) throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("ok.yaml", smallScenario(horizon: 3))
        let r = try ws.run(["run", path] + extra)
        #expect(r.status == 64, "\(extra): exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stdoutData.isEmpty, "\(extra): \(r.stdout)")
        #expect(!r.stderr.isEmpty)
    }

    @Test func hugeWorkExitsTwoWithoutSimulating() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("long.yaml", """
            name: long
            horizon_months: 1200
            plans: [{name: a, price_per_month: 5, churn: {alpha: 1, beta: 10}}]
            acquisition: {new_per_month: 100}
            """)
        // The work bound refuses it before anything is allocated or simulated.
        let r = try ws.run(["run", path, "--trials", "10000000", "--seed", "1"], timeout: 20)
        #expect(!r.timedOut)
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("--allow-large"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test func missingScenarioArgumentExits64() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        #expect(try ws.run(["run"]).status == 64)
    }

    @Test func missingFileExitsTwo() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = ws.file("nope.yaml")
        let r = try ws.run(["run", path])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("\(path): cannot read the file: no such file"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty)
    }

    @Test func directoryAsScenarioExitsTwo() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let r = try ws.run(["run", ws.path])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("is a directory"), "\(r.stderr)")
    }

    @Test func versionAndHelpSucceed() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let v = try ws.run(["--version"])
        #expect(v.status == 0 && !v.stdout.isEmpty, "\(v.stderr)")
        let h = try ws.run(["run", "--help"])
        #expect(h.status == 0, "\(h.stderr)")
        #expect(h.stdout.contains("--trials") && h.stdout.contains("--out"), "\(h.stdout)")
    }

    @Test func deeplyNestedScenarioFailsFast() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("deep.yaml", "name: " + String(repeating: "[", count: 10_000) + "\n")
        let r = try ws.run(["run", path], timeout: 20)
        #expect(!r.timedOut)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("\(path):1:"), "\(r.stderr)")
        #expect(r.stderr.contains("nested deeper than 64 levels"), "\(r.stderr)")
    }

    /// Each level repeats the one before ten times: *a8 stands for 10^9 scalars. Used as a mapping
    /// key, Yams hashes the whole expansion while checking for duplicate keys, before any limit on the
    /// composed document can run, so aliases must be rejected before composing.
    static func aliasBomb(prefix: String) -> String {
        var text = prefix + "horizon_months: 3\nplans: [{name: a, price_per_month: 1, churn: {alpha: 1, beta: 1}}]\n"
        text += "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { text += "x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        return text + "zz: {? *a8 : 1, ? *a7 : 2}\n"
    }

    @Test func aliasBombUsedAsAMappingKeyFailsFast() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("bomb.yaml", Self.aliasBomb(prefix: "name: t\n"))
        let r = try ws.run(["run", path, "--trials", "1"], timeout: 10)
        #expect(!r.timedOut, "subcast did not finish within 10 s on an alias bomb")
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("\(path):4:5: YAML anchors"), "\(r.stderr)")
    }

    @Test func aliasBombAfterAQuotedBlockScalarLineFailsFast() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("bomb2.yaml", Self.aliasBomb(prefix: "name: t\ndescription: |\n  'tis the season\n"))
        let r = try ws.run(["run", path, "--trials", "1"], timeout: 3)
        #expect(!r.timedOut, "subcast did not finish within 3 s on an alias bomb")
        #expect(r.status == 2, "exit \(r.status), stderr: \(r.stderr)")
    }
}
