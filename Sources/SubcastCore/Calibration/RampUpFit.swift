import Foundation
import SubcastStochastics

/// The ramp-up time (months from the start until a customer became productive) fitted as a
/// lognormal with right-censoring: customers not yet activated when they left or on the as-of
/// date contribute P(R > c) = Q((ln c - mu) / sigma), activated ones the density. Maximum
/// likelihood over (mu, ln sigma) (`MaximumLikelihood`, GSL's simplex and `gsl_cdf_ugaussian_Q`).
/// Times below `minimumMonths` (activated on the first day) count as that.
public struct RampUpFit: Sendable, Hashable {
    public var median: Double, logSD: Double
    /// Covariance of (ln median = mu, ln log_sd).
    public var covariance: [[Double]]
    public var activated: Int, censored: Int
    public var logLikelihood: Double

    public static let minimumMonths = 1.0 / 60

    public var seLogMedian: Double { covariance[0][0].squareRoot() }
    public var seLogLogSD: Double { covariance[1][1].squareRoot() }
    /// P(R > threshold): the share of new customers who become at risk.
    public func share(above threshold: Double) -> Double {
        InverseCDF.standardNormalSurvival((log(threshold) - log(median)) / logSD)
    }

    /// A customer not yet activated, observed for less than the threshold, whose churn history
    /// depends on whether R exceeds it: log-likelihoods of the history either way.
    public struct Undecided: Sendable, Hashable {
        public var observed: Double
        public var logSlow: Double, logFast: Double
        public init(observed: Double, logSlow: Double, logFast: Double) {
            self.observed = observed
            self.logSlow = logSlow
            self.logFast = logFast
        }
    }

    /// Fits (mu, sigma). `undecided` customers contribute
    /// ln[P(R > threshold) L_slow + P(observed < R <= threshold) L_fast] instead of ln P(R > observed):
    /// their churn depends on R (slow customers are at risk and leave sooner, so they are censored
    /// earlier), and ignoring it would bias the ramp-up time down. `CustomerFit` alternates this fit
    /// with the churn fit to the joint maximum.
    public static func fit(activated: [Double], censored: [Double], undecided: [Undecided] = [],
                           threshold: Double = .infinity) throws(SBGFit.FitError) -> RampUpFit {
        let r = activated.map { log(max($0, minimumMonths)) }
        let c = censored.map { log(max($0, minimumMonths)) }
        let lt = log(max(threshold, minimumMonths))
        let u = undecided.map { (log(max($0.observed, minimumMonths)), $0.logSlow, $0.logFast) }
        guard r.count >= 2 else {
            throw SBGFit.FitError(message: "the ramp-up time needs at least two activated customers, got \(r.count)")
        }
        let mean = r.reduce(0, +) / Double(r.count)
        let sd = max(0.05, (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(r.count - 1)).squareRoot())
        let halfLog2Pi = 0.5 * log(2 * Double.pi)
        let estimate: MaximumLikelihood.Estimate
        do {
            estimate = try MaximumLikelihood.maximise(start: [mean, log(sd)], step: [0.2, 0.2], tolerance: 1e-8) { th in
                let mu = th[0], s = exp(th[1])
                guard s > 1e-4, s < 20, abs(mu) < 20 else { return -.infinity }
                var ll = 0.0
                for x in r { let z = (x - mu) / s; ll += -0.5 * z * z - halfLog2Pi - log(s) - x }
                for x in c {
                    let q = InverseCDF.standardNormalSurvival((x - mu) / s)
                    guard q > 0 else { return -.infinity }
                    ll += log(q)
                }
                if !u.isEmpty {
                    let slow = InverseCDF.standardNormalSurvival((lt - mu) / s)
                    for (x, ls, lf) in u {
                        let fast = max(0, InverseCDF.standardNormalSurvival((x - mu) / s) - slow)
                        let top = max(ls, lf)
                        let v = slow * exp(ls - top) + fast * exp(lf - top)
                        guard v > 0 else { return -.infinity }
                        ll += top + log(v)
                    }
                }
                return ll
            }
        } catch {
            throw SBGFit.FitError(message: "the optimiser failed (ramp-up): \(error)")
        }
        guard let cov = estimate.covariance else {
            throw SBGFit.FitError(message: "the ramp-up likelihood has no well-defined maximum (too few activations)")
        }
        return RampUpFit(median: exp(estimate.theta[0]), logSD: exp(estimate.theta[1]), covariance: cov,
                         activated: r.count, censored: c.count + u.count, logLikelihood: estimate.logLikelihood)
    }
}
