import SubcastCore
import SubcastStochastics

/// What every output records besides the numbers: the versions, generator and seed that
/// reproduce it. Holds no wall-clock values, so two runs compare byte for byte.
public struct RunInfo: Sendable {
    public var subcastVersion = Simulation.version
    public var generator = RandomGenerator.name + "; model " + Simulation.modelVersion
    public var gslVersion = GSL.version
    /// The scenario file as the user named it.
    public var scenarioFile: String

    public init(scenarioFile: String) { self.scenarioFile = scenarioFile }
}

/// Shared number formatting for the writers.
enum NumberFormat {
    /// JSON/CSV: the shortest decimal that round-trips (Swift's `description`), integral values
    /// without a fractional part, and NaN/infinity as `null`/empty.
    static func exact(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        // A whole number off by rounding error only (139.99999999999994): printed whole.
        let r = x.rounded()
        if abs(x) >= 1, abs(x) < 1e15, abs(x - r) <= 4 * x.ulp { return String(Int64(r)) }
        return "\(x)"
    }

    /// Human-readable with thousands separators and a fixed number of decimals.
    static func human(_ x: Double, decimals: Int = 0) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
        // Beyond 10^15 a double has no fractional digits left and no longer fits the integer
        // arithmetic below: the digits of the integer part, grouped, without decimals.
        if abs(x) >= 1e15 || abs(x) * pow10(decimals) >= 9e18 {
            return (x < 0 ? "-" : "") + grouped(String(format: "%.0f", abs(x)))
        }
        let scaled = (abs(x) * pow10(decimals)).rounded()
        var integer = scaled / pow10(decimals)
        integer.round(.towardZero)
        var out = (x < 0 && scaled > 0 ? "-" : "") + grouped(String(Int64(integer)))
        if decimals > 0 {
            let frac = Int64(scaled) - Int64(integer) * Int64(pow10(decimals))
            let f = String(frac)
            out += "." + String(repeating: "0", count: max(0, decimals - f.count)) + f
        }
        return out
    }

    static func percent(_ x: Double, decimals: Int = 1) -> String {
        guard x.isFinite else { return "n/a" }
        return human(100 * x, decimals: decimals) + " %"
    }

    /// `1234567` as `1,234,567`.
    private static func grouped(_ integerDigits: String) -> String {
        var digits = integerDigits
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits = String(digits.dropLast(3))
        }
        return digits + out
    }

    private static func pow10(_ d: Int) -> Double { (0..<d).reduce(1.0) { r, _ in r * 10 } }
}
