import Foundation
import Testing
@testable import SubcastCore

@Suite struct ChurnModelTests {
    let bench = ChurnModel.shiftedBetaGeometric(alpha: 0.5, beta: 12)
    let d = pow(1.1, 1.0 / 12) - 1

    @Test func survivalReproducesBenchmarkTable() {
        // E[active in month m] = 1000 sum_{k<m} S(k), from benchmark-model.md.
        let table: [(Int, Double)] = [(1, 1000), (2, 1960), (3, 2884.4444), (12, 10_061.4618),
                                      (24, 17_708.3074), (36, 24_130.4916), (60, 34_875.1054)]
        for (m, expected) in table {
            let v = 1000 * (0..<m).reduce(0.0) { $0 + bench.survival($1) }
            #expect(abs(v - expected) < 1e-4, "month \(m): \(v) vs \(expected)")
        }
    }

    @Test func survivalIsProductOfRenewalProbabilities() {
        var s = 1.0
        for k in 0..<200 {
            #expect(abs(bench.survival(k) - s) <= 1e-12 * max(s, 1e-300), "k \(k)")
            s *= 1 - bench.churnProbability(atRenewal: k + 1)
        }
    }

    @Test func discountedLifetimeValuesFromBenchmark() {
        #expect(abs(50 * bench.discountedExpectedPayments(months: 60, discountPerMonth: d) - 1441.089) < 1e-3)
        #expect(abs(50 * bench.discountedExpectedPayments(months: 120, discountPerMonth: d) - 1959.905) < 1e-3)
        #expect(abs(50 * bench.discountedExpectedLifetime(discountPerMonth: d) - 2516.643) < 1e-3)
        #expect(abs(50 * bench.discountedExpectedPayments(months: 120, discountPerMonth: 0) - 2777.517) < 1e-3)
    }

    @Test func closedFormDELMatchesDirectSummation() {
        for (a, b, rate) in [(0.5, 12.0, 0.10), (1.2, 3.0, 0.05), (0.2, 0.8, 0.30), (5.0, 50.0, 0.01)] {
            let c = ChurnModel.shiftedBetaGeometric(alpha: a, beta: b)
            let dm = pow(1 + rate, 1.0 / 12) - 1
            var direct = 0.0
            for k in 0..<200_000 { direct += c.survival(k) * pow(1 + dm, -Double(k)) }
            let closed = c.discountedExpectedLifetime(discountPerMonth: dm)
            #expect(abs(closed - direct) <= 1e-6 * direct, "alpha \(a) beta \(b) rate \(rate): \(closed) vs \(direct)")
        }
    }

    @Test func meanAndHeterogeneityMapping() {
        let c = ChurnModel(meanPerMonth: 0.05, heterogeneity: 0.2)
        guard case let .shiftedBetaGeometric(a, b) = c else { Issue.record("expected sBG"); return }
        #expect(abs(a / (a + b) - 0.05) < 1e-12)
        #expect(abs(1 / (a + b + 1) - 0.2) < 1e-12)
        #expect(ChurnModel(meanPerMonth: 0.05, heterogeneity: 0) == .constant(perMonth: 0.05))
    }

    @Test func constantChurnClosedForms() {
        let c = ChurnModel.constant(perMonth: 0.04)
        #expect(abs(c.survival(10) - pow(0.96, 10)) < 1e-15)
        let dm = 0.01
        var direct = 0.0
        for k in 0..<5000 { direct += pow(0.96 / 1.01, Double(k)) }
        #expect(abs(c.discountedExpectedLifetime(discountPerMonth: dm) - direct) < 1e-9)
    }
}
