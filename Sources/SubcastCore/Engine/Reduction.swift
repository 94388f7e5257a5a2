import Dispatch
import SubcastStochastics

/// Per-series statistics of a run, accumulated in bounded memory: moments per merge block (to be
/// folded in block order) and one quantile sketch per series.
///
/// Determinism contract: trials are grouped into sub-blocks of `subBlockSize` and merge blocks
/// of `mergeBlockSize` trials (fixed constants, not thread counts). Moments are accumulated trial
/// by trial within a sub-block, sub-blocks are merged in index order into their merge block, and
/// merge blocks are merged in index order into the total. Sketches merge exactly in any order.
/// So the result is the same bits for any number of threads, processes or shards, as long as
/// shards are whole merge blocks (see `MonteCarloEngine.mergeBlocks(trials:shard:of:)`).
public struct Reduction: Sendable {
    public static let subBlockSize = 64
    public static let mergeBlockSize = 4096

    public let trials: Int
    public let width: Int
    /// The merge blocks this reduction covers.
    public let mergeBlocks: Range<Int>
    /// `blockMoments[b][j]`: moments of series j over merge block `mergeBlocks.lowerBound + b`;
    /// kept only when asked for (partial results of shards), since a single run needs only the
    /// running fold `total`.
    public var blockMoments: [[Moments]]?
    /// The merge blocks' moments folded in index order.
    public var total: [Moments]
    /// One sketch per series over all covered trials.
    public var sketches: [QuantileSketch]

    public init(trials: Int, width: Int, mergeBlocks: Range<Int>, blockMoments: [[Moments]]?, total: [Moments],
                sketches: [QuantileSketch]) {
        self.trials = trials
        self.width = width
        self.mergeBlocks = mergeBlocks
        self.blockMoments = blockMoments
        self.total = total
        self.sketches = sketches
    }

    /// Folds per-block moments in index order.
    public static func fold(_ blocks: [[Moments]], width: Int) -> [Moments] {
        var total = [Moments](repeating: Moments(), count: width)
        for block in blocks {
            for j in 0..<width { total[j].merge(block[j]) }
        }
        return total
    }

    /// Number of merge blocks for a number of trials.
    public static func mergeBlockCount(trials: Int) -> Int { (trials + mergeBlockSize - 1) / mergeBlockSize }

    /// Joins reductions of adjacent merge-block ranges (in any order of the arguments), each with
    /// its per-block moments; nil if they do not tile one contiguous range or disagree on trials
    /// or width. The total is the fold of all blocks in index order, as in a single run.
    public static func join(_ parts: [Reduction]) -> Reduction? {
        guard let first = parts.first, first.sketches.count == first.width else { return nil }
        let sorted = parts.sorted { $0.mergeBlocks.lowerBound < $1.mergeBlocks.lowerBound }
        var upper = sorted[0].mergeBlocks.lowerBound
        var moments: [[Moments]] = []
        var sketches = first.sketches.map { QuantileSketch(relativeAccuracy: $0.relativeAccuracy) }
        for p in sorted {
            guard p.trials == first.trials, p.width == first.width, p.mergeBlocks.lowerBound == upper,
                  let blocks = p.blockMoments, blocks.count == p.mergeBlocks.count,
                  p.sketches.count == p.width,
                  zip(p.sketches, sketches).allSatisfy({ $0.relativeAccuracy == $1.relativeAccuracy }) else { return nil }
            upper = p.mergeBlocks.upperBound
            moments += blocks
            for j in 0..<p.width { sketches[j].merge(p.sketches[j]) }
        }
        return Reduction(trials: first.trials, width: first.width, mergeBlocks: sorted[0].mergeBlocks.lowerBound..<upper,
                         blockMoments: moments, total: fold(moments, width: first.width), sketches: sketches)
    }
}

extension MonteCarloEngine {
    /// The merge blocks of shard `index` (0-based) of `count`: a contiguous, near-equal split.
    public static func mergeBlocks(trials: Int, shard index: Int, of count: Int) -> Range<Int> {
        precondition(count >= 1 && index >= 0 && index < count)
        let m = Reduction.mergeBlockCount(trials: trials)
        return (index * m / count)..<((index + 1) * m / count)
    }

    /// The most memory one worker needs per output series, used to refuse runs whose outputs
    /// alone would exhaust memory: a quantile sketch at its budget (2 signs x 2,048 counters x
    /// 8 bytes = 32 KiB, `QuantileSketch.maximumCounterBytes`) plus 1 KiB for the sketch's struct
    /// and array headers (about 200 bytes), the series' column of the sub-block's rows (64
    /// doubles, 512 bytes) and its moments. An upper bound, whatever the number of trials; series
    /// whose values span a narrow range or one sign take far less.
    public static let bytesPerSeriesPerWorker = QuantileSketch.maximumCounterBytes + 1024
    /// Largest estimated memory the engine accepts for a run: every worker's statistics and
    /// scratch (`TrialModel.bytesPerWorker`), 8 GiB (the README's promise).
    public static let maximumStatisticsBytes = 8 << 30

    /// Simulates the trials of `mergeBlocks` (all by default) and reduces them to statistics in
    /// bounded memory: per worker one sub-block of rows, one set of sketches and one sub-block of
    /// moments, whatever the number of trials (plus, with `keepBlocks`, 24 bytes per series per
    /// merge block for a partial result). The workers' sketches are merged into the first
    /// worker's, so the result holds no further copy.
    public static func reduce<M: TrialModel>(_ model: M, trials: Int, seed: UInt64, threads: Int,
                                             mergeBlocks: Range<Int>? = nil, keepBlocks: Bool = false,
                                             progress: (@Sendable (Int) -> Void)? = nil,
                                             isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> Reduction {
        precondition(trials >= 1 && threads >= 1)
        let allBlocks = 0..<Reduction.mergeBlockCount(trials: trials)
        let blocks = mergeBlocks ?? allBlocks
        precondition(blocks.lowerBound >= 0 && blocks.upperBound <= allBlocks.upperBound)
        let width = model.outputWidth
        let firstTrial = blocks.lowerBound * Reduction.mergeBlockSize
        let endTrial = min(blocks.upperBound * Reduction.mergeBlockSize, trials)
        let subBlocks = endTrial > firstTrial ? (endTrial - firstTrial + Reduction.subBlockSize - 1) / Reduction.subBlockSize : 0
        let workers = max(1, min(threads, subBlocks))
        let perWorker = width.multipliedReportingOverflow(by: bytesPerSeriesPerWorker)
        let withScratch = perWorker.partialValue.addingReportingOverflow(model.bytesPerWorker)
        let estimate = withScratch.partialValue.multipliedReportingOverflow(by: workers)
        if perWorker.overflow || withScratch.overflow || estimate.overflow || estimate.partialValue > maximumStatisticsBytes {
            throw .tooLarge(trials: trials, valuesPerTrial: width, limitBytes: maximumStatisticsBytes)
        }
        let state = ReductionState(width: width, keepBlocks: keepBlocks)
        let sketchSets = SketchSets(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let names = model.streamNames
            let streams = names.map { RandomGenerator(StreamKey(seed: seed, trial: 0, name: $0)) }
            var scratch = model.makeScratch()
            // The sub-block's rows, trial-major; statistics are then taken series by series, so
            // each series' sketch stays in cache for the whole sub-block (per-series order is
            // the trial order either way, so the bits do not change).
            let rows = UnsafeMutableBufferPointer<Double>.allocate(capacity: width * Reduction.subBlockSize)
            let column = UnsafeMutableBufferPointer<Double>.allocate(capacity: Reduction.subBlockSize)
            defer { rows.deallocate(); column.deallocate() }
            var sketches = [QuantileSketch](repeating: QuantileSketch(), count: width)
            while let s = state.nextSubBlock(limit: subBlocks) {
                if let isCancelled, isCancelled() { state.cancel(); break }
                let start = firstTrial + s * Reduction.subBlockSize
                let end = min(start + Reduction.subBlockSize, endTrial)
                var moments = [Moments](repeating: Moments(), count: width)
                for trial in start..<end {
                    for (g, name) in zip(streams, names) {
                        g.reseed(StreamKey(seed: seed, trial: UInt64(trial), name: name))
                    }
                    let row = UnsafeMutableBufferPointer(rebasing: rows[((trial - start) * width)..<((trial - start + 1) * width)])
                    model.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch, into: row)
                }
                let n = end - start
                sketches.withUnsafeMutableBufferPointer { sketches in
                    moments.withUnsafeMutableBufferPointer { moments in
                        for j in 0..<width {
                            for k in 0..<n {
                                let x = rows[k * width + j]
                                column[k] = x
                                moments[j].add(x)
                            }
                            sketches[j].add(UnsafeBufferPointer(rebasing: column[0..<n]))
                        }
                    }
                }
                // Sub-block s belongs to merge block (start / mergeBlockSize) - lowerBound.
                let done = state.deposit(s, moments, mergeBlock: start / Reduction.mergeBlockSize - blocks.lowerBound,
                                         lastOfMergeBlock: end == endTrial || end % Reduction.mergeBlockSize == 0,
                                         trials: end - start)
                progress?(done)
            }
            sketchSets.set(w, sketches)
        }
        if state.isCancelled || (isCancelled?() ?? false) {
            throw .cancelled(completedTrials: state.trialsDone, trials: endTrial - firstTrial)
        }
        // Merging is exact and order-free (QuantileSketch), so merging into worker 0's sketches,
        // each set taken out of its slot (no copy on write) and freed once merged, gives the
        // same bits as merging into empty ones.
        var sketches = sketchSets.take(0)
        for w in 1..<workers {
            let set = sketchSets.take(w)
            for j in 0..<width { sketches[j].merge(set[j]) }
        }
        let (blockMoments, total) = state.finished()
        return Reduction(trials: trials, width: width, mergeBlocks: blocks, blockMoments: keepBlocks ? blockMoments : nil,
                         total: total, sketches: sketches)
    }
}

/// Hands out sub-blocks in index order and folds finished ones in index order.
final class ReductionState: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private let width: Int
    private var next = 0
    private var nextToFold = 0
    private var pending: [Int: (moments: [Moments], mergeBlock: Int, last: Bool)] = [:]
    private var current: [Moments]
    private var total: [Moments]
    private let keepBlocks: Bool
    private var blocks: [[Moments]] = []
    private var foldedBlocks = 0
    private var cancelled = false
    private(set) var trialsDone = 0

    init(width: Int, keepBlocks: Bool) {
        self.width = width
        self.keepBlocks = keepBlocks
        current = [Moments](repeating: Moments(), count: width)
        total = current
    }

    func nextSubBlock(limit: Int) -> Int? {
        lock.wait(); defer { lock.signal() }
        if cancelled || next >= limit { return nil }
        next += 1
        return next - 1
    }

    func cancel() {
        lock.wait(); cancelled = true; lock.signal()
    }

    var isCancelled: Bool {
        lock.wait(); defer { lock.signal() }
        return cancelled
    }

    /// Stores a finished sub-block and folds every sub-block that is now next in order.
    func deposit(_ s: Int, _ moments: [Moments], mergeBlock: Int, lastOfMergeBlock: Bool, trials: Int) -> Int {
        lock.wait(); defer { lock.signal() }
        trialsDone += trials
        pending[s] = (moments, mergeBlock, lastOfMergeBlock)
        while let p = pending.removeValue(forKey: nextToFold) {
            for j in 0..<width { current[j].merge(p.moments[j]) }
            if p.last {
                precondition(foldedBlocks == p.mergeBlock)
                for j in 0..<width { total[j].merge(current[j]) }
                if keepBlocks { blocks.append(current) }
                foldedBlocks += 1
                current = [Moments](repeating: Moments(), count: width)
            }
            nextToFold += 1
        }
        return trialsDone
    }

    func finished() -> (blocks: [[Moments]], total: [Moments]) {
        lock.wait(); defer { lock.signal() }
        return (blocks, total)
    }
}

final class SketchSets: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<[QuantileSketch]>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: [])
    }
    deinit { storage.deinitialize(); storage.deallocate() }
    func set(_ i: Int, _ v: [QuantileSketch]) { storage[i] = v }
    /// Moves set `i` out, leaving an empty one (so the caller holds the only reference).
    func take(_ i: Int) -> [QuantileSketch] {
        var v: [QuantileSketch] = []
        swap(&v, &storage[i])
        return v
    }
}
