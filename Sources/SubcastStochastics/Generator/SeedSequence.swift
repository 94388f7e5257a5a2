/// Derives well-separated generator states from a root seed and a spawn key.
///
/// This is numpy's `SeedSequence` algorithm (numpy/random/bit_generator.pyx, pool size 4,
/// 32-bit words), reproduced bit for bit so that a Subcast stream can be checked against
/// `numpy.random.SeedSequence(seed, spawn_key=key).generate_state(n, numpy.uint64)`.
/// The entropy (the root seed) and the spawn key (trial index, stream name) are hashed into
/// the whole pool, so neighbouring trials and different stream names give unrelated states,
/// unlike `gsl_rng_set(r, seed + i)`, whose 32-bit seeds collide at about a million trials.
///
/// ```swift
/// let words = SeedSequence(entropy: 42, spawnKey: [7]).generateState64(count: 4)
/// ```
public struct SeedSequence: Sendable, Hashable {
    static let poolSize = 4
    static let initA: UInt32 = 0x43b0_d7e5
    static let multA: UInt32 = 0x931e_8875
    static let initB: UInt32 = 0x8b51_f9dd
    static let multB: UInt32 = 0x58f3_8ded
    static let mixMultL: UInt32 = 0xca01_f9dd
    static let mixMultR: UInt32 = 0x4973_f715
    static let xShift: UInt32 = 16

    /// The mixed entropy pool (four 32-bit words).
    public private(set) var pool: [UInt32]

    /// Creates the sequence for a root seed and a spawn key.
    /// - Parameters:
    ///   - entropy: the root seed, any 64-bit value.
    ///   - spawnKey: the path of this stream below the root, each element an integer
    ///     of any size given as its little-endian 32-bit words (numpy coerces each Python
    ///     int in `spawn_key` this way).
    public init(entropy: UInt64, spawnKey: [[UInt32]] = []) {
        var run = SeedSequence.words(of: entropy)
        let spawn = spawnKey.flatMap { $0.isEmpty ? [0] : $0 }
        if !spawn.isEmpty && run.count < SeedSequence.poolSize {
            run += Array(repeating: 0, count: SeedSequence.poolSize - run.count)
        }
        pool = SeedSequence.mixEntropy(run + spawn)
    }

    /// Convenience for spawn keys made of 64-bit integers.
    public init(entropy: UInt64, spawnKey: [UInt64]) {
        self.init(entropy: entropy, spawnKey: spawnKey.map(SeedSequence.words(of:)))
    }

    /// The little-endian 32-bit words of a non-negative integer, as numpy coerces it
    /// (`0` is one word, `[0]`).
    public static func words(of value: UInt64) -> [UInt32] {
        if value == 0 { return [0] }
        var v = value
        var out: [UInt32] = []
        while v > 0 {
            out.append(UInt32(truncatingIfNeeded: v))
            v >>= 32
        }
        return out
    }

    /// The little-endian 32-bit words of the integer whose little-endian bytes are
    /// `bytes` (Python's `int.from_bytes(bytes, "little")`), trailing zero bytes dropped.
    public static func words(ofBytes bytes: [UInt8]) -> [UInt32] {
        var trimmed = bytes
        while let last = trimmed.last, last == 0 { trimmed.removeLast() }
        if trimmed.isEmpty { return [0] }
        var out: [UInt32] = []
        var i = 0
        while i < trimmed.count {
            var w: UInt32 = 0
            for j in 0..<4 where i + j < trimmed.count {
                w |= UInt32(trimmed[i + j]) << (8 * UInt32(j))
            }
            out.append(w)
            i += 4
        }
        return out
    }

    /// `count` 32-bit words of generator state.
    public func generateState32(count: Int) -> [UInt32] {
        var hashConst = SeedSequence.initB
        var out = [UInt32](repeating: 0, count: count)
        for i in 0..<count {
            var value = pool[i % pool.count]
            value ^= hashConst
            hashConst = hashConst &* SeedSequence.multB
            value = value &* hashConst
            value ^= value >> SeedSequence.xShift
            out[i] = value
        }
        return out
    }

    /// `count` 64-bit words of generator state (pairs of 32-bit words, little-endian),
    /// as `generate_state(count, numpy.uint64)`.
    public func generateState64(count: Int) -> [UInt64] {
        let w = generateState32(count: 2 * count)
        return (0..<count).map { UInt64(w[2 * $0]) | (UInt64(w[2 * $0 + 1]) << 32) }
    }

    private static func hashmix(_ value: UInt32, _ hashConst: inout UInt32) -> UInt32 {
        var v = value ^ hashConst
        hashConst = hashConst &* multA
        v = v &* hashConst
        v ^= v >> xShift
        return v
    }

    private static func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
        var r = (mixMultL &* x) &- (mixMultR &* y)
        r ^= r >> xShift
        return r
    }

    private static func mixEntropy(_ entropy: [UInt32]) -> [UInt32] {
        var hashConst = initA
        var mixer = [UInt32](repeating: 0, count: poolSize)
        for i in 0..<poolSize {
            mixer[i] = hashmix(i < entropy.count ? entropy[i] : 0, &hashConst)
        }
        for src in 0..<poolSize {
            for dst in 0..<poolSize where src != dst {
                mixer[dst] = mix(mixer[dst], hashmix(mixer[src], &hashConst))
            }
        }
        if entropy.count > poolSize {
            for src in poolSize..<entropy.count {
                for dst in 0..<poolSize {
                    mixer[dst] = mix(mixer[dst], hashmix(entropy[src], &hashConst))
                }
            }
        }
        return mixer
    }
}
