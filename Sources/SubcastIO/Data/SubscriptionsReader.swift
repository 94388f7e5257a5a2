import Foundation
import SubcastCore

/// The subscriptions of one plan (or of all plans), reduced to survival data.
public struct SubscriptionGroup: Sendable, Hashable {
    /// The plan, as written in the file; nil when the subscriptions are not grouped by plan.
    public var plan: String?
    /// Churned and right-censored tenures, in periods.
    public var survival: SurvivalData
    /// Rows (subscriptions) in the group.
    public var subscriptions: Int
    /// Subscriptions still active at the as-of date (right-censored).
    public var active: Int
    /// Mean of the amounts given in the group; nil when there is no amount column or every cell is empty.
    public var meanAmount: Double?

    public init(plan: String?, survival: SurvivalData, subscriptions: Int, active: Int, meanAmount: Double?) {
        self.plan = plan
        self.survival = survival
        self.subscriptions = subscriptions
        self.active = active
        self.meanAmount = meanAmount
    }
}

/// Subscription records reduced to survival data: one group, or one group per plan sorted by name.
public struct SubscriptionData: Sendable, Hashable {
    public var groups: [SubscriptionGroup]

    public init(groups: [SubscriptionGroup]) { self.groups = groups }
}

/// Reads a billing-system export, one row per subscription, into survival data.
///
/// Format (CSV rules as in `CSVReader`; header names are matched ignoring case and surrounding
/// spaces; cells are trimmed; unknown columns are ignored):
///
/// | column | accepted header names | |
/// |---|---|---|
/// | id | `id` | required, unique, not empty |
/// | start | `start`, `start_date`, `started_at`, `created_at` | required |
/// | end | `end`, `end_date`, `ended_at`, `canceled_at`, `cancelled_at` | required column; empty = still active |
/// | plan | `plan`, `plan_name`, `product` | optional (required to group by plan) |
/// | amount | `amount`, `monthly_amount`, `mrr`, `price` | optional, a number >= 0; empty = not given |
///
/// When several columns match one role, the name listed first wins (`end` before `canceled_at`).
/// Dates are `YYYY-MM-DD` or ISO timestamps `YYYY-MM-DDTHH:MM:SS...`, of which the date part is
/// used (see `CalendarDate`; no time zone is applied).
///
/// ```
/// id,plan,start_date,canceled_at,amount
/// sub_1,basic,2024-01-15,2024-03-20,9.00
/// sub_2,pro,2024-02-01,,29.00
/// ```
///
/// Periods (a month is one calendar month, a year 12 months; `s + n periods` uses
/// `CalendarDate.adding(months:)` from the start date, so the day is clamped to the month's end):
/// - period m (m >= 1) of a subscription starting on date s begins on s + (m - 1) periods;
/// - a subscription with an end date e on or before the as-of date paid
///   k = max(1, number of m >= 1 with s + (m - 1) periods < e) periods and churned at renewal k:
///   `addChurned(periods: k)`. Ending exactly one month after starting is 1 month; a day later, 2;
/// - a subscription with no end date, or an end date after the as-of date, is right-censored: it
///   is in period k = number of m >= 1 with s + (m - 1) periods <= asOf: `addActive(periods: k)`.
///   Started on the as-of date: period 1.
///
/// Every mistake is a `ScenarioError` with the row's line, the 1-based column and the header name.
public enum SubscriptionsReader {
    static let idNames = ["id"]
    static let startNames = ["start", "start_date", "started_at", "created_at"]
    static let endNames = ["end", "end_date", "ended_at", "canceled_at", "cancelled_at"]
    static let planNames = ["plan", "plan_name", "product"]
    static let amountNames = ["amount", "monthly_amount", "mrr", "price"]

    /// Reads the subscriptions at `path` as of `asOf` (the export date), counting tenure in
    /// `period`s, in one group or, with `groupByPlan`, one group per plan.
    public static func read(path: String, asOf: CalendarDate, period: RetentionTable.Period,
                            groupByPlan: Bool = false) throws(ScenarioError) -> SubscriptionData {
        try parse(data: CSVReader.load(path: path), file: path, asOf: asOf, period: period, groupByPlan: groupByPlan)
    }

    /// Parses subscription CSV bytes; `file` is used in error messages only.
    public static func parse(data: Data, file: String, asOf: CalendarDate, period: RetentionTable.Period,
                             groupByPlan: Bool = false) throws(ScenarioError) -> SubscriptionData {
        let rows = try records(data: data, file: file, asOf: asOf, requirePlan: groupByPlan)
        struct Accumulator {
            var survival = SurvivalData()
            var subscriptions = 0
            var active = 0
            /// Running mean (cannot overflow as a sum of huge amounts could).
            var meanAmount = 0.0
            var amounts = 0
        }
        let months = period == .year ? 12 : 1
        var groups: [String: Accumulator] = [:]
        for r in rows {
            let key = groupByPlan ? r.plan ?? "" : ""
            var g = groups[key] ?? Accumulator()
            g.subscriptions += 1
            if let amount = r.amount { g.amounts += 1; g.meanAmount += (amount - g.meanAmount) / Double(g.amounts) }
            if let end = r.end, end <= asOf {
                g.survival.addChurned(periods: max(1, periodsBegun(r.start, every: months, before: end, inclusive: false)))
            } else {
                g.active += 1
                g.survival.addActive(periods: periodsBegun(r.start, every: months, before: asOf, inclusive: true))
            }
            groups[key] = g
        }
        return SubscriptionData(groups: groups.keys.sorted().map { key in
            let g = groups[key]!
            return SubscriptionGroup(plan: groupByPlan ? key : nil, survival: g.survival, subscriptions: g.subscriptions,
                                     active: g.active, meanAmount: g.amounts > 0 ? g.meanAmount : nil)
        })
    }

    /// One row of a subscriptions export, checked.
    public struct Record: Sendable, Hashable {
        public var id: String
        public var line: Int
        public var plan: String?
        public var start: CalendarDate
        public var end: CalendarDate?
        public var amount: Double?
    }

    /// The checked rows of a subscriptions export (see the type's documentation for the format and
    /// the errors); `requirePlan` makes the plan column and a plan on every row required.
    public static func records(data: Data, file: String, asOf: CalendarDate, requirePlan: Bool = false) throws(ScenarioError) -> [Record] {
        let rows = try CSVReader.parse(data: data, file: file)
        guard let header = rows.first else {
            throw ScenarioError(file: file, message: "file is empty; expected a header with id, start and end columns, then one row per subscription")
        }
        let names = header.fields.map(RetentionTableReader.trim)
        func column(_ accepted: [String], _ role: String, required: Bool, note: String = "") throws(ScenarioError) -> Int? {
            try CustomerData.column(names, accepted, role, header: header, file: file, required: required, note: note)
        }
        let idColumn = try column(idNames, "id", required: true)!
        let startColumn = try column(startNames, "start date", required: true)!
        let endColumn = try column(endNames, "end date", required: true, note: " (an empty cell means still active)")!
        let planColumn = try column(planNames, "plan", required: false)
        let amountColumn = try column(amountNames, "amount", required: false)
        if requirePlan && planColumn == nil {
            throw ScenarioError(file: file, line: header.line,
                                message: "grouping by plan needs a plan column; expected a header named one of: \(planNames.joined(separator: ", "))")
        }
        if rows.count == 1 {
            throw ScenarioError(file: file, line: header.line, message: "header but no data rows; expected one row per subscription")
        }
        var out: [Record] = []
        var seen: [String: Int] = [:]
        for row in rows.dropFirst() {
            let r = try HeaderedRow(row, names: names, file: file)
            func error(_ column: Int, _ message: String) -> ScenarioError { r.error(column, message) }
            func cell(_ column: Int) -> String { r.cell(column) }
            let id = cell(idColumn)
            if id.isEmpty { throw error(idColumn, "empty id; expected a unique subscription id") }
            if let first = seen[id] {
                throw error(idColumn, "duplicate id '\(id)'; first seen on line \(first), each subscription must appear once")
            }
            seen[id] = row.line
            let start = try dateCell(row, startColumn, names: names, file: file, what: "start date")
            if start > asOf {
                throw error(startColumn, "starts (\(start)) after the as-of date (\(asOf)); expected subscriptions that started on or before it")
            }
            let end: CalendarDate? = cell(endColumn).isEmpty ? nil : try dateCell(row, endColumn, names: names, file: file, what: "end date")
            if let end, end < start {
                throw error(endColumn, "ends (\(end)) before it starts (\(start))")
            }
            var plan: String? = nil
            if let planColumn {
                let key = CSVReader.visibleLabel(cell(planColumn))
                if requirePlan && key.isEmpty { throw error(planColumn, "empty plan; expected a plan name when grouping by plan") }
                plan = key.isEmpty ? nil : key
            }
            var amount: Double? = nil
            if let amountColumn, !cell(amountColumn).isEmpty {
                let text = cell(amountColumn)
                guard let value = Double(text), value.isFinite else {
                    throw error(amountColumn, "expected an amount (a number >= 0, e.g. 29.90), got '\(text)'")
                }
                if value < 0 { throw error(amountColumn, "expected an amount >= 0, got '\(text)'") }
                amount = value
            }
            out.append(Record(id: id, line: row.line, plan: plan, start: start, end: end, amount: amount))
        }
        return out
    }

    /// The date in a cell, or a located error (empty, malformed or impossible).
    static func dateCell(_ row: CSVRow, _ column: Int, names: [String], file: String, what: String) throws(ScenarioError) -> CalendarDate {
        let text = RetentionTableReader.trim(row[column])
        func error(_ message: String) -> ScenarioError {
            ScenarioError(file: file, line: row.line, column: column + 1, keyPath: names[column], message: message)
        }
        switch CalendarDate.parse(text) {
        case let .date(d): return d
        case let .impossible(reason): throw error("no such date: '\(text)' (\(reason))")
        case .malformed:
            throw error(text.isEmpty ? "empty \(what); expected \(CalendarDate.expectedFormat)"
                                     : "expected \(CalendarDate.expectedFormat), got '\(text)'")
        }
    }

    /// The number of periods m >= 1 that begin before `bound` (on or before it when `inclusive`),
    /// period m beginning on `start.adding(months: (m - 1) * months)`.
    static func periodsBegun(_ start: CalendarDate, every months: Int, before bound: CalendarDate,
                             inclusive: Bool) -> Int {
        func begun(_ n: Int) -> Bool {
            let d = start.adding(months: n * months)
            return inclusive ? d <= bound : d < bound
        }
        guard begun(0) else { return 0 }
        var n = max(0, ((bound.year - start.year) * 12 + bound.month - start.month) / months)
        while n > 0 && !begun(n) { n -= 1 }
        while begun(n + 1) { n += 1 }
        return n + 1
    }
}
