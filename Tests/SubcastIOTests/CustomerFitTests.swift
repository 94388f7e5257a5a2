import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// The customer-level fit: recovery of known multipliers, ramp-up, ticket rate and resolution
/// quality from data drawn subscriber by subscriber; the reduction to the sBG fit; the fitted
/// scenario; the readers' errors.
@Suite struct CustomerFitTests {
    static let generator = CustomerDataGenerator(
        plans: [.init(name: "basic", alpha: 1.2, beta: 12, amount: 29, ticketRate: 0.25)], mix: [1])

    static func fit(_ out: CustomerDataGenerator.Output, tickets: Bool = true, activations: Bool = true,
                    byPlan: Bool = false, asOf: CalendarDate = generator.asOf) throws -> CustomerFit {
        let dir = try TempDir("customers")
        defer { dir.cleanup() }
        let s = try dir.write("subscriptions.csv", out.subscriptions)
        let t = tickets ? try dir.write("tickets.csv", out.tickets) : nil
        let a = activations ? try dir.write("activations.csv", out.activations) : nil
        var o = CustomerData.Options(asOf: asOf)
        o.groupByPlan = byPlan
        let data = try CustomerData.read(subscriptions: s, tickets: t, activations: a, options: o)
        return try CustomerFit.fit(data)
    }

    /// Known values inside the 95 % intervals at about the nominal rate over many seeds.
    @Test func recoversKnownParameters() throws {
        var g = Self.generator
        g.customers = 2000
        var covered = 0, total = 0
        var worst: [String] = []
        for seed in UInt64(1)...4 {
            let f = try Self.fit(g.generate(seed: seed))
            let c = f.churn
            #expect(c.conditions == [.atRisk, .waiting, .detractor, .promoter], "seed \(seed): \(c.conditions)")
            var truth: [(String, Double, Int)] = [("alpha", 1.2, 0), ("beta", 12, 1)]
            for (i, k) in c.conditions.enumerated() { truth.append((k.key, g.multipliers[k]!, 2 + i)) }
            for (name, value, i) in truth {
                let z = (log(value) - c.theta[i]) / c.standardError(i)
                total += 1
                if abs(z) <= 1.96 { covered += 1 }
                if abs(z) > 3.5 { worst.append("seed \(seed) \(name): estimate \(exp(c.theta[i])), truth \(value), z \(z)") }
            }
            let r = try #require(f.ramp)
            let zm = (log(r.median) - log(g.rampMedian)) / r.seLogMedian, zs = (log(r.logSD) - log(g.rampLogSD)) / r.seLogLogSD
            #expect(abs(zm) < 3.5 && abs(zs) < 3.5, "seed \(seed): ramp median \(r.median) (z \(zm)), log-sd \(r.logSD) (z \(zs))")
            let t = f.ticketRates[0]
            #expect(abs(t.rate - 0.25) < 4 * t.se, "seed \(seed): ticket rate \(t.rate) +/- \(t.se), truth 0.25")
            let n = Double(f.good + f.bad), share = f.goodShare
            #expect(abs(share - g.fcr) < 4 * (g.fcr * (1 - g.fcr) / n).squareRoot(), "seed \(seed): good share \(share) of \(n)")
            #expect(f.base.reduce(0) { $0 + $1.count } == f.data.customers.filter { !$0.churned }.count)
        }
        #expect(worst.isEmpty, "\(worst)")
        // 24 intervals at 95 %: P(fewer than 19 cover) = 0.03.
        #expect(covered >= 19, "\(covered) of \(total) 95 % intervals cover the truth")
    }

    /// Without tickets and activations the fit is the sBG fit of the same subscriptions.
    @Test func reducesToTheSBGFit() throws {
        var g = Self.generator
        g.customers = 1000
        let out = g.generate(seed: 9)
        let f = try Self.fit(out, tickets: false, activations: false)
        let data = try SubscriptionsReader.parse(data: Data(out.subscriptions.utf8), file: "s.csv", asOf: Self.generator.asOf, period: .month)
        let sbg = try SBGFit.fit(data.groups[0].survival)
        #expect(f.churn.conditions.isEmpty)
        #expect(f.churn.alpha[0] == sbg.alpha && f.churn.beta[0] == sbg.beta && f.churn.logLikelihood == sbg.logLikelihood)
        // And the covariate likelihood at the sBG estimate is the sBG likelihood.
        let histories = f.data.customers.map { CustomerHistory(id: $0.record.id, group: 0, conditions: $0.history, churned: $0.churned) }
        let agg = CovariateFit.aggregate(histories, groups: 1)
        let ll = CovariateFit.logLikelihood(agg, alpha: [sbg.alpha], beta: [sbg.beta], x: [1, 1, 1, 1, 1])
        #expect(abs(ll - sbg.logLikelihood) < 1e-8 * abs(sbg.logLikelihood), "\(ll) vs \(sbg.logLikelihood)")
    }

    /// The covariate likelihood of one customer against direct integration over p: exact (to
    /// the integration's accuracy) when no cap min(1, x p) binds (x <= 1), within 1e-4 in the log
    /// when it does (the integrand then has a kink at p = 1 / x, which the 12-point rule smooths).
    @Test(arguments: [([1, 0.8, 0.9, 0.7, 0.5], 1e-9), ([1, 2.5, 1.8, 3, 0.5], 1e-4)])
    func likelihoodAgainstIntegration(_ x: [Double], _ tolerance: Double) {
        let (a, b) = (2.0, 9.0)
        let conditions: [ChurnCondition] = [.atRisk, .atRisk, .healthy, .waiting, .healthy, .detractor, .promoter, .detractor]
        for churned in [false, true] {
            let h = CustomerHistory(id: "a", group: 0, conditions: conditions, churned: churned)
            let ll = CovariateFit.logLikelihood(CovariateFit.aggregate([h], groups: 1), alpha: [a], beta: [b], x: x)
            let direct = BdWTests.expectation(a: a, b: b) { p in
                var f = 1.0
                for (i, c) in conditions.enumerated() {
                    let q = min(1, x[c.rawValue] * p)
                    f *= churned && i == conditions.count - 1 ? q : 1 - q
                }
                return f
            }
            #expect(abs(ll - log(direct)) < tolerance, "x \(x), churned \(churned): \(ll) vs \(log(direct))")
        }
    }

    @Test func fittedScenarioLoadsAndCarriesTheBase() throws {
        var g = Self.generator
        g.plans.append(.init(name: "pro", alpha: 1.5, beta: 20, amount: 99, ticketRate: 0.4))
        g.mix = [0.7, 0.3]
        g.customers = 800
        let f = try Self.fit(g.generate(seed: 4), byPlan: true)
        let text = CustomerFitReport.scenario(f, context: CustomerFitReport.Context())
        let family = try ScenarioLoader.parseFamily(text: text, file: "fitted.yaml")
        let s = family.base
        #expect(s.plans.map(\.name) == ["basic", "pro"])
        #expect(s.existing.reduce(0) { $0 + $1.count } == f.data.customers.filter { !$0.churned }.count)
        #expect(s.existing.contains { $0.condition == .waiting })
        #expect(s.levers.support != nil && s.levers.onboarding != nil)
        let names = Set(family.inputs.inputs.map(\.name))
        for n in ["basic_alpha", "pro_beta", "waiting_churn_multiplier", "at_risk_churn_multiplier", "ramp_median", "first_contact_resolution", "new_per_month"] {
            #expect(names.contains(n), "\(n) missing from \(names.sorted())")
        }
        #expect(text.contains("correlations:"))
        let r = try Simulation.run(ScenarioLoader.parse(text: text.replacingOccurrences(of: "trials: 1000", with: "trials: 20"), file: "f.yaml"),
                                   seed: 1, threads: 1)
        let m1 = try #require(r.summary("active", month: 1))
        #expect(m1.mean > 0.8 * Double(s.existing.reduce(0) { $0 + $1.count }))
    }

    @Test func readerErrorsNameFileLineAndColumn() throws {
        let dir = try TempDir("customers")
        defer { dir.cleanup() }
        let subs = try dir.write("s.csv", "id,plan,start,end,amount\na,basic,2026-01-05,,10\nb,basic,2026-02-01,2026-05-01,10\n")
        let o = CustomerData.Options(asOf: CalendarDate(year: 2026, month: 10, day: 31)!)
        func ticketError(_ text: String) -> String {
            let t = try! dir.write("t.csv", text)
            do { _ = try CustomerData.read(subscriptions: subs, tickets: t, activations: nil, options: o); return "no error" } catch let e as ScenarioError {
                return e.description
            } catch {
                return "\(error)"
            }
        }
        func activationError(_ text: String) -> String {
            let t = try! dir.write("act.csv", text)
            do { _ = try CustomerData.read(subscriptions: subs, tickets: nil, activations: t, options: o); return "no error" } catch let e as ScenarioError {
                return e.description
            } catch {
                return "\(error)"
            }
        }
        let cases: [(String, [String])] = [
            (ticketError("subscription_id,opened,resolved,outcome\nzz,2026-02-01,2026-02-03,good\n"), ["t.csv:2:1", "unknown subscription 'zz'"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2025-12-01,2026-02-03,good\n"), ["t.csv:2:2", "opened", "before subscription 'a' started"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2026-02-10,2026-02-03,good\n"), ["resolved (2026-02-03) before it was opened"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2026-02-10,2026-02-13,meh\n"), ["expected an outcome 'good' or 'bad'", "outcome"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2026-02-10,2026-02-13,\n"), ["needs its outcome"]),
            (ticketError("subscription_id,opened,resolved\na,2026-02-10,2026-02-13\n"), ["missing the outcome column"]),
            (ticketError("subscription_id,opened,outcome\na,2026-02-10,good\n"), ["missing the resolved date column"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2026-02-30,,\n"), ["no such date", "t.csv:2:2"]),
            (ticketError("subscription_id,opened,resolved,outcome\nb,2026-06-10,,\n"), ["after subscription 'b' ended"]),
            (ticketError("subscription_id,opened,resolved,outcome\na,2026-11-10,,\n"), ["after the as-of date"]),
            (ticketError("subscription_id,opened,resolved,csat\na,2026-02-10,2026-02-11,x\n"), ["expected a satisfaction score"]),
            (ticketError(""), ["file is empty"]),
            (activationError("subscription_id,activated\na,2026-02-01\na,2026-03-01\n"), ["act.csv:3:1", "appears twice"]),
            (activationError("subscription_id,activated\na,2025-02-01\n"), ["before subscription 'a' started"]),
            (activationError("subscription_id\na\n"), ["missing the activation date column"]),
            (activationError("subscription_id,activated\nq,2026-03-01\n"), ["unknown subscription 'q'"]),
        ]
        for (message, parts) in cases {
            for p in parts { #expect(message.contains(p), "\(message) should contain \(p)") }
        }
        #expect(ticketError("subscription_id,opened,resolved,csat,extra\na,2026-02-10,2026-02-11,5,x\n") == "no error")
    }
}
