import Foundation
import Testing

/// `subcast run --separate-uncertainty`: the spread of key metrics split into inputs and process noise.
@Suite struct SeparateUncertaintyTests {
    @Test func inputsDominateTheBundledUncertainExample() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = packageRoot.appendingPathComponent("Scenarios/uncertain-b2b-saas.yaml").path
        let r = try ws.run(["run", path, "--trials", "200", "--seed", "5", "--separate-uncertainty", "--quiet"])
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("Where the spread comes from (4 uncertain inputs, 200 trials each, same seed)"), "\(r.stdout)")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("mrr month 36") }, "\(r.stdout)")
        // MRR in month 36 varies far more with growth and churn than with process noise.
        let fromInputs = line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasSuffix("%") }.first.flatMap { Double($0.dropLast(2)) }
        #expect((fromInputs ?? 0) > 90, "inputs' share of the variance of MRR in month 36: \(line), seed 5")
        // JSON stays clean: the split goes to stderr.
        let j = try ws.run(["run", path, "--trials", "64", "--seed", "5", "--separate-uncertainty", "--format", "json"])
        #expect(j.status == 0)
        _ = try j.json()
        #expect(j.stderr.contains("Where the spread comes from"))
    }

    @Test func aFixedScenarioSaysAllSpreadIsProcessNoise() throws {
        let ws = try Workspace()
        defer { ws.cleanup() }
        let path = packageRoot.appendingPathComponent("Scenarios/b2b-saas.yaml").path
        let r = try ws.run(["run", path, "--trials", "20", "--separate-uncertainty"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("no uncertain inputs"), "\(r.stderr)")
    }
}
