import Foundation
import SubcastStochastics

/// The share of tickets resolved well against the support backlog, the model's
/// `first_contact_resolution x exp(-backlog_penalty x backlog / capacity)`: month by month, of
/// n_M tickets resolved in month M with a backlog of B_M tickets open at its start, g_M were
/// resolved well, g_M ~ Binomial(n_M, q_M) with q_M = fcr exp(-kappa B_M). Maximum likelihood
/// over (logit fcr, kappa) (`MaximumLikelihood`), and the likelihood-ratio test of kappa = 0
/// against the constant share. Needs at least three months with resolutions and a backlog that
/// varies; kappa per open ticket becomes the scenario's penalty as kappa x capacity.
public struct QualityFit: Sendable, Hashable {
    public var fcr: Double, kappa: Double
    /// Covariance of (logit fcr, kappa).
    public var covariance: [[Double]]
    public var likelihoodRatio: Double
    public var pValue: Double { SpecialFunctions.chiSquaredSurvival(likelihoodRatio, degrees: 1) }
    public var months: Int

    public var seKappa: Double { covariance[1][1].squareRoot() }

    public static func fit(backlog: [Double], resolved: [Int], good: [Int]) -> QualityFit? {
        let used = backlog.indices.filter { resolved[$0] > 0 }
        guard used.count >= 3 else { return nil }
        let b = used.map { backlog[$0] }, n = used.map { Double(resolved[$0]) }, g = used.map { Double(good[$0]) }
        guard let lo = b.min(), let hi = b.max(), hi > lo else { return nil }
        let share = g.reduce(0, +) / n.reduce(0, +)
        guard share > 0, share < 1 else { return nil }
        func ll(_ fcr: Double, _ kappa: Double) -> Double {
            var total = 0.0
            for i in b.indices {
                let q = fcr * exp(-kappa * b[i])
                guard q > 0, q < 1 else { return -.infinity }
                total += g[i] * log(q) + (n[i] - g[i]) * log1p(-q)
            }
            return total
        }
        let constant = ll(share, 0)
        // kappa in units of the largest backlog, so both coordinates are of order 1.
        let unit = max(hi, 1)
        let estimate = try? MaximumLikelihood.maximise(start: [log(share / (1 - share)), 0], step: [0.2, 0.2], tolerance: 1e-9) { th in
            ll(1 / (1 + exp(-th[0])), th[1] / unit)
        }
        guard let e = estimate, var cov = e.covariance else { return nil }
        cov[0][1] /= unit; cov[1][0] /= unit; cov[1][1] /= unit * unit
        let fcr = 1 / (1 + exp(-e.theta[0]))
        return QualityFit(fcr: fcr, kappa: e.theta[1] / unit, covariance: cov, likelihoodRatio: max(0, 2 * (e.logLikelihood - constant)),
                          months: used.count)
    }
}
