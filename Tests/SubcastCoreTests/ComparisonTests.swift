import Foundation
import Testing
@testable import SubcastCore

/// Strategies on common random numbers: identical variants differ by exactly zero, a lever's
/// known effect shows exactly, untouched streams stay identical, pairing removes variance, and
/// results do not depend on the thread count.
@Suite struct ComparisonTests {
    static let seed: UInt64 = 20_261_201

    /// A growing two-plan business with an existing base (core model, fast).
    static func growing(trials: Int = 200) -> Scenario {
        Scenario(name: "growing", horizonMonths: 18, trials: trials,
                 plans: [Plan(name: "basic", pricePerMonth: 20, churn: .shiftedBetaGeometric(alpha: 0.8, beta: 10)),
                         Plan(name: "pro", pricePerMonth: 60, churn: .shiftedBetaGeometric(alpha: 0.6, beta: 14))],
                 acquisition: Acquisition(newPerMonth: 150, growthPerMonth: 0.02, planMix: [0.7, 0.3]),
                 existing: [ExistingCohort(plan: 1, count: 400, tenureMonths: 4)],
                 economics: Economics(grossMargin: 0.8, discountRatePerYear: 0.1, cacPerSubscriber: 150),
                 lifetimeMonths: 24)
    }

    /// `growing` with support (limited capacity, tickets change churn): the lever model.
    static func supported(trials: Int = 120, agents: Double = 1) -> Scenario {
        var s = growing(trials: trials)
        s.plans[0].options = PlanOptions(ticketsPerMonth: 0.3)
        s.plans[1].options = PlanOptions(ticketsPerMonth: 0.4)
        s.levers = Levers(support: Support(agents: agents, ticketsPerAgentPerMonth: 150, costPerAgentPerMonth: 4000,
                                           firstContactResolution: 0.7, backlogPenalty: 0.5, waitingChurnMultiplier: 1.5,
                                           badChurnMultiplier: 3, badMonths: 2, goodChurnMultiplier: 0.6, goodMonths: 3))
        return s
    }

    /// Per-trial outputs of a comparison and the model that made them.
    static func matrix(_ variants: [Variant], trials: Int, threads: Int = 2) throws -> (ComparisonModel, TrialMatrix) {
        let model = ComparisonModel(variants)
        return (model, try MonteCarloEngine.run(model, trials: trials, seed: seed, threads: threads))
    }

    static func column(_ model: ComparisonModel, _ name: String, month: Int = 1) -> Int {
        let b = model.layout.block(name)!
        return b.offset + month - 1
    }

    @Test func identicalVariantsDifferByExactlyZeroInEveryTrial() throws {
        let s = ComparisonTests.supported()
        let variants = [Variant(name: "base", scenario: s), Variant(name: "same", scenario: s)]
        let (model, m) = try ComparisonTests.matrix(variants, trials: 100)
        #expect(!model.metrics.isEmpty)
        for (j, c) in model.metrics.enumerated() {
            let diff = ComparisonTests.column(model, "diff/same/\(c.name)")
            let beats = ComparisonTests.column(model, "beats/same/\(c.name)")
            let bestBase = ComparisonTests.column(model, "best/base/\(c.name)")
            for t in 0..<m.trials {
                if m[t, model.source[j][0]].isNaN { #expect(m[t, diff].isNaN); continue }
                #expect(m[t, diff] == 0, "seed \(ComparisonTests.seed), trial \(t), \(c.name): diff \(m[t, diff])")
                #expect(m[t, beats] == 0, "trial \(t), \(c.name): a tie is not a win")
                #expect(m[t, bestBase] == 0.5, "trial \(t), \(c.name): two identical variants share the credit")
            }
        }
        let r = try Comparison.run(variants, trials: 100, seed: ComparisonTests.seed, threads: 2)
        for c in r.metrics where c.values[0].n > 0 {
            #expect(c.differences[1]!.mean == 0 && c.differences[1]!.se == 0, "\(c.metric.name): \(c.differences[1]!)")
            #expect(c.beatsBase[1]!.mean == 0)
            #expect(c.best[0].mean == 0.5 && c.best[1].mean == 0.5)
            #expect(c.noDifference(1) && c.allIdentical, "\(c.metric.name): identical in every trial")
        }
    }

    @Test func eachVariantRunsExactlyAsItsOwnSimulation() throws {
        // Three models with different stream sets: core (acquisition, churn), support (+ support,
        // latent classes), dunning (+ dunning). Each variant's block equals a standalone run bit for bit.
        let base = ComparisonTests.growing(trials: 80)
        let support = ComparisonTests.supported(trials: 80)
        var dunning = base
        dunning.levers.dunning = Dunning(failureRate: 0.05, recoveryProbability: 0.5)
        let variants = [Variant(name: "base", scenario: base), Variant(name: "support", scenario: support),
                        Variant(name: "dunning", scenario: dunning)]
        let (model, m) = try ComparisonTests.matrix(variants, trials: 80)
        // (Support's multipliers meet heterogeneous churn: the support variant splits its
        // arrivals into latent classes.)
        #expect(Set(model.streamNames) == Set(["acquisition", "churn", "support", "dunning", "latent_classes"]), "\(model.streamNames)")
        for (v, variant) in variants.enumerated() {
            let alone = ForecastModel(variant.scenario)
            let single = try MonteCarloEngine.run(alone, trials: 80, seed: ComparisonTests.seed, threads: 1)
            for t in 0..<80 {
                for j in 0..<alone.outputWidth {
                    let a = single[t, j], b = m[t, model.variantOffset[v] + j]
                    #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN),
                            "seed \(ComparisonTests.seed), variant \(variant.name), trial \(t), series \(j): \(a) vs \(b)")
                }
            }
        }
    }

    @Test func priceTimesOnePointOneShiftsMRRByATenthOfBaseMRRInEveryTrial() throws {
        // A closed base without elasticity: churn draws do not depend on the price, so the
        // variant's subscribers are the base's in every trial and MRR_v = 1.1 x MRR_base.
        let base = Scenario(name: "closed", horizonMonths: 12, trials: 200,
                            plans: [Plan(name: "p", pricePerMonth: 10, churn: .shiftedBetaGeometric(alpha: 1, beta: 6))],
                            acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                            existing: [ExistingCohort(plan: 0, count: 5000, tenureMonths: 2)])
        var up = base
        up.plans[0].pricePerMonth = 11
        let variants = [Variant(name: "base", scenario: base), Variant(name: "price-up", scenario: up)]
        let (model, m) = try ComparisonTests.matrix(variants, trials: 200)
        let mrr = ComparisonTests.column(model, "base/mrr", month: 12)
        let diff = ComparisonTests.column(model, "diff/price-up/mrr@12")
        let churned = ComparisonTests.column(model, "diff/price-up/churned@total")
        for t in 0..<m.trials {
            #expect(abs(m[t, diff] - 0.1 * m[t, mrr]) <= 1e-9 * m[t, mrr],
                    "seed \(ComparisonTests.seed), trial \(t): diff \(m[t, diff]) vs 0.1 x \(m[t, mrr])")
            #expect(m[t, churned] == 0, "trial \(t): the price does not change churn draws")
        }
        let r = try Comparison.run(variants, trials: 200, seed: ComparisonTests.seed, threads: 2)
        let c = try #require(r.metric("mrr@12"))
        let expected = 0.1 * c.values[0].mean
        let ci = try #require(c.interval(1))
        #expect(ci.lower <= expected && expected <= ci.upper, "0.1 x base MRR \(expected) outside \(ci)")
        #expect(abs(c.differences[1]!.mean - expected) <= 1e-9 * expected)
        #expect(c.beatsBase[1]!.mean == 1 && c.best[1].mean == 1)
        #expect(c.varianceRemoved(1)! > 0.9, "MRR difference is 0.1 MRR: pairing removes nearly all variance")
    }

    @Test func aLeverThatDrawsNothingChangesOnlyItsOwnMetric() throws {
        // Support's cost per agent enters no draw: every metric but support_cost is identical.
        let base = ComparisonTests.supported(trials: 60, agents: 2)
        var pricier = base
        pricier.levers.support!.costPerAgentPerMonth = 5000
        let r = try Comparison.run([Variant(name: "base", scenario: base), Variant(name: "pricier", scenario: pricier)],
                                   trials: 60, seed: ComparisonTests.seed, threads: 2)
        for c in r.metrics where c.values[0].n > 0 {
            let d = c.differences[1]!
            switch c.metric.name {
            case "support_cost@18": #expect(d.mean == 2 * 1000 && d.sd == 0, "\(d)")
            case "support_cost@total": #expect(d.mean == 18 * 2 * 1000 && d.sd == 0, "\(d)")
            case "total_costs@total", "total_costs@18": #expect(d.mean > 0, "\(c.metric.name): \(d)")
            case "contribution@total", "contribution@18", "operating_cash_flow@total", "operating_cash_flow@18", "cumulative_cash@18",
                 "npv", "cash_trough":
                #expect(d.mean < 0, "\(c.metric.name): \(d)")
            case _ where MetricRegistry.info(c.metric.metric)?.process == .costs: break
            default: #expect(d.mean == 0 && d.sd == 0, "\(c.metric.name): \(d)")
            }
        }
        let cost = try #require(r.metric("support_cost@total"))
        #expect(cost.direction == .lowerIsBetter && cost.beatsBase[1]!.mean == 0 && cost.best[0].mean == 1)
    }

    @Test func pairingRemovesVarianceOnARealisticVariant() throws {
        // More agents: the backlog shrinks, so fewer tickets wait and churn falls; the variants
        // share arrivals and most churn draws.
        let base = ComparisonTests.supported(trials: 200, agents: 1)
        let more = ComparisonTests.supported(trials: 200, agents: 3)
        let r = try Comparison.run([Variant(name: "base", scenario: base), Variant(name: "more-agents", scenario: more)],
                                   trials: 200, seed: ComparisonTests.seed, threads: 2)
        for name in ["mrr@18", "active@18", "cumulative_revenue@18"] {
            let c = try #require(r.metric(name))
            let removed = try #require(c.varianceRemoved(1))
            #expect(removed > 0.3, "seed \(ComparisonTests.seed), \(name): pairing removed \(removed)")
            #expect(c.differences[1]!.se < (c.values[0].sd * c.values[0].sd + c.values[1].sd * c.values[1].sd).squareRoot()
                    / Double(r.trials).squareRoot())
        }
        let backlog = try #require(r.metric("backlog@18"))
        #expect(backlog.direction == .lowerIsBetter)
        #expect(backlog.differences[1]!.mean < 0 && backlog.beatsBase[1]!.mean > 0.5, "\(backlog.differences[1]!)")
    }

    @Test func resultsAreIdenticalForOneAndThreeThreads() throws {
        let base = ComparisonTests.supported(trials: 150, agents: 1)
        let more = ComparisonTests.supported(trials: 150, agents: 2)
        var cheaper = ComparisonTests.growing(trials: 150)
        cheaper.plans[0].pricePerMonth = 18
        let variants = [Variant(name: "base", scenario: base), Variant(name: "more", scenario: more),
                        Variant(name: "core-cheaper", scenario: cheaper)]
        let one = try Comparison.run(variants, trials: 150, seed: ComparisonTests.seed, threads: 1)
        let three = try Comparison.run(variants, trials: 150, seed: ComparisonTests.seed, threads: 3)
        #expect(one.summaries.count == three.summaries.count)
        for (j, (a, b)) in zip(one.summaries, three.summaries).enumerated() {
            #expect(a.n == b.n && zip(a.named, b.named).allSatisfy { $0.1.bitPattern == $1.1.bitPattern },
                    "series \(j): 1 thread \(a) vs 3 threads \(b)")
        }
    }

    @Test func bestGoesToTheBestVariantAndMetricsFollowTheirDirection() throws {
        let base = ComparisonTests.growing(trials: 60)
        var cheap = base, dear = base
        cheap.plans[0].pricePerMonth = 15
        dear.plans[0].pricePerMonth = 25
        let r = try Comparison.run([Variant(name: "base", scenario: base), Variant(name: "cheap", scenario: cheap),
                                    Variant(name: "dear", scenario: dear)], trials: 60, seed: ComparisonTests.seed, threads: 2)
        let mrr = try #require(r.metric("mrr@18"))
        #expect(mrr.best.map(\.mean) == [0, 0, 1] && mrr.beatsBase[2]!.mean == 1 && mrr.beatsBase[1]!.mean == 0)
        // Prices change neither arrivals nor churn here: subscriber counts tie, and ties share P(best).
        let churned = try #require(r.metric("churned@total"))
        #expect(churned.direction == .lowerIsBetter && churned.best.map(\.mean).allSatisfy { abs($0 - 1.0 / 3) < 1e-12 })
        #expect(churned.noDifference(1) && churned.noDifference(2))
        #expect(MetricDirection(metric: "logo_churn_rate") == .lowerIsBetter)
        #expect(MetricDirection(metric: "overtake_month") == .lowerIsBetter)
        #expect(MetricDirection(metric: "cumulative_cash") == .higherIsBetter)
        #expect(MetricDirection(metric: "some_future_metric") == .higherIsBetter)
    }

    @Test func metricsResolveAsUsersWriteThem() {
        let models = [ForecastModel(ComparisonTests.growing()), ForecastModel(ComparisonTests.supported())]
        #expect(ComparisonModel.resolve("mrr", in: models) == ComparisonMetric(metric: "mrr", .month(18)))
        #expect(ComparisonModel.resolve("mrr@6", in: models) == ComparisonMetric(metric: "mrr", .month(6)))
        #expect(ComparisonModel.resolve("churned@total", in: models) == ComparisonMetric(metric: "churned", .total))
        #expect(ComparisonModel.resolve("cltv", in: models) == ComparisonMetric(metric: "cltv"))
        #expect(ComparisonModel.resolve("mrr@19", in: models) == nil, "beyond the horizon")
        #expect(ComparisonModel.resolve("backlog", in: models) == nil, "the core variant has no backlog")
        #expect(ComparisonModel.resolve("cltv@3", in: models) == nil, "a scalar has no months")
        #expect(ComparisonModel.resolve("mrr@x", in: models) == nil)
        let defaults = ComparisonModel.defaultMetrics(models).map(\.name)
        #expect(defaults.contains("mrr@18") && defaults.contains("churned@total") && defaults.contains("cltv"))
        #expect(!defaults.contains("mrr@total"), "levels are not summed")
        #expect(!defaults.contains { $0.hasPrefix("retention") })
    }
}
