import Foundation
import Testing
@testable import SubcastCore
@testable import SubcastStochastics

/// Uncertain inputs: the moments of every input distribution, the copula's rank correlation,
/// Latin hypercube strata and variance reduction, and runs whose inputs are drawn per trial
/// (spread, closed forms, common random numbers, thread independence).
@Suite struct UncertainInputTests {
    static let seed: UInt64 = 20_261_201

    // MARK: distributions

    /// N draws x = F^-1(u) with u from one stream, clamped as in a run; the sample mean within
    /// 3 standard errors of the exact mean, the sample variance within 3 standard errors (from
    /// the fourth central moment) of the exact variance.
    func checkMoments(_ d: InputDistribution, seed: UInt64 = UncertainInputTests.seed, n: Int = 100_000) {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "moments:\(d.name)"))
        let c = UncertainInputs.clamp
        var xs = [Double](repeating: 0, count: n)
        for i in 0..<n { xs[i] = d.quantile(min(max(g.uniform(), c), 1 - c)) }
        let m = xs.reduce(0, +) / Double(n)
        var m2 = 0.0, m4 = 0.0
        for x in xs { let e = x - m; m2 += e * e; m4 += e * e * e * e }
        m2 /= Double(n - 1); m4 /= Double(n)
        let seMean = (d.variance / Double(n)).squareRoot()
        let seVar = (max(m4 - m2 * m2, 0) / Double(n)).squareRoot()
        #expect(abs(m - d.mean) <= 3 * seMean, "\(d) seed \(seed): mean \(m) vs exact \(d.mean), se \(seMean)")
        #expect(abs(m2 - d.variance) <= 3 * seVar, "\(d) seed \(seed): variance \(m2) vs exact \(d.variance), se \(seVar)")
        #expect(xs.allSatisfy { $0 >= d.support.lower && $0 <= d.support.upper }, "\(d): a draw outside the support")
    }

    @Test func momentsOfEveryDistribution() throws {
        let all: [InputDistribution] = [
            try InputDistribution.normal(mean: 29, sd: 2).validated(),
            try InputDistribution.truncatedNormal(mean: 0, sd: 1, lower: -0.5, upper: 2).validated(),
            try InputDistribution.truncatedNormal(mean: 5, sd: 1, lower: 7, upper: .infinity).validated(),
            try InputDistribution.truncatedNormal(mean: 0.05, sd: 0.03, lower: 0, upper: 1).validated(),
            try InputDistribution.lognormal(mu: 1, sigma: 0.5).validated(),
            try InputDistribution.lognormal(mean: 29, sd: 4),
            try InputDistribution.beta(alpha: 2, beta: 5, lower: 0, upper: 1).validated(),
            try InputDistribution.beta(mean: 0.06, sd: 0.01),
            try InputDistribution.beta(mean: 14, sd: 2, lower: 10, upper: 20),
            try InputDistribution.gamma(shape: 2, scale: 3).validated(),
            try InputDistribution.gamma(mean: 400, sd: 60),
            try InputDistribution.uniform(min: -1, max: 3).validated(),
            try InputDistribution.triangular(min: 0, mode: 1, max: 4).validated(),
            try InputDistribution.triangular(min: 0, mode: 0, max: 1).validated(),
            try InputDistribution.pert(min: -2, mode: -1.2, max: -0.5).validated(),
            try InputDistribution.discrete(values: [4, 2, 3], weights: [0.3, 0.2, 0.5]).validated(),
        ]
        for d in all { checkMoments(d) }
    }

    @Test func momentParameterisationsHitTheirMoments() throws {
        let ln = try InputDistribution.lognormal(mean: 29, sd: 4)
        #expect(abs(ln.mean - 29) < 1e-12 && abs(ln.variance - 16) < 1e-9, "\(ln)")
        let b = try InputDistribution.beta(mean: 0.06, sd: 0.01)
        #expect(abs(b.mean - 0.06) < 1e-14 && abs(b.variance - 1e-4) < 1e-15, "\(b)")
        let bs = try InputDistribution.beta(mean: 14, sd: 2, lower: 10, upper: 20)
        #expect(abs(bs.mean - 14) < 1e-12 && abs(bs.variance - 4) < 1e-12, "\(bs)")
        let g = try InputDistribution.gamma(mean: 400, sd: 60)
        #expect(abs(g.mean - 400) < 1e-9 && abs(g.variance - 3600) < 1e-6, "\(g)")
        // PERT: the scaled beta with shapes 1 + 4 (mode - min) / range, 1 + 4 (max - mode) / range.
        let pert = InputDistribution.pert(min: -2, mode: -1.2, max: -0.5)
        let asBeta = InputDistribution.beta(alpha: 1 + 4 * 0.8 / 1.5, beta: 1 + 4 * 0.7 / 1.5, lower: -2, upper: -0.5)
        for u in [0.01, 0.3, 0.5, 0.9] { #expect(abs(pert.quantile(u) - asBeta.quantile(u)) < 1e-14) }
        #expect(abs(pert.mean - asBeta.mean) < 1e-14 && abs(pert.variance - asBeta.variance) < 1e-14)
        // Medians.
        #expect(InputDistribution.normal(mean: 29, sd: 2).median == 29)
        #expect(abs(InputDistribution.lognormal(mu: log(29), sigma: 0.3).median - 29) < 1e-12)
        #expect(InputDistribution.discrete(values: [4, 2, 3], weights: [0.3, 0.2, 0.5]).median == 3)
        #expect(abs(InputDistribution.triangular(min: 0, mode: 0, max: 1).median - (1 - 0.5.squareRoot())) < 1e-15)
    }

    @Test func badParametersAreNamed() {
        func message(_ body: () throws -> InputDistribution) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { try InputDistribution.normal(mean: 1, sd: 0).validated() }.contains("sd = 0.0"))
        #expect(message { try InputDistribution.pert(min: 1, mode: 3, max: 2).validated() }.contains("max"))
        #expect(message { try InputDistribution.triangular(min: 0, mode: 5, max: 2).validated() }.contains("mode"))
        #expect(message { try InputDistribution.uniform(min: 3, max: 3).validated() }.contains("max"))
        #expect(message { try InputDistribution.beta(mean: 0.5, sd: 0.6) }.contains("sd^2 <"))
        #expect(message { try InputDistribution.beta(mean: 1.5, sd: 0.1) }.contains("mean"))
        #expect(message { try InputDistribution.gamma(mean: -1, sd: 1) }.contains("mean"))
        #expect(message { try InputDistribution.discrete(values: [1, 2], weights: [1, -1]).validated() }.contains("weights[1]"))
        #expect(message { try InputDistribution.discrete(values: [1, 2], weights: [0, 0]).validated() }.contains("sum > 0"))
        #expect(message { try InputDistribution.discrete(values: [1, 2], weights: [1]).validated() }.contains("one weight per value"))
        #expect(message { try InputDistribution.truncatedNormal(mean: 0, sd: 1, lower: 60, upper: 70).validated() }
            .contains("probability"))
    }

    // MARK: copula and sampling

    func spearman(_ x: [Double], _ y: [Double]) -> Double {
        func ranks(_ v: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: v.count)
            for (k, i) in v.indices.sorted(by: { v[$0] < v[$1] }).enumerated() { r[i] = Double(k) }
            return r
        }
        let rx = ranks(x), ry = ranks(y), n = Double(x.count), mean = (n - 1) / 2
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (rx[i] - mean) * (ry[i] - mean); sxx += (rx[i] - mean) * (rx[i] - mean); syy += (ry[i] - mean) * (ry[i] - mean)
        }
        return sxy / (sxx * syy).squareRoot()
    }

    @Test(arguments: [false, true])
    func copulaReproducesTheRankCorrelation(latinHypercube: Bool) throws {
        let inputs = try UncertainInputs([
            UncertainInput(name: "elasticity", path: "pricing.elasticity", distribution: .pert(min: -2, mode: -1.2, max: -0.5)),
            UncertainInput(name: "price", path: "plans[0].price_per_month", distribution: .normal(mean: 29, sd: 2)),
            UncertainInput(name: "churn", path: "plans[0].churn.mean_per_month", distribution: try .beta(mean: 0.06, sd: 0.01)),
        ], correlations: [InputCorrelation("elasticity", "churn", rho: -0.4), InputCorrelation("price", "churn", rho: 0.3)],
           latinHypercube: latinHypercube)
        let n = 20_000
        var cols: [[Double]] = [[], [], []]
        for t in 0..<n {
            let v = inputs.values(trial: t, seed: Self.seed)
            for i in 0..<3 { cols[i].append(v[i]) }
        }
        // Fisher's z of Spearman's rho has sd about sqrt(1.06 / (n - 3)) (Fieller, Hartley, Pearson 1957).
        let se = (1.06 / Double(n - 3)).squareRoot()
        for (a, b, rho) in [(0, 2, -0.4), (1, 2, 0.3), (0, 1, 0.0)] {
            let r = spearman(cols[a], cols[b])
            #expect(abs(atanh(r) - atanh(rho)) <= 3 * se,
                    "seed \(Self.seed) lhs \(latinHypercube): Spearman of \(inputs.names[a]), \(inputs.names[b]) = \(r), requested \(rho), se \(se)")
        }
        // The marginals are untouched by the copula.
        let m = cols[2].reduce(0, +) / Double(n)
        #expect(abs(m - 0.06) < 3 * 0.01 / Double(n).squareRoot(), "seed \(Self.seed): churn mean \(m)")
    }

    @Test func correlationMatrixMustBePositiveSemiDefinite() throws {
        let three = ["a", "b", "c"].map { UncertainInput(name: $0, path: $0, distribution: .uniform(min: 0, max: 1)) }
        #expect(throws: UncertainInputsError.notPositiveSemiDefinite) {
            try UncertainInputs(three, correlations: [InputCorrelation("a", "b", rho: 0.9), InputCorrelation("a", "c", rho: 0.9),
                                                      InputCorrelation("b", "c", rho: -0.9)])
        }
        #expect(throws: UncertainInputsError.unknownName("d")) {
            try UncertainInputs(three, correlations: [InputCorrelation("a", "d", rho: 0.5)])
        }
        #expect(throws: UncertainInputsError.duplicatePair("b", "a")) {
            try UncertainInputs(three, correlations: [InputCorrelation("a", "b", rho: 0.5), InputCorrelation("b", "a", rho: 0.5)])
        }
        // Semi-definite (a correlation of 1) is allowed: the two move together.
        let one = try UncertainInputs(three, correlations: [InputCorrelation("a", "b", rho: 1)])
        for t in 0..<200 {
            let v = one.values(trial: t, seed: Self.seed)
            #expect(abs(v[0] - v[1]) < 1e-4, "trial \(t): \(v)")
        }
    }

    @Test func latinHypercubeFillsEveryStratumOfEachBlock() throws {
        let inputs = try UncertainInputs([UncertainInput(name: "u", path: "u", distribution: .uniform(min: 0, max: 1)),
                                          UncertainInput(name: "w", path: "w", distribution: .uniform(min: 0, max: 1))],
                                         latinHypercube: true)
        for block in 0..<3 {
            for i in 0..<2 {
                let strata = Set((0..<64).map { Int(inputs.values(trial: block * 64 + $0, seed: Self.seed)[i] * 64) })
                #expect(strata.count == 64, "seed \(Self.seed) block \(block) input \(i): \(strata.count) strata")
            }
        }
    }

    /// The mean of f(x) = exp(x), x ~ uniform(0, 1), over 128 trials, repeated over 200 seeds:
    /// both unbiased for e - 1; Latin hypercube's estimator varies far less.
    @Test func latinHypercubeReducesTheVarianceOfAMonotoneMean() throws {
        let input = [UncertainInput(name: "x", path: "x", distribution: .uniform(min: 0, max: 1))]
        let random = try UncertainInputs(input), lhs = try UncertainInputs(input, latinHypercube: true)
        func estimates(_ inputs: UncertainInputs) -> [Double] {
            (0..<200).map { r in
                let seed = Self.seed + UInt64(r) * 7919
                return (0..<128).reduce(0.0) { $0 + exp(inputs.values(trial: $1, seed: seed)[0]) } / 128
            }
        }
        func meanVar(_ xs: [Double]) -> (Double, Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (m, xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1))
        }
        let (mr, vr) = meanVar(estimates(random)), (ml, vl) = meanVar(estimates(lhs))
        let exact = M_E - 1
        // Var(exp(U)) = (e^2 - 1) / 2 - (e - 1)^2; random's estimator has that over 128.
        let exactVar = ((M_E * M_E - 1) / 2 - exact * exact) / 128
        #expect(abs(mr - exact) <= 3 * (exactVar / 200).squareRoot(), "random: mean \(mr) vs \(exact)")
        #expect(abs(ml - exact) <= 3 * (vl / 200).squareRoot() + 1e-9, "lhs: mean \(ml) vs \(exact), var \(vl)")
        #expect(abs(vr / exactVar - 1) < 0.35, "random: variance \(vr) vs \(exactVar)")
        #expect(vl < vr / 100, "seeds from \(Self.seed): LHS variance \(vl) vs random \(vr)")
    }

    // MARK: runs

    /// A closed base of 5000 subscribers, churn 3 % a month, price 29; `price` uncertain.
    static func closedBase() -> Scenario {
        Scenario(name: "closed", horizonMonths: 12, trials: 2000,
                 plans: [Plan(name: "p", pricePerMonth: 29, churn: .constant(perMonth: 0.03))],
                 acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                 existing: [ExistingCohort(plan: 0, count: 5000, tenureMonths: 0)])
    }

    static func family(_ extra: Bool = false, lhs: Bool = false, price: InputDistribution = .normal(mean: 29, sd: 2)) throws -> ScenarioFamily {
        var inputs = [UncertainInput(name: "price", path: "plans[0].price_per_month", distribution: price)]
        if extra {
            inputs.append(UncertainInput(name: "cac", path: "economics.cac_per_subscriber",
                                         distribution: .uniform(min: 100, max: 300)))
        }
        let base = closedBase()
        return ScenarioFamily(base: base, inputs: try UncertainInputs(inputs, latinHypercube: lhs)) { v in
            var s = base
            s.plans[0].pricePerMonth = v[0]
            if v.count > 1 { s.economics.cacPerSubscriber = v[1] }
            return s
        }
    }

    @Test func uncertainPriceSpreadsMRRAndMatchesItsClosedForm() throws {
        let family = try Self.family()
        let uncertain = try Simulation.run(family, trials: 4000, seed: Self.seed, threads: 2)
        let fixed = try Simulation.run(family.fixedAtMedians, trials: 4000, seed: Self.seed, threads: 2)
        let exactActive = ClosedForm(family.base).active
        for m in [1, 6, 12] {
            let u = uncertain.summary("mrr", month: m)!, f = fixed.summary("mrr", month: m)!
            // E[MRR_m] = E[price] E[active_m] (price independent of the churn draws).
            let (ok, message) = within(u, 29 * exactActive[m - 1], z: 3, "seed \(Self.seed) month \(m) uncertain MRR")
            #expect(ok, "\(message)")
            // Process noise only: sd(MRR) = price sd(active); parameter uncertainty adds about 2 x active.
            let activeSD = fixed.summary("active", month: m)!.sd
            #expect(abs(f.sd - 29 * activeSD) <= 1e-6 * f.sd, "month \(m): fixed sd \(f.sd) vs \(29 * activeSD)")
            #expect(u.sd > 5 * f.sd, "seed \(Self.seed) month \(m): uncertain sd \(u.sd), fixed sd \(f.sd)")
        }
        #expect(uncertain.scalar("input:price")!.sd > 1.9 && uncertain.scalar("input:price")!.sd < 2.1)
        #expect(fixed.layout.block("input:price") == nil)
        #expect(uncertain.closedForm.atPointEstimates)
    }

    /// Every trial's price is the base's: the same draws as the fixed scenario, on the cohort
    /// model and on the lever model.
    @Test(arguments: [false, true])
    func fixedInputsReproduceTheFixedScenarioDrawForDraw(levers: Bool) throws {
        let family: ScenarioFamily
        if levers {
            let base = LeverModelTests.everything(trials: 20)
            let inputs = try UncertainInputs([UncertainInput(name: "price", path: "plans[0].price_per_month",
                                                             distribution: .discrete(values: [20], weights: [1]))])
            family = ScenarioFamily(base: base, inputs: inputs) { v in
                var s = base
                s.plans[0].pricePerMonth = v[0]
                return s
            }
        } else {
            family = try Self.family(price: .discrete(values: [29], weights: [1]))
        }
        let uncertain = ForecastModel(family), fixed = ForecastModel(family.base)
        let a = try MonteCarloEngine.run(uncertain, trials: levers ? 20 : 130, seed: Self.seed, threads: 2)
        let b = try MonteCarloEngine.run(fixed, trials: levers ? 20 : 130, seed: Self.seed, threads: 2)
        for block in fixed.layout.blocks {
            let other = uncertain.layout.block(block.metric)!
            #expect(other.count == block.count)
            for k in 0..<block.count {
                #expect(a.column(other.offset + k).elementsEqual(b.column(block.offset + k)) { $0 == $1 || ($0.isNaN && $1.isNaN) },
                        "\(block.metric)[\(k)]")
            }
        }
        #expect(a.column(uncertain.layout.block("input:price")!.offset).allSatisfy { $0 == family.base.plans[0].pricePerMonth })
        #expect(a.width == b.width + 1)
    }

    @Test(arguments: [false, true])
    func addingAnInputChangesNoOtherDraw(latinHypercube: Bool) throws {
        let one = try ForecastModel(Self.family(lhs: latinHypercube))
        let two = try ForecastModel(Self.family(true, lhs: latinHypercube))
        let a = try MonteCarloEngine.run(one, trials: 150, seed: Self.seed, threads: 2)
        let b = try MonteCarloEngine.run(two, trials: 150, seed: Self.seed, threads: 2)
        let same: (Double, Double) -> Bool = { $0 == $1 || ($0.isNaN && $1.isNaN) }
        for metric in ["input:price", "active", "churned", "mrr", "cltv"] {
            let x = one.layout.block(metric)!, y = two.layout.block(metric)!
            for k in 0..<x.count {
                #expect(a.column(x.offset + k).elementsEqual(b.column(y.offset + k), by: same), "\(metric)[\(k)] lhs \(latinHypercube)")
            }
        }
        let cac = b.column(two.layout.block("input:cac")!.offset)
        #expect(cac.allSatisfy { $0 > 100 && $0 < 300 } && Set(cac).count == 150)
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let base = LeverModelTests.everything(trials: 66)
        let inputs = try UncertainInputs([
            UncertainInput(name: "elasticity", path: "pricing.elasticity", distribution: .pert(min: -2, mode: -1.2, max: -0.5)),
            UncertainInput(name: "price", path: "plans[0].price_per_month", distribution: .normal(mean: 20, sd: 2)),
            UncertainInput(name: "annual", path: "plans[1].billing.annual_share", distribution: .uniform(min: 0, max: 0.4)),
        ], correlations: [InputCorrelation("elasticity", "price", rho: 0.5)], latinHypercube: true)
        let family = ScenarioFamily(base: base, inputs: inputs) { v in
            var s = base
            s.levers.priceElasticity = v[0]
            s.plans[0].pricePerMonth = v[1]
            s.plans[1].options.annualShare = v[2]
            return s
        }
        let one = try Simulation.run(family, trials: 66, seed: Self.seed, threads: 1)
        let three = try Simulation.run(family, trials: 66, seed: Self.seed, threads: 3)
        #expect("\(one.summaries)" == "\(three.summaries)", "summaries differ between 1 and 3 threads")
        #expect(one.layout == three.layout && one.layout.block("input:annual") != nil)
        let m1 = try MonteCarloEngine.run(ForecastModel(family), trials: 66, seed: Self.seed, threads: 1)
        let m3 = try MonteCarloEngine.run(ForecastModel(family), trials: 66, seed: Self.seed, threads: 3)
        for j in 0..<m1.width {
            #expect(m1.column(j).elementsEqual(m3.column(j)) { $0.bitPattern == $1.bitPattern }, "series \(j)")
        }
    }

    @Test func shapeCoversEveryLeverSomeDrawSwitchesOn() throws {
        // The median annual share is 0 (discrete), but some draws bill annually: the shape must
        // have the annual compartments and the pricing stream.
        let base = Self.closedBase()
        let inputs = try UncertainInputs([UncertainInput(name: "annual", path: "plans[0].billing.annual_share",
                                                         distribution: .discrete(values: [0, 0.5], weights: [0.7, 0.3]))])
        let family = ScenarioFamily(base: base, inputs: inputs) { v in
            var s = base
            s.plans[0].options.annualShare = v[0]
            return s
        }
        #expect(family.base.plans[0].options.annualShare == 0)
        #expect(family.shape.plans[0].options.annualShare == 0.5)
        let model = UncertainModel(family)
        #expect(model.streamNames == ["acquisition", "churn", "billing", "input:annual"])
        let r = try Simulation.run(family, trials: 200, seed: Self.seed, threads: 2)
        let drawn = Set(r.scalar("input:annual").map { [$0.p5, $0.p95] } ?? [])
        #expect(drawn == [0, 0.5])
    }
}
