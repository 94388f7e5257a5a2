import ArgumentParser
import Foundation
import SubcastCore
import SubcastIO

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the active customers to call: risk of leaving, residual value, value at risk and why each is an exception.",
        discussion: """
        Fits the model to the customer files (as `subcast fit` does with --tickets and --activations), then scores every customer active on the as-of date: the probability of leaving within 1, 3 and 12 months given tenure and condition, the expected discounted residual revenue, the value at risk (what restoring health is worth), the reasons the customer is an exception, and, with a scenario that has onboarding.intervention, the expected value of a call (success rate x value at risk - cost). Sorted most valuable first.

        Examples:
          subcast score subscriptions.csv --as-of 2026-10-31 --tickets tickets.csv \\
              --activations activations.csv --out at-risk.csv --report at-risk.html
          subcast score subscriptions.csv --as-of 2026-10-31 --tickets tickets.csv \\
              --scenario fitted.yaml --top 50
        """
    )

    @Argument(help: "A subscriptions export (id, start, end (empty if active), optional plan and amount).")
    var file: String

    @Option(name: .customLong("as-of"), help: "The date the exports were taken (YYYY-MM-DD).")
    var asOf: String?

    @Flag(name: .customLong("by-plan"), help: "Fit each plan's churn separately.")
    var byPlan = false

    @OptionGroup var customer: CustomerDataOptions

    @Option(name: .customLong("discount-rate"), help: "Yearly discount rate of future revenue (0.10 = 10 %).")
    var discountRate: Double = 0.10

    @Option(help: "A scenario whose onboarding.intervention gives the success rate and cost of a call (and whose currency labels money).")
    var scenario: String?

    @Option(help: "Rows shown on stdout and in the HTML list.")
    var top: Int = 20

    @Option(help: "Write the whole list as CSV to this file.")
    var out: String?

    @Option(help: "Write a self-contained HTML page with the list and a chart to this file.")
    var report: String?

    func run() throws {
        func bad(_ key: String, _ message: String) -> ExitCode {
            fail(ScenarioError(file: "<command line>", keyPath: key, message: message).description, code: ExitStatus.badInput)
        }
        guard discountRate.isFinite && discountRate >= 0.001 && discountRate <= 10 else {
            throw bad("--discount-rate", "expected a yearly rate from 0.001 to 10, got \(discountRate)")
        }
        guard (1...1_000_000).contains(top) else { throw bad("--top", "expected 1 ... 1000000, got \(top)") }
        let options = try customer.options(asOf: asOf, byPlan: byPlan)
        var intervention: (success: Double, cost: Double)? = nil
        var currency = ""
        if let path = scenario {
            let s: Scenario
            do { s = try ScenarioLoader.load(path: path) } catch { throw fail(error.description, code: ExitStatus.badInput) }
            currency = s.currency
            if let o = s.levers.onboarding, o.detectionRate > 0 || o.successRate > 0 {
                intervention = (o.successRate, o.costPerIntervention)
            } else {
                throw bad("--scenario", "\(path) has no onboarding.intervention (success_rate and cost) to value a call with")
            }
        }
        let (data, fit) = try customer.fit(file, options: options)
        let d = pow(1 + discountRate, 1.0 / 12) - 1
        let result = CustomerScore.score(fit, discountPerMonth: d, intervention: intervention)
        let context = ScoreReport.Context(files: data.files, asOf: options.asOf.description, discountRatePerYear: discountRate, currency: currency)
        var outputs = OutputPlan(inputs: data.files + [scenario].compactMap { $0 })
        var contents: [String: String] = [:]
        do {
            if let path = out {
                try outputs.add(file: path, role: "--out")
                contents[path] = ScoreReport.csv(result, context)
            }
            if let path = report {
                try outputs.add(file: path, role: "--report")
                contents[path] = ScoreReport.html(result, context, top: top)
            }
            try outputs.commit(contents)
        } catch {
            throw fail(error.description, code: ExitStatus.runtimeFailure)
        }
        try writeStandardOutput(ScoreReport.table(result, context, top: top))
    }
}
