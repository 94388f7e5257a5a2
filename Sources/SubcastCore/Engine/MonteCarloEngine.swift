import Dispatch
import SubcastStochastics

/// Runs the trials of a model on all cores.
///
/// Trials are cut into fixed blocks of `blockSize`; worker w of T simulates blocks w, w + T,
/// w + 2T, ... Every trial draws from its own streams keyed (seed, trial index, stream name) and
/// writes its own row of the `TrialMatrix`, so the result is identical, bit for bit, for any
/// number of threads. Each worker owns one `RandomGenerator` per stream and re-keys it for every
/// trial (no allocation per trial).
public enum MonteCarloEngine {
    /// Trials per scheduling block.
    public static let blockSize = 64

    /// Largest trial matrix the engine allocates (bytes), to fail with a message instead of
    /// exhausting memory.
    public static let maximumMatrixBytes = 8 << 30

    /// Simulates trials `0 ..< trials` of `model`.
    /// - Parameters:
    ///   - trials: >= 1.
    ///   - seed: the root seed of every stream.
    ///   - threads: worker threads, >= 1 (capped at the number of blocks).
    ///   - progress: called (from any thread) with the number of trials finished so far.
    ///   - isCancelled: polled before every block; once it returns true the workers stop and the
    ///     run throws `SimulationError.cancelled` (nothing partial is returned).
    public static func run<M: TrialModel>(_ model: M, trials: Int, seed: UInt64, threads: Int,
                                          progress: (@Sendable (Int) -> Void)? = nil,
                                          isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> TrialMatrix {
        precondition(trials >= 1 && threads >= 1)
        let bytes = trials.multipliedReportingOverflow(by: model.outputWidth * 8)
        if bytes.overflow || bytes.partialValue > maximumMatrixBytes {
            throw .tooLarge(trials: trials, valuesPerTrial: model.outputWidth, limitBytes: maximumMatrixBytes)
        }
        let matrix = TrialMatrix(trials: trials, width: model.outputWidth)
        let blocks = (trials + blockSize - 1) / blockSize
        let workers = min(threads, blocks)
        let counter = ProgressCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let names = model.streamNames
            let streams = names.map { RandomGenerator(StreamKey(seed: seed, trial: 0, name: $0)) }
            var scratch = model.makeScratch()
            var block = w
            while block < blocks {
                if let isCancelled, isCancelled() { return }
                let end = min((block + 1) * blockSize, trials)
                for trial in (block * blockSize)..<end {
                    for (g, name) in zip(streams, names) {
                        g.reseed(StreamKey(seed: seed, trial: UInt64(trial), name: name))
                    }
                    model.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch, into: matrix.row(trial))
                }
                let done = counter.add(end - block * blockSize)
                progress?(done)
                block += workers
            }
        }
        if let isCancelled, isCancelled() {
            throw .cancelled(completedTrials: counter.add(0), trials: trials)
        }
        return matrix
    }
}

/// Why a simulation could not run.
public enum SimulationError: Error, CustomStringConvertible, Equatable, Sendable {
    case tooLarge(trials: Int, valuesPerTrial: Int, limitBytes: Int)
    /// The caller cancelled the run (e.g. Ctrl-C).
    case cancelled(completedTrials: Int, trials: Int)

    public var description: String {
        switch self {
        case let .tooLarge(trials, width, limit):
            return "\(trials) trials x \(width) values per trial, with the model's tables, need more than the "
                + "\(limit >> 30) GiB memory limit; use fewer trials or threads, a shorter horizon, fewer reported cohorts "
                + "or fewer existing-base groups"
        case let .cancelled(done, trials):
            return "interrupted after \(done) of \(trials) trials; no results were written"
        }
    }
}

final class ProgressCounter: @unchecked Sendable {
    private var done = 0
    private let lock = DispatchSemaphore(value: 1)
    func add(_ n: Int) -> Int {
        lock.wait(); defer { lock.signal() }
        done += n
        return done
    }
}
