import Foundation
import Testing
import CGSL
@testable import SubcastStochastics

/// Moment checks for every sampler wrapper, in the manner of GSL's randist/test.c:
/// N = 100,000 draws, sample mean within 4 standard errors of the exact mean and sample
/// variance within 4 standard errors of the exact variance (standard error of the variance
/// estimated from the fourth central moment of the sample). Fixed seeds; failures print them.
@Suite struct SamplerMomentTests {
    static let n = 100_000
    static let z = 4.0

    func check(_ name: String, seed: UInt64, mean: Double, variance: Double,
               _ draw: (RandomGenerator) -> Double) {
        let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: name))
        var xs = [Double](repeating: 0, count: Self.n)
        for i in 0..<Self.n { xs[i] = draw(g) }
        let m = xs.reduce(0, +) / Double(Self.n)
        var m2 = 0.0, m4 = 0.0
        for x in xs { let d = x - m; m2 += d * d; m4 += d * d * d * d }
        m2 /= Double(Self.n - 1); m4 /= Double(Self.n)
        let seMean = sqrt(variance / Double(Self.n))
        let seVar = sqrt(max(m4 - m2 * m2, 0) / Double(Self.n))
        #expect(abs(m - mean) <= Self.z * seMean,
                "\(name) seed \(seed): mean \(m) vs exact \(mean), se \(seMean)")
        #expect(abs(m2 - variance) <= Self.z * seVar + 1e-12,
                "\(name) seed \(seed): variance \(m2) vs exact \(variance), se \(seVar)")
    }

    @Test func poisson() throws {
        for mu in [0.7, 12.0, 1000.0] {
            let d = try Poisson(mean: mu)
            check("poisson-\(mu)", seed: 11, mean: mu, variance: mu) { Double(d.sample(using: $0)) }
        }
    }

    @Test func binomial() throws {
        for (n, p) in [(10, 0.3), (1000, 0.03), (1_000_000, 0.5)] {
            let d = try Binomial(trials: n, probability: p)
            check("binomial-\(n)-\(p)", seed: 12, mean: Double(n) * p,
                  variance: Double(n) * p * (1 - p)) { Double(d.sample(using: $0)) }
        }
    }

    @Test func multinomialMarginalsAreBinomial() throws {
        let w = [0.2, 0.5, 0.3]
        let d = try Multinomial(trials: 500, weights: w.map { $0 * 4 })  // unnormalised on purpose
        for k in 0..<3 {
            check("multinomial-\(k)", seed: 13, mean: 500 * w[k], variance: 500 * w[k] * (1 - w[k])) {
                let c = d.sample(using: $0)
                precondition(c.reduce(0, +) == 500)
                return Double(c[k])
            }
        }
    }

    @Test func beta() throws {
        let d = try Beta(a: 0.5, b: 12)
        check("beta", seed: 14, mean: d.mean, variance: d.variance) { d.sample(using: $0) }
    }

    @Test func gamma() throws {
        let d = try Gamma(shape: 2.5, scale: 3)
        check("gamma", seed: 15, mean: d.mean, variance: d.variance) { d.sample(using: $0) }
    }

    @Test func normal() throws {
        let d = try Normal(mean: -3, standardDeviation: 2)
        check("normal", seed: 16, mean: -3, variance: 4) { d.sample(using: $0) }
    }

    @Test func lognormal() throws {
        let d = try Lognormal(mu: 0.2, sigma: 0.4)
        check("lognormal", seed: 17, mean: d.mean, variance: d.variance) { d.sample(using: $0) }
    }

    @Test func negativeBinomial() throws {
        let d = try NegativeBinomial(probability: 0.3, n: 2.5)
        check("negbin", seed: 18, mean: d.mean, variance: d.variance) { Double(d.sample(using: $0)) }
    }

    @Test func invalidParametersAreRejectedBeforeGSL() {
        #expect(throws: DistributionError.self) { try Binomial(trials: 10, probability: 1.5) }
        #expect(throws: DistributionError.self) { try Binomial(trials: -1, probability: 0.5) }
        #expect(throws: DistributionError.self) { try Poisson(mean: .nan) }
        #expect(throws: DistributionError.self) { try Poisson(mean: -1) }
        #expect(throws: DistributionError.self) { try Beta(a: 0, b: 1) }
        #expect(throws: DistributionError.self) { try Gamma(shape: 1, scale: .infinity) }
        #expect(throws: DistributionError.self) { try Lognormal(mu: 0, sigma: -1) }
        #expect(throws: DistributionError.self) { try Multinomial(trials: 3, weights: [0, 0]) }
        #expect(throws: DistributionError.self) { try NegativeBinomial(probability: 0, n: 1) }
    }

    /// The hypergeometric sampler on both sides of `sequentialLimit` (GSL item by item below it,
    /// Stadlober's ratio of uniforms above) and beyond GSL's unsigned int: exact moments.
    @Test(arguments: [(30, 50, 25), (3000, 5000, 2500), (1_000_000, 3_000_000, 2_000_000), (10, 1_000_000, 500_000),
                      (999_990, 10, 999_000), (3_000_000_000, 2_000_000_000, 1_000_000_000), (7_000, 5_000_000_000, 2_500_000_000)])
    func hypergeometricMoments(_ marked: Int, _ unmarked: Int, _ sample: Int) throws {
        let n = Double(marked + unmarked), t = Double(sample)
        let mean = t * Double(marked) / n
        let variance = t * Double(marked) * Double(unmarked) * (n - t) / (n * n * (n - 1))
        check("hypergeometric-\(marked)-\(unmarked)-\(sample)", seed: 19, mean: mean, variance: variance) {
            Double(Hypergeometric.draw(marked: marked, unmarked: unmarked, sample: sample, using: $0))
        }
    }

    /// The ratio-of-uniforms draws follow GSL's exact probability function
    /// (`gsl_ran_hypergeometric_pdf`): a chi-square test over cells of expected count >= 20.
    @Test(arguments: [(3000, 5000, 2500), (2500, 2500, 2500), (40, 9960, 5000), (9000, 1000, 7000)])
    func hypergeometricRatioOfUniformsMatchesThePMF(_ marked: Int, _ unmarked: Int, _ sample: Int) {
        #expect(min(sample, marked + unmarked - sample) > Hypergeometric.sequentialLimit)
        let g = RandomGenerator(StreamKey(seed: 23, trial: 0, name: "hrua"))
        let draws = 200_000
        var counts: [Int: Int] = [:]
        for _ in 0..<draws { counts[Hypergeometric.draw(marked: marked, unmarked: unmarked, sample: sample, using: g), default: 0] += 1 }
        // Cells: single values with expected >= 20, the two tails pooled.
        let lo = max(0, sample - unmarked), hi = min(sample, marked)
        var chi2 = 0.0, cells = 0, tailExpected = 0.0, tailObserved = 0
        for k in lo...hi {
            let e = Double(draws) * gsl_ran_hypergeometric_pdf(UInt32(k), UInt32(marked), UInt32(unmarked), UInt32(sample))
            let o = counts[k] ?? 0
            if e >= 20 { chi2 += (Double(o) - e) * (Double(o) - e) / e; cells += 1 } else { tailExpected += e; tailObserved += o }
        }
        if tailExpected > 0 { chi2 += (Double(tailObserved) - tailExpected) * (Double(tailObserved) - tailExpected) / tailExpected; cells += 1 }
        // Degrees of freedom cells - 1; the 1e-4 upper quantile of chi-square, by GSL.
        let critical = gsl_cdf_chisq_Qinv(1e-4, Double(cells - 1))
        #expect(chi2 < critical, "hypergeometric(\(marked), \(unmarked), \(sample)), seed 23: chi2 \(chi2) on \(cells - 1) df, critical \(critical)")
    }

    /// Beyond GSL's unsigned int: binomial by beta splitting, Poisson by Ahrens-Dieter
    /// reduction, multinomial by conditional binomials; exact moments, cost O(log n).
    @Test(arguments: [(100_000_000, 0.2), (1_000_000_000, 0.5), (4_000_000_000, 0.3), (5_000_000_000, 0.3), (10_000_000_000_000, 0.5),
                      (7_000_000_000, 1e-9), (3_000_000_000_000, 0.999999)])
    func binomialOfAnySize(_ n: Int, _ p: Double) {
        // GSL's own draw overstates the variance here (by 2-25 %); `draw` must not.
        check("binomial-draw-\(n)-\(p)", seed: 29, mean: Double(n) * p, variance: Double(n) * p * (1 - p)) {
            Double(Binomial.draw(trials: n, probability: p, using: $0))
        }
        check("binomial-any-\(n)-\(p)", seed: 29, mean: Double(n) * p, variance: Double(n) * p * (1 - p)) {
            Double(Binomial.drawAnySize(trials: n, probability: p, using: $0))
        }
    }

    @Test(arguments: [2e9, 7.5e12, 1e15])
    func poissonOfAnySize(_ mean: Double) {
        check("poisson-any-\(mean)", seed: 31, mean: mean, variance: mean) { Double(Poisson.drawAnySize(mean: mean, using: $0)) }
    }

    @Test func multinomialOfAnySizeHasBinomialMarginals() {
        for n in [1_500_000_000, 12_000_000_000] {
        let w = [0.2, 0.0, 0.5, 0.3]
        for j in [0, 2, 3] {
            check("multinomial-any-\(j)", seed: 37, mean: Double(n) * w[j], variance: Double(n) * w[j] * (1 - w[j])) { g in
                var counts = [0, 0, 0, 0]
                Multinomial.draw(trials: n, weights: w, into: &counts, using: g)
                precondition(counts.reduce(0, +) == n && counts[1] == 0, "multinomial counts \(counts) do not add up to \(n)")
                return Double(counts[j])
            }
        }
        }
    }
}

@Suite struct SpecialFunctionTests {
    @Test func hypergeometricAgainstSeries() throws {
        // 2F1(1, b; c; x) = sum_k (b)_k / (c)_k x^k, summed directly.
        let (b, c, x) = (12.0, 12.5, 1 / pow(1.1, 1.0 / 12))
        var term = 1.0, sum = 0.0, k = 0.0
        while term > 1e-17 * sum || k < 10 { sum += term; term *= (b + k) / (c + k) * x; k += 1 }
        let v = try SpecialFunctions.hypergeometric2F1(a: 1, b: b, c: c, x: x)
        #expect(abs(v - sum) <= 1e-9 * sum, "2F1 \(v) vs series \(sum)")
    }

    @Test func gslErrorsBecomeSwiftErrors() {
        #expect(throws: GSLError.self) { try SpecialFunctions.hypergeometric2F1(a: 1, b: 1, c: 1, x: 1.5) }
        #expect(throws: GSLError.self) { try SpecialFunctions.logBeta(-1, 2) }
    }

    @Test func logBetaKnownValue() throws {
        // B(2, 3) = 1/12
        #expect(abs(try SpecialFunctions.logBeta(2, 3) - log(1.0 / 12)) < 1e-14)
    }
}
