import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// The compartment model against a subscriber-by-subscriber simulation of the documented rules
/// (Scenarios/README.md: support, onboarding, How a multiplier acts; the month's order in
/// TheMonth.md), written independently of the model's code: one record per subscriber with its
/// own churn probability p ~ Beta(alpha, beta), ramp-up time and condition. Means of every
/// support and onboarding metric and of the core counts agree within a few standard errors.
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

    static let metrics = ["active", "churned", "tickets", "handled_tickets", "backlog", "good_resolutions", "bad_resolutions",
                          "detractors", "promoters", "at_risk", "interventions", "saves"]

    /// One trial of the documented rules; per month the metrics in `metrics` order.
    static func trial(_ r: Rules, using g: RandomGenerator) -> [[Double]] {
        var people: [Subscriber] = []
        var out: [[Double]] = []
        let ticket = 1 - exp(-r.ticketsPerMonth)
        let propensity = try! Beta(a: r.alpha, b: r.beta), standard = try! Normal(mean: 0, standardDeviation: 1)
        func uniform() -> Double { g.uniform() }
        func shuffled(_ xs: [Int]) -> [Int] {
            var a = xs
            if a.count > 1 { for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(g.nextRaw() % UInt64(i + 1))) } }
            return a
        }
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
        let trials = 1200
        let seed: UInt64 = 2026
        // The individual-level means and standard errors.
        var sum = [[Double]](repeating: [Double](repeating: 0, count: Self.metrics.count), count: rules.horizon)
        var sq = sum
        for i in 0..<trials {
            let g = RandomGenerator(StreamKey(seed: seed, trial: UInt64(i), name: "individual"))
            let rows = Self.trial(rules, using: g)
            for m in 0..<rules.horizon {
                for j in Self.metrics.indices { sum[m][j] += rows[m][j]; sq[m][j] += rows[m][j] * rows[m][j] }
            }
        }
        let scenario = try ScenarioLoader.parse(text: rules.yaml, file: "individual.yaml")
        #expect(ForecastModel(scenario).streamNames.contains(LatentClasses.stream))
        let r = try Simulation.run(scenario, trials: trials, seed: seed, threads: 2)
        var worst = (z: 0.0, what: "")
        for m in [1, 3, 6, 9, 12] {
            for (j, metric) in Self.metrics.enumerated() {
                let mean = sum[m - 1][j] / Double(trials)
                let variance = max(0, sq[m - 1][j] / Double(trials) - mean * mean) * Double(trials) / Double(trials - 1)
                let s = try #require(r.summary(metric, month: m), "\(metric)")
                let se = (variance / Double(trials) + s.se * s.se).squareRoot()
                let z = se > 0 ? (s.mean - mean) / se : (s.mean == mean ? 0 : .infinity)
                if abs(z) > abs(worst.z) { worst = (z, "\(metric)@\(m): model \(s.mean), individual \(mean)") }
                let message = "\(metric) month \(m): model \(s.mean) +/- \(s.se), individual-level \(mean) +/- "
                    + "\((variance / Double(trials)).squareRoot()), z \(z) (seed \(seed), \(trials) trials)"
                #expect(abs(z) < 4.5, Comment(rawValue: message))
            }
        }
        print("individual-level: worst |z| \(abs(worst.z)) at \(worst.what)")
    }
}
