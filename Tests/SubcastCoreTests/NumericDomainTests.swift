import Foundation
import Testing
@testable import SubcastCore
import SubcastStochastics

/// The numeric limits of the model and of uncertain inputs, found by sweeping parameters across
/// their whole range: every distribution either refuses its parameters with a `DistributionError`
/// or computes finite, ordered quantiles, and it never hangs (each sweep finishes in seconds).
@Suite struct NumericDomainTests {
    static let probes = [UncertainInputs.clamp, 0.001, 0.1, 0.5, 0.9, 0.999, 1 - UncertainInputs.clamp]

    /// Quantiles at the probes are finite and non-decreasing; returns a failure message or nil.
    static func checkQuantiles(_ d: InputDistribution) -> String? {
        var last = -Double.infinity
        for u in probes {
            let x = d.quantile(u)
            // Near a bound GSL's beta quantile can step back by an ulp (1.0, then 1 - 2^-52).
            if !x.isFinite || x < last - 4 * last.ulp { return "\(d): quantile(\(u)) = \(x) after \(last)" }
            last = x
        }
        return nil
    }

    @Test func betaShapesAcrossTheirRangeAreRefusedOrComputed() {
        var accepted = 0, refused = 0
        for ea in stride(from: -12, through: 24, by: 2) {
            for eb in stride(from: -12, through: 24, by: 2) {
                let a = pow(10, Double(ea) / 2), b = pow(10, Double(eb) / 2)
                do {
                    let d = try InputDistribution.beta(alpha: a, beta: b, lower: 0, upper: 1).validated()
                    accepted += 1
                    if let failure = Self.checkQuantiles(d) { Issue.record("accepted but \(failure)") }
                    #expect(a + b <= InputDistribution.maximumBetaShapeSum)
                } catch {
                    refused += 1
                    // Every usual shape is accepted.
                    #expect(!(a >= 0.1 && b >= 0.1 && a + b <= 1e6), "beta(\(a), \(b)) refused: \(error)")
                }
            }
        }
        #expect(accepted > 60 && refused > 50, "accepted \(accepted), refused \(refused)")
        // The shapes on which gsl_cdf_beta_Pinv never returns are refused, not run.
        #expect(throws: DistributionError.self) { try InputDistribution.beta(alpha: 1e7, beta: 1e7, lower: 0, upper: 1).validated() }
        #expect(throws: DistributionError.self) { try InputDistribution.beta(mean: 0.05, sd: 1e-6) }
        // A usual tight beta is accepted.
        #expect(throws: Never.self) { try InputDistribution.beta(mean: 0.05, sd: 0.001) }
    }

    @Test func gammaShapesAcrossTheirRangeAreRefusedOrComputed() {
        var accepted = 0
        for e in stride(from: -300, through: 300, by: 10) {
            for scale in [1e-200, 1e-3, 1, 1e3, 1e200] {
                let shape = pow(10, Double(e))
                guard let d = try? InputDistribution.gamma(shape: shape, scale: scale).validated() else { continue }
                accepted += 1
                if let failure = Self.checkQuantiles(d) { Issue.record("accepted but \(failure)") }
            }
        }
        #expect(accepted > 20)
        // A shape so small that its 1e-6 quantile underflows is refused with a reason.
        do {
            _ = try InputDistribution.gamma(shape: 1e-10, scale: 1).validated()
            Issue.record("gamma(1e-10, 1) accepted")
        } catch {
            #expect(error.expected.contains("double precision") || error.expected.contains("finite"), "\(error)")
        }
    }

    @Test func boundedDistributionsWithAnInfiniteWidthAreRefused() {
        let cases: [InputDistribution] = [
            .pert(min: -1e308, mode: 0, max: 1e308), .triangular(min: -1e308, mode: 0, max: 1e308),
            .uniform(min: -1e308, max: 1e308), .beta(alpha: 2, beta: 3, lower: -1e308, upper: 1e308),
            .gamma(shape: 1e200, scale: 1e200),
        ]
        for d in cases {
            #expect(throws: DistributionError.self, "\(d)") { try d.validated() }
        }
        // Wide but finite ranges still work.
        for d in [InputDistribution.pert(min: -1e300, mode: 0, max: 1e300), .uniform(min: -1e307, max: 1e307)] {
            #expect(throws: Never.self) { try d.validated() }
            #expect(Self.checkQuantiles(d) == nil)
        }
    }

    @Test func pertAndTriangularAcrossExtremeRanges() {
        for lo in [-1e300, -1e6, -1, 0, 1e-300, 1e6] {
            for width in [1e-300, 1e-10, 1, 1e10, 1e300] {
                for f in [0.0, 1e-12, 0.3, 1 - 1e-12, 1.0] {
                    let hi = lo + width
                    guard hi > lo else { continue }
                    let mode = lo + f * (hi - lo)
                    for d in [InputDistribution.pert(min: lo, mode: mode, max: hi), .triangular(min: lo, mode: mode, max: hi)] {
                        guard let v = try? d.validated() else { continue }
                        if let failure = Self.checkQuantiles(v) { Issue.record("accepted but \(failure)") }
                    }
                }
            }
        }
    }

    @Test func discreteWeightsNearTheLargestDoubleKeepTheirProportions() throws {
        let d = try InputDistribution.discrete(values: [1, 2, 3], weights: [1e308, 1e308, 1e308]).validated()
        #expect(d.quantile(0.2) == 1)
        #expect(d.quantile(0.5) == 2)
        #expect(d.quantile(0.9) == 3)
        #expect(abs(d.mean - 2) < 1e-12)
        #expect(abs(d.variance - 2.0 / 3) < 1e-12)
        // Ordinary weights are untouched.
        #expect(InputDistribution.scaledWeights([1, 2, 3]) == [1, 2, 3])
    }

    /// alpha = beta = 1e-20: half the subscribers churn at the first renewal (h(1) = 1/2) and
    /// almost none after; summing alpha + beta + t - 1 in the wrong order churned them all.
    @Test func tinySBGShapesKeepTheirFirstRenewalHazard() throws {
        for tiny in [1e-20, 1e-12, 1e-300] {
            let m = ChurnModel.shiftedBetaGeometric(alpha: tiny, beta: tiny)
            #expect(m.churnProbability(atRenewal: 1) == 0.5)
            #expect(m.churnProbability(atRenewal: 2) < 1e-11)
        }
        let s = Scenario(name: "tiny", horizonMonths: 4, trials: 400,
                         plans: [Plan(name: "p", pricePerMonth: 10, churn: .shiftedBetaGeometric(alpha: 1e-20, beta: 1e-20))],
                         acquisition: Acquisition(newPerMonth: 0, planMix: [1]),
                         existing: [ExistingCohort(plan: 0, count: 1000, tenureMonths: 0)],
                         economics: Economics(grossMargin: 1, discountRatePerYear: 0.1, cacPerSubscriber: 0),
                         lifetimeMonths: 12)
        let r = try Simulation.run(s, seed: 77, threads: 2)
        for month in 2...4 {
            let (ok, msg) = within(r.summary("active", month: month)!, r.closedForm.active[month - 1],
                                   "active month \(month), alpha = beta = 1e-20, seed 77")
            #expect(ok, "\(msg)")
            #expect(abs(r.closedForm.active[month - 1] - 500) < 1e-6)
        }
    }
}
