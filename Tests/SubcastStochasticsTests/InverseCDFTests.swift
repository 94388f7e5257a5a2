import Foundation
import Testing
import CGSL
@testable import SubcastStochastics

/// The quantile wrappers: known values, inversion of GSL's distribution functions, and errors
/// (not aborts) for bad parameters.
@Suite struct InverseCDFTests {
    @Test func normalKnownValues() throws {
        #expect(abs(try InverseCDF.normal(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(try InverseCDF.normal(0.5, mean: 29, sd: 2) - 29) < 1e-12)
        #expect(abs(try InverseCDF.normal(0.025, mean: 10, sd: 3) - (10 - 3 * 1.959963984540054)) < 1e-11)
        #expect(abs(InverseCDF.standardNormalCDF(1.959963984540054) - 0.975) < 1e-14)
        #expect(abs(InverseCDF.standardNormalSurvival(-1.959963984540054) - 0.975) < 1e-14)
        #expect(abs(InverseCDF.standardNormalDensity(0) - 1 / (2 * Double.pi).squareRoot()) < 1e-15)
        #expect(InverseCDF.standardNormalCDF(-.infinity) == 0 && InverseCDF.standardNormalCDF(.infinity) == 1)
    }

    @Test func quantilesInvertTheDistributionFunctions() throws {
        for u in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-6] {
            let ln = try InverseCDF.lognormal(u, mu: 1.2, sigma: 0.4)
            #expect(abs(gsl_cdf_lognormal_P(ln, 1.2, 0.4) - u) < 1e-10 * max(1, u / (1 - u)), "lognormal u \(u)")
            let g = try InverseCDF.gamma(u, shape: 2.5, scale: 3)
            #expect(abs(gsl_cdf_gamma_P(g, 2.5, 3) - u) < 1e-9, "gamma u \(u): \(g)")
            let b = try InverseCDF.beta(u, a: 2, b: 31)
            #expect(abs(gsl_cdf_beta_P(b, 2, 31) - u) < 1e-9, "beta u \(u): \(b)")
            let f = try InverseCDF.uniform(u, lower: -1, upper: 3)
            #expect(abs(f - (-1 + 4 * u)) < 1e-12, "uniform u \(u)")
        }
        // Where GSL's own inversion does not converge (GSL 2.7 returns NaN at the first of these),
        // the bracketed Newton fallback still inverts the distribution function.
        for (u, a, b) in [(0.9396417609237666, 33.78, 529.22), (0.5, 1000.0, 3000.0), (0.999, 4.0, 400.0)] {
            let x = try InverseCDF.beta(u, a: a, b: b)
            #expect(abs(gsl_cdf_beta_P(x, a, b) - u) < 1e-10, "beta(\(a), \(b)) at u \(u): \(x)")
        }
        // Monotone in u.
        var last = -Double.infinity
        for k in 1..<1000 {
            let x = try InverseCDF.beta(Double(k) / 1000, a: 0.6, b: 9)
            #expect(x >= last)
            last = x
        }
    }

    @Test func badParametersThrowInsteadOfAborting() {
        #expect(throws: DistributionError.self) { try InverseCDF.normal(0, mean: 0, sd: 1) }
        #expect(throws: DistributionError.self) { try InverseCDF.normal(1, mean: 0, sd: 1) }
        #expect(throws: DistributionError.self) { try InverseCDF.normal(0.5, mean: 0, sd: 0) }
        #expect(throws: DistributionError.self) { try InverseCDF.normal(.nan) }
        #expect(throws: DistributionError.self) { try InverseCDF.lognormal(0.5, mu: 0, sigma: -1) }
        #expect(throws: DistributionError.self) { try InverseCDF.gamma(0.5, shape: 0, scale: 1) }
        #expect(throws: DistributionError.self) { try InverseCDF.gamma(0.5, shape: 1, scale: .infinity) }
        #expect(throws: DistributionError.self) { try InverseCDF.beta(0.5, a: 1, b: 0) }
        #expect(throws: DistributionError.self) { try InverseCDF.uniform(0.5, lower: 2, upper: 2) }
        do {
            _ = try InverseCDF.beta(0.5, a: -2, b: 1)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("Beta") && error.description.contains("a = -2"), "\(error)")
        }
    }
}
