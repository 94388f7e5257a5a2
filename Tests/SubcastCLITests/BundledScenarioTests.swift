import Foundation
import Testing

@Suite struct BundledScenarioTests {
    static let scenarios: [String] = {
        let dir = packageRoot.appendingPathComponent("Scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0).path }
    }()

    @Test func everyBundledScenarioRuns() throws {
        // The four bundled examples (bench-sbg-cohorts, b2b-saas, consumer-app, established-business) at least.
        #expect(Self.scenarios.count >= 4, "expected the bundled Scenarios/*.yaml under \(packageRoot.path), found \(Self.scenarios)")
        let ws = try Workspace()
        defer { ws.cleanup() }
        for path in Self.scenarios {
            let r = try ws.run(["run", path, "--trials", "50", "--format", "json", "--quiet"])
            #expect(r.status == 0, "\(path): exit \(r.status), stderr: \(r.stderr)")
            guard r.status == 0 else { continue }
            do {
                let o = try r.json()
                #expect(o["schema"] as? String == "subcast-run/1", "\(path)")
                #expect((o["trials"] as? NSNumber)?.intValue == 50, "\(path)")
                let horizon = (o["horizon_months"] as? NSNumber)?.intValue
                #expect((o["months"] as? [Any])?.count == horizon, "\(path)")
            } catch {
                Issue.record("\(path): stdout is not valid JSON (\(error)); seed in stderr: \(r.stderr)")
            }
        }
    }
}
