/// The outputs of all trials: `trials` rows of `width` doubles, row i written only by the
/// worker that simulates trial i, so the contents do not depend on scheduling.
public final class TrialMatrix: @unchecked Sendable {
    public let trials: Int
    public let width: Int
    let storage: UnsafeMutableBufferPointer<Double>

    init(trials: Int, width: Int) {
        self.trials = trials
        self.width = width
        storage = .allocate(capacity: trials * width)
        storage.initialize(repeating: .nan)
    }

    deinit { storage.deallocate() }

    /// The row of one trial.
    func row(_ trial: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: storage[(trial * width)..<((trial + 1) * width)])
    }

    /// The value of series `series` in trial `trial`.
    public subscript(trial: Int, series: Int) -> Double { storage[trial * width + series] }

    /// All trials' values of one series, in trial order.
    public func column(_ series: Int) -> [Double] {
        (0..<trials).map { storage[$0 * width + series] }
    }
}
