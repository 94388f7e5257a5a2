import Foundation
import SubcastStochastics

/// One scenario input that is drawn per trial.
public struct UncertainInput: Sendable, Hashable {
    /// The name correlations refer to and the output block `input:<name>` reports, unique in a run.
    public var name: String
    /// Where the input sits in the scenario, e.g. `plans[0].churn.mean_per_month`.
    public var path: String
    public var distribution: InputDistribution

    public init(name: String, path: String, distribution: InputDistribution) {
        self.name = name
        self.path = path
        self.distribution = distribution
    }

    /// The stream the input's uniform comes from: `input:<name>`.
    public var streamName: String { "input:\(name)" }
}

/// A requested rank correlation between two named inputs.
public struct InputCorrelation: Sendable, Hashable {
    public var first: String
    public var second: String
    /// Spearman's rank correlation, in [-1, 1].
    public var rho: Double

    public init(_ first: String, _ second: String, rho: Double) {
        self.first = first
        self.second = second
        self.rho = rho
    }
}

/// Why a set of uncertain inputs cannot be drawn.
public enum UncertainInputsError: Error, Equatable, Sendable, CustomStringConvertible {
    case duplicateName(String)
    case unknownName(String)
    case selfCorrelation(String)
    case duplicatePair(String, String)
    case invalidRho(String, String, Double)
    /// The assembled matrix (unit diagonal) is not positive semi-definite.
    case notPositiveSemiDefinite

    public var description: String {
        switch self {
        case let .duplicateName(n): "two uncertain inputs are named '\(n)'; give one of them another name"
        case let .unknownName(n): "no uncertain input is named '\(n)'"
        case let .selfCorrelation(n): "'\(n)' is correlated with itself; name two different inputs"
        case let .duplicatePair(a, b): "the correlation of '\(a)' and '\(b)' is given twice"
        case let .invalidRho(a, b, r): "the correlation of '\(a)' and '\(b)' is \(r); expected a number from -1 to 1"
        case .notPositiveSemiDefinite:
            "the correlations are not positive semi-definite: no joint distribution has all of them at once "
                + "(for example a strongly with b and with c, but b strongly against c); weaken some of them"
        }
    }
}

/// The inputs of a scenario that are drawn once per trial, their correlations and the sampling
/// plan.
///
/// How trial t draws input i (seed s):
/// 1. a uniform v from the input's own stream `input:<name>` keyed (s, t, `input:<name>`), so
///    adding an input changes neither the draws of the other inputs nor the process noise;
/// 2. Latin hypercube sampling (optional): trials are cut into fixed blocks of 64 (t / 64); in
///    each block the input's 64 strata are visited in the order of a random permutation pi of
///    0 ..< 64 drawn from the stream keyed (s, t / 64, `lhs:<name>`) (Fisher-Yates), and
///    u = (pi[t mod 64] + v) / 64, so every block of 64 trials puts one draw in each
///    stratum, whichever thread simulates the trial; otherwise u = v;
/// 3. the Gaussian copula (only for inputs named in a correlation): z = Phi^-1(u),
///    z' = L z with L the lower Cholesky factor of the normal-score correlation matrix,
///    u' = Phi(z'). A requested rank correlation rho_S becomes the normal-score correlation
///    r = 2 sin(pi rho_S / 6) (Spearman's rho of a bivariate normal is (6 / pi) asin(r / 2)),
///    so the draws have rank correlation rho_S whatever the marginals;
/// 4. u is clamped to [1e-6, 1 - 1e-6] (`clamp`) and the value is x = F^-1(u) for the input's
///    distribution. The loader checks every key's valid range at these two quantiles, so a
///    draw never leaves the checked range (at the price of a tail cut at 1e-6 each side).
///
/// Reproducibility: a value depends only on (seed, trial, the inputs up to and including this
/// one in the correlation order), never on threads or shards.
public struct UncertainInputs: Sendable {
    /// The lowest and highest uniform used for a draw (and checked at load time).
    public static let clamp = 1e-6
    /// Latin hypercube strata per block of consecutive trials.
    public static let strata = 64

    public let inputs: [UncertainInput]
    /// The requested rank correlations.
    public let correlations: [InputCorrelation]
    /// The normal-score correlation matrix over `correlated` (in that order), unit diagonal.
    public let normalScoreCorrelation: [[Double]]
    /// Indices (into `inputs`) of the inputs named in some correlation, ascending.
    public let correlated: [Int]
    /// Lower Cholesky factor of `normalScoreCorrelation`.
    let cholesky: [[Double]]
    /// Stratify each block of 64 trials (Latin hypercube) instead of drawing independently.
    public let latinHypercube: Bool

    /// No uncertain inputs: every scenario value is fixed.
    public init() {
        inputs = []
        correlations = []
        normalScoreCorrelation = []
        correlated = []
        cholesky = []
        latinHypercube = false
    }

    /// - Parameters:
    ///   - inputs: names unique; distributions already `validated()`.
    ///   - correlations: rank correlations between pairs of named inputs (each pair once);
    ///     unlisted pairs are independent.
    ///   - latinHypercube: stratified sampling in blocks of 64 trials (default false: random).
    public init(_ inputs: [UncertainInput], correlations: [InputCorrelation] = [],
                latinHypercube: Bool = false) throws(UncertainInputsError) {
        var index: [String: Int] = [:]
        for (i, input) in inputs.enumerated() {
            if index[input.name] != nil { throw .duplicateName(input.name) }
            index[input.name] = i
        }
        var pairs: [(Int, Int, Double)] = []
        var seen = Set<[Int]>()
        for c in correlations {
            guard let a = index[c.first] else { throw .unknownName(c.first) }
            guard let b = index[c.second] else { throw .unknownName(c.second) }
            if a == b { throw .selfCorrelation(c.first) }
            guard c.rho.isFinite, abs(c.rho) <= 1 else { throw .invalidRho(c.first, c.second, c.rho) }
            if !seen.insert([min(a, b), max(a, b)]).inserted { throw .duplicatePair(c.first, c.second) }
            pairs.append((a, b, c.rho))
        }
        let involved = Set(pairs.flatMap { [$0.0, $0.1] }).sorted()
        var position: [Int: Int] = [:]
        for (k, i) in involved.enumerated() { position[i] = k }
        var r = involved.map { i in involved.map { j in i == j ? 1.0 : 0.0 } }
        for (a, b, rho) in pairs {
            let normal = rho == 1 || rho == -1 ? rho : 2 * sin(Double.pi * rho / 6)
            r[position[a]!][position[b]!] = normal
            r[position[b]!][position[a]!] = normal
        }
        var factor: [[Double]] = []
        if !involved.isEmpty {
            guard let l = LinearAlgebra.correlationCholeskyFactor(r) else { throw .notPositiveSemiDefinite }
            factor = l
        }
        self.inputs = inputs
        self.correlations = correlations
        normalScoreCorrelation = r
        correlated = involved
        cholesky = factor
        self.latinHypercube = latinHypercube
    }

    public var isEmpty: Bool { inputs.isEmpty }
    public var count: Int { inputs.count }
    public var names: [String] { inputs.map(\.name) }
    /// `input:<name>` for every input, in input order.
    public var streamNames: [String] { inputs.map(\.streamName) }

    /// Every input at its median.
    public var medians: [Double] { inputs.map(\.distribution.median) }

    /// Every input at its quantile p, 0 < p < 1 (each marginal separately).
    public func quantiles(_ p: Double) -> [Double] { inputs.map { $0.distribution.quantile(p) } }

    /// The values of trial `trial` of a run with root seed `seed`.
    /// - Parameter streams: one generator per input, positioned at the start of the stream
    ///   keyed (seed, trial, `input:<name>`) (as the engine keys a model's streams); each is
    ///   advanced by one uniform.
    public func values(trial: Int, seed: UInt64, streams: some Collection<RandomGenerator>) -> [Double] {
        values(trial: trial, seed: seed, streams: streams, work: nil)
    }

    /// As `values(trial:seed:streams:)`; `work`, when given, is re-keyed for the Latin hypercube
    /// permutations instead of allocating a generator per input.
    func values(trial: Int, seed: UInt64, streams: some Collection<RandomGenerator>, work: RandomGenerator?) -> [Double] {
        precondition(streams.count == inputs.count)
        var u = streams.map { $0.uniform() }
        if latinHypercube {
            stratify(&u, trial: trial, seed: seed,
                     using: work ?? RandomGenerator(StreamKey(seed: seed, trial: 0, name: "lhs")))
        }
        return values(uniforms: u)
    }

    /// The values of trial `trial` of a run with root seed `seed`, drawing from freshly keyed
    /// streams (same values as the engine's; for tests and tools that run no engine).
    public func values(trial: Int, seed: UInt64) -> [Double] {
        values(trial: trial, seed: seed,
               streams: inputs.map { RandomGenerator(StreamKey(seed: seed, trial: UInt64(trial), name: $0.streamName)) })
    }

    /// The values for uniforms `u` (one per input, in [0, 1]): the copula, the clamp and the
    /// quantiles of steps 3 and 4.
    public func values(uniforms u: [Double]) -> [Double] {
        precondition(u.count == inputs.count)
        let c = UncertainInputs.clamp
        var u = u
        if !correlated.isEmpty {
            let z = correlated.map { standardNormalQuantile(min(max(u[$0], c), 1 - c)) }
            for (k, i) in correlated.enumerated() {
                var s = 0.0
                for j in 0...k { s += cholesky[k][j] * z[j] }
                u[i] = InverseCDF.standardNormalCDF(s)
            }
        }
        return inputs.indices.map { inputs[$0].distribution.quantile(min(max(u[$0], c), 1 - c)) }
    }

    /// Step 2: u = (pi[t mod 64] + u) / 64 with pi the block's permutation for each input.
    func stratify(_ u: inout [Double], trial: Int, seed: UInt64, using g: RandomGenerator) {
        let k = UncertainInputs.strata
        let block = UInt64(trial / k), slot = trial % k
        for i in inputs.indices {
            g.reseed(StreamKey(seed: seed, trial: block, name: "lhs:\(inputs[i].name)"))
            let stratum = UncertainInputs.permutation(count: k, using: g)[slot]
            u[i] = (Double(stratum) + u[i]) / Double(k)
        }
    }

    /// A uniformly random permutation of 0 ..< count by Fisher-Yates: for i from count - 1 down
    /// to 1, swap i with j = floor(U (i + 1)), U a uniform double from `g`.
    static func permutation(count: Int, using g: RandomGenerator) -> [Int] {
        var p = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = min(Int(g.uniform() * Double(i + 1)), i)
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }
}

/// Phi^-1(u) for u already in (0, 1).
@inline(__always) private func standardNormalQuantile(_ u: Double) -> Double {
    try! InverseCDF.normal(u)
}
