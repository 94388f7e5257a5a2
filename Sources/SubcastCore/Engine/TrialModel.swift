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
}

extension CohortModel: TrialModel {
    public var outputWidth: Int { layout.width }
}
