import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics
@testable import SubcastIO

/// Plan moves and the upsell after a good resolution, fitted from a plan-changes file: the
/// estimator against its closed form, recovery of known rates from data drawn customer by
/// customer, no upsell found where there is none, the fitted scenario, and the reader's errors.
@Suite struct PlanChangeFitTests {
    static var generator: CustomerDataGenerator {
        var g = CustomerDataGenerator(
            plans: [.init(name: "basic", alpha: 1.2, beta: 12, amount: 29, ticketRate: 0.3),
                    .init(name: "pro", alpha: 1.5, beta: 20, amount: 99, ticketRate: 0.3)], mix: [0.7, 0.3])
        g.customers = 3000
        g.upsell = [0: (to: 1, probability: 0.3)]
        g.moves = [0: (to: 1, probability: 0.01), 1: (to: 0, probability: 0.012)]
        return g
    }

    static func data(_ out: CustomerDataGenerator.Output, activations: Bool = false, asOf: CalendarDate = generator.asOf) throws -> CustomerData {
        let dir = try TempDir("plan-changes")
        defer { dir.cleanup() }
        let s = try dir.write("subscriptions.csv", out.subscriptions)
        let t = try dir.write("tickets.csv", out.tickets)
        let a = activations ? try dir.write("activations.csv", out.activations) : nil
        let c = try dir.write("plan_changes.csv", out.planChanges)
        var o = CustomerData.Options(asOf: asOf)
        o.groupByPlan = true
        return try CustomerData.read(subscriptions: s, tickets: t, activations: a, planChanges: c, options: o)
    }

    /// With the same chance pi for every resolution the maximum is closed-form:
    /// u = (k / n - pi) / (1 - pi), and the profile interval's ends have LR = 3.84.
    @Test(arguments: [(40, 200, 0.05), (3, 500, 0.01), (199, 200, 0.2), (10, 100, 0.0)])
    func upsellEstimateAgainstItsClosedForm(_ k: Int, _ n: Int, _ pi: Double) {
        let success = (0..<n).map { $0 < k }, chance = [Double](repeating: pi, count: n)
        let u = PlanChangeFit.upsellEstimate(success: success, chance: chance)
        let exact = max(0, (Double(k) / Double(n) - pi) / (1 - pi))
        #expect(abs(u.estimate - exact) < 1e-8, "k \(k), n \(n), pi \(pi): \(u.estimate) vs \(exact)")
        let best = PlanChangeFit.logLikelihood(u.estimate, success: success, chance: chance)
        for end in [u.lower, u.upper] where end > 0 && end < 1 {
            let lr = 2 * (best - PlanChangeFit.logLikelihood(end, success: success, chance: chance))
            #expect(abs(lr - 3.841459) < 1e-5, "k \(k), n \(n), pi \(pi): LR \(lr) at \(end)")
        }
        #expect(u.lower <= u.estimate && u.estimate <= u.upper)
        // The observed information of the binomial in u: n (1 - pi) / ((u + (1 - u) pi)(1 - u)).
        if exact > 0 && exact < 1 {
            let q = exact + (1 - exact) * pi
            let se = (q * (1 - q)).squareRoot() / ((1 - pi) * Double(n).squareRoot())
            #expect(abs(u.se - se) < 1e-6 * se, "se \(u.se) vs \(se)")
        }
    }

    /// Known upsell probability and move rates inside their intervals, seed after seed.
    @Test func recoversKnownUpsellAndMoves() throws {
        let g = Self.generator
        var covered = 0, falseTargets = 0
        for seed in UInt64(1)...3 {
            let f = PlanChangeFit.fit(try Self.data(g.generate(seed: seed)))
            let context = "seed \(seed), upsell 0.3 basic -> pro, moves 0.01 / 0.012"
            #expect(f.upsellTo[0] == 1, "\(context): targets \(f.upsellTo)")
            if f.upsellTo[1] != nil { falseTargets += 1 }
            let z = (f.probability - 0.3) / f.standardError
            #expect(abs(z) < 3.5, "\(context): upsell \(f.probability) +/- \(f.standardError) (z \(z))")
            if f.lower <= 0.3 && 0.3 <= f.upper { covered += 1 }
            for (from, to, truth) in [(0, 1, 0.01), (1, 0, 0.012)] {
                let m = try #require(f.moves.first { $0.from == from && $0.to == to }, "\(context): no move \(from) -> \(to)")
                let se = m.probability / Double(m.changes).squareRoot()
                #expect(abs(m.probability - truth) < 4 * se, "\(context): move \(from) -> \(to) \(m.probability) +/- \(se), truth \(truth)")
            }
            #expect(f.changes == g.generate(seed: seed).planChanges.split(separator: "\n").count - 1)
        }
        #expect(covered >= 2, "the 95 % interval covered 0.3 in \(covered) of 3 seeds")
        #expect(falseTargets <= 1, "pro got an upsell target in \(falseTargets) of 3 seeds (its post-resolution changes are moves)")
    }

    /// Moves alone: changes after good resolutions are what the moves give by chance.
    @Test func findsNoUpsellWhereThereIsNone() throws {
        var g = Self.generator
        g.upsell = [:]
        g.moves = [0: (to: 1, probability: 0.03), 1: (to: 0, probability: 0.03)]
        var targets = 0
        for seed in UInt64(11)...13 {
            let f = PlanChangeFit.fit(try Self.data(g.generate(seed: seed)))
            targets += f.upsellTo.compactMap { $0 }.count
            for u in f.perPlan {
                #expect(u.lower < 0.02, "seed \(seed): plan \(u.from) upsell \(u.probability) (\(u.lower) - \(u.upper)) with none drawn")
            }
        }
        // Six tests at 5 %: two or more false targets have probability 0.03.
        #expect(targets <= 1, "\(targets) upsell targets found in data without upsells")
    }

    /// The fitted scenario carries the moves, the upsell target and the probability, and runs.
    @Test func fittedScenarioHasMovesAndUpsells() throws {
        var g = Self.generator
        g.customers = 900
        g.upsell = [0: (to: 1, probability: 0.5)]
        let data = try Self.data(g.generate(seed: 5))
        let f = try CustomerFit.fit(data)
        let pc = try #require(f.planChanges)
        let text = CustomerFitReport.scenario(f, context: CustomerFitReport.Context())
        let family = try ScenarioLoader.parseFamily(text: text, file: "fitted.yaml")
        let s = family.base
        #expect(s.plans[0].options.upsellTo == 1 && s.plans[1].options.upsellTo == nil, "\(text)")
        #expect(abs((s.levers.support?.upsellProbability ?? 0) - pc.probability) < 1e-3, "\(text)")
        #expect(s.plans[0].options.moves.count == 1 && s.plans[0].options.moves[0].plan == 1 && s.plans[0].options.moves[0].probability > 0,
                "\(s.plans[0].options.moves)")
        #expect(family.inputs.inputs.contains { $0.name == "upsell_probability" })
        // The base by the plan on the as-of date: as many on each plan as the file says.
        let onPro = data.customers.filter { !$0.churned && $0.currentGroup == 1 }.count
        #expect(s.existing.filter { $0.plan == 1 }.reduce(0) { $0 + $1.count } == onPro)
        #expect(onPro == g.generate(seed: 5).subscriptions.split(separator: "\n").filter { $0.hasSuffix(",,99.0") }.count)
        let r = try Simulation.run(ScenarioLoader.parse(text: text.replacingOccurrences(of: "trials: 1000", with: "trials: 20"), file: "f.yaml"),
                                   seed: 1, threads: 1)
        let upsells = try #require(r.summary("upsells", month: 1))
        #expect(upsells.mean > 0)
        #expect(CustomerFitReport.table(f).contains("upsell_to"))
        // The at-risk list shows the plan a customer is on now.
        let scored = CustomerScore.score(f, discountPerMonth: 0.008)
        let moved = try #require(data.customers.first { !$0.churned && $0.currentGroup != $0.group })
        let row = try #require(scored.rows.first { $0.id == moved.record.id })
        #expect(row.plan == data.groups[moved.currentGroup] && row.amount == moved.record.amount, "\(row.plan ?? "-") for \(moved.record)")
        #expect(CustomerFitReport.json(f, scenario: text).contains("\"upsell_by_plan\""))
    }

    /// Edge cases: a move never seen outside the windows is rare, not impossible (one upgrade after
    /// 200 good resolutions is no upsell); a change on the as-of date still follows a resolution
    /// ten days before; changes on one day chain whatever the rows' order.
    @Test func edgeCasesOfTheWindowsAndTheChance() throws {
        let dir = try TempDir("plan-changes")
        defer { dir.cleanup() }
        var subs = ["id,plan,start,end,amount"], tix = ["subscription_id,opened,resolved,outcome"]
        for i in 0..<200 {
            subs.append("c\(i),\(i == 0 || i == 1 ? "pro" : "basic"),2025-01-01,,10")
            tix.append("c\(i),2025-03-08,2025-03-10,good")
        }
        tix.append("c1,2026-10-19,2026-10-20,good")
        let s = try dir.write("s.csv", subs.joined(separator: "\n") + "\n")
        let t = try dir.write("t.csv", tix.joined(separator: "\n") + "\n")
        // c0 upgrades five days after its resolution; c1 on the as-of date, eleven days after its
        // second one, in two steps on one day written in the wrong order.
        let c = try dir.write("c.csv", "subscription_id,changed,from_plan,to_plan\nc0,2025-03-15,basic,pro\n"
                              + "c1,2026-10-31,team,pro\nc1,2026-10-31,basic,team\n")
        var o = CustomerData.Options(asOf: CalendarDate(year: 2026, month: 10, day: 31)!)
        o.groupByPlan = true
        let data = try CustomerData.read(subscriptions: s, tickets: t, activations: nil, planChanges: c, options: o)
        let f = PlanChangeFit.fit(data)
        #expect(f.changes == 3 && f.afterGoodResolution == 3, "\(f.changes) changes, \(f.afterGoodResolution) after a good resolution")
        #expect(f.upsellTo.allSatisfy { $0 == nil }, "targets \(f.upsellTo), per plan \(f.perPlan)")
        for u in f.perPlan {
            #expect(u.pValue > PlanChangeFit.targetLevel && u.lower >= 0 && u.upper <= 1 && u.probability.isFinite, "\(u)")
        }
        #expect(f.likelihoodRatio.isFinite && f.probability.isFinite)
    }

    @Test func readerErrorsNameFileLineAndColumn() throws {
        let dir = try TempDir("plan-changes")
        defer { dir.cleanup() }
        let subs = try dir.write("s.csv", "id,plan,start,end,amount\na,pro,2026-01-05,,10\nb,basic,2026-02-01,2026-05-01,10\n")
        var o = CustomerData.Options(asOf: CalendarDate(year: 2026, month: 10, day: 31)!)
        o.groupByPlan = true
        func error(_ text: String, byPlan: Bool = true) -> String {
            let c = try! dir.write("c.csv", text)
            var o = o
            o.groupByPlan = byPlan
            do { _ = try CustomerData.read(subscriptions: subs, tickets: nil, activations: nil, planChanges: c, options: o); return "no error" }
            catch { return error.description }
        }
        let h = "subscription_id,changed,from_plan,to_plan\n"
        let cases: [(String, [String])] = [
            (error(h + "zz,2026-02-01,basic,pro\n"), ["c.csv:2:1", "unknown subscription 'zz'"]),
            (error(h + "a,2025-12-01,basic,pro\n"), ["c.csv:2:2", "before subscription 'a' started"]),
            (error(h + "a,2026-11-01,basic,pro\n"), ["after the as-of date"]),
            (error(h + "b,2026-06-01,pro,basic\n"), ["after subscription 'b' ended"]),
            (error(h + "a,2026-03-01,pro,pro\n"), ["c.csv:2:4", "keeps plan 'pro'"]),
            (error(h + "a,2026-03-01,,pro\n"), ["c.csv:2:3", "empty plan"]),
            (error(h + "a,2026-03-01,pro,pro2\na,2026-02-01,team,basic\n"), ["c.csv:2:3", "from 'pro'", "line 3", "moved subscription 'a' to 'basic'"]),
            (error(h + "a,2026-03-01,basic,team\n"), ["c.csv:2:4", "moves it to 'team'", "plan 'pro'"]),
            (error(h + "a,2026-02-30,basic,pro\n"), ["no such date", "c.csv:2:2"]),
            (error("subscription_id,changed,to_plan\na,2026-03-01,pro\n"), ["missing the from plan column"]),
            (error(h + "a,2026-03-01,basic,pro,x\n"), ["row has 5 cells"]),
            (error(h + "a,2026-03-01,basic,pro\n", byPlan: false), ["--by-plan"]),
            (error(""), ["file is empty"]),
        ]
        for (message, parts) in cases {
            for p in parts { #expect(message.contains(p), "\(message) should contain \(p)") }
        }
        #expect(error(h + "a,2026-02-01,basic,team\na,2026-03-01,team,pro\n") == "no error")
        #expect(error(h) == "no error")
    }
}
