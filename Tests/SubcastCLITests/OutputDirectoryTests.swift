import Foundation
import Testing

@Suite struct OutputDirectoryTests {
    @Test func outWritesAllThreeSummaries() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("small.yaml", smallScenario())
        let dir = ws.file("results/run1")
        let args = ["run", path, "--trials", "80", "--seed", "99"]
        let r = try ws.run(args + ["--format", "json", "--out", dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote summary.txt, summary.csv and summary.json to \(dir)"), "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["summary.csv", "summary.json", "summary.txt"], "\(names)")
        let json = try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))
        #expect(json == r.stdoutData, "seed 99: summary.json differs from --format json stdout")
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: json) }

        let csv = try ws.run(args + ["--format", "csv", "--quiet"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.csv")) == csv.stdoutData, "seed 99: summary.csv differs")
        let table = try ws.run(args + ["--format", "table", "--quiet"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.txt")) == table.stdoutData, "seed 99: summary.txt differs")

        // Running again replaces the files and leaves nothing else behind.
        let again = try ws.run(args + ["--format", "json", "--out", dir, "--quiet"])
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["summary.csv", "summary.json", "summary.txt"])
    }

    @Test func outPathThatIsARegularFileFailsWithExitOne() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = try ws.write("small.yaml", smallScenario(horizon: 3))
        let precious = try ws.write("precious.txt", "do not touch\n")
        let r = try ws.run(["run", path, "--trials", "20", "--format", "json", "--out", precious])
        #expect(r.status == 1, "exit \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("cannot write \(precious): exists and is not a directory"), "\(r.stderr)")
        #expect(r.stdoutData.isEmpty, "nothing should reach stdout when --out fails: \(r.stdout)")
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "do not touch\n")
    }
}
