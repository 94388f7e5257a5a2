import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// The customer-level readers against mangled files: the bundled example's tickets, activations
/// and plan changes (its first 300 customers), each mutated many times by a fixed stream (cells
/// replaced by hostile tokens, bytes deleted, duplicated or inserted, rows swapped), must parse or
/// throw a `ScenarioError` naming the file, never crash; what parses goes on through the plan-change
/// estimator, whose figures must be finite and in range.
@Suite struct CustomerReaderHostileTests {
    static let tokens = ["", " ", "\"", "\"\"", ",", ",,,,", "2026-02-29", "2025-02-29", "0000-01-01", "9999-12-31", "2026-13-01",
                         "2026-1-1", "1e308", "-1", "nan", "good", "bad", "GOOD", "pro", "starter", "team", "c0", "c1", "c299",
                         "c300", "\u{0}", "\u{FEFF}", "é", String(repeating: "x", count: 5000), "2026-10-31", "2026-11-01", "2023-01-01"]

    /// Keeps the header and the rows of customers c0 ... c299 of a bundled file.
    static func sample(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Examples/customer-data/\(name)")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { line in
            if line.hasPrefix("#") { return false }
            let id = line.split(separator: ",", omittingEmptySubsequences: false)[0]
            guard id.hasPrefix("c"), let n = Int(id.dropFirst()) else { return true }
            return n < 300
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<(1 + Int(rng.next() % 3)) {
            let i = Int(rng.next() % UInt64(max(1, lines.count)))
            switch rng.next() % 6 {
            case 0, 1:
                // A cell replaced by a hostile token.
                var cells = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if cells.isEmpty { cells = [""] }
                cells[Int(rng.next() % UInt64(cells.count))] = tokens[Int(rng.next() % UInt64(tokens.count))]
                lines[i] = cells.joined(separator: ",")
            case 2:
                lines.insert(lines[i], at: i)                          // a duplicated row
            case 3:
                if lines.count > 1 { lines.remove(at: i) }             // a dropped row (the header too)
            case 4:
                let j = Int(rng.next() % UInt64(max(1, lines.count)))
                lines.swapAt(i, j)
            default:
                // Bytes cut out of a line.
                var b = Array(lines[i].utf8)
                if !b.isEmpty {
                    let at = Int(rng.next() % UInt64(b.count))
                    b.removeSubrange(at..<min(b.count, at + 1 + Int(rng.next() % 4)))
                }
                lines[i] = String(decoding: b, as: UTF8.self)
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test(arguments: ["tickets.csv", "activations.csv", "plan_changes.csv"])
    func mangledFilesParseOrFailWithALocatedError(_ name: String) throws {
        let dir = try TempDir("hostile-customers")
        defer { dir.cleanup() }
        let subscriptions = try dir.write("subscriptions.csv", try Self.sample("subscriptions.csv"))
        let good = try Self.sample(name)
        var rng = SplitMix64(state: 20261202 &+ UInt64(name.utf8.count))
        var parsed = 0, refused = 0
        for k in 0..<250 {
            let text = Self.mutate(good, &rng)
            let path = try dir.write("m-\(name)", text)
            var o = CustomerData.Options(asOf: CalendarDate(year: 2026, month: 10, day: 31)!)
            o.groupByPlan = true
            do {
                let data = try CustomerData.read(subscriptions: subscriptions,
                                                 tickets: name == "tickets.csv" ? path : nil,
                                                 activations: name == "activations.csv" ? path : nil,
                                                 planChanges: name == "plan_changes.csv" ? path : nil, options: o)
                parsed += 1
                let f = PlanChangeFit.fit(data)
                #expect(f.probability >= 0 && f.probability <= 1 && f.lower <= f.upper && f.pValue >= 0 && f.pValue <= 1,
                        "case \(k) of \(name): upsell \(f.probability) (\(f.lower) - \(f.upper)), p \(f.pValue)")
                for m in f.moves {
                    #expect(m.probability.isFinite && m.probability >= 0 && m.probability < 1, "case \(k) of \(name): move \(m)")
                }
            } catch {
                refused += 1
                #expect(error.description.contains("m-\(name)"), "case \(k) of \(name): the error names the file: \(error.description)")
            }
        }
        // Both answers occur: the mutations are neither all harmless nor all fatal.
        #expect(parsed > 10 && refused > 10, "\(name): \(parsed) parsed, \(refused) refused")
    }
}
