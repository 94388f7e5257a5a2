import Foundation
@testable import SubcastCore
import Testing
@testable import SubcastIO

/// Synthetic results for the report writers: a hand-built `OutputLayout` and constant
/// summaries, so the reports of lever metrics can be checked before `PipelineModel` runs, and a
/// core-only result whose rendering is pinned to the bytes the writers gave before they became
/// layout-driven.
enum SyntheticResult {
    static let trials = 100

    /// Run information independent of the installed GSL and of the Subcast version.
    static var info: RunInfo {
        var i = RunInfo(scenarioFile: "Scenarios/levers.yaml")
        i.subcastVersion = "0.0.0-test"
        i.generator = "test generator"
        i.gslVersion = "0.0"
        return i
    }

    /// The monthly metrics and scalars of the model without levers, in layout order.
    static let coreMonthly = ["active", "new", "churned", "mrr", "arr", "arpu", "logo_churn_rate", "revenue_churn_rate",
                              "cumulative_revenue", "new_mrr", "churned_mrr"]
    static let coreScalars = ["acquired", "cltv", "cltv_naive", "ltv_cac", "cac_payback_month"]

    /// A summary of `trials` trials with mean `mean` and quantiles spread evenly around it
    /// (p5 = mean - 2 spread ... p95 = mean + 2 spread); NaN gives an undefined summary (n = 0).
    static func stat(_ mean: Double, spread: Double = 0, n: Int = trials) -> Summary {
        var s = Summary([])
        guard !mean.isNaN, n > 0 else { return s }
        s.n = n
        s.mean = mean
        s.sd = spread
        s.se = spread / Double(n).squareRoot()
        s.p5 = mean - 2 * spread
        s.p25 = mean - spread
        s.p50 = mean
        s.p75 = mean + spread
        s.p95 = mean + 2 * spread
        return s
    }

    /// A generic value for the core metrics: distinct per metric and month, with fractions.
    static func coreValue(_ metric: String, _ month: Int) -> Double {
        let k = Double((coreMonthly + coreScalars).firstIndex(of: metric) ?? 0)
        switch metric {
        case "logo_churn_rate", "revenue_churn_rate": return 0.01 * (k + 1) + 0.001 * Double(month)
        default: return 100 * (k + 1) + 7.25 * Double(month)
        }
    }

    /// A result with the given layout parts: `monthly` blocks (name, mean by month), the pooled
    /// retention and the cohorts of `scenario.reportedCohorts`, then `scalars`.
    static func result(_ scenario: Scenario, monthly: [(String, (Int) -> Summary)],
                       scalars: [(String, Summary)], seed: UInt64 = 42) -> SimulationResult {
        let h = scenario.horizonMonths
        var layout = OutputLayout()
        var summaries: [Summary] = []
        for (name, value) in monthly {
            layout.add(name, .monthly, count: h)
            summaries += (1...h).map(value)
        }
        layout.add("retention", .byTenure, count: h)
        summaries += (1...h).map { stat(1 - 0.05 * Double($0 - 1), spread: 0.01) }
        for c in scenario.reportedCohorts where c >= 1 && c <= h {
            layout.add("retention_cohort_\(c)", .cohort(month: c), count: h - c + 1)
            summaries += (1...(h - c + 1)).map { stat(1 - 0.04 * Double($0 - 1), spread: 0.02) }
        }
        var histograms: [String: Histogram] = [:]
        for (name, s) in scalars {
            layout.add(name, .scalar, count: 1)
            summaries.append(s)
            histograms[name] = Histogram(s.n == 0 ? [] : [s.p5, s.p25, s.p50, s.p50, s.p75, s.p95])
        }
        precondition(summaries.count == layout.width)
        return SimulationResult(scenario: scenario, seed: seed, trials: trials, layout: layout, summaries: summaries,
                                closedForm: ClosedForm(scenario), histograms: histograms)
    }

    /// The layout of the model without levers, with generic values.
    static func core(_ scenario: Scenario) -> SimulationResult {
        result(scenario,
               monthly: coreMonthly.map { name in (name, { m in stat(coreValue(name, m), spread: 1.5) }) },
               scalars: coreScalars.map { ($0, stat(coreValue($0, 0), spread: 4)) })
    }
}

@Suite struct LeverReportTests {
    static let info = SyntheticResult.info
    static let horizon = 24

    /// A scenario that uses levers (support and the switch from licences).
    static func leverScenario(horizon: Int = horizon) -> Scenario {
        var s = reportScenario(name: "lever test", cac: 120, horizon: horizon, trials: SyntheticResult.trials)
        s.levers = Levers(support: Support(agents: 2, ticketsPerAgentPerMonth: 40, costPerAgentPerMonth: 2000,
                                           firstContactResolution: 0.8),
                          licenceSwitch: LicenceSwitch(switchMonth: 4, licencesPerMonth: 10, licencePrice: 6000,
                                                       maintenanceShare: 0.2, maintenanceRenewal: 0.9))
        return s
    }

    // The lever metrics' means by month (1 ...).
    static func stat(_ mean: Double, spread: Double = 0, n: Int = SyntheticResult.trials) -> Summary {
        SyntheticResult.stat(mean, spread: spread, n: n)
    }

    static func newMRR(_ m: Int) -> Double { 1000 + 10 * Double(m) }
    static func expansion(_ m: Int) -> Double { 200 + Double(m) }
    static let contraction = 50.0
    static let churnedMRR = 300.0
    static func netNew(_ m: Int) -> Double { newMRR(m) + expansion(m) - contraction - churnedMRR }
    static func tickets(_ m: Int) -> Double { 40 + Double(m) }
    static func backlog(_ m: Int) -> Double { 5 + 0.5 * Double(m) }
    static func cash(_ m: Int) -> Double { 2000 + 100 * Double(m) }
    static func licence(_ m: Int) -> Double { 5000 + Double(m) }
    static func subscription(_ m: Int) -> Double { 400 * Double(m) }
    static func cumulative(_ f: (Int) -> Double, _ m: Int) -> Double { (1...m).reduce(0) { $0 + f($1) } }

    /// Lever blocks, those of `only` if given.
    static func leverMonthly(only: Set<String>? = nil) -> [(String, (Int) -> Summary)] {
        let all: [(String, (Int) -> Summary)] = [
            ("expansion_mrr", { stat(expansion($0), spread: 10) }),
            ("contraction_mrr", { _ in stat(contraction, spread: 5) }),
            ("net_new_mrr", { stat(netNew($0), spread: 20) }),
            ("billings", { stat(cash($0), spread: 100) }),
            ("cumulative_billings", { stat(cumulative(cash, $0), spread: 200) }),
            ("nrr", { $0 <= 12 ? stat(.nan) : stat(1.05, spread: 0.02) }),
            ("grr", { $0 <= 12 ? stat(.nan) : stat(0.9, spread: 0.02) }),
            ("involuntary_churned", { _ in stat(0.75) }),
            ("tickets", { stat(tickets($0), spread: 3) }),
            ("handled_tickets", { _ in stat(35, spread: 2) }),
            ("backlog", { stat(backlog($0), spread: 2) }),
            ("good_resolutions", { _ in stat(30) }),
            ("bad_resolutions", { _ in stat(5) }),
            ("support_cost", { _ in stat(4000) }),
            ("detractors", { _ in stat(9) }),
            ("promoters", { _ in stat(60) }),
            ("support_churn", { _ in stat(1.5) }),
            ("support_saved", { _ in stat(2.5) }),
            ("upsells", { _ in stat(0.5) }),
            ("at_risk", { _ in stat(12) }),
            ("interventions", { _ in stat(8) }),
            ("saves", { _ in stat(3) }),
            ("intervention_cost", { _ in stat(400) }),
            ("licence_path_revenue", { stat(licence($0), spread: 250) }),
            ("subscription_path_revenue", { stat(subscription($0), spread: 100) }),
            ("cumulative_licence_path_revenue", { stat(cumulative(licence, $0), spread: 500) }),
            ("cumulative_subscription_path_revenue", { stat(cumulative(subscription, $0), spread: 300) }),
            ("maintenance_payers", { _ in stat(80) }),
            ("migrated", { _ in stat(2) }),
        ]
        return all.filter { only?.contains($0.0) ?? true }
    }

    static func leverScalars(only: Set<String>? = nil) -> [(String, Summary)] {
        let all = [("valley_depth", stat(12_000, spread: 2_000)), ("valley_months", stat(8, spread: 1)),
                   ("overtake_month", stat(20, spread: 1, n: 70)), ("overtakes_in_horizon", stat(0.7, spread: 0.25))]
        return all.filter { only?.contains($0.0) ?? true }
    }

    /// A lever result: the core blocks (with the bridge's new and churned MRR set), then the lever blocks.
    static func leverResult(monthly only: Set<String>? = nil, scalars onlyScalars: Set<String>? = nil,
                            horizon: Int = horizon) -> SimulationResult {
        let core: [(String, (Int) -> Summary)] = SyntheticResult.coreMonthly.map { name in
            switch name {
            case "new_mrr": return (name, { stat(newMRR($0), spread: 20) })
            case "churned_mrr": return (name, { _ in stat(churnedMRR, spread: 15) })
            default: return (name, { m in stat(SyntheticResult.coreValue(name, m), spread: 1.5) })
            }
        }
        return SyntheticResult.result(leverScenario(horizon: horizon), monthly: core + leverMonthly(only: only),
                                      scalars: SyntheticResult.coreScalars.map { ($0, stat(SyntheticResult.coreValue($0, 0), spread: 4)) }
                                          + leverScalars(only: onlyScalars))
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The lines of a text table section: from its title to the next blank line.
    static func section(_ table: String, _ title: String) -> [String]? {
        let lines = table.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(title) }) else { return nil }
        return Array(lines[start...].prefix { !$0.isEmpty })
    }

    /// The cells of the row of `month` in a section (split on runs of spaces).
    static func row(_ lines: [String], month: Int) -> [String]? {
        lines.dropFirst(2).map { $0.split(separator: " ").map(String.init) }.first { $0.first == String(month) }
    }

    static func human(_ x: Double) -> String { NumberFormat.human(x) }
    static func count(_ x: Double) -> String { NumberFormat.human(x, decimals: 1) }

    // MARK: core-only results are unchanged

    /// The core-only synthetic result renders to the bytes the writers produced before they
    /// followed the layout (hashes taken from the writers of commit 92da5de). If a deliberate
    /// format change breaks this test, update the hashes and say so in the commit.
    @Test func coreOnlyResultRendersAsBefore() throws {
        let r = SyntheticResult.core(reportScenario(name: "core only", cac: 120, horizon: 3, trials: SyntheticResult.trials))
        #expect(!r.scenario.usesLevers)
        let table = TableReport.render(r, info: Self.info)
        #expect(table == Self.coreTable, "table:\n\(table)")
        let json = JSONReport.render(r, info: Self.info)
        let csv = CSVReport.render(r, info: Self.info)
        let html = HTMLReport.render(r, info: Self.info)
        #expect((json.utf8.count, Self.fnv1a(json)) == Self.coreJSON, "json: \(json.utf8.count), \(Self.fnv1a(json))")
        #expect((csv.utf8.count, Self.fnv1a(csv)) == Self.coreCSV, "csv: \(csv.utf8.count), \(Self.fnv1a(csv))")
        #expect((html.utf8.count, Self.fnv1a(html)) == Self.coreHTML, "html: \(html.utf8.count), \(Self.fnv1a(html))")
        #expect(HTMLReport.chartIDs(for: r) == HTMLReport.chartIDs)
        #expect(TableReport.leverSections(r).isEmpty)
    }

    static let coreTable = [
        "Subcast 0.0.0-test - scenario \"core only\" (Scenarios/levers.yaml)",
        "100 trials, seed 42, test generator, GSL 0.0",
        "Horizon 3 months; CLTV over 24 months from acquisition, discounted at 10.0 % a year, gross margin 80.0 %",
        "",
        "Monthly recurring revenue (EUR)",
        "month  active (mean)  new (mean)  churn %  MRR mean  +/- se  MRR P5  MRR P50  MRR P95    ARPU",
        "1              107.3       207.3   7.10 %       407       0     404      407      410  607.25",
        "3              121.8       221.8   7.30 %       422       0     419      422      425  621.75",
        "",
        "Median MRR in month 3 is EUR 422; 90 % of trials fall between 419 and 425 (ARR 5,061).",
        "Cumulative revenue over 3 months: mean 922, P5-P95 919 - 925.",
        "",
        "Per acquired subscriber (EUR)",
        "                                 mean  +/- se        P5       P50       P95  closed form",
        "CLTV (discounted, margin)    1,300.00    0.40  1,292.00  1,300.00  1,308.00       175.14",
        "naive ARPU x margin / churn  1,400.00    0.40  1,392.00  1,400.00  1,408.00             ",
        "LTV : CAC                    1,500.00    0.40  1,492.00  1,500.00  1,508.00             ",
        "CAC payback (tenure month)    1,600.0     0.4   1,592.0   1,600.0   1,608.0             ",
        "The naive formula overstates CLTV by 7.7 %: it assumes every subscriber churns at the average rate and ignores discounting and the lifetime horizon.",
    ].joined(separator: "\n") + "\n"
    static let coreJSON = (10917, UInt64(7271808175421303796))   // since the quantiles' se_p5 ... se_p95
    static let coreCSV = (14031, UInt64(14559200083847304492))
    static let coreHTML = (30169, UInt64(7568291385878479492))

    @Test func coreOnlySimulationHasNoLeverOutput() throws {
        let r = try Simulation.run(reportScenario(cac: 120, horizon: 6, trials: 30), seed: 3, threads: 1)
        let o = try ReportTests.object(JSONReport.render(r, info: Self.info))
        #expect(o["closed_form"] is [String: Any])
        let csv = CSVReport.render(r, info: Self.info)
        #expect(csv.contains(",closed_form,"))
        #expect(!TableReport.render(r, info: Self.info).contains("MRR bridge"))
        let html = HTMLReport.render(r, info: Self.info)
        #expect(HTMLReportTests.charts(html) == HTMLReport.chartIDs)
        #expect(html.contains("expansion (none in this model)"))
    }

    // MARK: JSON and CSV

    @Test func jsonFollowsTheLayout() throws {
        let r = Self.leverResult()
        let text = JSONReport.render(r, info: Self.info)
        let o = try ReportTests.object(text)
        #expect(o["closed_form"] is NSNull, "closed_form: \(String(describing: o["closed_form"]))")
        #expect(text.contains("\"closed_form\": null\n}"))
        let months = try #require(o["months"] as? [[String: Any]])
        #expect(months.count == Self.horizon)
        let monthlyNames = r.layout.blocks.filter { $0.kind == .monthly }.map(\.metric)
        #expect(monthlyNames.count == SyntheticResult.coreMonthly.count + Self.leverMonthly().count)
        for (i, m) in months.enumerated() {
            #expect(Set(m.keys) == Set(["month"] + monthlyNames), "months[\(i)]")
            for k in monthlyNames { ReportTests.checkSummary(m[k], "months[\(i)].\(k)", allNull: k == "nrr" && i < 12 || k == "grr" && i < 12) }
        }
        // Month keys keep layout order.
        let firstMonth = text.components(separatedBy: "\"month\": 1,")[1].components(separatedBy: "\"month\": 2,")[0]
        let order = monthlyNames.map { firstMonth.range(of: "\"\($0)\": {")!.lowerBound }
        #expect(order == order.sorted())
        let m13 = months[12]
        let tickets = try #require(m13["tickets"] as? [String: Any])
        #expect((tickets["mean"] as? NSNumber)?.doubleValue == Self.tickets(13))
        #expect(((m13["nrr"] as? [String: Any])?["mean"] as? NSNumber)?.doubleValue == 1.05)
        #expect((((months[0]["nrr"] as? [String: Any])?["n"]) as? NSNumber)?.intValue == 0)
        // Scalars: the core ones, then the lever ones, in layout order, before closed_form.
        let top = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  \""), !line.hasPrefix("   ") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "\"" })
        }
        #expect(Array(top.suffix(11)) == ["retention"] + SyntheticResult.coreScalars
                + ["valley_depth", "valley_months", "overtake_month", "overtakes_in_horizon", "closed_form"])
        let overtake = try #require(o["overtake_month"] as? [String: Any])
        #expect((overtake["n"] as? NSNumber)?.intValue == 70)
        #expect((overtake["p50"] as? NSNumber)?.doubleValue == 20)
        #expect(((o["overtakes_in_horizon"] as? [String: Any])?["mean"] as? NSNumber)?.doubleValue == 0.7)
    }

    @Test func csvFollowsTheLayoutWithoutClosedForm() throws {
        let r = Self.leverResult()
        let csv = CSVReport.render(r, info: Self.info)
        let records = try #require(parseCSV(csv))
        #expect(records.allSatisfy { $0.count == 4 })
        #expect(!csv.contains("closed_form"))
        func value(_ month: String, _ metric: String, _ stat: String) -> String? {
            records.first { $0[0] == month && $0[1] == metric && $0[2] == stat }?[3]
        }
        #expect(value("5", "backlog", "mean") == NumberFormat.exact(Self.backlog(5)))
        #expect(value("24", "cumulative_subscription_path_revenue", "mean")
                == NumberFormat.exact(Self.cumulative(Self.subscription, 24)))
        #expect(value("3", "nrr", "n") == "0" && value("3", "nrr", "mean") == "")
        #expect(value("", "valley_depth", "p95") == "16000")
        #expect(value("", "overtakes_in_horizon", "mean") == "0.7")
        // Month rows: the core metrics, then the lever metrics, in layout order.
        let monthOne = records.filter { $0[0] == "1" && $0[2] == "n" }.map { $0[1] }
        let monthly = r.layout.blocks.filter { $0.kind == .monthly }.map(\.metric)
        #expect(Array(monthOne.prefix(monthly.count)) == monthly)
        // Scalars after the retention curves, in layout order.
        let scalars = records.filter { $0[0].isEmpty && $0[2] == "n" }.map { $0[1] }
        #expect(scalars == SyntheticResult.coreScalars + ["valley_depth", "valley_months", "overtake_month", "overtakes_in_horizon"])
    }

    // MARK: table

    /// With usage pricing the bridge says why expansion and contraction are large.
    @Test func usagePricingAddsANoteToTheBridge() throws {
        let base = Self.leverResult(monthly: ["expansion_mrr", "contraction_mrr", "net_new_mrr"])
        let withUsage = SyntheticResult.result(
            Self.leverScenario(),
            monthly: SyntheticResult.coreMonthly.map { name in (name, { m in Self.stat(SyntheticResult.coreValue(name, m)) }) }
                + Self.leverMonthly(only: ["expansion_mrr", "contraction_mrr", "net_new_mrr"])
                + [("usage_revenue", { _ in Self.stat(500, spread: 50) })],
            scalars: SyntheticResult.coreScalars.map { ($0, Self.stat(SyntheticResult.coreValue($0, 0))) })
        let without = try #require(Self.section(TableReport.render(base, info: Self.info), "MRR bridge"))
        let with = try #require(Self.section(TableReport.render(withUsage, info: Self.info), "MRR bridge"))
        #expect(!without.contains { $0.contains("usage swings") })
        #expect(with.contains { $0.contains("usage swings") }, "\(with)")
    }

    @Test func tableHasLeverSectionsWithTheirNumbers() throws {
        let r = Self.leverResult()
        let table = TableReport.render(r, info: Self.info)
        let titles = ["MRR bridge", "Support", "Onboarding", "Billings vs revenue", "Switch from licences"]
        let positions = try titles.map { try #require(table.range(of: "\n" + $0)?.lowerBound, "section \($0)") }
        #expect(positions == positions.sorted(), "sections in order")
        // After the MRR table, before unit economics.
        #expect(table.range(of: "Monthly recurring revenue")!.lowerBound < positions[0])
        #expect(positions.last! < table.range(of: "Per acquired subscriber")!.lowerBound)

        let bridge = try #require(Self.section(table, "MRR bridge"))
        #expect(bridge[1].split(separator: " ").joined(separator: " ")
                == "month new MRR expansion contraction churned MRR net new MRR NRR GRR")
        #expect(Self.row(bridge, month: 6) == ["6", Self.human(Self.newMRR(6)), Self.human(Self.expansion(6)), "50", "300",
                                               Self.human(Self.netNew(6))])
        #expect(Self.row(bridge, month: 24) == ["24", Self.human(Self.newMRR(24)), Self.human(Self.expansion(24)), "50", "300",
                                                Self.human(Self.netNew(24)), "105.0", "%", "90.0", "%"])
        #expect(bridge.contains { $0.contains("defined from month 13") })
        #expect(!bridge.contains { $0.contains("usage swings") }, "no usage pricing, no usage note")

        let support = try #require(Self.section(table, "Support"))
        #expect(Self.row(support, month: 12) == ["12", Self.count(Self.tickets(12)), "35.0", Self.count(Self.backlog(12)), "30.0", "5.0",
                                                 "9.0", "60.0", "4,000", "1.5", "2.5", "0.5"])
        let totalTickets = (1...24).reduce(0.0) { $0 + Self.tickets($1) }
        #expect(support.last == "Over 24 months (means of the trials' totals): \(NumberFormat.human(totalTickets)) tickets, "
                + "36.0 subscribers lost to bad resolutions, 60.0 kept by good ones, 12.0 upsells, support cost EUR 96,000.")

        let onboarding = try #require(Self.section(table, "Onboarding"))
        #expect(Self.row(onboarding, month: 3) == ["3", "12.0", "8.0", "3.0", "400"])
        #expect(onboarding.last == "Over 24 months onboarding saves 72.0 subscribers for EUR 9,600 (means), 133.33 a save.")

        let cash = try #require(Self.section(table, "Billings vs revenue"))
        let mrr24 = SyntheticResult.coreValue("mrr", 24), rev24 = SyntheticResult.coreValue("cumulative_revenue", 24)
        #expect(Self.row(cash, month: 24) == ["24", Self.human(mrr24), Self.human(Self.cash(24)), Self.human(Self.cash(24) - 200),
                                              Self.human(Self.cash(24) + 200), Self.human(rev24),
                                              Self.human(Self.cumulative(Self.cash, 24))])

        let licence = try #require(Self.section(table, "Switch from licences"))
        #expect(Self.row(licence, month: 12) == ["12", Self.human(Self.licence(12)), Self.human(Self.subscription(12)),
                                                 Self.human(Self.cumulative(Self.licence, 12)),
                                                 Self.human(Self.cumulative(Self.subscription, 12)), "80.0", "2.0"])
        let expected: String = "The revenue valley of switching (the largest monthly shortfall against the licence path) is "
            + "EUR 12,000 deep at the median (P5-P95 8,000 - 16,000); "
            + "it lasts 8 months (median); cumulative subscription revenue overtakes the licence path in month 20 "
            + "(median of the 70 of 100 trials that overtake); the probability of overtaking within the 24-month horizon is 70.0 %."
        #expect(licence.contains(expected))
        // Then the licence process's per-trial scalars, from the registry.
        #expect(licence.contains { $0.hasPrefix("Overtakes (1 if the cumulative overtaking happens within the horizon): mean 70.0 %") })

        // No closed-form column with levers.
        let unit = try #require(Self.section(table, "Per acquired subscriber"))
        #expect(!unit[1].contains("closed form") && !unit[1].contains("at medians"))
        #expect(unit[1].hasSuffix("P95"))
    }

    @Test func tableSectionsOnlyForPresentMetrics() throws {
        // Support only: no bridge, onboarding, cash or licence sections.
        let support = Self.leverResult(monthly: ["tickets", "backlog", "bad_resolutions"], scalars: [])
        let t = TableReport.render(support, info: Self.info)
        #expect(t.contains("\nSupport"))
        for title in ["MRR bridge", "Onboarding", "Billings vs revenue", "Switch from licences"] { #expect(!t.contains("\n" + title), "\(title)") }
        let lines = try #require(Self.section(t, "Support"))
        #expect(lines[1].split(separator: " ").joined(separator: " ") == "month tickets backlog bad")
        // A short horizon: the bridge without NRR/GRR columns.
        let short = Self.leverResult(monthly: ["expansion_mrr", "contraction_mrr", "nrr", "grr"], scalars: [], horizon: 6)
        let bridge = try #require(Self.section(TableReport.render(short, info: Self.info), "MRR bridge"))
        #expect(bridge[1].split(separator: " ").joined(separator: " ") == "month new MRR expansion contraction churned MRR")
        #expect(bridge.last == "NRR and GRR need 12 months of history: the horizon of 6 months is too short.")
        // Licence scalars without any overtaking trial.
        var never = Self.leverResult(monthly: ["licence_path_revenue", "subscription_path_revenue"],
                                     scalars: ["valley_depth", "valley_months", "overtakes_in_horizon"])
        never = SyntheticResult.result(never.scenario,
                                       monthly: never.layout.blocks.filter { $0.kind == .monthly }.map { b in (b.metric, { never.summary(b.metric, month: $0)! }) },
                                       scalars: never.layout.blocks.filter { $0.kind == .scalar }.map { ($0.metric, never.scalar($0.metric)!) }
                                           + [("overtake_month", SyntheticResult.stat(.nan))])
        let sentence = try #require(TableReport.licenceSentence(never))
        #expect(sentence.contains("does not overtake the licence path within 24 months in any trial"))
        #expect(TableReport.months(12.000001) == "12" && TableReport.months(12.5) == "12.5")
    }

    // MARK: HTML

    @Test func htmlHasLeverChartsAndTables() throws {
        let r = Self.leverResult()
        let html = HTMLReport.render(r, info: Self.info)
        #expect(HTMLReportTests.charts(html) == HTMLReport.chartIDs + HTMLReport.leverChartIDs)
        #expect(HTMLReport.chartIDs(for: r) == HTMLReport.chartIDs + HTMLReport.leverChartIDs)
        HTMLReportTests.checkSelfContained(html)
        for id in HTMLReport.chartIDs + HTMLReport.leverChartIDs {
            let svg = try #require(HTMLReportTests.svg(html, chart: id), "chart \(id)")
            #expect(svg.contains("<g class=\"legend\">"), "\(id): legend")
            #expect(HTMLReportTests.count("class=\"axis-label\"", in: svg) == 2, "\(id): axis labels")
            let shapes = HTMLReportTests.count("<path ", in: svg) + HTMLReportTests.count("<rect ", in: svg)
            #expect(shapes >= 4, "\(id): only \(shapes) paths and rects")
            #expect(!svg.contains("NaN") && !svg.contains("=\"inf"), "\(id): non-finite coordinates")
            #expect(!svg.contains("closed form") && !svg.contains("closed-form"), "\(id): closed form with levers")
        }
        // No closed form anywhere with levers.
        #expect(!html.contains("the closed-form expectation is") && !html.contains("closed form "))
        #expect(html.contains("which the closed-form expectations do not describe"))

        // MRR bridge: stacked bars of all four flows and the model's net new MRR.
        let bridge = try #require(HTMLReportTests.svg(html, chart: "mrr-bridge"))
        for label in ["new MRR", "expansion MRR", "churned MRR", "contraction MRR", "net change"] {
            #expect(bridge.contains(">\(label)</text>"), "bridge legend \(label)")
        }
        #expect(!bridge.contains("none in this model"))
        #expect(bridge.contains("<title>month 6: expansion MRR +\(HTMLReport.money(Self.expansion(6)))</title>"))
        #expect(bridge.contains("<title>month 6: contraction MRR \u{2212}50</title>"))
        // The net change of month m: new + expansion - contraction of month m, less churned MRR of month m - 1.
        #expect(bridge.contains("<title>month 6: net change \(HTMLReport.money(Self.netNew(6)))</title>"))
        #expect(bridge.contains("<title>month 1: net change \(HTMLReport.money(Self.netNew(1) + Self.churnedMRR))</title>"))
        #expect(HTMLReportTests.count("<rect x=", in: bridge) >= 4 * Self.horizon)
        #expect(html.contains("net revenue retention is 105.0 % and gross revenue retention 90.0 %"))

        // Licence paths: two bands and two mean lines; the switch month marked.
        let paths = try #require(HTMLReportTests.svg(html, chart: "licence-paths"))
        for label in ["licence path: P5\u{2013}P95", "licence path: mean", "subscription path: P5\u{2013}P95", "subscription path: mean"] {
            #expect(paths.contains(">\(label)</text>"), "licence legend \(label)")
        }
        #expect(HTMLReportTests.count("fill-opacity=\"0.16\" stroke=\"none\"", in: paths) == 2)
        #expect(paths.contains(">switch in month 4</text>"))
        let cumulative = try #require(HTMLReportTests.svg(html, chart: "licence-cumulative"))
        #expect(cumulative.contains(">median overtake month 20</text>"))
        #expect(html.contains("within the 24-month horizon is 70.0 %"))

        // Support panel.
        let support = try #require(HTMLReportTests.svg(html, chart: "support"))
        for label in ["tickets raised: mean", "backlog: mean", "bad resolutions: mean", "backlog: P5\u{2013}P95"] {
            #expect(support.contains(">\(label)</text>"), "support legend \(label)")
        }
        #expect(html.contains("36.0 subscribers lost to bad resolutions, 60.0 kept by good ones"))

        // The lever tables below the key months.
        for caption in ["MRR bridge (EUR, means)", "Support (means per month)", "Onboarding (means per month)",
                        "Billings vs revenue (EUR)", "Switch from licences (EUR, means)"] {
            #expect(html.contains("<caption>\(caption)</caption>"), "table \(caption)")
        }
        #expect(html.contains("<td class=\"num\">\(NumberFormat.human(Self.cumulative(Self.cash, 24)))</td>"))
    }

    @Test func htmlLeverChartsOnlyWhenPresent() throws {
        let support = Self.leverResult(monthly: ["tickets", "backlog"], scalars: [])
        let html = HTMLReport.render(support, info: Self.info)
        #expect(HTMLReportTests.charts(html) == HTMLReport.chartIDs + ["support"])
        // Without expansion or contraction the bridge keeps its form without levers.
        #expect(html.contains("expansion (none in this model)"))
        let licence = Self.leverResult(monthly: ["licence_path_revenue", "subscription_path_revenue"], scalars: [])
        #expect(HTMLReportTests.charts(HTMLReport.render(licence, info: Self.info)) == HTMLReport.chartIDs + ["licence-paths"])
    }

    @Test func leverReportsAreDeterministic() {
        let a = Self.leverResult(), b = Self.leverResult()
        #expect(HTMLReport.render(a, info: Self.info) == HTMLReport.render(b, info: Self.info))
        #expect(TableReport.render(a, info: Self.info) == TableReport.render(b, info: Self.info))
    }
}
