import Foundation
import SubcastCore
@testable import SubcastIO

/// A fresh, uniquely named directory under the system temporary directory; removed by `cleanup()`.
struct TempDir {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "io") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("subcast-\(label)-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The error a scenario text throws, or nil when it parses.
func scenarioError(_ text: String, file: String = "case.yaml") -> ScenarioError? {
    do {
        _ = try ScenarioLoader.parse(text: text, file: file)
        return nil
    } catch {
        return error
    }
}

/// The error scenario bytes throw, or nil when they parse.
func scenarioError(data: Data, file: String = "case.yaml") -> ScenarioError? {
    do {
        _ = try ScenarioLoader.parse(data: data, file: file)
        return nil
    } catch {
        return error
    }
}

/// A small valid scenario. Line numbers matter to the error tests:
///
///      1 schema_version: 1
///      2 name: base
///      3 horizon_months: 12
///      4 trials: 100
///      5 plans:
///      6   - name: basic
///      7     price_per_month: 10
///      8     churn:
///      9       alpha: 1
///     10       beta: 5
///     11 acquisition:
///     12   new_per_month: 20
let baseLines = [
    "schema_version: 1",
    "name: base",
    "horizon_months: 12",
    "trials: 100",
    "plans:",
    "  - name: basic",
    "    price_per_month: 10",
    "    churn:",
    "      alpha: 1",
    "      beta: 5",
    "acquisition:",
    "  new_per_month: 20",
]

var baseText: String { baseLines.joined(separator: "\n") + "\n" }

/// The base scenario with 1-based `line` replaced by `with` (which may hold several lines, or
/// none: pass nil to delete the line).
func base(replacing line: Int, with replacement: String?) -> String {
    var lines = baseLines
    precondition(line >= 1 && line <= lines.count)
    if let r = replacement { lines[line - 1] = r } else { lines.remove(at: line - 1) }
    return lines.joined(separator: "\n") + "\n"
}

/// The base scenario with lines `range` (1-based, inclusive) replaced.
func base(replacing range: ClosedRange<Int>, with replacement: String?) -> String {
    var lines = baseLines
    lines.removeSubrange((range.lowerBound - 1)...(range.upperBound - 1))
    if let r = replacement { lines.insert(r, at: range.lowerBound - 1) }
    return lines.joined(separator: "\n") + "\n"
}

/// The base scenario with `extra` appended (its first line is line 13).
func base(appending extra: String) -> String { baseText + extra + "\n" }

/// A tiny scenario for the report writers: two plans, an existing base, CAC as given.
func reportScenario(name: String = "report test", cac: Double = 0, horizon: Int = 6, trials: Int = 40) -> Scenario {
    Scenario(name: name, currency: "EUR", horizonMonths: horizon, trials: trials,
             plans: [Plan(name: "basic", pricePerMonth: 10, churn: .shiftedBetaGeometric(alpha: 1, beta: 5)),
                     Plan(name: "pro", pricePerMonth: 40, churn: ChurnModel(meanPerMonth: 0.05, heterogeneity: 0))],
             acquisition: Acquisition(newPerMonth: 30, growthPerMonth: 0.02, planMix: [0.7, 0.3]),
             existing: [ExistingCohort(plan: 1, count: 25, tenureMonths: 3)],
             economics: Economics(grossMargin: 0.8, discountRatePerYear: 0.1, cacPerSubscriber: cac),
             lifetimeMonths: 24, reportedCohorts: [1, 3])
}

/// Splits RFC 4180 CSV text into records of fields (quoted fields may hold commas, quotes
/// and line breaks). Returns nil for malformed quoting.
func parseCSV(_ text: String) -> [[String]]? {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var inQuotes = false
    var afterQuote = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if inQuotes {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { inQuotes = false; afterQuote = true }
            } else {
                field.append(c)
            }
            continue
        }
        switch c {
        case "\"":
            guard field.isEmpty, !afterQuote else { return nil }
            inQuotes = true
        case ",":
            record.append(field); field = ""; afterQuote = false
        case "\n", "\r\n":
            record.append(field); field = ""; afterQuote = false
            records.append(record); record = []
        default:
            guard !afterQuote else { return nil }
            field.append(c)
        }
    }
    if inQuotes { return nil }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}
