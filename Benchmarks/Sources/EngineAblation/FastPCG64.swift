import CGSL
import Foundation

/// PCG64 with the multiplier as a literal: the same generator as SubcastStochastics.PCG64
/// (same state layout, same outputs), without the lazily initialised `static let`.
struct FastPCG64 {
    var state: UInt128
    var increment: UInt128

    @inline(__always)
    mutating func next() -> UInt64 {
        state = state &* 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645 &+ increment
        let x = UInt64(truncatingIfNeeded: state >> 64) ^ UInt64(truncatingIfNeeded: state)
        let rot = UInt64(truncatingIfNeeded: state >> 122)
        return rot == 0 ? x : (x >> rot) | (x << (64 - rot))
    }
}

/// FastPCG64's gsl_rng_type. Declared outside main.swift: closures in top-level code are
/// main-actor isolated and would check the executor on every call.
enum FastPCG64Type {
    nonisolated(unsafe) static let type: UnsafeMutablePointer<gsl_rng_type> = {
        let name = strdup("pcg64-fixed")!
        let t = UnsafeMutablePointer<gsl_rng_type>.allocate(capacity: 1)
        t.initialize(to: gsl_rng_type(
            name: UnsafePointer(name), max: UInt.max, min: 0, size: MemoryLayout<FastPCG64>.stride,
            set: { _, _ in },
            get: { s in UInt(s!.assumingMemoryBound(to: FastPCG64.self).pointee.next()) },
            get_double: { s in Double(s!.assumingMemoryBound(to: FastPCG64.self).pointee.next() >> 11) * 0x1.0p-53 }))
        return t
    }()
}
