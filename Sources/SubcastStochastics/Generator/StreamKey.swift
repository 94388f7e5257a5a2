/// Names the random stream of one process in one trial: (root seed, trial index, stream name).
///
/// Streams are keyed by the work they simulate, never by thread: the generator state is
/// `PCG64(SeedSequence(entropy: seed, spawnKey: [trial, name]))`, where the name enters as
/// the integer whose little-endian bytes are its UTF-8 (Python:
/// `SeedSequence(seed, spawn_key=(trial, int.from_bytes(name.encode(), "little")))`).
/// Two strategies that share a key share random numbers (common random numbers), and adding
/// a new named process leaves the draws of every other stream unchanged.
public struct StreamKey: Sendable, Hashable, CustomStringConvertible {
    /// The root seed of the run.
    public var seed: UInt64
    /// The trial index, from 0.
    public var trial: UInt64
    /// The process the stream feeds, e.g. `"acquisition"` or `"churn"`.
    public var name: String

    public init(seed: UInt64, trial: UInt64, name: String) {
        precondition(!name.isEmpty && !name.utf8.contains(0), "stream names are non-empty and NUL-free")
        self.seed = seed
        self.trial = trial
        self.name = name
    }

    /// The seed sequence this key hashes to.
    public var seedSequence: SeedSequence {
        SeedSequence(entropy: seed, spawnKey: [SeedSequence.words(of: trial),
                                               SeedSequence.words(ofBytes: Array(name.utf8))])
    }

    public var description: String { "(seed \(seed), trial \(trial), stream \(name))" }
}
