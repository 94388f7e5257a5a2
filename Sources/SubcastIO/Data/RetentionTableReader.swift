import Foundation
import SubcastCore

/// Reads a retention table from CSV: the customers of one or more cohorts still alive at the
/// start of each period, for fitting a churn model.
///
/// Two layouts are accepted, told apart by the header (CSV rules as in `CSVReader`: comments,
/// blank lines, quoting, CRLF and a UTF-8 BOM are all fine; cells are trimmed of spaces):
///
/// - **Wide** (a cohort triangle, or a single row for one cohort). The header is a label for the
///   cohort column followed by one label per period (only their number matters). Each row is a
///   cohort: its label, then the customers alive at the start of period 1, 2, 3, ... — the first
///   count is the cohort size. Younger cohorts leave trailing cells empty; a row may have fewer
///   cells than the header (the missing ones are empty) but not more.
///
///   ```
///   cohort,0,1,2,3
///   2024-01,1000,631,468,382
///   2024-02,800,512,390
///   2024-03,950,601
///   ```
///
/// - **Long** (one cohort). The header has exactly two columns and the first is `period`
///   (any case); the rows give period 0, 1, 2, ... in order with the customers alive at its
///   start. The cohort is labelled with the second header cell (`customers` below).
///
///   ```
///   period,customers
///   0,1000
///   1,631
///   2,468
///   ```
///
/// Counts are whole numbers >= 0 (`631.0`, as written by tools that store counts as
/// floating point, is accepted), never increasing along a cohort; a cohort's size is >= 1.
/// Cohort labels must be unique. Every mistake is a `ScenarioError` with the line of the row,
/// the 1-based column and the column's header name, e.g.
/// `retention.csv:3:4: 2: survivors must not increase: 468 at period 2 after 431 at period 1`.
public enum RetentionTableReader {
    /// The largest count accepted in a cell.
    public static let maximumCount = 1_000_000_000_000

    /// Reads the retention table at `path`, measured in `period`s.
    public static func read(path: String, period: RetentionTable.Period) throws(ScenarioError) -> RetentionTable {
        try parse(data: CSVReader.load(path: path), file: path, period: period)
    }

    /// Parses retention-table CSV bytes; `file` is used in error messages only.
    public static func parse(data: Data, file: String, period: RetentionTable.Period) throws(ScenarioError) -> RetentionTable {
        let rows = try CSVReader.parse(data: data, file: file)
        guard let header = rows.first else {
            throw ScenarioError(file: file, message: "file is empty; expected a header such as `cohort,0,1,2` (wide) or `period,customers` (long) and one row per cohort or period")
        }
        let names = header.fields.map(trim)
        if names.count == 2 && names[0].lowercased() == "period" {
            return try long(rows, names: names, file: file, period: period)
        }
        return try wide(rows, names: names, file: file, period: period)
    }

    // MARK: - Layouts

    private static func wide(_ rows: [CSVRow], names: [String], file: String,
                             period: RetentionTable.Period) throws(ScenarioError) -> RetentionTable {
        let header = rows[0]
        if names.count < 2 {
            throw ScenarioError(file: file, line: header.line, message: "header has no period columns; expected a cohort label column and one column per period, e.g. `cohort,0,1,2`, or `period,customers` for a single cohort")
        }
        if rows.count == 1 {
            throw ScenarioError(file: file, line: header.line, message: "header but no data rows; expected one row per cohort: its label, then the customers alive at the start of each period")
        }
        var cohorts: [CohortRetention] = []
        var firstLine: [String: Int] = [:]
        for row in rows.dropFirst() {
            if row.fields.count > names.count {
                throw ScenarioError(file: file, line: row.line, column: names.count + 1,
                                    message: "row has \(row.fields.count) cells but the header has \(names.count) columns; expected at most \(names.count) (quote labels that contain commas)")
            }
            let label = CSVReader.visibleLabel(trim(row[0]))
            if label.isEmpty {
                throw ScenarioError(file: file, line: row.line, column: 1, keyPath: names[0],
                                    message: "empty cohort label; expected a label such as 2024-01")
            }
            if let first = firstLine[label] {
                throw ScenarioError(file: file, line: row.line, column: 1, keyPath: names[0],
                                    message: "duplicate cohort label '\(label)'; first used on line \(first), labels must be unique")
            }
            firstLine[label] = row.line
            var alive: [Int] = []
            var firstEmpty: Int? = nil
            for column in 2...names.count {
                let text = trim(row[column - 1])
                if text.isEmpty {
                    if firstEmpty == nil { firstEmpty = column }
                    continue
                }
                if let gap = firstEmpty {
                    throw ScenarioError(file: file, line: row.line, column: column, keyPath: names[column - 1],
                                        message: "value '\(text)' after an empty cell in column \(gap) (\(names[gap - 1])); expected the counts without gaps, only trailing cells may be empty")
                }
                let k = alive.count
                let count = try self.count(text, file: file, line: row.line, column: column, keyPath: names[column - 1])
                try check(count, at: k, after: alive.last, file: file, line: row.line, column: column, keyPath: names[column - 1])
                alive.append(count)
            }
            if alive.isEmpty {
                throw ScenarioError(file: file, line: row.line, column: 2, keyPath: names[1],
                                    message: "cohort '\(label)' has no counts; expected its size (customers at the start of period 1) in column 2")
            }
            cohorts.append(CohortRetention(label: label, alive: alive))
        }
        return RetentionTable(cohorts: cohorts, period: period)
    }

    private static func long(_ rows: [CSVRow], names: [String], file: String,
                             period: RetentionTable.Period) throws(ScenarioError) -> RetentionTable {
        let header = rows[0]
        if rows.count == 1 {
            throw ScenarioError(file: file, line: header.line, message: "header but no data rows; expected one row per period: `0,<cohort size>`, `1,<customers alive>`, ...")
        }
        var alive: [Int] = []
        for row in rows.dropFirst() {
            if row.fields.count > 2 {
                throw ScenarioError(file: file, line: row.line, column: 3,
                                    message: "row has \(row.fields.count) cells but the header has 2 columns; expected `period,customers`")
            }
            let k = alive.count
            let periodText = trim(row[0])
            if wholeNumber(periodText) != .ok(k) {
                let got = periodText.isEmpty ? "an empty cell" : "'\(periodText)'"
                throw ScenarioError(file: file, line: row.line, column: 1, keyPath: names[0],
                                    message: "expected period \(k) (periods are consecutive from 0), got \(got)")
            }
            let text = trim(row[1])
            if text.isEmpty {
                throw ScenarioError(file: file, line: row.line, column: 2, keyPath: names[1],
                                    message: "empty count for period \(k); expected a whole number of customers >= 0")
            }
            let count = try self.count(text, file: file, line: row.line, column: 2, keyPath: names[1])
            try check(count, at: k, after: alive.last, file: file, line: row.line, column: 2, keyPath: names[1])
            alive.append(count)
        }
        let label = names[1].isEmpty ? "cohort" : CSVReader.visibleLabel(names[1])
        return RetentionTable(cohorts: [CohortRetention(label: label, alive: alive)], period: period)
    }

    // MARK: - Cells

    /// A cohort's k-th count (0-based): the size must be >= 1, later counts must not increase.
    private static func check(_ count: Int, at k: Int, after previous: Int?, file: String, line: Int, column: Int,
                              keyPath: String) throws(ScenarioError) {
        if k == 0 && count == 0 {
            throw ScenarioError(file: file, line: line, column: column, keyPath: keyPath,
                                message: "cohort size is 0; expected the number of customers who started (>= 1) as the first count")
        }
        if let previous, count > previous {
            throw ScenarioError(file: file, line: line, column: column, keyPath: keyPath,
                                message: "survivors must not increase: \(count) at period \(k) after \(previous) at period \(k - 1)")
        }
    }

    private static func count(_ text: String, file: String, line: Int, column: Int,
                              keyPath: String) throws(ScenarioError) -> Int {
        switch wholeNumber(text) {
        case let .ok(n):
            return n
        case .tooLarge:
            throw ScenarioError(file: file, line: line, column: column, keyPath: keyPath,
                                message: "expected a whole number of customers from 0 to \(maximumCount), got '\(text)'")
        case nil:
            throw ScenarioError(file: file, line: line, column: column, keyPath: keyPath,
                                message: "expected a whole number of customers >= 0, got '\(text)'")
        }
    }

    enum WholeNumber: Equatable { case ok(Int), tooLarge }

    /// Digits, optionally followed by a point and zeros (`631`, `631.0`); nil for anything else.
    static func wholeNumber(_ text: String) -> WholeNumber? {
        var digits = Substring(text)
        if let point = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: point)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0 == "0" }) else { return nil }
            digits = text[..<point]
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let significant = digits.drop(while: { $0 == "0" })
        if significant.count > 13 { return .tooLarge }
        let n = Int(significant) ?? 0
        return n > maximumCount ? .tooLarge : .ok(n)
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }
}

extension CSVReader {
    /// A label from a data file (a plan or cohort name) as the reports show it: control
    /// characters (C0, DEL and C1, which would drive a terminal or break a table) become visible
    /// `<U+001B>` marks; everything else is kept. Plain text in YAML, CSV, HTML and on a terminal.
    public static func visibleLabel(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }) else { return s }
        var out = ""
        for c in s.unicodeScalars {
            if c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) {
                out += "<U+" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count) + String(c.value, radix: 16, uppercase: true) + ">"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
