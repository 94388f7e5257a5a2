import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// The compartment model against a subscriber-by-subscriber simulation of the documented rules
/// (Scenarios/README.md: support, onboarding, How a multiplier acts; the month's order in
/// TheMonth.md), written independently of the model's code: one record per subscriber with its
/// own churn probability p ~ Beta(alpha, beta), ramp-up time and condition. Means of every
/// support and onboarding metric and of the core counts agree within a few standard errors; a
/// second scenario does the same for plan moves both ways, introductory discounts, an existing
/// base, failed payments and the MRR bridge (new, churned, expansion and contraction MRR), and a
/// third for seats, annual billing (cash up front, churn at yearly renewals) and a price event
/// with a churn shock, a fourth for free trials, referrals, usage, upsells after good
/// resolutions and a grandfathered price, a fifth for the switch from licences (both revenue
/// paths, maintenance payers and migrations), and a sixth with every subscriber lever at once.
@Suite struct IndividualLevelTests {
    struct Rules {
        var alpha = 0.6, beta = 4.0
        var newPerMonth = 60.0
        var horizon = 12
        // Onboarding.
        var rampMedian = 2.0, rampLogSD = 0.8, threshold = 1.0, atRiskMultiplier = 3.0
        var detection = 0.5, capacityPerMonth = 15, success = 0.6
        // Support.
        var ticketsPerMonth = 0.3, capacity = 20, fcr = 0.7, penalty = 0.5
        var waitingMultiplier = 2.0, badMonths = 3, badMultiplier = 4.0, goodMonths = 2, goodMultiplier = 0.5

        var yaml: String {
            """
            schema_version: 1
            name: individual-level
            horizon_months: \(horizon)
            trials: 100
            plans:
              - {name: p, price_per_month: 10, churn: {alpha: \(alpha), beta: \(beta)}, tickets_per_month: \(ticketsPerMonth)}
            acquisition: {new_per_month: \(newPerMonth)}
            onboarding:
              ramp_months: {median: \(rampMedian), log_sd: \(rampLogSD)}
              threshold_months: \(threshold)
              at_risk_churn_multiplier: \(atRiskMultiplier)
              intervention: {detection_rate: \(detection), success_rate: \(success), capacity_per_month: \(capacityPerMonth)}
            support:
              agents: 1
              tickets_per_agent_per_month: \(capacity)
              first_contact_resolution: \(fcr)
              backlog_penalty: \(penalty)
              waiting_churn_multiplier: \(waitingMultiplier)
              bad_resolution: {months: \(badMonths), churn_multiplier: \(badMultiplier)}
              good_resolution: {months: \(goodMonths), churn_multiplier: \(goodMultiplier)}
            """
        }
    }

    enum Condition { case healthy, atRisk, waiting, detractor(Int), promoter(Int) }

    struct Subscriber {
        var p: Double
        var ramp: Double
        var age = 0
        var condition: Condition
        /// The month its ticket was raised (while waiting).
        var ticketMonth = 0
    }

    /// Runs `trials` trials of an individual-level simulation (`trial`, one row of `metrics` per
    /// month) on streams `individual` of `seed`, and the model on the scenario `yaml` with the
    /// same trials and seed, and expects every metric's mean in `months` to agree within 4.5
    /// standard errors of the difference (both simulations' Monte Carlo errors), printing the
    /// worst |z|. `classes`: the scenario must run latent classes.
    static func compare(_ yaml: String, file: String, metrics: [String], months: [Int], horizon: Int, trials: Int, seed: UInt64,
                        label: String, classes: Bool = false, _ trial: (RandomGenerator) -> [[Double]]) throws {
        var sum = [[Double]](repeating: [Double](repeating: 0, count: metrics.count), count: horizon)
        var sq = sum
        for i in 0..<trials {
            let rows = trial(RandomGenerator(StreamKey(seed: seed, trial: UInt64(i), name: "individual")))
            for m in 0..<horizon {
                for j in metrics.indices { sum[m][j] += rows[m][j]; sq[m][j] += rows[m][j] * rows[m][j] }
            }
        }
        let scenario = try ScenarioLoader.parse(text: yaml, file: file)
        if classes { #expect(ForecastModel(scenario).streamNames.contains(LatentClasses.stream)) }
        let r = try Simulation.run(scenario, trials: trials, seed: seed, threads: 2)
        var worst = (z: 0.0, what: "")
        for m in months {
            for (j, metric) in metrics.enumerated() {
                let mean = sum[m - 1][j] / Double(trials)
                let variance = max(0, sq[m - 1][j] / Double(trials) - mean * mean) * Double(trials) / Double(trials - 1)
                let s = try #require(r.summary(metric, month: m), "\(metric)")
                let se = (variance / Double(trials) + s.se * s.se).squareRoot()
                let z = se > 0 ? (s.mean - mean) / se : (abs(s.mean - mean) < 1e-9 ? 0 : .infinity)
                if abs(z) > abs(worst.z) { worst = (z, "\(metric)@\(m): model \(s.mean), individual \(mean)") }
                let message = "\(label): \(metric) month \(m): model \(s.mean) +/- \(s.se), individual-level \(mean) +/- "
                    + "\((variance / Double(trials)).squareRoot()), z \(z) (seed \(seed), \(trials) trials)"
                #expect(abs(z) < 4.5, Comment(rawValue: message))
            }
        }
        print("individual-level \(label): worst |z| \(abs(worst.z)) at \(worst.what)")
    }

    /// A uniformly random order of `xs` (Fisher-Yates).
    static func shuffled(_ xs: [Int], using g: RandomGenerator) -> [Int] {
        var a = xs
        if a.count > 1 { for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(g.nextRaw() % UInt64(i + 1))) } }
        return a
    }

    /// How many of n independent trials with probability q succeed, one uniform per trial.
    static func successes(_ n: Int, _ q: Double, using g: RandomGenerator) -> Int {
        (0..<n).reduce(0) { k, _ in g.uniform() < q ? k + 1 : k }
    }

    static let metrics = ["active", "churned", "tickets", "handled_tickets", "backlog", "good_resolutions", "bad_resolutions",
                          "detractors", "promoters", "at_risk", "interventions", "saves"]

    /// One trial of the documented rules; per month the metrics in `metrics` order.
    static func trial(_ r: Rules, using g: RandomGenerator) -> [[Double]] {
        var people: [Subscriber] = []
        var out: [[Double]] = []
        let ticket = 1 - exp(-r.ticketsPerMonth)
        let propensity = try! Beta(a: r.alpha, b: r.beta), standard = try! Normal(mean: 0, standardDeviation: 1)
        func uniform() -> Double { g.uniform() }
        func shuffled(_ xs: [Int]) -> [Int] { Self.shuffled(xs, using: g) }
        for m in 1...r.horizon {
            var row = [Double](repeating: 0, count: metrics.count)
            // 2. arrivals: Poisson sign-ups, each with its own p and ramp-up time.
            let n = Poisson.draw(mean: r.newPerMonth, using: g)
            for _ in 0..<n {
                let p = propensity.sample(using: g)
                let ramp = exp(log(r.rampMedian) + r.rampLogSD * standard.sample(using: g))
                people.append(Subscriber(p: p, ramp: ramp, condition: ramp > r.threshold ? .atRisk : .healthy))
            }
            // 5. support: tickets from everyone without an open one, then oldest first.
            var old: [Int] = [], new: [Int] = []
            for i in people.indices {
                if case .waiting = people[i].condition {
                    old.append(i)
                } else if uniform() < ticket {
                    people[i].condition = .waiting
                    people[i].ticketMonth = m
                    new.append(i)
                }
            }
            row[2] = Double(new.count)
            let quality = r.capacity > 0 ? r.fcr * exp(-r.penalty * Double(old.count) / Double(r.capacity)) : 0
            let handledOld = Array(shuffled(old).prefix(r.capacity))
            let handledNew = Array(shuffled(new).prefix(r.capacity - handledOld.count))
            for i in handledOld + handledNew {
                if uniform() < quality {
                    people[i].condition = .promoter(r.goodMonths)
                    row[5] += 1
                } else {
                    people[i].condition = .detractor(r.badMonths)
                    row[6] += 1
                }
            }
            row[3] = Double(handledOld.count + handledNew.count)
            row[4] = Double(old.count + new.count - handledOld.count - handledNew.count)
            // 6. interventions: detected at-risk subscribers, oldest cohorts first, uniform within.
            var detected: [Int] = []
            for i in people.indices { if case .atRisk = people[i].condition, uniform() < r.detection { detected.append(i) } }
            // People are in arrival order; group the detected by arrival month (age), oldest first.
            let byAge = Dictionary(grouping: detected) { people[$0].age }
            var room = r.capacityPerMonth
            for age in byAge.keys.sorted(by: >) {
                for i in shuffled(byAge[age]!) where room > 0 {
                    room -= 1
                    row[10] += 1
                    if uniform() < r.success { people[i].condition = .healthy; row[11] += 1 }
                }
            }
            // 7. counted at billing.
            row[0] = Double(people.count)
            for s in people {
                switch s.condition {
                case .detractor: row[7] += 1
                case .promoter: row[8] += 1
                case .atRisk: row[9] += 1
                default: break
                }
            }
            // 8. renewals: each subscriber's own p times its condition's multiplier, capped at 1.
            var stayed: [Subscriber] = []
            for s in people {
                let x: Double
                switch s.condition {
                case .healthy: x = 1
                case .atRisk: x = r.atRiskMultiplier
                case .waiting: x = r.waitingMultiplier
                case .detractor: x = r.badMultiplier
                case .promoter: x = r.goodMultiplier
                }
                if uniform() < min(1, x * s.p) { row[1] += 1 } else { stayed.append(s) }
            }
            people = stayed
            // 9. ageing: detractor and promoter months count down; ramp-up exits.
            for i in people.indices {
                switch people[i].condition {
                case let .detractor(k): people[i].condition = k > 1 ? .detractor(k - 1) : .healthy
                case let .promoter(k): people[i].condition = k > 1 ? .promoter(k - 1) : .healthy
                case .atRisk: if people[i].ramp <= Double(people[i].age + 1) { people[i].condition = .healthy }
                default: break
                }
                people[i].age += 1
            }
            out.append(row)
        }
        return out
    }

    @Test func supportAndOnboardingAgreeWithTheIndividualLevelRules() throws {
        let rules = Rules()
        try Self.compare(rules.yaml, file: "individual.yaml", metrics: Self.metrics, months: [1, 3, 6, 9, 12], horizon: rules.horizon,
                         trials: 1200, seed: 2026, label: "support and onboarding", classes: true) { Self.trial(rules, using: $0) }
    }

    // MARK: plan moves, introductory discounts and failed payments

    /// Two plans with constant churn (so a mover's churn is its new plan's, without ambiguity),
    /// moves both ways, half price for A's first two months, and failed payments.
    static let billingYAML = """
        schema_version: 1
        name: individual-billing
        horizon_months: 12
        trials: 100
        plans:
          - name: a
            price_per_month: 10
            churn: {mean_per_month: 0.04, heterogeneity: 0}
            intro_discount: {fraction: 0.5, months: 2}
            moves: {b: 0.1}
          - name: b
            price_per_month: 25
            churn: {mean_per_month: 0.02, heterogeneity: 0}
            moves: {a: 0.05}
        acquisition: {new_per_month: 80, mix: {a: 0.7, b: 0.3}}
        existing:
          - {plan: b, count: 50, tenure_months: 1}
        dunning: {failure_rate: 0.1, recovery: 0.6}
        """

    static let billingMetrics = ["active", "new", "churned", "mrr", "new_mrr", "churned_mrr", "expansion_mrr", "contraction_mrr",
                                 "plan_moves", "involuntary_churned"]

    /// One trial of the documented rules: sign-ups Poisson(80) split 0.7 / 0.3; from its second
    /// month each subscriber moves (a -> b 0.1, b -> a 0.05) before billing; MRR is the plan's
    /// price, half for a subscriber of A whose months paid before are fewer than 2; renewal
    /// churn with the plan's probability, then a failed, unrecovered payment (0.1 x 0.4) on the
    /// renewers; expansion and contraction are the positive and negative parts of the change
    /// of each (cohort, plan) group's MRR against what its subscribers paid last month.
    static func billingTrial(using g: RandomGenerator) -> [[Double]] {
        struct Person { var plan: Int; var paidBefore: Int; var start: Int; var last: Double }
        let price = [10.0, 25.0], churn = [0.04, 0.02], move = [0.1, 0.05]
        var people = (0..<50).map { _ in Person(plan: 1, paidBefore: 1, start: 0, last: 0) }
        var out: [[Double]] = []
        func mrr(_ x: Person) -> Double { x.plan == 0 && x.paidBefore < 2 ? 5 : price[x.plan] }
        for m in 1...12 {
            var row = [Double](repeating: 0, count: billingMetrics.count)
            let n = Poisson.draw(mean: 80, using: g)
            for _ in 0..<n { people.append(Person(plan: g.uniform() < 0.7 ? 0 : 1, paidBefore: 0, start: m, last: 0)) }
            row[1] = Double(n)
            // Moves: every subscriber past its first month (the base from month 2).
            for i in people.indices where people[i].start < m && !(people[i].start == 0 && m == 1) {
                if g.uniform() < move[people[i].plan] { people[i].plan = 1 - people[i].plan; row[8] += 1 }
            }
            // Billing and the MRR bridge by (cohort, plan) group.
            var change: [Int: Double] = [:]
            for x in people {
                let v = mrr(x)
                row[3] += v
                if x.start == m { row[4] += v }
                else if !(x.start == 0 && m == 1) { change[x.start * 2 + x.plan, default: 0] += v - x.last }
            }
            for d in change.values {
                if d > 1e-9 { row[6] += d } else if d < -1e-9 { row[7] -= d }
            }
            row[0] = Double(people.count)
            // Renewals, then failed payments.
            var stayed: [Person] = []
            for var x in people {
                let v = mrr(x)
                if g.uniform() < churn[x.plan] {
                    row[2] += 1; row[5] += v
                } else if g.uniform() < 0.1 * 0.4 {
                    row[2] += 1; row[5] += v; row[9] += 1
                } else {
                    x.last = v
                    x.paidBefore += 1
                    stayed.append(x)
                }
            }
            people = stayed
            out.append(row)
        }
        return out
    }

    @Test func planMovesDiscountsAndFailedPaymentsAgreeWithTheIndividualLevelRules() throws {
        try Self.compare(Self.billingYAML, file: "billing.yaml", metrics: Self.billingMetrics, months: [1, 2, 3, 4, 6, 12], horizon: 12,
                         trials: 1500, seed: 77, label: "billing") { Self.billingTrial(using: $0) }
    }

    // MARK: seats, annual billing and a price event

    static let seatsYAML = """
        schema_version: 1
        name: individual-seats
        horizon_months: 14
        trials: 100
        plans:
          - name: p
            price_per_month: 20
            churn: {mean_per_month: 0.03, heterogeneity: 0}
            seats: {price_per_seat: 5, mean_at_signup: 3, expansion_per_month: 0.1, contraction_per_month: 0.05}
            billing: {annual_share: 0.3, annual_discount: 0.2}
        acquisition: {new_per_month: 50}
        pricing:
          events:
            - {month: 5, plan: p, price_per_month: 24, churn_shock: 0.1}
        """

    static let seatsMetrics = ["active", "churned", "mrr", "new_mrr", "churned_mrr", "expansion_mrr", "contraction_mrr", "billings",
                               "seats", "price_shock_churned"]

    /// One trial: sign-ups Poisson(50), 30 % billed yearly at 12 x price x 0.8 up front (their
    /// seats monthly); each signs up with 1 + Poisson(2) seats; from its second month each extra
    /// seat goes with probability 0.05, then Poisson(0.1) seats are added; every seat is billed
    /// 5 a month; from month 5 the price is 24 for everyone, and those who started before month
    /// 5 and stay through its renewals face a 0.1 shock; monthly subscribers churn with 0.03 a
    /// month, yearly ones with 1 - 0.97^12 at each 12th month paid.
    static func seatsTrial(using g: RandomGenerator) -> [[Double]] {
        struct Person { var annual: Bool; var extra: Int; var start: Int; var last: Double }
        var people: [Person] = []
        var out: [[Double]] = []
        for m in 1...14 {
            var row = [Double](repeating: 0, count: seatsMetrics.count)
            let price = m >= 5 ? 24.0 : 20.0
            let n = Poisson.draw(mean: 50, using: g)
            for _ in 0..<n { people.append(Person(annual: g.uniform() < 0.3, extra: Poisson.draw(mean: 2, using: g), start: m, last: 0)) }
            for i in people.indices where people[i].start < m {
                var kept = 0
                for _ in 0..<people[i].extra where g.uniform() >= 0.05 { kept += 1 }
                people[i].extra = kept + Poisson.draw(mean: 0.1, using: g)
            }
            var change: [Int: Double] = [:]
            var values: [Double] = []
            for x in people {
                let base = x.annual ? price * 0.8 : price
                let v = base + 5 * Double(1 + x.extra)
                values.append(v)
                row[2] += v
                row[8] += Double(1 + x.extra)
                let age = m - x.start
                row[7] += x.annual ? (v - base) + (age % 12 == 0 ? 12 * base : 0) : v
                if x.start == m { row[3] += v } else { change[x.start * 2 + (x.annual ? 1 : 0), default: 0] += v - x.last }
            }
            for d in change.values {
                if d > 1e-9 { row[5] += d } else if d < -1e-9 { row[6] -= d }
            }
            row[0] = Double(people.count)
            var stayed: [Person] = []
            for (i, var x) in people.enumerated() {
                let age = m - x.start
                let renews = !x.annual || (age + 1) % 12 == 0
                let q = x.annual ? 1 - pow(0.97, 12) : 0.03
                if renews && g.uniform() < q {
                    row[1] += 1; row[4] += values[i]
                } else if m == 5 && x.start < 5 && g.uniform() < 0.1 {
                    row[1] += 1; row[4] += values[i]; row[9] += 1
                } else {
                    x.last = values[i]
                    stayed.append(x)
                }
            }
            people = stayed
            out.append(row)
        }
        return out
    }

    @Test func seatsAnnualBillingAndAPriceEventAgreeWithTheIndividualLevelRules() throws {
        try Self.compare(Self.seatsYAML, file: "seats.yaml", metrics: Self.seatsMetrics, months: [1, 2, 4, 5, 6, 12, 13, 14], horizon: 14,
                         trials: 1500, seed: 31, label: "seats") { Self.seatsTrial(using: $0) }
    }

    // MARK: free trials, referrals, usage, upsells and a grandfathered price

    static let growthYAML = """
        schema_version: 1
        name: individual-growth
        horizon_months: 12
        trials: 100
        plans:
          - name: a
            price_per_month: 10
            churn: {mean_per_month: 0.05, heterogeneity: 0}
            usage: {price_per_unit: 0.1, mean_units_per_month: 100, cv: 0.5, growth_per_month: 0.05}
            upsell_to: b
          - name: b
            price_per_month: 25
            churn: {mean_per_month: 0.02, heterogeneity: 0}
        acquisition: {new_per_month: 40, mix: {a: 0.7, b: 0.3}}
        free_trial: {months: 2, conversion: 0.5}
        referrals: {per_active_per_month: 0.02, mix: {a: 0.5, b: 0.5}}
        support:
          agents: 1
          tickets_per_agent_per_month: 100000
          tickets_per_month: 0.2
          first_contact_resolution: 0.8
          good_resolution: {months: 1, churn_multiplier: 1, upsell_probability: 0.3}
          bad_resolution: {months: 1, churn_multiplier: 1}
        pricing:
          events:
            - {month: 4, plan: b, price_per_month: 30, grandfather: true}
        """

    static let growthMetrics = ["active", "new", "churned", "mrr", "trial_starts", "trialing", "referred", "usage_revenue", "upsells",
                                "good_resolutions"]

    /// One trial: trial sign-ups Poisson(40) convert with 0.5 after 2 months and start paying
    /// (plans 0.7 / 0.3); referred sign-ups Poisson(0.02 x last month's active) pay at once
    /// (plans 0.5 / 0.5); every subscriber raises a ticket with 1 - exp(-0.2), all are handled,
    /// 0.8 well, and a well-served subscriber of A moves to B with 0.3; B costs 30 from month 4
    /// for those who start from then on (grandfathered); A's subscribers use Gamma(mean 100 x
    /// 1.05^paid months before, cv 0.5) units at 0.1.
    static func growthTrial(using g: RandomGenerator) -> [[Double]] {
        struct Person { var plan: Int; var start: Int; var paidBefore = 0 }
        var people: [Person] = []
        var starts: [Int] = [0]
        var out: [[Double]] = []
        var activeBefore = 0
        let ticket = 1 - exp(-0.2)
        for m in 1...12 {
            var row = [Double](repeating: 0, count: growthMetrics.count)
            let signUps = Poisson.draw(mean: 40, using: g)
            starts.append(signUps)
            row[4] = Double(signUps)
            row[5] = Double(signUps + (m >= 2 ? starts[m - 1] : 0))
            var paying = 0
            if m > 2 { for _ in 0..<starts[m - 2] where g.uniform() < 0.5 { paying += 1 } }
            for _ in 0..<paying { people.append(Person(plan: g.uniform() < 0.7 ? 0 : 1, start: m)) }
            let referred = m == 1 ? 0 : Poisson.draw(mean: 0.02 * Double(activeBefore), using: g)
            for _ in 0..<referred { people.append(Person(plan: g.uniform() < 0.5 ? 0 : 1, start: m)) }
            row[6] = Double(referred)
            row[1] = Double(paying + referred)
            for i in people.indices where g.uniform() < ticket {
                if g.uniform() < 0.8 {
                    row[9] += 1
                    if people[i].plan == 0 && g.uniform() < 0.3 { people[i].plan = 1; row[8] += 1 }
                }
            }
            for x in people {
                var v: Double = x.plan == 0 ? 10 : (x.start >= 4 ? 30 : 25)
                if x.plan == 0 {
                    let mean = 100 * pow(1.05, Double(x.paidBefore)), shape = 1 / (0.5 * 0.5)
                    let units = try! Gamma(shape: shape, scale: mean / shape).sample(using: g)
                    v += 0.1 * units
                    row[7] += 0.1 * units
                }
                row[3] += v
            }
            row[0] = Double(people.count)
            activeBefore = people.count
            var stayed: [Person] = []
            for var x in people {
                if g.uniform() < (x.plan == 0 ? 0.05 : 0.02) { row[2] += 1 } else { x.paidBefore += 1; stayed.append(x) }
            }
            people = stayed
            out.append(row)
        }
        return out
    }

    @Test func trialsReferralsUsageUpsellsAndGrandfatheringAgreeWithTheIndividualLevelRules() throws {
        try Self.compare(Self.growthYAML, file: "growth.yaml", metrics: Self.growthMetrics, months: [1, 2, 3, 4, 5, 8, 12], horizon: 12,
                         trials: 1500, seed: 41, label: "growth") { Self.growthTrial(using: $0) }
    }

    // MARK: the switch from licences

    static let licenceYAML = """
        schema_version: 1
        name: individual-licence
        horizon_months: 12
        trials: 100
        plans:
          - {name: p, price_per_month: 40, churn: {mean_per_month: 0.02, heterogeneity: 0}}
        acquisition: {new_per_month: 20}
        licence_switch:
          switch_month: 4
          licences_per_month: 10
          licence_price: 1000
          maintenance_share: 0.2
          maintenance_renewal: 0.8
          installed_base: 500
          migration_per_month: 0.05
          migration_plan: p
        """

    static let licenceMetrics = ["active", "new", "mrr", "migrated", "maintenance_payers", "licence_path_revenue",
                                 "subscription_path_revenue"]

    /// One trial: before month 4 one business sells Poisson(10) licences at 1,000 and bills
    /// maintenance of 1000 x 0.2 / 12 a month to each payer (new buyers from the next month),
    /// each payer staying with 0.8^(1/12) a month; from month 4 the subscription path sells no
    /// licences, Poisson(20) subscribers sign up, each payer migrates with 0.05 to the plan
    /// (40 a month, churn 0.02), and its revenue is maintenance + MRR; the licence path goes on
    /// selling (the counterfactual, simulated on its own here).
    static func licenceTrial(using g: RandomGenerator) -> [[Double]] {
        let fee = 1000 * 0.2 / 12, keep = pow(0.8, 1.0 / 12)
        var licencePayers = 500, subscriptionPayers = 500, subscribers = 0
        var out: [[Double]] = []
        func survivors(_ n: Int) -> Int { Self.successes(n, keep, using: g) }
        for m in 1...12 {
            var row = [Double](repeating: 0, count: licenceMetrics.count)
            if m >= 4 {
                let new = Poisson.draw(mean: 20, using: g)
                let migrated = Self.successes(subscriptionPayers, 0.05, using: g)
                subscriptionPayers -= migrated
                subscribers += new + migrated
                row[1] = Double(new)
                row[3] = Double(migrated)
            }
            let mrr = 40 * Double(subscribers)
            row[0] = Double(subscribers)
            row[2] = mrr
            subscribers -= Self.successes(subscribers, 0.02, using: g)
            let sold = Poisson.draw(mean: 10, using: g)
            let licenceRevenue = Double(sold) * 1000 + Double(licencePayers) * fee
            row[5] = licenceRevenue
            if m < 4 {
                row[6] = licenceRevenue + mrr
                licencePayers = survivors(licencePayers) + sold
                subscriptionPayers = licencePayers
            } else {
                row[6] = Double(subscriptionPayers) * fee + mrr
                licencePayers = survivors(licencePayers) + sold
                subscriptionPayers = survivors(subscriptionPayers)
            }
            row[4] = Double(subscriptionPayers)
            out.append(row)
        }
        return out
    }

    @Test func theSwitchFromLicencesAgreesWithTheIndividualLevelRules() throws {
        try Self.compare(Self.licenceYAML, file: "licence.yaml", metrics: Self.licenceMetrics, months: [1, 3, 4, 5, 8, 12], horizon: 12,
                         trials: 1500, seed: 53, label: "licence") { Self.licenceTrial(using: $0) }
    }

    // MARK: every lever at once

    static let allYAML = """
        schema_version: 1
        name: individual-all
        horizon_months: 14
        trials: 100
        plans:
          - name: a
            price_per_month: 20
            churn: {alpha: 0.8, beta: 6}
            intro_discount: {fraction: 0.5, months: 1}
            billing: {annual_share: 0.25, annual_discount: 0.2}
            seats: {price_per_seat: 4, mean_at_signup: 2, expansion_per_month: 0.05, contraction_per_month: 0.05}
            moves: {b: 0.05}
            tickets_per_month: 0.3
            upsell_to: b
          - name: b
            price_per_month: 40
            churn: {alpha: 0.8, beta: 6}
            seats: {price_per_seat: 6, mean_at_signup: 3, expansion_per_month: 0.1, contraction_per_month: 0.05}
            moves: {a: 0.03}
            tickets_per_month: 0.2
        acquisition: {new_per_month: 30, mix: {a: 0.7, b: 0.3}}
        existing:
          - {plan: b, count: 100, tenure_months: 6}
        free_trial: {months: 1, conversion: 0.6}
        referrals: {per_active_per_month: 0.01, extra_per_promoter_per_month: 0.05, mix: {a: 0.5, b: 0.5}}
        support:
          agents: 1
          tickets_per_agent_per_month: 15
          first_contact_resolution: 0.75
          backlog_penalty: 0.3
          waiting_churn_multiplier: 1.5
          bad_resolution: {months: 2, churn_multiplier: 3}
          good_resolution: {months: 2, churn_multiplier: 0.6, upsell_probability: 0.2}
        onboarding:
          ramp_months: {median: 1.5, log_sd: 0.7}
          threshold_months: 1
          at_risk_churn_multiplier: 2.5
          intervention: {detection_rate: 0.4, success_rate: 0.5, capacity_per_month: 5}
        pricing:
          events:
            - {month: 4, plan: a, price_per_month: 24, churn_shock: 0.05}
            - {month: 6, plan: b, price_per_month: 45, grandfather: true}
        dunning: {failure_rate: 0.05, recovery: 0.5}
        """

    static let allMetrics = ["active", "new", "churned", "mrr", "billings", "new_mrr", "churned_mrr", "plan_moves", "upsells", "tickets",
                             "handled_tickets", "backlog", "good_resolutions", "bad_resolutions", "detractors", "promoters", "at_risk",
                             "interventions", "saves", "involuntary_churned", "price_shock_churned", "seats", "trial_starts", "referred"]

    /// One trial of every documented rule at once (the month's order of Scenarios/README.md):
    /// prices, arrivals (trials, referrals, plans, billing, onboarding risk, seats), seat drift,
    /// plan moves, support, interventions, billing, renewals (own p times the condition's
    /// multiplier; yearly for annual billing), the price shock, failed payments, ageing.
    static func allTrial(using g: RandomGenerator) -> [[Double]] {
        enum State { case healthy, atRisk, waiting, bad(Int), good(Int) }
        struct Person {
            var plan: Int, annual: Bool, p: Double, ramp: Double, state: State
            var start: Int, base: Bool, paid: Int, extra: Int
        }
        let listPrice = [20.0, 40.0], annualDiscount = [0.2, 0.0], annualShare = [0.25, 0.0]
        let seatPrice = [4.0, 6.0], seatMean = [2.0, 3.0], expansion = [0.05, 0.1], contraction = [0.05, 0.05]
        let moveTo = [1, 0], moveProbability = [0.05, 0.03], ticketRate = [0.3, 0.2]
        let events: [(month: Int, plan: Int, price: Double, shock: Double, grandfather: Bool)] = [(4, 0, 24, 0.05, false), (6, 1, 45, 0, true)]
        let propensity = try! Beta(a: 0.8, b: 6), standard = try! Normal(mean: 0, standardDeviation: 1)
        func shuffled(_ xs: [Int]) -> [Int] { Self.shuffled(xs, using: g) }
        func count(_ n: Int, _ q: Double) -> Int { Self.successes(n, q, using: g) }
        /// The list price of plan q for a subscriber (its group's start, or the base) in month m.
        func list(_ q: Int, _ x: Person, _ m: Int) -> Double {
            var price = listPrice[q]
            for e in events where e.plan == q && e.month <= m {
                if (!x.base && x.start >= e.month) || !e.grandfather { price = e.price }
            }
            return price
        }
        func newPerson(plan: Int, start: Int) -> Person {
            let ramp = exp(log(1.5) + 0.7 * standard.sample(using: g))
            return Person(plan: plan, annual: g.uniform() < annualShare[plan], p: propensity.sample(using: g), ramp: ramp,
                          state: ramp > 1 ? .atRisk : .healthy, start: start, base: false, paid: 0,
                          extra: Poisson.draw(mean: seatMean[plan] - 1, using: g))
        }
        var people = (0..<100).map { _ in
            Person(plan: 1, annual: false, p: 0, ramp: 0, state: .healthy, start: 1, base: true, paid: 6,
                   extra: Poisson.draw(mean: 2, using: g))
        }
        // The base: survivors of 6 renewals, so p from the posterior Beta(0.8, 6 + 6).
        let survivors = try! Beta(a: 0.8, b: 12)
        for i in people.indices { people[i].p = survivors.sample(using: g) }
        var out: [[Double]] = []
        var trialStarts = [0], activeBefore = 0, promotersBefore = 0
        for m in 1...14 {
            var row = [Double](repeating: 0, count: allMetrics.count)
            func add(_ name: String, _ v: Double) { row[allMetrics.firstIndex(of: name)!] += v }
            // 2. arrivals
            let starts = Poisson.draw(mean: 30, using: g)
            trialStarts.append(starts)
            add("trial_starts", Double(starts))
            let converted = count(trialStarts[m - 1], 0.6)
            let referred = Poisson.draw(mean: 0.01 * Double(activeBefore) + 0.05 * Double(promotersBefore), using: g)
            add("referred", Double(referred))
            add("new", Double(converted + referred))
            for _ in 0..<converted { people.append(newPerson(plan: g.uniform() < 0.7 ? 0 : 1, start: m)) }
            for _ in 0..<referred { people.append(newPerson(plan: g.uniform() < 0.5 ? 0 : 1, start: m)) }
            // 3. seats and 4. moves, for groups that started before the month
            for i in people.indices where people[i].start < m {
                let q = people[i].plan
                people[i].extra = people[i].extra - count(people[i].extra, contraction[q]) + Poisson.draw(mean: expansion[q], using: g)
            }
            for i in people.indices where people[i].start < m {
                let q = people[i].plan
                if g.uniform() < moveProbability[q] { people[i].plan = moveTo[q]; add("plan_moves", 1) }
            }
            // 5. support
            var old: [Int] = [], new: [Int] = []
            for i in people.indices {
                if case .waiting = people[i].state { old.append(i) }
                else if g.uniform() < 1 - exp(-ticketRate[people[i].plan]) { people[i].state = .waiting; new.append(i) }
            }
            add("tickets", Double(new.count))
            let capacity = 15
            let quality = 0.75 * exp(-0.3 * Double(old.count) / Double(capacity))
            let handledOld = Array(shuffled(old).prefix(capacity)), handledNew = Array(shuffled(new).prefix(capacity - handledOld.count))
            for i in handledOld + handledNew {
                if g.uniform() < quality {
                    people[i].state = .good(2)
                    add("good_resolutions", 1)
                    if people[i].plan == 0 && g.uniform() < 0.2 { people[i].plan = 1; add("upsells", 1) }
                } else {
                    people[i].state = .bad(2)
                    add("bad_resolutions", 1)
                }
            }
            add("handled_tickets", Double(handledOld.count + handledNew.count))
            add("backlog", Double(old.count + new.count - handledOld.count - handledNew.count))
            // 6. interventions: oldest groups first (the base, then cohorts by month), uniform within.
            var room = 5
            let detected = people.indices.filter { i in if case .atRisk = people[i].state { return g.uniform() < 0.4 }; return false }
            let byGroup = Dictionary(grouping: detected) { people[$0].base ? 0 : people[$0].start }
            for key in byGroup.keys.sorted() {
                for i in shuffled(byGroup[key]!) where room > 0 {
                    room -= 1
                    add("interventions", 1)
                    if g.uniform() < 0.5 { people[i].state = .healthy; add("saves", 1) }
                }
            }
            // 7. billing
            var values: [Double] = []
            var promoters = 0
            for x in people {
                let q = x.plan
                var unit = list(q, x, m) * (x.annual ? 1 - annualDiscount[q] : 1)
                if q == 0 && x.paid < 1 { unit *= 0.5 }
                let v = unit + seatPrice[q] * Double(1 + x.extra)
                values.append(v)
                add("mrr", v)
                add("seats", Double(1 + x.extra))
                let age = m - x.start
                add("billings", x.annual ? (v - unit) + (age % 12 == 0 ? 12 * unit : 0) : v)
                if !x.base && x.start == m { add("new_mrr", v) }
                switch x.state {
                case .bad: add("detractors", 1)
                case .good: add("promoters", 1); promoters += 1
                case .atRisk: add("at_risk", 1)
                default: break
                }
            }
            add("active", Double(people.count))
            activeBefore = people.count
            promotersBefore = promoters
            // 8. renewals, the price shock, failed payments
            var stayed: [Person] = []
            for (i, var x) in people.enumerated() {
                let multiplier: Double
                switch x.state {
                case .healthy: multiplier = 1
                case .atRisk: multiplier = 2.5
                case .waiting: multiplier = 1.5
                case .bad: multiplier = 3
                case .good: multiplier = 0.6
                }
                let renewal = x.paid + 1
                let renews = !x.annual || renewal % 12 == 0
                let q = min(1, multiplier * x.p)
                let leave = renews && g.uniform() < (x.annual ? 1 - pow(1 - q, 12) : q)
                let shocked = !leave && events.contains { $0.month == m && $0.plan == x.plan && !$0.grandfather && $0.shock > 0 }
                    && (x.base || x.start < m)
                if leave {
                    add("churned", 1); add("churned_mrr", values[i]); continue
                }
                if shocked && g.uniform() < 0.05 {
                    add("churned", 1); add("churned_mrr", values[i]); add("price_shock_churned", 1); continue
                }
                if renews && g.uniform() < 0.05 * 0.5 {
                    add("churned", 1); add("churned_mrr", values[i]); add("involuntary_churned", 1); continue
                }
                // 9. ageing
                switch x.state {
                case let .bad(k): x.state = k > 1 ? .bad(k - 1) : .healthy
                case let .good(k): x.state = k > 1 ? .good(k - 1) : .healthy
                case .atRisk: if x.ramp <= Double(m - x.start + 1) { x.state = .healthy }
                default: break
                }
                x.paid += 1
                stayed.append(x)
            }
            people = stayed
            out.append(row)
        }
        return out
    }

    @Test func everyLeverAtOnceAgreesWithTheIndividualLevelRules() throws {
        try Self.compare(Self.allYAML, file: "all.yaml", metrics: Self.allMetrics, months: [1, 2, 4, 6, 9, 12, 13, 14], horizon: 14,
                         trials: 600, seed: 67, label: "all", classes: true) { Self.allTrial(using: $0) }
    }
}
