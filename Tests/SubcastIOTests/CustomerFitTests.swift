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
            do { _ = try CustomerData.read(subscriptions: subs, tickets: t, activations: nil, options: o); return "no error" } catch {
                return error.description
            }
        }
        func activationError(_ text: String) -> String {
            let t = try! dir.write("act.csv", text)
            do { _ = try CustomerData.read(subscriptions: subs, tickets: nil, activations: t, options: o); return "no error" } catch {
                return error.description
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

/// `subcast score` against closed forms and direct integration.
@Suite struct CustomerScoreTests {
    static let fit: CustomerFit = {
        var g = CustomerFitTests.generator
        g.customers = 1200
        return try! CustomerFitTests.fit(g.generate(seed: 21))
    }()
    static let d = pow(1.1, 1.0 / 12) - 1
    static let scored = CustomerScore.score(fit, discountPerMonth: d, intervention: (0.5, 40))

    @Test func healthyCustomersFollowTheSBGClosedForms() throws {
        let f = Self.fit
        let d = Self.d
        let s = Self.scored
        let model = f.churn.churnModel(group: 0)
        var checked = 0
        for row in s.rows where row.condition == .healthy {
            let c = try #require(f.data.customers.first { $0.record.id == row.id })
            guard c.history.allSatisfy({ $0 == .healthy }), !c.ambiguous else { continue }
            for (i, h) in CustomerScore.horizons.enumerated() {
                let exact = 1 - model.probabilityActive(tenure: row.tenure, afterMore: h)
                #expect(abs(row.leave[i] - exact) < 1e-9, "\(row.id), tenure \(row.tenure): P(leave within \(h)) \(row.leave[i]) vs \(exact)")
            }
            let derl = model.discountedExpectedResidualLifetime(tenure: row.tenure, discountPerPeriod: d)
            #expect(abs(row.derl - derl) < 1e-6 * derl, "\(row.id): DERL \(row.derl) vs \(derl)")
            #expect(abs(row.valueAtRisk) < 1e-9 * row.amount * derl)
            checked += 1
        }
        #expect(checked > 20)
    }

    /// A detractor with r renewals left (the rule is exact while no cap binds; with the
    /// multiplier near 3 the kink of min(1, x p) at p = 1/3 costs up to about 1e-4):
    /// P(leave within h) = 1 - E[(1 - min(1, x p))^min(h, r) (1 - p)^(h - min(h, r))]
    /// under the posterior Beta(alpha, beta + n_0) x prod (1 - min(1, x_k p)) of its history, by Simpson's rule.
    @Test func detractorsAgainstDirectIntegration() throws {
        let f = Self.fit
        let s = Self.scored
        let x = ChurnCondition.allCases.map { f.churn.multiplier($0) }
        let (a, b) = (f.churn.alpha[0], f.churn.beta[0])
        var checked = 0
        for row in s.rows where row.condition == .detractor {
            let c = try #require(f.data.customers.first { $0.record.id == row.id })
            guard !c.ambiguous, checked < 5 else { continue }
            let n0 = c.history.filter { $0 == .healthy }.count
            func past(_ p: Double) -> Double {
                c.history.filter { $0 != .healthy }.reduce(1.0) { $0 * (1 - min(1, x[$1.rawValue] * p)) }
            }
            // Beta(a, b + n0) with a >= 1 here; Simpson on (0, 1) split at the kink 1 / x.
            let norm = integrate { p in density(a, b + Double(n0), p) * past(p) }
            for (i, h) in CustomerScore.horizons.enumerated() {
                let k = min(h, row.monthsLeft)
                let alive = integrate { p in
                    density(a, b + Double(n0), p) * past(p) * pow(1 - min(1, x[3] * p), Double(k)) * pow(1 - p, Double(h - k))
                } / norm
                #expect(abs(row.leave[i] - (1 - alive)) < 2e-4, "\(row.id): P(leave within \(h)) \(row.leave[i]) vs \(1 - alive)")
            }
            checked += 1
        }
        #expect(checked >= 3)
    }

    func density(_ a: Double, _ b: Double, _ p: Double) -> Double {
        if p <= 0 || p >= 1 { return 0 }
        let logB: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let e: Double = (a - 1) * log(p) + (b - 1) * log1p(-p)
        return exp(e - logB)
    }

    func integrate(_ f: (Double) -> Double) -> Double {
        var total = 0.0
        let cuts = [0.0] + ChurnCondition.allCases.map { Self.fit.churn.multiplier($0) }.filter { $0 > 1 }.map { 1 / $0 }.sorted() + [1.0]
        for (lo, hi) in zip(cuts, cuts.dropFirst()) where hi > lo {
            let n = 4000, h = (hi - lo) / Double(n)
            var s = f(lo) + f(hi)
            for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * f(lo + Double(i) * h) }
            total += s * h / 3
        }
        return total
    }

    @Test func theListIsSortedAndTheCSVHasEveryActiveCustomer() throws {
        let f = Self.fit
        let s = Self.scored
        #expect(s.rows.count == f.data.customers.filter { !$0.churned }.count)
        for (u, v) in zip(s.rows, s.rows.dropFirst()) { #expect(u.interventionValue! >= v.interventionValue!) }
        #expect(s.rows.first!.interventionValue! == 0.5 * s.rows.first!.valueAtRisk - 40)
        let c = ScoreReport.Context(files: ["s.csv"], asOf: "2026-10-31", discountRatePerYear: 0.1)
        let csv = try #require(parseCSV(ScoreReport.csv(s, c)))
        #expect(csv.count == s.rows.count + 1)
        #expect(csv[0].first == "rank" && csv[0].last == "reasons")
        let html = ScoreReport.html(s, c, top: 30)
        #expect(html.contains("<svg") && html.contains("Customers to call"))
        // Waiting customers and detractors are exceptions with reasons; a waiting customer's risk exceeds a healthy one's of the same tenure.
        #expect(s.rows.filter { $0.condition == .waiting }.allSatisfy { $0.reasons.contains { $0.hasPrefix("ticket open since") } })
    }
}

/// `subcast backtest` on data drawn from the model itself: the forecast made on a cut-off date
/// covers what followed at a reasonable rate, and the actuals follow the simulation's months.
@Suite struct BacktestTests {
    @Test func coversDataDrawnFromTheModel() throws {
        var g = CustomerFitTests.generator
        g.customers = 1500
        var inside = 0, total = 0
        var z12: [Double] = []
        for seed: UInt64 in [31, 32] {
            let out = g.generate(seed: seed)
            let dir = try TempDir("backtest")
            defer { dir.cleanup() }
            let s = try dir.write("s.csv", out.subscriptions), t = try dir.write("t.csv", out.tickets), a = try dir.write("a.csv", out.activations)
            let cutoff = g.asOf.adding(months: -12)
            let data = try CustomerData.read(subscriptions: s, tickets: t, activations: a, options: .init(asOf: g.asOf), cutoff: cutoff)
            #expect(data.customers.allSatisfy { $0.record.start <= cutoff })
            let b = try Backtest.run(data, asOf: g.asOf, trials: 200, seed: seed, threads: 2)
            #expect(b.active.count == 12 && b.mrr.count == 12)
            // Month 1: the base on the cut-off date is known exactly; only arrivals are random.
            let base = data.customers.filter { !$0.churned }.count
            #expect(b.active[0].forecast.p5 >= Double(base) && b.active[0].actual >= Double(base))
            for m in b.active + b.mrr {
                total += 1
                if m.inside { inside += 1 }
                #expect(m.logScore.isFinite)
            }
            z12.append((b.active[11].actual - b.active[11].forecast.mean) / b.active[11].forecast.sd)
            let csv = try #require(parseCSV(BacktestReport.csv(b)))
            #expect(csv.count == 25 && csv[0] == ["series", "month", "from", "actual", "mean", "sd", "p5", "p50", "p95", "inside", "log_score"])
            #expect(BacktestReport.html(b).contains("<svg"))
        }
        // Nominal 90 %; consecutive months move together, so two data sets can miss by more.
        #expect(Double(inside) >= 0.6 * Double(total), "\(inside) of \(total) months inside the 90 % band")
        #expect(z12.allSatisfy { abs($0) < 3 }, "month-12 z of the actual active count: \(z12)")
    }
}

/// The existing base in a condition: an at-risk base ramps up at its own tenure (not as if it had
/// just signed up), waiting customers are the backlog of month 1.
@Suite struct ExistingConditionTests {
    @Test func anAtRiskBaseRampsUpAtItsTenure() throws {
        let text = """
            schema_version: 1
            name: base-at-risk
            horizon_months: 8
            trials: 300
            seed: 5
            plans:
              - {name: p, price_per_month: 10, churn: {mean_per_month: 0.05, heterogeneity: 0}}
            existing:
              - {plan: p, count: 10000, tenure_months: 6, condition: at_risk}
            onboarding:
              ramp_months: {median: 2, log_sd: 0.8}
              threshold_months: 3
              at_risk_churn_multiplier: 3
            """
        let r = try Simulation.run(ScenarioLoader.parse(text: text, file: "base.yaml"), seed: 5, threads: 2)
        func survivalR(_ x: Double) -> Double { 0.5 * erfc((log(x) - log(2)) / (0.8 * 2.0.squareRoot())) }
        for m in 1...6 {
            // Still at risk at billing of month m: R > 6 + m - 1 given R > 6, and survived m - 1 renewals at 3 x 5 %.
            let expected = 10000 * survivalR(Double(6 + m - 1)) / survivalR(6) * pow(1 - 0.15, Double(m - 1))
            let s = try #require(r.summary("at_risk", month: m))
            #expect(abs(s.mean - expected) <= 4 * max(s.se, 1e-9) + 1e-6, "month \(m): at risk \(s.mean) +/- \(s.se), expected \(expected) (seed 5)")
        }
        let bad = scenarioError(text.replacingOccurrences(of: "condition: at_risk", with: "condition: waiting"))
        #expect(bad?.description.contains("needs the `support` section") == true, "\(String(describing: bad))")
        let left = scenarioError(text.replacingOccurrences(of: "condition: at_risk", with: "condition: at_risk, months_left: 2"))
        #expect(left?.description.contains("months_left applies to") == true, "\(String(describing: left))")
    }
}

/// The resolution quality against the backlog: recovery of a known penalty from binomial
/// months, and no penalty found where there is none.
@Suite struct QualityFitTests {
    static func months(fcr: Double, kappa: Double, seed: UInt64) -> ([Double], [Int], [Int]) {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "quality"))
        var b: [Double] = [], n: [Int] = [], good: [Int] = []
        for m in 0..<36 {
            let backlog = Double((m * 37) % 200)
            let resolved = 150 + (m * 13) % 60
            let q = fcr * exp(-kappa * backlog)
            b.append(backlog); n.append(resolved)
            good.append((0..<resolved).reduce(0) { k, _ in g.uniform() < q ? k + 1 : k })
        }
        return (b, n, good)
    }

    @Test func recoversAKnownPenalty() throws {
        var covered = 0
        for seed in UInt64(1)...10 {
            let (b, n, g) = Self.months(fcr: 0.8, kappa: 0.002, seed: seed)
            let q = try #require(QualityFit.fit(backlog: b, resolved: n, good: g))
            if abs(q.kappa - 0.002) <= 1.96 * q.seKappa { covered += 1 }
            #expect(abs(q.kappa - 0.002) < 4 * q.seKappa, "seed \(seed): kappa \(q.kappa) +/- \(q.seKappa)")
            #expect(q.pValue < 0.01, "seed \(seed): p \(q.pValue)")
        }
        #expect(covered >= 7, "\(covered) of 10 intervals cover kappa")
    }

    @Test func findsNoPenaltyWhereThereIsNone() throws {
        var rejected = 0
        for seed in UInt64(11)...30 {
            let (b, n, g) = Self.months(fcr: 0.7, kappa: 0, seed: seed)
            if try #require(QualityFit.fit(backlog: b, resolved: n, good: g)).pValue < 0.05 { rejected += 1 }
        }
        // Binomial(20, 0.05): P(X >= 5) = 0.016.
        #expect(rejected <= 4, "\(rejected) of 20 rejected at 5 %")
        #expect(QualityFit.fit(backlog: [5, 5, 5, 5], resolved: [10, 10, 10, 10], good: [7, 8, 6, 7]) == nil)
    }
}
