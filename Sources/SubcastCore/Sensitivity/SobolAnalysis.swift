import Dispatch
import SubcastStochastics

/// Variance-based sensitivity indices (Sobol) of a function of d independent uncertain inputs,
/// by Saltelli sampling with Jansen's estimators and bootstrap confidence intervals.
///
/// The inputs are given as uniforms u in (0, 1)^d; the caller maps each to a value through its
/// input's quantile function, so any independent input distributions are covered. Two N x d
/// matrices A and B of uniforms are drawn, row j of A from the stream (seed, j, `sobol:A`) and
/// of B from (seed, j, `sobol:B`); A_B^(i) is A with column i taken from B. With
/// f_A = f(A_j), f_B = f(B_j), f_i = f(A_B^(i)_j) over the usable rows j (all values finite):
/// ```
/// V     = sample variance of the 2N values f_A, f_B (divisor 2N - 1)
/// S_Ti  = (1/(2N)) sum_j (f_A - f_i)^2 / V                 (Jansen 1999)
/// S_i   = (V - (1/(2N)) sum_j (f_B - f_i)^2) / V           (Saltelli et al. 2010, table 2)
/// unexplained = 1 - sum_i S_i
/// ```
/// S_i is the share of V that input i explains alone, S_Ti the share it takes part in (alone or
/// through interactions); `unexplained` is the share no input explains alone: interactions,
/// and, for a stochastic f, its own noise.
///
/// Noisy functions (a simulation): every evaluation gets a noise key to key its random streams
/// by. The A-side points of row j (f_A and every f_i) get key 2j, the B point key 2j + 1. So
/// A_j and A_B^(i)_j share their noise (common random numbers: the difference f_A - f_i is the
/// effect of input i alone, which makes S_Ti precise), while B_j, which has its own inputs, has
/// its own noise too. The noise is then one more input, a column of A and B like the others,
/// and the estimators above stay unbiased for the shares of the total variance (noise
/// included). Had B_j shared A_j's noise, f_B - f_i would share input i *and* the noise, and
/// every S_i would absorb the noise's share. With `processNoise` the noise itself is analysed
/// as input d: one more evaluation per row, f(A_j) with key 2j + 1, gives its S and S_T.
///
/// Confidence intervals: `resamples` bootstrap resamples of the usable rows (resample b draws
/// its row indices from the stream (seed, b, `sobol:bootstrap`)), each re-estimating every
/// index; the interval is the percentile interval (type-7 quantiles at (1 -/+ confidence) / 2).
///
/// Cost: N (d + 2) evaluations (N (d + 3) with `processNoise`). Accuracy: the estimators'
/// errors fall as 1/sqrt(N); for the Ishigami function N = 20,000 gives S_i within about 0.02.
/// Reproducibility: every evaluation is keyed by (matrix, row), its value is stored by index and
/// the estimators and the bootstrap run in a fixed order, so the result is the same bits for any
/// number of threads, and the first N rows of a larger N are the same rows.
///
/// ```swift
/// let r = try SobolAnalysis.run(dimensions: 3, samples: 4096, seed: 7, threads: 4) { u, _ in
///     u[0] + 2 * u[1]          // S_1 = 0.2, S_2 = 0.8, S_3 = 0
/// }
/// print(r.inputs[1].firstOrder, r.inputs[1].firstOrderInterval)
/// ```
public struct SobolAnalysis: Sendable {
    /// A bootstrap percentile interval; NaN bounds when the index is undefined.
    public struct Interval: Sendable, Hashable, CustomStringConvertible {
        public var lower: Double
        public var upper: Double
        public init(lower: Double, upper: Double) {
            self.lower = lower
            self.upper = upper
        }
        public func contains(_ x: Double) -> Bool { x >= lower && x <= upper }
        public var width: Double { upper - lower }
        public var description: String { "[\(lower), \(upper)]" }
    }

    /// The indices of one input.
    public struct Index: Sendable, Hashable {
        /// S_i: the share of the variance the input explains alone.
        public var firstOrder: Double
        /// S_Ti: the share of the variance the input takes part in, alone or with others.
        public var total: Double
        public var firstOrderInterval: Interval
        public var totalInterval: Interval
    }

    /// Per input, in the order of the uniforms' columns.
    public let inputs: [Index]
    /// The function's own noise as one more input (with `processNoise`), else nil.
    public let processNoise: Index?
    /// 1 - sum_i S_i: interactions and (for a noisy f) the noise, with its interval.
    public let unexplained: Double
    public let unexplainedInterval: Interval
    /// Mean and variance V of f over the A and B rows.
    public let mean: Double
    public let variance: Double
    /// N, the rows of each matrix, and how many of them were usable (every value finite).
    public let samples: Int
    public let usableSamples: Int
    /// Evaluations of f made: N (d + 2), or N (d + 3) with `processNoise`.
    public let evaluations: Int
    public let resamples: Int
    public let confidence: Double
    public let seed: UInt64

    /// Stream names of the matrices and the bootstrap.
    public static let streamA = "sobol:A", streamB = "sobol:B", streamBootstrap = "sobol:bootstrap"
    /// Rows per scheduling block.
    static let rowsPerBlock = 8

    /// The noise key of the A-side points of row j (A_j and every A_B^(i)_j).
    public static func noiseKeyA(row j: Int) -> Int { 2 * j }
    /// The noise key of B_j (and of the noise point A_B^(noise)_j).
    public static func noiseKeyB(row j: Int) -> Int { 2 * j + 1 }

    /// The evaluations of f needed for `samples` rows and `dimensions` inputs.
    public static func evaluations(dimensions d: Int, samples n: Int, processNoise: Bool) -> Int {
        n * (d + 2 + (processNoise ? 1 : 0))
    }

    /// Runs the analysis with one `f` shared by all workers.
    /// - Parameter f: `f(uniforms, noiseKey)`, called from several threads at once.
    public static func run(dimensions d: Int, samples n: Int, seed: UInt64, threads: Int, processNoise: Bool = false,
                           resamples: Int = 500, confidence: Double = 0.95,
                           progress: (@Sendable (Int) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil,
                           f: @escaping @Sendable (_ uniforms: [Double], _ noiseKey: Int) -> Double) throws(SimulationError) -> SobolAnalysis {
        try run(dimensions: d, samples: n, seed: seed, threads: threads, processNoise: processNoise, resamples: resamples,
                confidence: confidence, progress: progress, isCancelled: isCancelled, makeEvaluator: { f })
    }

    /// Runs the analysis; each worker thread calls `makeEvaluator` once and then only its own
    /// evaluator, so evaluators may keep mutable per-worker state (generators, buffers).
    /// - Parameters:
    ///   - dimensions: d >= 1 uncertain inputs.
    ///   - samples: N >= 2 rows per matrix; the estimators' errors fall as 1/sqrt(N).
    ///   - seed: the root seed of the matrices, the bootstrap and (through the noise keys) f's noise.
    ///   - threads: worker threads >= 1; does not change the result.
    ///   - processNoise: also estimate the indices of f's own noise (one more evaluation per row).
    ///   - resamples: bootstrap resamples >= 10 (default 500).
    ///   - confidence: the intervals' level in (0, 1) (default 0.95).
    ///   - progress: called (from any thread) with the number of evaluations finished.
    ///   - isCancelled: polled before every block of rows; once true the run throws
    ///     `SimulationError.cancelled`.
    ///   - makeEvaluator: returns `f(uniforms, noiseKey)`; uniforms are in (0, 1).
    public static func run(dimensions d: Int, samples n: Int, seed: UInt64, threads: Int, processNoise: Bool = false,
                           resamples: Int = 500, confidence: Double = 0.95,
                           progress: (@Sendable (Int) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil,
                           makeEvaluator: @escaping @Sendable () -> (_ uniforms: [Double], _ noiseKey: Int) -> Double)
        throws(SimulationError) -> SobolAnalysis {
        precondition(d >= 1 && n >= 2 && threads >= 1 && resamples >= 10 && confidence > 0 && confidence < 1)
        // Columns of the value table: A, B, A_B^(0 ..< d), then the noise point.
        let width = d + 2 + (processNoise ? 1 : 0)
        let values = ValueTable(rows: n, width: width)
        let blocks = (n + rowsPerBlock - 1) / rowsPerBlock
        let workers = max(1, min(threads, blocks))
        let schedule = BlockSchedule()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let f = makeEvaluator()
            let gA = RandomGenerator(StreamKey(seed: seed, trial: 0, name: streamA))
            let gB = RandomGenerator(StreamKey(seed: seed, trial: 0, name: streamB))
            var a = [Double](repeating: 0, count: d), b = a, ab = a
            while let block = schedule.next(limit: blocks) {
                if let isCancelled, isCancelled() { schedule.cancel(); return }
                let end = min((block + 1) * rowsPerBlock, n)
                for j in (block * rowsPerBlock)..<end {
                    gA.reseed(StreamKey(seed: seed, trial: UInt64(j), name: streamA))
                    gB.reseed(StreamKey(seed: seed, trial: UInt64(j), name: streamB))
                    for i in 0..<d { a[i] = openUniform(gA) }
                    for i in 0..<d { b[i] = openUniform(gB) }
                    let keyA = noiseKeyA(row: j), keyB = noiseKeyB(row: j)
                    values.set(j, 0, f(a, keyA))
                    values.set(j, 1, f(b, keyB))
                    for i in 0..<d {
                        ab = a
                        ab[i] = b[i]
                        values.set(j, 2 + i, f(ab, keyA))
                    }
                    if processNoise { values.set(j, d + 2, f(a, keyB)) }
                }
                let done = schedule.finished(rows: end - block * rowsPerBlock)
                progress?(done * width)
            }
        }
        if schedule.isCancelled || (isCancelled?() ?? false) {
            throw .cancelled(completedTrials: schedule.rowsDone * width, trials: n * width)
        }

        // Rows whose every value is finite; the others (a metric undefined in a trial) are left out.
        let usable = (0..<n).filter { j in (0..<width).allSatisfy { values[j, $0].isFinite } }
        let k = d + (processNoise ? 1 : 0)
        let point = estimate(values, rows: usable, d: d, noise: processNoise)

        // Bootstrap: resample b re-estimates everything on |usable| rows drawn with replacement.
        let boot = ValueTable(rows: resamples, width: 2 * k + 1)
        let bootWorkers = max(1, min(threads, resamples))
        DispatchQueue.concurrentPerform(iterations: bootWorkers) { w in
            let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: streamBootstrap))
            var rows = [Int](repeating: 0, count: usable.count)
            var r = w
            while r < resamples {
                g.reseed(StreamKey(seed: seed, trial: UInt64(r), name: streamBootstrap))
                for t in 0..<rows.count { rows[t] = usable[uniformIndex(usable.count, g)] }
                let e = estimate(values, rows: rows, d: d, noise: processNoise)
                for c in 0..<k {
                    boot.set(r, 2 * c, e.first[c])
                    boot.set(r, 2 * c + 1, e.total[c])
                }
                boot.set(r, 2 * k, e.unexplained)
                r += bootWorkers
            }
        }
        func interval(_ column: Int) -> Interval {
            var x = (0..<resamples).map { boot[$0, column] }.filter { $0.isFinite }
            guard x.count == resamples else { return Interval(lower: .nan, upper: .nan) }
            SampleStatistics.sort(&x)
            return Interval(lower: SampleStatistics.quantile(sorted: x, (1 - confidence) / 2),
                            upper: SampleStatistics.quantile(sorted: x, (1 + confidence) / 2))
        }
        let indices = (0..<k).map { c in
            Index(firstOrder: point.first[c], total: point.total[c],
                  firstOrderInterval: interval(2 * c), totalInterval: interval(2 * c + 1))
        }
        return SobolAnalysis(inputs: Array(indices.prefix(d)), processNoise: processNoise ? indices[d] : nil,
                             unexplained: point.unexplained, unexplainedInterval: interval(2 * k),
                             mean: point.mean, variance: point.variance, samples: n, usableSamples: usable.count,
                             evaluations: n * width, resamples: resamples, confidence: confidence, seed: seed)
    }

    /// Jansen's estimators over `rows` (with repetitions, for the bootstrap), summed in row order.
    static func estimate(_ v: ValueTable, rows: [Int], d: Int, noise: Bool)
        -> (first: [Double], total: [Double], unexplained: Double, mean: Double, variance: Double) {
        let k = d + (noise ? 1 : 0)
        let m = rows.count
        guard m >= 2 else {
            let nan = [Double](repeating: .nan, count: k)
            return (nan, nan, .nan, .nan, .nan)
        }
        var sum = 0.0
        for j in rows { sum += v[j, 0] + v[j, 1] }
        let mean = sum / Double(2 * m)
        var ss = 0.0
        for j in rows {
            let x = v[j, 0] - mean, y = v[j, 1] - mean
            ss += x * x + y * y
        }
        let variance = ss / Double(2 * m - 1)
        var first = [Double](repeating: .nan, count: k), total = first
        guard variance > 0 else { return (first, total, .nan, mean, variance) }
        for c in 0..<k {
            let column = 2 + c   // A_B^(c); for c == d the noise point, stored in column d + 2
            var sa = 0.0, sb = 0.0
            for j in rows {
                let fi = v[j, column]
                let da = v[j, 0] - fi, db = v[j, 1] - fi
                sa += da * da
                sb += db * db
            }
            total[c] = sa / Double(2 * m) / variance
            first[c] = (variance - sb / Double(2 * m)) / variance
        }
        let explained = first.prefix(d).reduce(0, +)
        return (first, total, 1 - explained, mean, variance)
    }

    /// A uniform in the open interval (0, 1) (redraws the rare exact 0 of `gsl_rng_uniform`).
    @inline(__always)
    static func openUniform(_ g: RandomGenerator) -> Double {
        var u = g.uniform()
        while u == 0 { u = g.uniform() }
        return u
    }

    /// An unbiased index in 0 ..< count from 64-bit outputs (Lemire's multiply-and-reject).
    static func uniformIndex(_ count: Int, _ g: RandomGenerator) -> Int {
        let s = UInt64(count)
        var m = g.nextRaw().multipliedFullWidth(by: s)
        if m.low < s {
            let threshold = (0 &- s) % s
            while m.low < threshold { m = g.nextRaw().multipliedFullWidth(by: s) }
        }
        return Int(m.high)
    }
}

/// A rows x width table of doubles written by index from several workers (distinct cells
/// only), so its contents do not depend on scheduling.
final class ValueTable: @unchecked Sendable {
    let rows: Int, width: Int
    private let storage: UnsafeMutableBufferPointer<Double>

    init(rows: Int, width: Int) {
        self.rows = rows
        self.width = width
        storage = .allocate(capacity: max(1, rows * width))
        storage.initialize(repeating: .nan)
    }

    deinit { storage.deallocate() }

    @inline(__always) func set(_ row: Int, _ column: Int, _ x: Double) { storage[row * width + column] = x }
    @inline(__always) subscript(row: Int, column: Int) -> Double { storage[row * width + column] }
}

/// Hands out blocks of work in index order, counts finished rows, and carries cancellation.
final class BlockSchedule: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var nextBlock = 0
    private var done = 0
    private var cancelled = false

    func next(limit: Int) -> Int? {
        lock.wait(); defer { lock.signal() }
        if cancelled || nextBlock >= limit { return nil }
        nextBlock += 1
        return nextBlock - 1
    }

    func finished(rows: Int) -> Int {
        lock.wait(); defer { lock.signal() }
        done += rows
        return done
    }

    func cancel() { lock.wait(); cancelled = true; lock.signal() }

    var isCancelled: Bool { lock.wait(); defer { lock.signal() }; return cancelled }
    var rowsDone: Int { lock.wait(); defer { lock.signal() }; return done }
}
