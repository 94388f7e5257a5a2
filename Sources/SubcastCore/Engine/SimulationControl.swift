import Synchronization

/// A process-wide stop request that a long trial notices within a month of simulation, so that
/// Ctrl-C is honoured within about a second however large one trial is (the engine itself checks
/// its cancellation only between blocks of trials). The command-line tool sets it on the first
/// Ctrl-C; a trial cut short is discarded with the rest of the interrupted run.
public enum SimulationControl {
    private static let stop = Atomic<Bool>(false)

    /// Asks every running trial to return as soon as it can.
    public static func requestStop() { stop.store(true, ordering: .relaxed) }

    /// True once a stop was requested.
    @inline(__always) public static var stopRequested: Bool { stop.load(ordering: .relaxed) }
}
