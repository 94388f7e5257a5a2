import Foundation
import SubcastCore

/// Customer-level data for `subcast fit`: a subscriptions export with, optionally, support
/// tickets and activation (ramp-up) dates, turned into the conditions the simulation models.
///
/// **Tickets** (CSV; header names any case; extra columns ignored):
///
/// | column | accepted header names | |
/// |---|---|---|
/// | subscription | `subscription_id`, `subscription`, `id` | required; an id of the subscriptions file |
/// | opened | `opened`, `opened_at`, `opened_date`, `created_at` | required date, on or after the subscription's start and on or before the as-of date |
/// | resolved | `resolved`, `resolved_at`, `resolved_date`, `closed_at` | required column; empty while open; not before opened |
/// | outcome | `outcome`, `resolution` | `good` or `bad` (any case); required for resolved tickets unless there is a satisfaction column |
/// | satisfaction | `satisfaction`, `csat`, `score` | a number; at least `--satisfaction-threshold` (default 4) is good, below it bad |
///
/// A resolved date after the as-of date counts as still open on the as-of date.
///
/// **Activations**: `subscription_id` (or `subscription`, `id`) and `activated` (`activated_at`,
/// `activation_date`, `productive_at`): the date the customer became productive, empty if not
/// yet; each subscription at most once. A subscription missing from the file has not activated.
///
/// **Plan changes** (optional, with `--by-plan`): `subscription_id` (or `subscription`, `id`),
/// `changed` (`changed_at`, `change_date`, `effective_date`), `from_plan` (`from`, `old_plan`) and
/// `to_plan` (`to`, `new_plan`): one row per change, on or after the start, on or before the end
/// and the as-of date. A subscription's changes, in date order, must form a chain (each `from_plan`
/// the previous `to_plan`) that ends on the subscriptions file's `plan`, which is the plan on the
/// as-of date (or at the end); the first `from_plan` is the plan signed up on.
///
/// **Conditions**, renewal t of a subscription started on s being on s + t months (period m is
/// [s + (m - 1) months, s + m months); an event belongs to the period containing its date):
/// 1. waiting: a ticket opened in period <= t and not resolved in period <= t;
/// 2. else detractor (promoter): the last resolution in period j <= t was bad (good) and
///    t - j < `detractorMonths` (`promoterMonths`): the simulation's condition for r renewals;
/// 3. else at risk (with an activations file): the ramp-up time R (calendar months from the
///    start to activation, fractional) exceeds `thresholdMonths`, R > t - 1 (not activated before
///    period t began), and no ticket has been opened yet (a ticket ends the at-risk condition, as
///    in the model, where a customer whose R exceeds the threshold is at risk from sign-up);
/// 4. else healthy.
///
/// A customer not activated and observed for less than the threshold may or may not have
/// R > threshold: `ambiguous`, with `history` the reading R > threshold and `historyIfFast` the
/// other; `CustomerFit` weighs them by P(R > threshold | R > observed) of the fitted ramp-up.
public struct CustomerData: Sendable {
    public struct Options: Sendable {
        public var asOf: CalendarDate
        public var groupByPlan = false
        public var detractorMonths = 3
        public var promoterMonths = 6
        public var thresholdMonths = 3.0
        public var satisfactionThreshold = 4.0
        public init(asOf: CalendarDate) { self.asOf = asOf }
    }

    public struct Ticket: Sendable, Hashable {
        public var opened: CalendarDate
        public var resolved: CalendarDate?
        /// nil while open.
        public var good: Bool?
    }

    /// One subscription with everything known about it.
    public struct Customer: Sendable {
        public var record: SubscriptionsReader.Record
        /// The plan signed up on (the churn fit's group and the acquisition mix).
        public var group: Int
        public var tickets: [Ticket]
        /// Fractional months from the start to activation; nil when not activated by the as-of date.
        public var rampMonths: Double?
        /// Periods paid: churned at renewal `tenure`, or active in period `tenure`.
        public var tenure: Int
        public var churned: Bool
        /// The condition at each renewal observed (1 ... tenure when churned, 1 ... tenure - 1 when active).
        public var history: [ChurnCondition]
        /// Not activated and observed for less than the threshold: whether R exceeds it is not
        /// known; `history` and `current` assume it does, these that it does not.
        public var ambiguous: Bool
        public var historyIfFast: [ChurnCondition]
        public var currentIfFast: ChurnCondition
        /// Ambiguous, and the renewals observed so far read differently in the two cases: the
        /// customers whose churn likelihood depends on the ramp-up fit.
        public var undecided: Bool { ambiguous && history != historyIfFast }
        /// Months observed (start to the end or the as-of date).
        public var observedMonths: Double
        /// Active customers: the condition at the coming renewal (`tenure`) as of the as-of date,
        /// and for detractors and promoters how many renewals it lasts (1 ... months).
        public var current: ChurnCondition
        public var monthsLeft: Int
        /// Open ticket since, last resolution, for the reasons in `subcast score`.
        public var openSince: CalendarDate?
        public var lastResolution: (date: CalendarDate, good: Bool)?
        /// The plan changes up to the as-of date, in order (groups), and the plan on the as-of date.
        public var planChanges: [(date: CalendarDate, from: Int, to: Int)] = []
        public var currentGroup: Int = 0
        /// The plan the file's amount belongs to: the subscriptions file's plan, which is the plan
        /// on the file's as-of date (it differs from `currentGroup` when a backtest's cut-off comes
        /// before a change); nil when that plan is not among the groups.
        public var amountGroup: Int? = 0

        /// The plan (group) on `date`: after the changes dated before it (a change takes effect at
        /// the end of its day: a ticket resolved on the day of a change was on the old plan; ticket
        /// rates and a backtest's actuals count a change on a period's first day as in effect for
        /// that period).
        public func plan(on date: CalendarDate) -> Int {
            var g = group
            for c in planChanges where c.date < date { g = c.to }
            return g
        }
    }

    /// A row of the plan-changes file.
    public struct PlanChange: Sendable, Hashable {
        public var date: CalendarDate
        public var from: String
        public var to: String
        public var line: Int
    }

    public var options: Options
    public var groups: [String?]
    public var customers: [Customer]
    public var hasTickets: Bool, hasActivations: Bool
    public var hasPlanChanges = false
    public var files: [String]

    /// Every subscription as the files give it (up to `options.asOf`), for a backtest's actuals,
    /// and each one's plan changes (empty without a plan-changes file).
    public var allRecords: [SubscriptionsReader.Record] = []
    public var allPlanChanges: [[PlanChange]] = []

    /// Reads the files and derives every customer's conditions. With `cutoff` (before the as-of
    /// date) the data are seen as on that date: subscriptions started later are left out, later
    /// ends, tickets, resolutions and activations are not known yet (the files are checked up to
    /// the as-of date all the same).
    public static func read(subscriptions: String, tickets: String?, activations: String?, planChanges: String? = nil,
                            options: Options, cutoff: CalendarDate? = nil) throws(ScenarioError) -> CustomerData {
        let all = try SubscriptionsReader.records(data: CSVReader.load(path: subscriptions), file: subscriptions,
                                                  asOf: options.asOf, requirePlan: options.groupByPlan)
        var options = options
        var records = all
        if let cutoff {
            records = all.filter { $0.start <= cutoff }.map { r in
                var r = r
                if let e = r.end, e > cutoff { r.end = nil }
                return r
            }
        }
        var index: [String: Int] = [:]
        for (i, r) in records.enumerated() { index[r.id] = i }
        var ticketLists = [[Ticket]](repeating: [], count: records.count)
        var allIndex: [String: Int] = [:]
        for (i, r) in all.enumerated() { allIndex[r.id] = i }
        if let tickets {
            for (j, t) in try readTickets(path: tickets, index: allIndex, records: all, options: options) {
                guard let i = index[all[j].id] else { continue }
                if let cutoff {
                    if t.opened > cutoff { continue }
                    if let r = t.resolved, r > cutoff {
                        ticketLists[i].append(Ticket(opened: t.opened, resolved: nil, good: nil))
                        continue
                    }
                }
                ticketLists[i].append(t)
            }
        }
        var ramp = [Double?](repeating: nil, count: records.count)
        if let activations {
            for (j, d) in try readActivations(path: activations, index: allIndex, records: all, options: options) {
                guard let i = index[all[j].id] else { continue }
                if let cutoff, d > cutoff { continue }
                ramp[i] = records[i].start.months(until: d)
            }
        }
        var changeLists = [[PlanChange]](repeating: [], count: records.count)
        var allChanges = [[PlanChange]](repeating: [], count: planChanges == nil ? 0 : all.count)
        let filePlans = records.map(\.plan)
        if let planChanges {
            guard options.groupByPlan else {
                throw ScenarioError(file: planChanges, message: "plan changes need the fit by plan (--by-plan): without it every customer is on one plan")
            }
            for (j, list) in try readPlanChanges(path: planChanges, index: allIndex, records: all, options: options).enumerated() {
                allChanges[j] = list
                guard let i = index[all[j].id] else { continue }
                changeLists[i] = cutoff.map { c in list.filter { $0.date <= c } } ?? list
                // Seen on the cut-off date, the plan column holds the plan after the known changes.
                if !list.isEmpty { records[i].plan = changeLists[i].last?.to ?? list[0].from }
            }
        }
        if let cutoff { options.asOf = cutoff }
        let planNames = options.groupByPlan
            ? Array(Set(records.compactMap(\.plan) + changeLists.flatMap { $0.flatMap { [$0.from, $0.to] } })).sorted() : []
        let groups: [String?] = options.groupByPlan ? planNames : [nil]
        var customers: [Customer] = []
        for (i, r) in records.enumerated() {
            let changes = changeLists[i]
            let g = options.groupByPlan ? planNames.firstIndex(of: changes.first?.from ?? r.plan!)! : 0
            var c = customer(r, group: g, tickets: ticketLists[i].sorted { ($0.opened, $0.resolved ?? options.asOf) < ($1.opened, $1.resolved ?? options.asOf) },
                             ramp: ramp[i], activations: activations != nil, options: options)
            c.planChanges = changes.map { ($0.date, planNames.firstIndex(of: $0.from)!, planNames.firstIndex(of: $0.to)!) }
            c.currentGroup = c.planChanges.last?.to ?? g
            c.amountGroup = options.groupByPlan ? filePlans[i].flatMap { planNames.firstIndex(of: $0) } : 0
            customers.append(c)
        }
        var data = CustomerData(options: options, groups: groups, customers: customers, hasTickets: tickets != nil,
                                hasActivations: activations != nil,
                                files: [subscriptions] + [tickets, activations, planChanges].compactMap { $0 }, allRecords: all)
        data.hasPlanChanges = planChanges != nil
        data.allPlanChanges = allChanges
        return data
    }

    static func customer(_ r: SubscriptionsReader.Record, group: Int, tickets: [Ticket], ramp: Double?,
                         activations: Bool, options o: Options) -> Customer {
        let s = r.start
        func period(_ d: CalendarDate) -> Int { SubscriptionsReader.periodsBegun(s, every: 1, before: d, inclusive: true) }
        let churned: Bool, tenure: Int
        if let end = r.end, end <= o.asOf {
            churned = true
            tenure = max(1, SubscriptionsReader.periodsBegun(s, every: 1, before: end, inclusive: false))
        } else {
            churned = false
            tenure = SubscriptionsReader.periodsBegun(s, every: 1, before: o.asOf, inclusive: true)
        }
        // Resolutions after the as-of date are not known yet. Per period: the tickets open at
        // its end, the first period with a ticket raised, and the last resolution by (period, date).
        let known = tickets.map { t -> (opened: Int, resolved: Int?, good: Bool?, date: CalendarDate?) in
            if let d = t.resolved, d <= o.asOf { return (period(t.opened), period(d), t.good, d) }
            return (period(t.opened), nil, nil, nil)
        }
        let firstRaised = known.map(\.opened).min() ?? Int.max
        let horizon = tenure + 1
        // open[t]: tickets opened in a period <= t and not resolved in a period <= t (difference array).
        var openDelta = [Int](repeating: 0, count: horizon + 2)
        for k in known where k.opened <= horizon {
            openDelta[max(0, k.opened)] += 1
            if let r = k.resolved, r <= horizon { openDelta[r] -= 1 }
        }
        var openAt = [Int](repeating: 0, count: horizon + 1)
        var running = 0
        for t in 0...horizon { running += openDelta[t]; openAt[t] = running }
        // lastAt[t]: the latest resolution in a period <= t, by (period, date).
        let resolutions = known.filter { $0.resolved != nil && $0.good != nil }
            .sorted { ($0.resolved!, $0.date!) < ($1.resolved!, $1.date!) }
        var lastAt = [(period: Int, good: Bool)?](repeating: nil, count: horizon + 1)
        var ri = 0
        var last: (period: Int, good: Bool)? = nil
        for t in 0...horizon {
            while ri < resolutions.count && resolutions[ri].resolved! <= t { last = (resolutions[ri].resolved!, resolutions[ri].good!); ri += 1 }
            lastAt[t] = last
        }
        let observed = s.months(until: r.end.map { min($0, o.asOf) } ?? o.asOf)
        let ambiguous = activations && ramp == nil && observed < o.thresholdMonths
        var slow = activations && (ramp.map { $0 > o.thresholdMonths } ?? true)
        func condition(at t: Int) -> (ChurnCondition, Int) {
            if t <= horizon && openAt[t] > 0 { return (.waiting, 0) }
            if let last = lastAt[min(t, horizon)] {
                let age = t - last.period
                if !last.good && age < o.detractorMonths { return (.detractor, o.detractorMonths - age) }
                if last.good && age < o.promoterMonths { return (.promoter, o.promoterMonths - age) }
            }
            if slow && (ramp.map { $0 > Double(t - 1) } ?? true) && firstRaised > t {
                return (.atRisk, 0)
            }
            return (.healthy, 0)
        }
        let renewals = churned ? tenure : tenure - 1
        let history = renewals >= 1 ? (1...renewals).map { condition(at: $0).0 } : []
        let (current, left) = churned ? (ChurnCondition.healthy, 0) : condition(at: tenure)
        var historyIfFast = history, currentIfFast = current
        if ambiguous {
            slow = false
            historyIfFast = renewals >= 1 ? (1...renewals).map { condition(at: $0).0 } : []
            currentIfFast = churned ? .healthy : condition(at: tenure).0
        }
        let open = tickets.filter { $0.resolved.map { $0 > o.asOf } ?? true }.map(\.opened).min()
        let lastResolved = tickets.filter { ($0.resolved.map { $0 <= o.asOf } ?? false) && $0.good != nil }
            .max { ($0.resolved!, $0.opened) < ($1.resolved!, $1.opened) }.map { ($0.resolved!, $0.good!) }
        return Customer(record: r, group: group, tickets: tickets, rampMonths: ramp, tenure: tenure, churned: churned,
                        history: history, ambiguous: ambiguous, historyIfFast: historyIfFast, currentIfFast: currentIfFast,
                        observedMonths: observed, current: current, monthsLeft: left, openSince: open, lastResolution: lastResolved)
    }

    // MARK: - Readers

    /// The header (a file with a header and no rows is fine: no tickets, nobody activated yet).
    static func header(_ rows: [CSVRow], file: String, what: String) throws(ScenarioError) -> (CSVRow, [String]) {
        guard let header = rows.first else {
            throw ScenarioError(file: file, message: "file is empty; expected a header row, then one row per \(what)")
        }
        return (header, header.fields.map(RetentionTableReader.trim))
    }

    static func column(_ names: [String], _ accepted: [String], _ role: String, header: CSVRow, file: String,
                       required: Bool, note: String = "") throws(ScenarioError) -> Int? {
        let lowered = names.map { $0.lowercased() }
        for name in accepted {
            let matches = lowered.indices.filter { lowered[$0] == name }
            if matches.count > 1 {
                throw ScenarioError(file: file, line: header.line, column: matches[1] + 1, keyPath: names[matches[1]],
                                    message: "duplicate column '\(names[matches[1]])' (also column \(matches[0] + 1)); expected each column once")
            }
            if let i = matches.first { return i }
        }
        if required {
            throw ScenarioError(file: file, line: header.line,
                                message: "missing the \(role) column; expected a header named one of: \(accepted.joined(separator: ", "))\(note)")
        }
        return nil
    }

    static let subscriptionNames = ["subscription_id", "subscription", "id"]

    static func readTickets(path: String, index: [String: Int], records: [SubscriptionsReader.Record],
                            options o: Options) throws(ScenarioError) -> [(Int, Ticket)] {
        let rows = try CSVReader.parse(data: CSVReader.load(path: path), file: path)
        let (header, names) = try header(rows, file: path, what: "ticket")
        let idC = try column(names, subscriptionNames, "subscription id", header: header, file: path, required: true)!
        let openC = try column(names, ["opened", "opened_at", "opened_date", "created_at"], "opened date", header: header, file: path, required: true)!
        let resC = try column(names, ["resolved", "resolved_at", "resolved_date", "closed_at"], "resolved date", header: header, file: path,
                              required: true, note: " (an empty cell means still open)")!
        let outC = try column(names, ["outcome", "resolution"], "outcome", header: header, file: path, required: false)
        let satC = try column(names, ["satisfaction", "csat", "score"], "satisfaction", header: header, file: path, required: false)
        if outC == nil && satC == nil {
            throw ScenarioError(file: path, line: header.line,
                                message: "missing the outcome column; expected `outcome` (good / bad) or a satisfaction score (`satisfaction`, `csat` or `score`)")
        }
        var out: [(Int, Ticket)] = []
        for row in rows.dropFirst() {
            let r = try HeaderedRow(row, names: names, file: path)
            func error(_ c: Int, _ m: String) -> ScenarioError { r.error(c, m) }
            func cell(_ c: Int) -> String { r.cell(c) }
            let id = cell(idC)
            if id.isEmpty { throw error(idC, "empty subscription id; expected an id of the subscriptions file") }
            guard let i = index[id] else { throw error(idC, "unknown subscription '\(id)'; expected an id of the subscriptions file") }
            let opened = try SubscriptionsReader.dateCell(row, openC, names: names, file: path, what: "opened date")
            if opened < records[i].start { throw error(openC, "opened (\(opened)) before subscription '\(id)' started (\(records[i].start))") }
            if opened > o.asOf { throw error(openC, "opened (\(opened)) after the as-of date (\(o.asOf))") }
            if let end = records[i].end, opened > end { throw error(openC, "opened (\(opened)) after subscription '\(id)' ended (\(end))") }
            var resolved: CalendarDate? = nil
            if !cell(resC).isEmpty {
                let d = try SubscriptionsReader.dateCell(row, resC, names: names, file: path, what: "resolved date")
                if d < opened { throw error(resC, "resolved (\(d)) before it was opened (\(opened))") }
                resolved = d
            }
            var good: Bool? = nil
            if let outC, !cell(outC).isEmpty {
                switch cell(outC).lowercased() {
                case "good": good = true
                case "bad": good = false
                default: throw error(outC, "expected an outcome 'good' or 'bad', got '\(cell(outC))'")
                }
            } else if let satC, !cell(satC).isEmpty {
                guard let v = Double(cell(satC)), v.isFinite else { throw error(satC, "expected a satisfaction score (a number), got '\(cell(satC))'") }
                good = v >= o.satisfactionThreshold
            }
            if resolved != nil && good == nil {
                let c = outC ?? satC!
                throw error(c, "a resolved ticket needs its outcome (good or bad\(satC != nil ? ", or a satisfaction score" : ""))")
            }
            out.append((i, Ticket(opened: opened, resolved: resolved, good: resolved == nil ? nil : good)))
        }
        return out
    }

    static func readActivations(path: String, index: [String: Int], records: [SubscriptionsReader.Record],
                                options o: Options) throws(ScenarioError) -> [(Int, CalendarDate)] {
        let rows = try CSVReader.parse(data: CSVReader.load(path: path), file: path)
        let (header, names) = try header(rows, file: path, what: "subscription")
        let idC = try column(names, subscriptionNames, "subscription id", header: header, file: path, required: true)!
        let dateC = try column(names, ["activated", "activated_at", "activation_date", "productive_at"], "activation date",
                               header: header, file: path, required: true, note: " (an empty cell means not yet productive)")!
        var out: [(Int, CalendarDate)] = []
        var seen: [String: Int] = [:]
        for row in rows.dropFirst() {
            let r = try HeaderedRow(row, names: names, file: path)
            func error(_ c: Int, _ m: String) -> ScenarioError { r.error(c, m) }
            let id = r.cell(idC)
            if id.isEmpty { throw error(idC, "empty subscription id; expected an id of the subscriptions file") }
            guard let i = index[id] else { throw error(idC, "unknown subscription '\(id)'; expected an id of the subscriptions file") }
            if let first = seen[id] { throw error(idC, "subscription '\(id)' appears twice (first on line \(first)); expected one activation per subscription") }
            seen[id] = row.line
            if r.cell(dateC).isEmpty { continue }
            let d = try SubscriptionsReader.dateCell(row, dateC, names: names, file: path, what: "activation date")
            if d < records[i].start { throw error(dateC, "activated (\(d)) before subscription '\(id)' started (\(records[i].start))") }
            // Activations after the as-of date are not known yet.
            if d > o.asOf { continue }
            out.append((i, d))
        }
        return out
    }

    /// The plan-changes file, checked (see the type's documentation): each subscription's
    /// changes in date order (by subscription index of `records`).
    static func readPlanChanges(path: String, index: [String: Int], records: [SubscriptionsReader.Record],
                                options o: Options) throws(ScenarioError) -> [[PlanChange]] {
        let rows = try CSVReader.parse(data: CSVReader.load(path: path), file: path)
        let (header, names) = try header(rows, file: path, what: "plan change")
        let idC = try column(names, subscriptionNames, "subscription id", header: header, file: path, required: true)!
        let dateC = try column(names, ["changed", "changed_at", "change_date", "effective_date"], "change date",
                               header: header, file: path, required: true)!
        let fromC = try column(names, ["from_plan", "from", "old_plan"], "from plan", header: header, file: path, required: true)!
        let toC = try column(names, ["to_plan", "to", "new_plan"], "to plan", header: header, file: path, required: true)!
        var out = [[PlanChange]](repeating: [], count: records.count)
        var rowOf: [Int: HeaderedRow] = [:]
        for row in rows.dropFirst() {
            let r = try HeaderedRow(row, names: names, file: path)
            let id = r.cell(idC)
            if id.isEmpty { throw r.error(idC, "empty subscription id; expected an id of the subscriptions file") }
            guard let i = index[id] else { throw r.error(idC, "unknown subscription '\(id)'; expected an id of the subscriptions file") }
            let d = try SubscriptionsReader.dateCell(row, dateC, names: names, file: path, what: "change date")
            if d < records[i].start { throw r.error(dateC, "changed (\(d)) before subscription '\(id)' started (\(records[i].start))") }
            if d > o.asOf { throw r.error(dateC, "changed (\(d)) after the as-of date (\(o.asOf))") }
            if let end = records[i].end, d > end { throw r.error(dateC, "changed (\(d)) after subscription '\(id)' ended (\(end))") }
            let from = r.cell(fromC), to = r.cell(toC)
            if from.isEmpty { throw r.error(fromC, "empty plan; expected the plan before the change") }
            if to.isEmpty { throw r.error(toC, "empty plan; expected the plan after the change") }
            if from == to { throw r.error(toC, "the change keeps plan '\(to)'; expected a different plan") }
            out[i].append(PlanChange(date: d, from: from, to: to, line: row.line))
            rowOf[row.line] = r
        }
        for i in out.indices where !out[i].isEmpty {
            out[i].sort { ($0.date, $0.line) < ($1.date, $1.line) }
            // Changes on one day in the order their plans chain (a -> b before b -> c, whatever the
            // rows' order); what does not chain keeps the file's order and fails below.
            var ordered: [PlanChange] = []
            var k = 0
            while k < out[i].count {
                var day = Array(out[i][k...].prefix { $0.date == out[i][k].date })
                k += day.count
                var previous = ordered.last?.to
                while !day.isEmpty {
                    let next = day.firstIndex { c in previous.map { c.from == $0 } ?? !day.contains { $0.to == c.from } } ?? 0
                    previous = day[next].to
                    ordered.append(day.remove(at: next))
                }
            }
            out[i] = ordered
            for k in 1..<max(1, out[i].count) where out[i][k].from != out[i][k - 1].to {
                throw rowOf[out[i][k].line]!.error(fromC, "from '\(out[i][k].from)', but the change before (line \(out[i][k - 1].line), "
                                                   + "\(out[i][k - 1].date)) moved subscription '\(records[i].id)' to '\(out[i][k - 1].to)'")
            }
            if let plan = records[i].plan, let last = out[i].last, last.to != plan {
                throw rowOf[last.line]!.error(toC, "the last change of subscription '\(records[i].id)' moves it to '\(last.to)', but the "
                                              + "subscriptions file has plan '\(plan)' (line \(records[i].line)); the plan column is the plan "
                                              + "on the as-of date or at the end")
            }
        }
        return out
    }
}
