import SubcastStochastics

/// What the engine needs from a model: named random streams, a fixed-width output vector, and
/// a function that simulates one trial. The engine knows nothing else about the model.
public protocol TrialModel: Sendable {
    /// Per-worker reusable buffers.
    associatedtype Scratch
    /// The names of the streams one trial draws from; the engine keys each by (seed, trial, name).
    var streamNames: [String] { get }
    /// Doubles written per trial.
    var outputWidth: Int { get }
    func makeScratch() -> Scratch
    func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>)
    /// The engine's entry point: simulates trial `trial` of a run with root seed `seed`. Models
    /// that need to know which trial they simulate (Latin hypercube strata, several variants on
    /// the same streams) implement this; by default it calls `simulate(streams:scratch:into:)`.
    func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                  into out: UnsafeMutableBufferPointer<Double>)
    /// An upper bound of the bytes one worker's scratch takes (the model's own tables), which
    /// the engine adds to its statistics when it checks a run against the memory limit.
    var bytesPerWorker: Int { get }
}

extension TrialModel {
    public var bytesPerWorker: Int { 0 }

    @inlinable
    public func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        simulate(streams: streams, scratch: &scratch, into: out)
    }
}

extension CohortModel: TrialModel {
    public var outputWidth: Int { layout.width }
}
