import Foundation
import SubcastStochastics

/// A maximum-likelihood fit of the beta-discrete-Weibull churn model (`ChurnModel.betaDiscreteWeibull`)
/// to survival data, and its comparison with the shifted-beta-geometric fit (its c = 1 case).
///
/// Log-likelihood, with d_t churners at renewal t and a_t subscribers still active in their t-th
/// period:
/// ```
/// LL(alpha, beta, c) = sum_t d_t ln(S(t - 1) - S(t)) + sum_t a_t ln S(t - 1),   S(t) = B(alpha, beta + t^c) / B(alpha, beta)
/// ```
/// maximised over theta = (ln alpha, ln beta, ln c) from the sBG optimum at c = 1
/// (`MaximumLikelihood`). sBG is nested at c = 1, so twice the log-likelihood gain is
/// asymptotically chi-squared with one degree of freedom: `likelihoodRatio` and `pValue`
/// (`gsl_cdf_chisq_Q`). AIC = 2 k - 2 LL with k = 2 (sBG) and 3 (BdW).
public struct BdWFit: Sendable, Hashable {
    public var alpha: Double, beta: Double, c: Double
    public var logLikelihood: Double
    /// Covariance of (ln alpha, ln beta, ln c).
    public var logCovariance: [[Double]]
    /// The sBG fit it is compared with.
    public var sbgLogLikelihood: Double

    public var model: ChurnModel { .betaDiscreteWeibull(alpha: alpha, beta: beta, c: c) }
    public func se(_ i: Int) -> Double { logCovariance[i][i].squareRoot() }
    public func correlation(_ i: Int, _ j: Int) -> Double { logCovariance[i][j] / (se(i) * se(j)) }
    /// 95 % interval of parameter i (0 alpha, 1 beta, 2 c) on the log scale.
    public func interval(_ i: Int) -> (lower: Double, upper: Double) {
        let v = [alpha, beta, c][i]
        return (v * exp(-1.959964 * se(i)), v * exp(1.959964 * se(i)))
    }
    /// 2 (LL_BdW - LL_sBG), at least 0.
    public var likelihoodRatio: Double { max(0, 2 * (logLikelihood - sbgLogLikelihood)) }
    /// P(chi-squared(1) > likelihoodRatio): small values reject sBG (c = 1).
    public var pValue: Double { SpecialFunctions.chiSquaredSurvival(likelihoodRatio, degrees: 1) }
    public var aic: Double { 6 - 2 * logLikelihood }
    public var sbgAIC: Double { 4 - 2 * sbgLogLikelihood }

    /// LL(alpha, beta, c) for the data; -infinity outside the parameter space.
    public static func logLikelihood(alpha a: Double, beta b: Double, c: Double, data: SurvivalData) -> Double {
        guard a > 0, b > 0, c > 0, a.isFinite, b.isFinite, c.isFinite else { return -.infinity }
        var ll = 0.0
        var previous = 0.0          // ln S(t - 1)
        for t in 1...max(data.maxPeriods, 1) where t <= data.maxPeriods {
            let current = ChurnModel.bdwLogSurvival(alpha: a, beta: b, c: c, t)
            if data.active[t] > 0 { ll += Double(data.active[t]) * previous }
            if data.churned[t] > 0 {
                let h = -expm1(current - previous)
                guard h > 0 else { return -.infinity }
                ll += Double(data.churned[t]) * (previous + log(h))
            }
            previous = current
        }
        return ll
    }

    /// Fits BdW, starting from the sBG fit `sbg` of the same data.
    public static func fit(_ data: SurvivalData, from sbg: SBGFit) throws(SBGFit.FitError) -> BdWFit {
        guard data.maxPeriods >= 3 else {
            throw SBGFit.FitError(message: "the duration dependence c needs subscribers observed at three or more renewals")
        }
        let estimate: MaximumLikelihood.Estimate
        do {
            estimate = try MaximumLikelihood.maximise(start: [log(sbg.alpha), log(sbg.beta), 0], step: [0.3, 0.3, 0.2], tolerance: 1e-7) { th in
                logLikelihood(alpha: exp(th[0]), beta: exp(th[1]), c: exp(th[2]), data: data)
            }
        } catch {
            throw SBGFit.FitError(message: "the optimiser failed: \(error)")
        }
        let th = estimate.theta
        guard estimate.logLikelihood.isFinite, th.allSatisfy({ abs($0) < 15 }) else {
            throw SBGFit.FitError(message: "the BdW likelihood has no interior maximum (the parameters run to a boundary)")
        }
        guard let cov = estimate.covariance else {
            throw SBGFit.FitError(message: "the observed information of (alpha, beta, c) is not positive definite; "
                                  + "the data do not pin down the duration dependence")
        }
        return BdWFit(alpha: exp(th[0]), beta: exp(th[1]), c: exp(th[2]), logLikelihood: estimate.logLikelihood,
                      logCovariance: cov, sbgLogLikelihood: sbg.logLikelihood)
    }
}
