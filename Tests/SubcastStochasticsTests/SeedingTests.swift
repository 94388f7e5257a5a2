import Testing
@testable import SubcastStochastics

/// Known answers computed with numpy 2.4 (`numpy.random.SeedSequence`, `numpy.random.PCG64`).
@Suite struct SeedingTests {
    @Test func seedSequenceMatchesNumpyWithSpawnKey() {
        // SeedSequence(42, spawn_key=(7, int.from_bytes(b"churn", "little"))).generate_state(4, uint64)
        let key = StreamKey(seed: 42, trial: 7, name: "churn")
        #expect(key.seedSequence.generateState64(count: 4) ==
                [0xe797_508a_6457_cf46, 0x46d8_2b07_3c7e_30a1, 0xe6ef_6a52_c6d2_2c63, 0x75af_3450_eba4_c05b])
    }

    @Test func seedSequenceMatchesNumpyForLargeSeed() {
        let ss = SeedSequence(entropy: 12_345_678_901_234_567_890)
        #expect(ss.generateState64(count: 4) ==
                [0x3adc_e17e_3465_14ac, 0x59e9_bcc3_88fa_7613, 0xf848_c11a_70fd_2314, 0x2fce_4134_a50b_adc2])
    }

    @Test func pcg64RawOutputsMatchNumpy() {
        let g = RandomGenerator(StreamKey(seed: 42, trial: 7, name: "churn"))
        #expect([g.nextRaw(), g.nextRaw(), g.nextRaw()] ==
                [0xd12a_b987_fb93_c613, 0x56e8_49f8_9cdd_c6a1, 0x732c_2657_de0b_ce12])
    }

    @Test func uniformDoublesMatchNumpy() {
        // numpy.random.Generator(PCG64(SeedSequence(12345678901234567890))).random(2)
        let g = RandomGenerator(state: PCG64(SeedSequence(entropy: 12_345_678_901_234_567_890)))
        #expect(g.uniform() == 0.004224879795573511)
        #expect(g.uniform() == 0.6523439976170509)
    }

    @Test func streamsForNeighbouringTrialsAndNamesDiffer() {
        var seen = Set<UInt64>()
        for trial in 0..<2000 as Range<UInt64> {
            for name in ["acquisition", "churn", "churm", "a"] {
                let g = RandomGenerator(StreamKey(seed: 1, trial: trial, name: name))
                seen.insert(g.nextRaw())
            }
        }
        #expect(seen.count == 8000)
    }

    @Test func reseedingRestartsTheStream() {
        let key = StreamKey(seed: 9, trial: 3, name: "acquisition")
        let g = RandomGenerator(key)
        let first = (0..<5).map { _ in g.nextRaw() }
        g.reseed(StreamKey(seed: 9, trial: 4, name: "acquisition"))
        _ = g.nextRaw()
        g.reseed(key)
        #expect((0..<5).map { _ in g.nextRaw() } == first)
    }

    @Test func bigSeedsAreNotTruncatedTo32Bits() {
        let a = RandomGenerator(StreamKey(seed: 5, trial: 0, name: "x")).nextRaw()
        let b = RandomGenerator(StreamKey(seed: 5 + (1 << 32), trial: 0, name: "x")).nextRaw()
        #expect(a != b)
    }
}
