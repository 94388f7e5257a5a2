import CGSL

/// Special functions from GSL, checked and with errors instead of aborts.
public enum SpecialFunctions {
    /// The Gauss hypergeometric function 2F1(a, b; c; x) for |x| < 1.
    ///
    /// The corresponding GSL function is `gsl_sf_hyperg_2F1_e`; a non-zero status (domain
    /// error, loss of precision, no convergence) is thrown. Accuracy: GSL's, relative error
    /// near machine precision away from x = 1 and from negative integer c.
    public static func hypergeometric2F1(a: Double, b: Double, c: Double, x: Double) throws(GSLError) -> Double {
        GSL.initialize()
        guard a.isFinite, b.isFinite, c.isFinite, x.isFinite, abs(x) < 1 else {
            throw GSLError(function: "gsl_sf_hyperg_2F1_e", status: Int32(GSL_EDOM),
                           message: "arguments must be finite with |x| < 1")
        }
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_hyperg_2F1_e(a, b, c, x, &result), "gsl_sf_hyperg_2F1_e")
        return result.val
    }

    /// The logarithm of the beta function, ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b),
    /// for a, b > 0. The corresponding GSL function is `gsl_sf_lnbeta_e`.
    public static func logBeta(_ a: Double, _ b: Double) throws(GSLError) -> Double {
        GSL.initialize()
        guard a.isFinite, b.isFinite, a > 0, b > 0 else {
            throw GSLError(function: "gsl_sf_lnbeta_e", status: Int32(GSL_EDOM), message: "a and b must be finite and > 0")
        }
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_lnbeta_e(a, b, &result), "gsl_sf_lnbeta_e")
        return result.val
    }
}

extension SpecialFunctions {
    /// ln Gamma(x) for x > 0. The corresponding GSL function is `gsl_sf_lngamma_e`.
    public static func logGamma(_ x: Double) throws(GSLError) -> Double {
        GSL.initialize()
        guard x.isFinite, x > 0 else {
            throw GSLError(function: "gsl_sf_lngamma_e", status: Int32(GSL_EDOM), message: "x must be finite and > 0")
        }
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_lngamma_e(x, &result), "gsl_sf_lngamma_e")
        return result.val
    }

    /// The upper tail P(X > x) of the chi-squared distribution with `degrees` > 0 degrees of
    /// freedom (1 for x <= 0). The corresponding GSL function is `gsl_cdf_chisq_Q`; used for the
    /// p-values of likelihood-ratio tests.
    public static func chiSquaredSurvival(_ x: Double, degrees: Double) -> Double {
        precondition(degrees > 0 && degrees.isFinite && !x.isNaN)
        GSL.initialize()
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        return gsl_cdf_chisq_Q(x, degrees)
    }
}
