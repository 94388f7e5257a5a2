import Foundation
import Testing
import SubcastCore
@testable import SubcastIO

/// One bad data file and the error it must produce (line, column and key path exactly, the
/// message by fragments).
struct DataBadCase: Sendable, CustomTestStringConvertible {
    let label: String
    let text: String
    let line: Int
    let column: Int
    let keyPath: String
    let fragments: [String]

    init(_ label: String, _ text: String, line: Int, column: Int, keyPath: String = "", _ fragments: String...) {
        self.label = label
        self.text = text
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.fragments = fragments
    }

    var testDescription: String { label }

    /// Nil when the error matches, otherwise what differs.
    func mismatch(_ error: ScenarioError?) -> String? {
        guard let e = error else { return "no error for \(label)" }
        var problems: [String] = []
        if e.line != line { problems.append("line \(e.line) != \(line)") }
        if e.column != column { problems.append("column \(e.column) != \(column)") }
        if e.keyPath != keyPath { problems.append("keyPath '\(e.keyPath)' != '\(keyPath)'") }
        for f in fragments where !e.message.contains(f) { problems.append("message lacks '\(f)'") }
        return problems.isEmpty ? nil : "\(label): \(problems.joined(separator: ", ")) — \(e)"
    }
}

/// The error retention-table text throws, or nil when it parses.
func retentionError(_ text: String, file: String = "table.csv") -> ScenarioError? {
    retentionError(data: Data(text.utf8), file: file)
}

func retentionError(data: Data, file: String = "table.csv") -> ScenarioError? {
    do {
        _ = try RetentionTableReader.parse(data: data, file: file, period: .month)
        return nil
    } catch {
        return error
    }
}

/// The date, which must be valid (test literals only).
func day(_ text: String) -> CalendarDate { CalendarDate(parsing: text)! }

/// The error subscription text throws, or nil when it parses.
func subscriptionsError(_ text: String, asOf: String = "2024-06-30", groupByPlan: Bool = false,
                        file: String = "subs.csv") -> ScenarioError? {
    do {
        _ = try SubscriptionsReader.parse(data: Data(text.utf8), file: file, asOf: day(asOf), period: .month,
                                          groupByPlan: groupByPlan)
        return nil
    } catch {
        return error
    }
}

/// The survival data of a file holding one subscription.
func oneSubscription(start: String, end: String?, asOf: String, period: RetentionTable.Period = .month) throws -> SurvivalData {
    let text = "id,start,end\ns1,\(start),\(end ?? "")\n"
    let data = try SubscriptionsReader.parse(data: Data(text.utf8), file: "one.csv", asOf: day(asOf), period: period)
    return data.groups[0].survival
}

/// Survival data from explicit per-period counts (index 0 unused, as in `SurvivalData`).
func survival(churned: [Int: Int] = [:], active: [Int: Int] = [:]) -> SurvivalData {
    var d = SurvivalData()
    for (t, n) in churned.sorted(by: { $0.key < $1.key }) { d.addChurned(periods: t, count: n) }
    for (t, n) in active.sorted(by: { $0.key < $1.key }) { d.addActive(periods: t, count: n) }
    return d
}
