import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit shifted-beta-geometric churn to retention data and print a scenario snippet.",
        discussion: """
        Input is either a retention table (customers alive at the start of each period, one row per cohort; a cohort triangle may be ragged) or a subscriptions export (one row per subscription: id, start, end (empty if active), optional plan and amount), which needs --as-of.

        Examples:
          subcast fit retention.csv
          subcast fit retention.csv --holdout 2 --format json
          subcast fit retention.csv --churn best --snippet uncertain
          subcast fit subscriptions.csv --as-of 2026-10-31 --by-plan \\
              --snippet uncertain
          subcast fit subscriptions.csv --as-of 2026-10-31 --out fit/
        """
    )

    enum InputKind: String, ExpressibleByArgument, CaseIterable { case auto, retention, subscriptions }
    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, snippet }

    @Argument(help: "A CSV file: a retention table or a subscriptions export.")
    var file: String

    @Option(help: "Input kind: auto (subscriptions if the header has a start-date column), retention or subscriptions.")
    var input: InputKind = .auto

    @Option(help: "Period length of the data: month or year.")
    var period: RetentionTable.Period = .month

    @Option(name: .customLong("as-of"), help: "For subscriptions: the date the export was taken (YYYY-MM-DD); later end dates count as active.")
    var asOf: String?

    @Flag(name: .customLong("by-plan"), help: "For subscriptions: fit each plan separately.")
    var byPlan = false

    @Option(parsing: .unconditional, help: "For retention tables: hold out the last K periods of every cohort and show how the fit predicts them.")
    var holdout: Int = 0

    @Option(name: .customLong("discount-rate"), help: "Yearly discount rate for DERL (0.10 = 10 %).")
    var discountRate: Double = 0.10

    @Option(help: "The churn model of the tables and the snippet: sbg (shifted-beta-geometric), bdw (beta-discrete-Weibull, with duration dependence c) or best (the lower AIC). Both are always fitted and compared.")
    var churn: FitAnalysis.ModelChoice = .sbg

    @Option(help: "The scenario snippet: point (alpha, beta) or uncertain (plus their estimation uncertainty).")
    var snippet: FitReport.SnippetStyle = .point

    @Option(help: "Output on stdout: table, json or snippet.")
    var format: Format = .table

    @Option(help: "Also write fit.txt, fit.json and churn-snippet.yaml (with customer files: fitted-scenario.yaml) into this directory.")
    var out: String?

    @OptionGroup var customer: CustomerDataOptions

    @Option(name: .customLong("scenario-out"), help: "For subscriptions: write the complete fitted scenario (plans, support, onboarding, the existing base by plan, tenure and condition, estimates as correlated uncertain inputs) to this file.")
    var scenarioOut: String?

    @Option(help: "The fitted scenario's horizon in months.")
    var horizon: Int = 24

    @Option(help: "Write a self-contained HTML report with charts to this file.")
    var report: String?

    func run() throws {
        func bad(_ key: String, _ message: String) -> ExitCode {
            fail(ScenarioError(file: "<command line>", keyPath: key, message: message).description, code: ExitStatus.badInput)
        }
        guard holdout >= 0 && holdout <= 1000 else { throw bad("--holdout", "expected a whole number from 0 to 1000, got \(holdout)") }
        guard discountRate.isFinite && discountRate > 0 && discountRate <= 10 else {
            throw bad("--discount-rate", "expected a yearly rate above 0 and at most 10, got \(discountRate)")
        }
        let kind: InputKind
        do {
            kind = input == .auto ? try detectKind() : input
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        let perPeriod = period == .month ? pow(1 + discountRate, 1.0 / 12) - 1 : discountRate
        if customer.tickets != nil || customer.activations != nil || customer.planChanges != nil || scenarioOut != nil {
            guard kind == .subscriptions else {
                throw bad(customer.tickets != nil ? "--tickets" : customer.activations != nil ? "--activations"
                          : customer.planChanges != nil ? "--plan-changes" : "--scenario-out",
                          "applies to a subscriptions export (customer-level data), not to a retention table")
            }
            try runCustomerFit()
            return
        }

        var analyses: [FitAnalysis] = []
        var asOfText: String? = nil
        do {
            switch kind {
            case .retention, .auto:
                if asOf != nil { throw bad("--as-of", "applies to subscriptions exports, not to retention tables") }
                if byPlan { throw bad("--by-plan", "applies to subscriptions exports, not to retention tables") }
                let table = try RetentionTableReader.read(path: file, period: period)
                if holdout > 0 && table.cohorts.allSatisfy({ $0.alive.count - holdout < 3 }) {
                    throw bad("--holdout", "holding out \(holdout) period(s) leaves no cohort with the three or more counts "
                              + "(two renewals) a fit needs "
                              + "(the longest cohort has \(table.cohorts.map(\.alive.count).max() ?? 0))")
                }
                let data = table.survivalData(holdout: holdout)
                do {
                    analyses = [try FitAnalysis.analyse(data, cohorts: table.cohorts, holdout: holdout, discountPerPeriod: perPeriod, churn: churn)]
                } catch {
                    throw fail("\(file): cannot fit: \(error.message)", code: ExitStatus.badInput)
                }
            case .subscriptions:
                if holdout > 0 { throw bad("--holdout", "applies to retention tables; for subscriptions, fit an export with an earlier --as-of") }
                guard let text = asOf else { throw bad("--as-of", "a subscriptions export needs the date it was taken, e.g. --as-of 2026-10-31") }
                guard let date = CalendarDate(parsing: text) else { throw bad("--as-of", "expected a date YYYY-MM-DD, got '\(text)'") }
                asOfText = date.description
                let data = try SubscriptionsReader.read(path: file, asOf: date, period: period, groupByPlan: byPlan)
                for g in data.groups {
                    do {
                        analyses.append(try FitAnalysis.analyse(g.survival, group: g.plan, discountPerPeriod: perPeriod, meanAmount: g.meanAmount, churn: churn))
                    } catch {
                        throw fail("\(file): cannot fit\(g.plan.map { " plan '\($0)'" } ?? ""): \(error.message)", code: ExitStatus.badInput)
                    }
                }
            }
        } catch let e as ScenarioError {
            throw fail(e.description, code: ExitStatus.badInput)
        }

        let context = FitReport.Context(input: file, inputKind: kind == .subscriptions ? "subscriptions export" : "retention table",
                                        period: period, asOf: asOfText, holdout: holdout, discountRatePerYear: discountRate)
        let snippetText = FitReport.snippet(analyses, context: context, style: snippet)
        let tableText = FitReport.table(analyses, context: context)
        let jsonText = FitReport.json(analyses, context: context, snippet: snippetText)
        var outputs = OutputPlan(inputs: [file])
        var contents: [String: String] = [:]
        do {
            if let dir = out {
                let files = [("fit.txt", tableText), ("fit.json", jsonText), ("churn-snippet.yaml", snippetText)]
                try outputs.add(directory: dir, names: files.map(\.0), role: "--out")
                for (name, text) in files { contents[(dir as NSString).appendingPathComponent(name)] = text }
            }
            if let path = report {
                try outputs.add(file: path, role: "--report")
                contents[path] = HTMLReport.renderFit(analyses, context: context, snippet: snippetText)
            }
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        do {
            try outputs.commit(contents)
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        let text: String
        switch format {
        case .table: text = tableText + "\nScenario snippet:\n" + snippetText
        case .json: text = jsonText
        case .snippet: text = snippetText
        }
        try writeStandardOutput(text)
    }

    /// The customer-level fit: subscriptions with tickets and activations.
    func runCustomerFit() throws {
        func bad(_ key: String, _ message: String) -> ExitCode {
            fail(ScenarioError(file: "<command line>", keyPath: key, message: message).description, code: ExitStatus.badInput)
        }
        if period != .month { throw bad("--period", "customer-level fits count months (the simulation renews monthly)") }
        if holdout > 0 { throw bad("--holdout", "applies to retention tables") }
        if churn != .sbg { throw bad("--churn", "the fit with condition multipliers uses sBG churn (the latent-class model); fit BdW without --tickets and --activations") }
        guard (1...1200).contains(horizon) else { throw bad("--horizon", "expected 1 ... 1200 months, got \(horizon)") }
        let (data, fit) = try customer.fit(file, options: customer.options(asOf: asOf, byPlan: byPlan))
        var context = CustomerFitReport.Context()
        context.horizonMonths = horizon
        context.name = "fitted-" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let scenarioText = CustomerFitReport.scenario(fit, context: context)
        // The fitted scenario must load: a failure here is a bug, reported rather than written.
        do {
            _ = try ScenarioLoader.parseFamily(text: scenarioText, file: "fitted-scenario.yaml")
        } catch {
            throw fail("internal error: the fitted scenario does not load: \(error.description)", code: ExitStatus.runtimeFailure)
        }
        let tableText = CustomerFitReport.table(fit)
        let jsonText = CustomerFitReport.json(fit, scenario: scenarioText)
        var outputs = OutputPlan(inputs: data.files)
        var contents: [String: String] = [:]
        do {
            if let dir = out {
                let files = [("fit.txt", tableText), ("fit.json", jsonText), ("fitted-scenario.yaml", scenarioText)]
                try outputs.add(directory: dir, names: files.map(\.0), role: "--out")
                for (name, text) in files { contents[(dir as NSString).appendingPathComponent(name)] = text }
            }
            if let path = scenarioOut {
                try outputs.add(file: path, role: "--scenario-out")
                contents[path] = scenarioText
            }
            if let path = report {
                try outputs.add(file: path, role: "--report")
                contents[path] = CustomerFitReport.html(fit, scenario: scenarioText)
            }
            try outputs.commit(contents)
        } catch {
            throw fail("\(error)", code: ExitStatus.runtimeFailure)
        }
        let text: String
        switch format {
        case .table: text = tableText + "\nFitted scenario:\n" + scenarioText
        case .json: text = jsonText
        case .snippet: text = scenarioText
        }
        try writeStandardOutput(text)
    }

    /// Subscriptions if the header names a start-date column, else a retention table.
    func detectKind() throws(ScenarioError) -> InputKind {
        let rows = try CSVReader.read(path: file)
        guard let header = rows.first else {
            throw ScenarioError(file: file, message: "file is empty; expected a retention table or a subscriptions export (CSV with a header row)")
        }
        let names = Set(header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        return names.isDisjoint(with: ["start", "start_date", "started_at", "created_at"]) ? .retention : .subscriptions
    }
}

extension RetentionTable.Period: ExpressibleByArgument {}
extension FitReport.SnippetStyle: ExpressibleByArgument {}
extension FitAnalysis.ModelChoice: ExpressibleByArgument {}

/// The customer-level files and the rules that turn them into conditions (`fit`, `score`, `backtest`).
struct CustomerDataOptions: ParsableArguments {
    @Option(help: "For subscriptions: a support tickets CSV (subscription id, opened, resolved, outcome good/bad or a satisfaction score). Fits the churn multipliers of waiting customers, detractors and promoters, the ticket rate and the resolution quality.")
    var tickets: String?

    @Option(help: "For subscriptions: an activations CSV (subscription id, activated date, empty if not yet). Fits the ramp-up time and the at-risk churn multiplier.")
    var activations: String?

    @Option(name: .customLong("plan-changes"), help: "For subscriptions, with --by-plan: a plan changes CSV (subscription id, changed date, from_plan, to_plan; the subscriptions file's plan is the plan on the as-of date). Fits the plan moves and the upsell after a good resolution.")
    var planChanges: String?

    @Option(name: .customLong("detractor-months"), help: "Renewals a badly resolved ticket lasts (the scenario's bad_resolution.months), 1 ... 24.")
    var detractorMonths: Int = 3

    @Option(name: .customLong("promoter-months"), help: "Renewals a well resolved ticket lasts (good_resolution.months), 1 ... 24.")
    var promoterMonths: Int = 6

    @Option(name: .customLong("threshold-months"), help: "Ramp-up time beyond which a customer is at risk (onboarding.threshold_months), > 0 and at most 120.")
    var thresholdMonths: Double = 3

    @Option(name: .customLong("satisfaction-threshold"), help: "With a satisfaction column: scores at or above this are good resolutions.")
    var satisfactionThreshold: Double = 4

    /// Reads the customer files and fits them; bad input and data that cannot be fitted exit 2.
    func fit(_ file: String, options: CustomerData.Options) throws -> (CustomerData, CustomerFit) {
        let data: CustomerData
        do {
            data = try CustomerData.read(subscriptions: file, tickets: tickets, activations: activations, planChanges: planChanges, options: options)
        } catch {
            throw fail(error.description, code: ExitStatus.badInput)
        }
        do {
            return (data, try CustomerFit.fit(data))
        } catch {
            throw fail("\(file): cannot fit: \(error.message)", code: ExitStatus.badInput)
        }
    }

    /// The checked options for `CustomerData.read`.
    func options(asOf: String?, byPlan: Bool) throws -> CustomerData.Options {
        func bad(_ key: String, _ message: String) -> ExitCode {
            fail(ScenarioError(file: "<command line>", keyPath: key, message: message).description, code: ExitStatus.badInput)
        }
        guard (1...24).contains(detractorMonths) else { throw bad("--detractor-months", "expected 1 ... 24, got \(detractorMonths)") }
        guard (1...24).contains(promoterMonths) else { throw bad("--promoter-months", "expected 1 ... 24, got \(promoterMonths)") }
        guard thresholdMonths.isFinite, thresholdMonths > 0, thresholdMonths <= 120 else {
            throw bad("--threshold-months", "expected a number of months > 0 and at most 120, got \(thresholdMonths)")
        }
        guard satisfactionThreshold.isFinite else { throw bad("--satisfaction-threshold", "expected a number") }
        if planChanges != nil && !byPlan {
            throw bad("--plan-changes", "needs --by-plan (plan moves and upsells are between the plans of a fit by plan)")
        }
        guard let asOfText = asOf else { throw bad("--as-of", "a subscriptions export needs the date it was taken, e.g. --as-of 2026-10-31") }
        guard let date = CalendarDate(parsing: asOfText) else { throw bad("--as-of", "expected a date YYYY-MM-DD, got '\(asOfText)'") }
        var options = CustomerData.Options(asOf: date)
        options.groupByPlan = byPlan
        options.detractorMonths = detractorMonths
        options.promoterMonths = promoterMonths
        options.thresholdMonths = thresholdMonths
        options.satisfactionThreshold = satisfactionThreshold
        return options
    }
}
