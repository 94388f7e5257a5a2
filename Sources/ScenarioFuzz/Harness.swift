import Foundation
import SubcastCore
import SubcastIO

/// What the fuzzer and the replay tool do with one input: every input goes through every
/// parser that reads user files, so one corpus, one binary and one crash artifact cover them all.
///
/// - `scenario`: `ScenarioLoader.parse(data:file:)` (YAML or JSON scenario files);
/// - `retention`: `RetentionTableReader.parse(data:file:period:)` (retention-table CSV);
/// - `subscriptions`, `subscriptions-by-plan`: `SubscriptionsReader.parse(data:file:asOf:period:groupByPlan:)`
///   monthly without grouping, and yearly grouped by plan;
/// - `partial`, `partial-sealed`: `PartialResult.parse(data:file:)` (shard partials for `merge`)
///   as given, and sealed with a correct digest so that mutations get past the digest check
///   into the parser and `merge`.
///
/// A thrown `ScenarioError` is the expected answer to a bad input. A finding is a crash (trap,
/// precondition, stack overflow, ASan report), a hang (libFuzzer `-timeout`) or runaway memory
/// (`-rss_limit_mb` / `-malloc_limit_mb`). With `checkInvariants`, a value that parses but breaks
/// the documented invariants of its type (e.g. a non-finite churn parameter) is a finding too.
///
/// The scenario and CSV parsers run on every input rather than one chosen by a selector byte, so
/// corpus files stay ordinary files (any committed `.yaml` or `.csv` can be opened, edited and
/// replayed as is). The cost is small: the CSV readers are cheap next to YAML composition.
enum Harness {
    enum Parser: String, CaseIterable {
        case scenario, retention, subscriptions
        case subscriptionsByPlan = "subscriptions-by-plan"
        /// `PartialResult.parse(data:file:)` on the input as it is, then on the input sealed with
        /// its correct digest (any last `digest` line replaced), so mutations reach the parser
        /// behind the digest check.
        case partial, partialSealed = "partial-sealed"
    }

    /// One parser's answer: nil when it accepted the input, else the error.
    struct Outcome {
        let parser: Parser
        let error: ScenarioError?
        /// Broken invariants of an accepted value (empty unless `checkInvariants`).
        let violations: [String]
    }

    /// The as-of date subscriptions are read at; fixed so every run is reproducible.
    static let asOf = CalendarDate(year: 2025, month: 6, day: 30)!

    /// The name given to the parsers for their error messages.
    static let inputName = "input"

    static func run(_ data: Data, checkInvariants: Bool) -> [Outcome] {
        var outcomes: [Outcome] = []

        do {
            let scenario = try ScenarioLoader.parse(data: data, file: inputName)
            outcomes.append(Outcome(parser: .scenario, error: nil,
                                    violations: checkInvariants ? Invariants.scenario(scenario) : []))
        } catch {
            outcomes.append(Outcome(parser: .scenario, error: error, violations: []))
        }

        do {
            let table = try RetentionTableReader.parse(data: data, file: inputName, period: .month)
            outcomes.append(Outcome(parser: .retention, error: nil,
                                    violations: checkInvariants ? Invariants.retention(table) : []))
        } catch {
            outcomes.append(Outcome(parser: .retention, error: error, violations: []))
        }

        for (parser, period, grouped) in [(Parser.subscriptions, RetentionTable.Period.month, false),
                                          (.subscriptionsByPlan, .year, true)] {
            do {
                let subscriptions = try SubscriptionsReader.parse(data: data, file: inputName, asOf: asOf,
                                                                  period: period, groupByPlan: grouped)
                outcomes.append(Outcome(parser: parser, error: nil,
                                        violations: checkInvariants ? Invariants.subscriptions(subscriptions, grouped: grouped) : []))
            } catch {
                outcomes.append(Outcome(parser: parser, error: error, violations: []))
            }
        }
        do {
            _ = try PartialResult.parse(data: data, file: inputName)
            outcomes.append(Outcome(parser: .partial, error: nil, violations: []))
        } catch {
            outcomes.append(Outcome(parser: .partial, error: error, violations: []))
        }
        if let text = String(data: data, encoding: .utf8) {
            var body = text
            if let lastLine = body.dropLast().lastIndex(of: "\n").map({ body.index(after: $0) }),
               body[lastLine...].hasPrefix("digest ") {
                body = String(body[..<lastLine])
            }
            if !body.isEmpty && !body.hasSuffix("\n") { body += "\n" }
            do {
                let p = try PartialResult.parse(data: Data(PartialResult.sealed(body).utf8), file: inputName)
                // A parsed partial also goes through merge (as a shard of its own run).
                _ = try? PartialResult.merge([(inputName, p)])
                outcomes.append(Outcome(parser: .partialSealed, error: nil, violations: []))
            } catch {
                outcomes.append(Outcome(parser: .partialSealed, error: error, violations: []))
            }
        }
        return outcomes
    }

    /// `error 3:14: plans[0].churn: expected ...` without the file name, on one line.
    static func describe(_ e: ScenarioError) -> String {
        var location = ""
        if e.line > 0 { location = "\(e.line)" }
        if e.column > 0 { location += ":\(e.column)" }
        var text = location.isEmpty ? "" : location + ": "
        if !e.keyPath.isEmpty { text += e.keyPath + ": " }
        text += e.message
        return oneLine(text)
    }

    static func oneLine(_ s: String) -> String {
        String(s.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : Character($0) })
    }
}

/// The documented invariants of what the parsers return. Every check here is something the
/// rest of Subcast relies on (the simulation's preconditions, GSL's argument ranges), so a value
/// that passes the parser but fails here is a bug in the parser's validation.
enum Invariants {
    typealias Limits = ScenarioLoader.Limits

    static func scenario(_ s: Scenario) -> [String] {
        var v: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { v.append(what()) } }
        func finite(_ x: Double, _ name: String) -> Bool {
            check(x.isFinite, "\(name) = \(x) is not finite")
            return x.isFinite
        }
        check((1...Limits.maximumHorizonMonths).contains(s.horizonMonths), "horizonMonths = \(s.horizonMonths)")
        check((1...Limits.maximumTrials).contains(s.trials), "trials = \(s.trials)")
        check((1...Limits.maximumLifetimeMonths).contains(s.lifetimeMonths), "lifetimeMonths = \(s.lifetimeMonths)")
        check((1...Limits.maximumPlans).contains(s.plans.count), "\(s.plans.count) plans")
        check(Set(s.plans.map(\.name)).count == s.plans.count, "plan names are not unique")
        for (i, p) in s.plans.enumerated() {
            let name = "plans[\(i)]"
            check(!p.name.isEmpty, "\(name).name is empty")
            if finite(p.pricePerMonth, "\(name).pricePerMonth") { check(p.pricePerMonth >= 0, "\(name).pricePerMonth < 0") }
            switch p.churn {
            case let .shiftedBetaGeometric(alpha, beta):
                if finite(alpha, "\(name).churn.alpha") { check(alpha > 0, "\(name).churn.alpha = \(alpha) <= 0") }
                if finite(beta, "\(name).churn.beta") { check(beta > 0, "\(name).churn.beta = \(beta) <= 0") }
                _ = finite(alpha + beta, "\(name).churn.alpha + beta")
            case let .betaDiscreteWeibull(alpha, beta, c):
                if finite(alpha, "\(name).churn.alpha") { check(alpha > 0, "\(name).churn.alpha = \(alpha) <= 0") }
                if finite(beta, "\(name).churn.beta") { check(beta > 0, "\(name).churn.beta = \(beta) <= 0") }
                if finite(c, "\(name).churn.c") { check(c > 0, "\(name).churn.c = \(c) <= 0") }
            case let .constant(perMonth):
                if finite(perMonth, "\(name).churn.perMonth") {
                    check(perMonth >= 0 && perMonth <= 1, "\(name).churn.perMonth = \(perMonth) outside [0, 1]")
                }
            }
            if let u = p.churnUncertainty {
                check(u.seLogAlpha.isFinite && u.seLogAlpha >= 0, "\(name).churnUncertainty.seLogAlpha = \(u.seLogAlpha)")
                check(u.seLogBeta.isFinite && u.seLogBeta >= 0, "\(name).churnUncertainty.seLogBeta = \(u.seLogBeta)")
                check(u.correlation >= -1 && u.correlation <= 1, "\(name).churnUncertainty.correlation = \(u.correlation)")
                if case .constant = p.churn { v.append("\(name) has churn uncertainty without alpha and beta") }
            }
        }
        let a = s.acquisition
        if finite(a.newPerMonth, "acquisition.newPerMonth") {
            check(a.newPerMonth >= 0 && a.newPerMonth <= Limits.maximumCount, "acquisition.newPerMonth = \(a.newPerMonth)")
        }
        if finite(a.growthPerMonth, "acquisition.growthPerMonth") {
            check(a.growthPerMonth > -1, "acquisition.growthPerMonth = \(a.growthPerMonth) <= -1")
            let last = a.meanArrivals(month: s.horizonMonths)
            check(last.isFinite && last >= 0 && last <= Limits.maximumCount,
                  "acquisition mean in month \(s.horizonMonths) = \(last) outside 0 ... \(Limits.maximumCount)")
        }
        check(a.planMix.count == s.plans.count, "acquisition.planMix has \(a.planMix.count) shares for \(s.plans.count) plans")
        check(a.planMix.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "acquisition.planMix = \(a.planMix)")
        check(abs(a.planMix.reduce(0, +) - 1) <= 1e-6, "acquisition.planMix adds up to \(a.planMix.reduce(0, +))")
        check(s.existing.count <= Limits.maximumExisting, "\(s.existing.count) existing cohorts")
        for (i, e) in s.existing.enumerated() {
            check(s.plans.indices.contains(e.plan), "existing[\(i)].plan = \(e.plan)")
            check(e.count >= 0 && Double(e.count) <= Limits.maximumCount, "existing[\(i)].count = \(e.count)")
            check(e.tenureMonths >= 0, "existing[\(i)].tenureMonths = \(e.tenureMonths)")
        }
        let econ = s.economics
        check(econ.grossMargin >= 0 && econ.grossMargin <= 1, "economics.grossMargin = \(econ.grossMargin)")
        check(econ.discountRatePerYear >= 0 && econ.discountRatePerYear <= 10, "economics.discountRatePerYear = \(econ.discountRatePerYear)")
        if finite(econ.cacPerSubscriber, "economics.cacPerSubscriber") {
            check(econ.cacPerSubscriber >= 0, "economics.cacPerSubscriber = \(econ.cacPerSubscriber)")
        }
        check(s.reportedCohorts == Array(Set(s.reportedCohorts)).sorted(), "reportedCohorts \(s.reportedCohorts) not sorted and unique")
        check(s.reportedCohorts.allSatisfy { (1...s.horizonMonths).contains($0) }, "reportedCohorts \(s.reportedCohorts) outside 1 ... horizon")
        return v
    }

    static func retention(_ t: RetentionTable) -> [String] {
        var v: [String] = []
        if t.cohorts.isEmpty { v.append("retention table without cohorts") }
        if Set(t.cohorts.map(\.label)).count != t.cohorts.count { v.append("cohort labels are not unique") }
        for c in t.cohorts {
            if c.label.isEmpty { v.append("empty cohort label") }
            guard let first = c.alive.first else { v.append("cohort '\(c.label)' has no counts"); continue }
            if first < 1 { v.append("cohort '\(c.label)' has size \(first)") }
            if c.alive.contains(where: { $0 < 0 || $0 > RetentionTableReader.maximumCount }) {
                v.append("cohort '\(c.label)' has a count outside 0 ... \(RetentionTableReader.maximumCount)")
            }
            if zip(c.alive, c.alive.dropFirst()).contains(where: { $1 > $0 }) { v.append("cohort '\(c.label)' increases") }
        }
        return v
    }

    static func subscriptions(_ d: SubscriptionData, grouped: Bool) -> [String] {
        var v: [String] = []
        if d.groups.isEmpty { v.append("subscriptions without groups") }
        if !grouped && d.groups.count != 1 { v.append("\(d.groups.count) groups without grouping") }
        for g in d.groups {
            let label = g.plan ?? "all"
            if g.survival.churned.contains(where: { $0 < 0 }) || g.survival.active.contains(where: { $0 < 0 }) {
                v.append("group \(label): negative survival count")
            }
            if g.survival.churned.first != 0 || g.survival.active.first != 0 { v.append("group \(label): period 0 used") }
            if g.survival.subscribers != g.subscriptions {
                v.append("group \(label): \(g.survival.subscribers) in survival data, \(g.subscriptions) subscriptions")
            }
            if g.survival.active.reduce(0, +) != g.active { v.append("group \(label): active count differs") }
            if let m = g.meanAmount, !(m.isFinite && m >= 0) { v.append("group \(label): mean amount \(m)") }
        }
        return v
    }
}
