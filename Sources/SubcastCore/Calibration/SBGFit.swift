import Foundation
import SubcastStochastics

/// A maximum-likelihood fit of the shifted-beta-geometric churn model to survival data.
///
/// Log-likelihood, with d_t subscribers churning at renewal t and c_t still active in their
/// t-th period (right-censored):
/// ```
/// LL(alpha, beta) = sum_t d_t ln P(T = t) + sum_t c_t ln S(t - 1)
/// P(T = t) = S(t - 1) h(t),  h(t) = alpha / (alpha + beta + t - 1),  S(t) = prod_{i<=t} (1 - h(i))
/// ```
/// maximised over theta = (ln alpha, ln beta) with GSL's Nelder-Mead simplex (restarted once at
/// the optimum). Standard errors come from the observed information: the Hessian of -LL in theta
/// by central differences, inverted with GSL's LU. Intervals are exp(theta +/- 1.96 se) (on the log
/// scale, where the likelihood is closer to quadratic); `seAlpha = alpha se(ln alpha)` (delta
/// method). The correlation of alpha and beta is that of their logarithms.
public struct SBGFit: Sendable, Hashable {
    public var alpha: Double
    public var beta: Double
    /// The maximised log-likelihood.
    public var logLikelihood: Double
    /// Covariance of (ln alpha, ln beta), the inverse observed information.
    public var logCovariance: [[Double]]
    public var iterations: Int
    /// Subscribers in the data.
    public var subscribers: Int
    /// Churn events in the data.
    public var churnEvents: Int

    public var seLogAlpha: Double { logCovariance[0][0].squareRoot() }
    public var seLogBeta: Double { logCovariance[1][1].squareRoot() }
    public var correlation: Double { logCovariance[0][1] / (seLogAlpha * seLogBeta) }
    public var seAlpha: Double { alpha * seLogAlpha }
    public var seBeta: Double { beta * seLogBeta }
    /// 95 % interval for alpha: exp(ln alpha +/- 1.96 se).
    public var alphaInterval: (lower: Double, upper: Double) { (alpha * exp(-1.959964 * seLogAlpha), alpha * exp(1.959964 * seLogAlpha)) }
    public var betaInterval: (lower: Double, upper: Double) { (beta * exp(-1.959964 * seLogBeta), beta * exp(1.959964 * seLogBeta)) }
    /// The fitted churn model.
    public var model: ChurnModel { .shiftedBetaGeometric(alpha: alpha, beta: beta) }

    /// Why a fit could not be made.
    public struct FitError: Error, CustomStringConvertible, Equatable, Sendable {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// LL(alpha, beta) for the data (see the type's documentation); -infinity outside alpha, beta > 0.
    public static func logLikelihood(alpha a: Double, beta b: Double, data: SurvivalData) -> Double {
        guard a > 0, b > 0, a.isFinite, b.isFinite else { return -.infinity }
        var ll = 0.0
        var logS = 0.0              // ln S(t - 1)
        for t in 1...max(data.maxPeriods, 1) where t <= data.maxPeriods {
            let h = ChurnModel.sbgHazard(alpha: a, beta: b, renewal: t)
            if data.active[t] > 0 { ll += Double(data.active[t]) * logS }
            if data.churned[t] > 0 { ll += Double(data.churned[t]) * (logS + log(h)) }
            logS += log1p(-h)
        }
        return ll
    }

    /// Fits alpha and beta by maximum likelihood.
    public static func fit(_ data: SurvivalData) throws(FitError) -> SBGFit {
        let n = data.subscribers
        let deaths = data.churned.reduce(0, +)
        guard n > 0 else { throw FitError(message: "no subscribers in the data") }
        guard deaths > 0 else {
            throw FitError(message: "no churn observed among \(n) subscribers; churn cannot be estimated from this data")
        }
        // A subscriber who churned at renewal t was observed at renewals 1...t; one still active in
        // period t at renewals 1...t-1. Both parameters need at least two observed renewals.
        let lastChurn = (1...max(data.maxPeriods, 1)).last { $0 <= data.maxPeriods && data.churned[$0] > 0 } ?? 0
        let lastActive = (1...max(data.maxPeriods, 1)).last { $0 <= data.maxPeriods && data.active[$0] > 0 } ?? 1
        guard max(lastChurn, lastActive - 1) >= 2 else {
            throw FitError(message: "subscribers are observed at only one renewal; alpha and beta cannot both be identified (need at least two periods of history)")
        }
        // Start from a homogeneous guess: churn at the first renewal, moderate heterogeneity.
        let atRisk1 = data.churned[1...].reduce(0, +) + data.active[2...].reduce(0, +)
        let p1 = min(max(Double(data.churned.count > 1 ? data.churned[1] : 0) / Double(max(atRisk1, 1)), 0.01), 0.9)
        let start = [log(1.0), log((1 - p1) / p1)]
        let f: ([Double]) -> Double = { theta in -logLikelihood(alpha: exp(theta[0]), beta: exp(theta[1]), data: data) }
        var result: Minimizer.Result
        do {
            result = try Minimizer.nelderMead(start: start, step: [0.5, 0.5], tolerance: 1e-6, f)
            // Restart on a small simplex to escape a collapsed one; keep it if it is no worse.
            let polished = try Minimizer.nelderMead(start: result.x, step: [0.01, 0.01], tolerance: 1e-7, f)
            if result.converged && polished.value <= result.value {
                result = Minimizer.Result(x: polished.x, value: polished.value,
                                          iterations: result.iterations + polished.iterations, converged: true)
            }
        } catch {
            throw FitError(message: "the optimiser failed: \(error)")
        }
        let (la, lb) = (result.x[0], result.x[1])
        // The homogeneous (geometric) model is sBG's boundary alpha, beta -> infinity with the
        // ratio fixed; its maximum likelihood is at p = churn events / renewals at risk. If it is
        // at least as likely as the interior optimum, the supremum lies on the boundary.
        let exposure = (1...data.maxPeriods).reduce(0.0) { s, t in
            s + Double(data.churned[t]) * Double(t) + Double(data.active[t]) * Double(t - 1)
        }
        let pHat = Double(deaths) / max(exposure, 1)
        let geometricLL = (1...data.maxPeriods).reduce(0.0) { s, t in
            s + Double(data.churned[t]) * (Double(t - 1) * log1p(-pHat) + log(pHat))
                + Double(data.active[t]) * Double(t - 1) * log1p(-pHat)
        }
        // The other boundary, alpha, beta -> 0 with q = alpha / (alpha + beta) fixed: a share q of
        // subscribers leaves at the first renewal and the rest never do. Its likelihood is finite
        // only when nobody churned after the first renewal; then q is the first-renewal churn rate.
        let laterChurn = deaths - data.churned[1]
        let atRisk = data.churned[1] + (2...max(data.maxPeriods, 2)).reduce(0) { $0 + ($1 <= data.maxPeriods ? data.active[$1] : 0) }
        let qHat = Double(data.churned[1]) / Double(max(atRisk, 1))
        let polarisedLL: Double = laterChurn > 0 ? -.infinity
            : Double(data.churned[1]) * log(qHat) + Double(atRisk - data.churned[1]) * (qHat < 1 ? log1p(-qHat) : 0)
        guard result.converged, abs(la) < 15, abs(lb) < 15, result.value.isFinite,
              geometricLL < -result.value - 1e-6, polarisedLL < -result.value - 1e-6 else {
            throw FitError(message: SBGFit.boundaryDiagnosis(data: data, pHat: pHat, geometricLL: geometricLL, qHat: qHat,
                                                             polarisedLL: polarisedLL, interiorLL: result.value.isFinite ? -result.value : nil))
        }
        // Observed information by central differences in theta.
        let h = 1e-4
        func F(_ x: Double, _ y: Double) -> Double { f([x, y]) }
        let f0 = F(la, lb)
        let haa = (F(la + h, lb) - 2 * f0 + F(la - h, lb)) / (h * h)
        let hbb = (F(la, lb + h) - 2 * f0 + F(la, lb - h)) / (h * h)
        let hab = (F(la + h, lb + h) - F(la + h, lb - h) - F(la - h, lb + h) + F(la - h, lb - h)) / (4 * h * h)
        let information = [[haa, hab], [hab, hbb]]
        guard LinearAlgebra.isPositiveDefinite(information), let cov = try? LinearAlgebra.inverse(information) else {
            throw FitError(message: "the observed information is not positive definite at alpha = \(exp(la)), beta = \(exp(lb)); "
                           + "the data do not pin down both parameters")
        }
        return SBGFit(alpha: exp(la), beta: exp(lb), logLikelihood: -result.value, logCovariance: cov,
                      iterations: result.iterations, subscribers: n, churnEvents: deaths)
    }

    /// What the data say when the likelihood's supremum is on a boundary of the sBG family:
    /// the direction it runs in, the limiting model with its log-likelihood, and a setting a
    /// scenario can use (with its log-likelihood, so the reader sees how close it comes).
    static func boundaryDiagnosis(data: SurvivalData, pHat: Double, geometricLL: Double, qHat: Double,
                                  polarisedLL: Double, interiorLL: Double?) -> String {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        func r(_ x: Double) -> String { String(format: "%.4g", x) }
        func pct(_ x: Double) -> String { String(format: "%.1f %%", 100 * x) }
        if polarisedLL >= geometricLL {
            // A scenario cannot take heterogeneity 1; 0.999 is the setting closest to the limit.
            let phi = 0.999
            let model = ChurnModel(meanPerMonth: min(max(qHat, 1e-9), 1 - 1e-9), heterogeneity: phi)
            var near = -Double.infinity
            if case let .shiftedBetaGeometric(a, b) = model { near = logLikelihood(alpha: a, beta: b, data: data) }
            return "the likelihood has no interior maximum: it keeps rising towards alpha, beta -> 0 with "
                + "alpha / (alpha + beta) = \(r(qHat)), the polarised limit in which \(pct(qHat)) of subscribers leave at the "
                + "first renewal and the rest never do (no churn is observed after the first renewal). That limit has "
                + "log-likelihood \(f(polarisedLL)); constant churn (\(r(pHat)) per period) only \(f(geometricLL)). "
                + "The nearest scenario setting is `churn: {mean_per_month: \(r(qHat)), heterogeneity: \(phi)}` "
                + "(log-likelihood \(f(near))); with more history the later churn will pin the fit down"
        }
        var text = "the likelihood has no interior maximum: it keeps rising towards alpha, beta -> infinity with "
            + "alpha / (alpha + beta) = \(r(pHat)), the homogeneous limit (every subscriber alike). Constant churn of "
            + "\(r(pHat)) per period has log-likelihood \(f(geometricLL))"
        if let interiorLL { text += " (the best sBG fit found, \(f(interiorLL)), is no better)" }
        return text + "; use `churn: {mean_per_month: \(r(pHat)), heterogeneity: 0}`"
    }
}
