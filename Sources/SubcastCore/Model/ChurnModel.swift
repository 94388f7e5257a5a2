import Foundation
import SubcastStochastics

/// How likely a subscriber is to leave at each renewal.
///
/// The shifted-beta-geometric (sBG) model (Fader & Hardie 2007): each subscriber has their
/// own constant monthly churn probability p ~ Beta(alpha, beta). Averaged over those who are
/// still subscribed after paying t - 1 months, the probability of churning at the t-th renewal
/// (the end of the t-th paid month) is
/// ```
/// h(t) = alpha / (alpha + beta + t - 1),      t = 1, 2, ...
/// S(k) = B(alpha, beta + k) / B(alpha, beta)  (probability of paying at least k + 1 months)
/// ```
/// Because survivors are independent given the past, the churners of a cohort of n survivors
/// at renewal t are exactly Binomial(n, h(t)). Heterogeneity makes h(t) fall with tenure: the
/// fickle leave first. `constant` is the homogeneous limit (every subscriber has the same p).
///
/// The beta-discrete-Weibull (BdW) model (Fader, Hardie, Liu, Davin & Steenburgh 2018) adds
/// duration dependence: a subscriber with p ~ Beta(alpha, beta), as in sBG, survives t renewals with probability (1 - p)^(t^c), so their own
/// hazard 1 - (1 - p)^(t^c - (t - 1)^c) rises with tenure when c > 1 and falls when c < 1.
/// Averaged over survivors,
/// ```
/// S(t) = B(alpha, beta + t^c) / B(alpha, beta),   h(t) = 1 - S(t) / S(t - 1)
/// ```
/// c = 1 is sBG. Churners of n survivors at renewal t are again exactly Binomial(n, h(t)).
public enum ChurnModel: Sendable, Hashable {
    /// sBG with alpha > 0, beta > 0.
    case shiftedBetaGeometric(alpha: Double, beta: Double)
    /// BdW with alpha > 0, beta > 0 and c > 0 (c = 1 is sBG).
    case betaDiscreteWeibull(alpha: Double, beta: Double, c: Double)
    /// Homogeneous (geometric) churn: the same probability at every renewal, in [0, 1].
    case constant(perMonth: Double)

    /// The sBG model with a given mean first-renewal churn and polarisation.
    ///
    /// Mapping (Fader & Hardie's polarisation index phi = 1 / (alpha + beta + 1)):
    /// ```
    /// mean = alpha / (alpha + beta),  phi = 1 / (alpha + beta + 1)
    /// alpha = mean (1 - phi) / phi,   beta = (1 - mean) (1 - phi) / phi
    /// ```
    /// - Parameters:
    ///   - meanPerMonth: the average churn probability of new subscribers, in (0, 1).
    ///   - heterogeneity: phi in [0, 1). 0 is the homogeneous limit (`constant`); values near
    ///     1 mean a polarised base (many leave at once, the rest almost never).
    public init(meanPerMonth mean: Double, heterogeneity phi: Double) {
        precondition(mean > 0 && mean < 1 && phi >= 0 && phi < 1)
        if phi == 0 {
            self = .constant(perMonth: mean)
        } else {
            self = .shiftedBetaGeometric(alpha: mean * (1 - phi) / phi, beta: (1 - mean) * (1 - phi) / phi)
        }
    }

    /// The probability h(t) of churning at the t-th renewal, t >= 1 months paid.
    @inlinable
    public func churnProbability(atRenewal t: Int) -> Double {
        switch self {
        case let .shiftedBetaGeometric(a, b): return ChurnModel.sbgHazard(alpha: a, beta: b, renewal: t)
        case let .betaDiscreteWeibull(a, b, c): return ChurnModel.bdwHazard(alpha: a, beta: b, c: c, renewal: t)
        case let .constant(p): return p
        }
    }

    /// The BdW hazard 1 - B(alpha, beta + t^c) / B(alpha, beta + (t - 1)^c) = -expm1(ln S(t) - ln S(t - 1)).
    public static func bdwHazard(alpha a: Double, beta b: Double, c: Double, renewal t: Int) -> Double {
        let d = bdwLogSurvival(alpha: a, beta: b, c: c, t) - bdwLogSurvival(alpha: a, beta: b, c: c, t - 1)
        return Swift.min(1, Swift.max(0, -expm1(d)))
    }

    /// ln S(t) = ln B(alpha, beta + t^c) - ln B(alpha, beta) of BdW, with GSL's `gsl_sf_lnbeta_e`;
    /// where GSL cannot evaluate it (beta + t^c beyond its range) the asymptotic
    /// ln B(a, y) = ln Gamma(a) - a ln y + O(1 / y).
    public static func bdwLogSurvival(alpha a: Double, beta b: Double, c: Double, _ t: Int) -> Double {
        if t <= 0 { return 0 }
        let y = b + _pow(Double(t), c)
        func lnB(_ a: Double, _ y: Double) -> Double {
            if let v = try? SpecialFunctions.logBeta(a, y), v.isFinite { return v }
            return ((try? SpecialFunctions.logGamma(a)) ?? 0) - a * log(y)
        }
        guard y.isFinite else { return -.infinity }
        return lnB(a, y) - lnB(a, b)
    }

    /// The sBG hazard alpha / (alpha + beta + (t - 1)), summed in this order so that tiny shapes
    /// keep their value: (alpha + beta + t) - 1 loses alpha + beta entirely when it is below
    /// 1e-16 (alpha = beta = 1e-20 then churns everyone at the first renewal instead of half).
    @inlinable
    public static func sbgHazard(alpha a: Double, beta b: Double, renewal t: Int) -> Double {
        a / (a + b + Double(t - 1))
    }

    /// S(k): the probability that a new subscriber pays at least k + 1 months (S(0) = 1).
    /// Computed as exp(ln B(alpha, beta + k) - ln B(alpha, beta)) with GSL's `gsl_sf_lnbeta_e`.
    public func survival(_ k: Int) -> Double {
        precondition(k >= 0)
        switch self {
        case let .shiftedBetaGeometric(a, b):
            // Both calls have valid arguments by construction; a GSL failure is a bug.
            let l1 = try! SpecialFunctions.logBeta(a, b + Double(k))
            let l0 = try! SpecialFunctions.logBeta(a, b)
            return exp(l1 - l0)
        case let .betaDiscreteWeibull(a, b, c):
            return exp(ChurnModel.bdwLogSurvival(alpha: a, beta: b, c: c, k))
        case let .constant(p):
            return pow(1 - p, Double(k))
        }
    }

    /// sum_{k >= 0} S(from + k) / S(from) x^k for BdW, by direct summation until the terms no
    /// longer count (at most `terms` terms).
    static func bdwSeries(alpha a: Double, beta b: Double, c: Double, from: Int, x: Double, terms: Int) -> Double {
        let l0 = bdwLogSurvival(alpha: a, beta: b, c: c, from)
        var sum = 0.0, k = 0, power = 1.0
        while k < terms {
            let term = exp(bdwLogSurvival(alpha: a, beta: b, c: c, from + k) - l0) * power
            sum += term
            power *= x
            k += 1
            if terms == Int.max && (term < 1e-17 * sum || k > 10_000_000) { break }
        }
        return sum
    }

    /// Discounted expected lifetime in payments, DEL(d) = sum_{k >= 0} S(k) / (1 + d)^k, with the
    /// first payment undiscounted. For sBG this is the closed form
    /// ```
    /// DEL(d) = 2F1(1, beta; alpha + beta; 1 / (1 + d))
    /// ```
    /// (GSL's `gsl_sf_hyperg_2F1_e`), falling back to the term-ratio series
    /// S(k+1) / S(k) = (beta + k) / (alpha + beta + k), which is stable where the special-function
    /// code reports an error. For constant churn p it is (1 + d) / (d + p).
    /// - Parameter d: the discount rate per month, > 0 (or >= 0 when the sum converges).
    public func discountedExpectedLifetime(discountPerMonth d: Double) -> Double {
        precondition(d >= 0)
        switch self {
        case let .shiftedBetaGeometric(a, b):
            let x = 1 / (1 + d)
            if d > 0, let v = try? SpecialFunctions.hypergeometric2F1(a: 1, b: b, c: a + b, x: x), v.isFinite {
                return v
            }
            return seriesDEL(a: a, b: b, x: x, terms: Int.max)
        case let .betaDiscreteWeibull(a, b, c):
            return ChurnModel.bdwSeries(alpha: a, beta: b, c: c, from: 0, x: 1 / (1 + d), terms: Int.max)
        case let .constant(p):
            return (1 + d) / (d + p)
        }
    }

    /// Discounted expected payments over the first `months` months of a lifetime:
    /// sum_{k=0}^{months-1} S(k) / (1 + d)^k.
    public func discountedExpectedPayments(months: Int, discountPerMonth d: Double) -> Double {
        switch self {
        case let .shiftedBetaGeometric(a, b):
            return seriesDEL(a: a, b: b, x: 1 / (1 + d), terms: months)
        case let .betaDiscreteWeibull(a, b, c):
            return ChurnModel.bdwSeries(alpha: a, beta: b, c: c, from: 0, x: 1 / (1 + d), terms: months)
        case let .constant(p):
            var s = 0.0, term = 1.0
            for _ in 0..<months { s += term; term *= (1 - p) / (1 + d) }
            return s
        }
    }

    private func seriesDEL(a: Double, b: Double, x: Double, terms: Int) -> Double {
        var sum = 0.0, term = 1.0, k = 0
        while k < terms {
            sum += term
            term *= (b + Double(k)) / (a + b + Double(k)) * x
            k += 1
            if terms == Int.max && term < 1e-17 * sum { break }
            if terms == Int.max && k > 50_000_000 { break }
        }
        return sum
    }
}

// MARK: - Customers of a given tenure

extension ChurnModel {
    /// The probability that a customer who has paid `tenure` periods (>= 1) renews at the end of
    /// this period: 1 - h(tenure). For sBG, (beta + tenure - 1) / (alpha + beta + tenure - 1),
    /// rising with tenure.
    public func retentionRate(tenure: Int) -> Double {
        precondition(tenure >= 1)
        return 1 - churnProbability(atRenewal: tenure)
    }

    /// The probability that a customer now in their `tenure`-th period (>= 1) is still active
    /// `k` periods later (in period tenure + k): S(tenure + k - 1) / S(tenure - 1). For sBG this is
    /// the survival of the posterior Beta(alpha, beta + tenure - 1).
    public func probabilityActive(tenure: Int, afterMore k: Int) -> Double {
        precondition(tenure >= 1 && k >= 0)
        switch self {
        case let .shiftedBetaGeometric(a, b):
            return ChurnModel.shiftedBetaGeometric(alpha: a, beta: b + Double(tenure - 1)).survival(k)
        case let .betaDiscreteWeibull(a, b, c):
            return exp(ChurnModel.bdwLogSurvival(alpha: a, beta: b, c: c, tenure - 1 + k)
                       - ChurnModel.bdwLogSurvival(alpha: a, beta: b, c: c, tenure - 1))
        case let .constant(p):
            return pow(1 - p, Double(k))
        }
    }

    /// Discounted expected residual lifetime (DERL) of a customer now in their `tenure`-th period:
    /// the expected number of future payments, the k-th discounted by (1 + d)^-k, the current
    /// period's payment excluded.
    /// ```
    /// DERL = sum_{k>=1} S(tenure + k - 1) / S(tenure - 1) x^k,    x = 1 / (1 + d)
    ///      = x beta' / (alpha + beta') 2F1(1, beta' + 1; alpha + beta' + 1; x),   beta' = beta + tenure - 1
    /// ```
    /// (Fader & Hardie 2010). GSL's `gsl_sf_hyperg_2F1_e`, with the term-ratio series as fallback.
    /// For constant churn p: (1 - p) x / (1 - (1 - p) x).
    /// - Parameter d: discount rate per period, > 0.
    public func discountedExpectedResidualLifetime(tenure: Int, discountPerPeriod d: Double) -> Double {
        precondition(tenure >= 1 && d > 0)
        let x = 1 / (1 + d)
        switch self {
        case let .shiftedBetaGeometric(a, b):
            let bp = b + Double(tenure - 1)
            let posterior = ChurnModel.shiftedBetaGeometric(alpha: a, beta: bp)
            // sum_{k>=1} S'(k) x^k = DEL'(d) - 1, with DEL' the posterior's discounted expected lifetime.
            return posterior.discountedExpectedLifetime(discountPerMonth: d) - 1
        case let .betaDiscreteWeibull(a, b, c):
            // sum_{k>=1} S(tenure - 1 + k) / S(tenure - 1) x^k by direct summation.
            return ChurnModel.bdwSeries(alpha: a, beta: b, c: c, from: tenure - 1, x: x, terms: Int.max) - 1
        case let .constant(p):
            return (1 - p) * x / (1 - (1 - p) * x)
        }
    }
}
