import CGSL

/// The one place where Subcast talks to GSL's global state.
///
/// GSL's default error handler prints a message and calls `abort()`. Subcast switches it
/// off once, before the first call into GSL, and instead checks every parameter in Swift
/// and every status code GSL returns. The corresponding GSL function is
/// `gsl_set_error_handler_off`.
public enum GSL {
    private static let setUp: Void = {
        _ = gsl_set_error_handler_off()
    }()

    /// Turns GSL's aborting error handler off. Idempotent and thread-safe; every entry
    /// point of this module calls it, so callers rarely need to.
    @inlinable
    public static func initialize() { _initialize() }

    @usableFromInline
    static func _initialize() { _ = setUp }

    /// The version of the GSL library linked at run time, e.g. `"2.7.1"`.
    public static var version: String {
        String(cString: subcast_gsl_version())
    }

    /// Turns a GSL status code into a Swift error.
    static func check(_ status: Int32, _ function: String) throws(GSLError) {
        if status != 0 {
            let message = String(cString: gsl_strerror(status))
            throw GSLError(function: function, status: status, message: message)
        }
    }
}

/// A failure reported by a GSL routine (domain error, overflow, no convergence, ...).
public struct GSLError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The GSL function that failed, e.g. `gsl_sf_hyperg_2F1_e`.
    public var function: String
    /// GSL's status code (`GSL_EDOM`, `GSL_EOVRFLW`, ...).
    public var status: Int32
    /// GSL's description of the status code.
    public var message: String

    public var description: String { "\(function) failed: \(message) (GSL status \(status))" }
}

/// A distribution parameter outside its valid range, caught in Swift before GSL sees it.
public struct DistributionError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The distribution, e.g. `"Binomial"`.
    public var distribution: String
    /// The offending parameter, e.g. `"probability"`.
    public var parameter: String
    /// The value that was given.
    public var value: Double
    /// What was expected, e.g. `"a number in [0, 1]"`.
    public var expected: String

    public init(_ distribution: String, _ parameter: String, _ value: Double, expected: String) {
        self.distribution = distribution
        self.parameter = parameter
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "\(distribution): \(parameter) = \(value) is invalid; expected \(expected)"
    }
}

extension DistributionError {
    static func require(_ condition: Bool, _ distribution: String, _ parameter: String,
                        _ value: Double, _ expected: String) throws(DistributionError) {
        if !condition { throw DistributionError(distribution, parameter, value, expected: expected) }
    }
}
