#if MPI
// `subcast run` across MPI ranks; compiled only with the package trait MPI
// (`swift build --traits MPI`, needs Open MPI: libopenmpi-dev, openmpi-bin).
//
//   mpirun -np N subcast run SCENARIO [--trials T] [--seed S] [--format json] [--out DIR] ...
//
// Rank r simulates shard r of N: the merge blocks `MonteCarloEngine.mergeBlocks(trials:shard:r
// of:N)` (whole blocks of 4096 trials, the same split as `--shard r/N`), keeping per-block
// moments. Each rank sends its exact statistics to rank 0, which joins them in block order
// (`Reduction.join`), builds the result and renders it as a one-process run would: the output is
// byte-identical to `subcast run SCENARIO --seed S` in one process, for any number of ranks and
// threads. Only rank 0 writes stdout, --out and --report; the other ranks print nothing but errors.
//
// With one rank (mpirun -np 1, or the MPI build started without mpirun) `run` behaves exactly
// as in the default build.
//
// Failures never leave ranks waiting for each other. Every rank reads the scenario and checks
// the options itself; then all ranks agree (one MPI_Allreduce) on whether every rank succeeded
// before anything else is exchanged, and again after the simulation (an error or Ctrl-C on any
// rank). If any rank failed, every rank calls MPI_Finalize and exits non-zero: a failing rank
// with its own exit status (2 bad input, 1 runtime failure, 130 interrupted), the others with the
// highest status of any rank. Rank 0's error is printed once (all ranks read the same file and
// options, so theirs is the same); an error only some other rank has (say the scenario is missing
// on its node) is printed by that rank, prefixed with its rank. `--shard`/`--partial` with more
// than one rank is refused (exit 2): the ranks already split the run. A seed given by --seed or
// the scenario is used by all ranks; without one, rank 0 draws it, prints it and broadcasts it.

import ArgumentParser
import CMPI
import Foundation
import SubcastCore
import SubcastIO

/// MPI_COMM_WORLD as seen by this process: rank, size, and the few collective operations a
/// distributed run needs. MPI is called from the main thread only (MPI_THREAD_FUNNELED).
final class MPIWorld {
    let rank: Int
    let size: Int
    private var finalized = false

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// MPI_Init_thread (funneled) and the rank and size of MPI_COMM_WORLD. MPI's default error
    /// handler aborts the job on a failed call, so the calls below are checked only for form.
    static func start() -> MPIWorld {
        var provided: Int32 = 0
        check(MPI_Init_thread(nil, nil, subcast_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        var rank: Int32 = 0, size: Int32 = 0
        check(MPI_Comm_rank(subcast_mpi_comm_world(), &rank), "MPI_Comm_rank")
        check(MPI_Comm_size(subcast_mpi_comm_world(), &size), "MPI_Comm_size")
        return MPIWorld(rank: Int(rank), size: Int(size))
    }

    /// MPI_Finalize, once.
    func finish() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    /// Every rank contributes its status (0 = fine); returns the highest status of all ranks and
    /// rank 0's status. Collective: every rank must call it at the same point.
    func agree(_ status: Int32) -> (worst: Int32, rank0: Int32) {
        var mine: [Int32] = [status, rank == 0 ? status : 0]
        var all: [Int32] = [0, 0]
        MPIWorld.check(MPI_Allreduce(&mine, &all, 2, subcast_mpi_int(), subcast_mpi_max(), subcast_mpi_comm_world()),
                       "MPI_Allreduce")
        return (all[0], all[1])
    }

    /// Rank 0's value on every rank. Collective.
    func broadcast(_ value: UInt64) -> UInt64 {
        var v = value
        MPIWorld.check(MPI_Bcast(&v, 1, subcast_mpi_uint64(), 0, subcast_mpi_comm_world()), "MPI_Bcast")
        return v
    }

    /// Largest message; longer payloads go in several (MPI counts are 32-bit).
    private static let chunk = 1 << 30

    /// Sends bytes to `rank`: the length (tag 1), then the bytes in chunks (tag 2).
    func send(_ bytes: [UInt8], to rank: Int) {
        var count = UInt64(bytes.count)
        MPIWorld.check(MPI_Send(&count, 1, subcast_mpi_uint64(), Int32(rank), 1, subcast_mpi_comm_world()), "MPI_Send")
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = min(MPIWorld.chunk, buffer.count - offset)
                MPIWorld.check(MPI_Send(buffer.baseAddress! + offset, Int32(n), subcast_mpi_byte(), Int32(rank), 2,
                                        subcast_mpi_comm_world()), "MPI_Send")
                offset += n
            }
        }
    }

    /// Receives what `send` sent from `rank`.
    func receive(from rank: Int) -> [UInt8] {
        var count: UInt64 = 0
        MPIWorld.check(MPI_Recv(&count, 1, subcast_mpi_uint64(), Int32(rank), 1, subcast_mpi_comm_world(),
                                subcast_mpi_status_ignore()), "MPI_Recv")
        var bytes = [UInt8](repeating: 0, count: Int(count))
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = min(MPIWorld.chunk, buffer.count - offset)
                MPIWorld.check(MPI_Recv(buffer.baseAddress! + offset, Int32(n), subcast_mpi_byte(), Int32(rank), 2,
                                        subcast_mpi_comm_world(), subcast_mpi_status_ignore()), "MPI_Recv")
                offset += n
            }
        }
        return bytes
    }

    private static func check(_ code: Int32, _ what: String) {
        if code != subcast_mpi_success() {
            FileHandle.standardError.write(Data("subcast: error: \(what) failed (MPI error \(code)); aborting all ranks\n".utf8))
            MPI_Abort(subcast_mpi_comm_world(), ExitStatus.runtimeFailure)
        }
    }
}

/// A failure on one rank, held back until all ranks have agreed on the outcome.
private struct RankFailure: Error {
    var message: String
    var code: Int32
}

/// What every rank needs to simulate its shard: checked options and the scenario.
private struct DistributedPlan {
    var family: ScenarioFamily
    var scenario: Scenario { family.base }
    var scenarioDigest: UInt64
    var trials: Int
    var threads: Int
    var seed: UInt64?
    /// The outputs, checked on every rank; rank 0 writes them.
    var outputs: OutputPlan
}

extension Run {
    /// `run` on one of several MPI ranks (see the top of this file).
    func runDistributed(_ world: MPIWorld) throws {
        let start = DispatchTime.now()

        // 1. Every rank checks the scenario and options; all agree before anything else.
        let plan: DistributedPlan?
        var failure: RankFailure?
        do throws(RankFailure) {
            plan = try distributedPlan(ranks: world.size)
        } catch {
            plan = nil
            failure = error
        }
        try settle(world, failure)
        guard let plan else { throw ExitCode(ExitStatus.runtimeFailure) }  // unreachable: settle threw

        // 2. One seed for all ranks: given, or drawn by rank 0.
        var seed = plan.seed ?? 0
        if world.rank == 0 && plan.seed == nil {
            seed = UInt64.random(in: 0..<(1 << 53))
            note("no seed given; drew seed \(seed) (pass --seed \(seed) to reproduce)")
        }
        seed = world.broadcast(seed)

        // 3. Each rank simulates its shard of whole merge blocks.
        let n = plan.trials
        let blocks = MonteCarloEngine.mergeBlocks(trials: n, shard: world.rank, of: world.size)
        let trialsHere = max(0, min(blocks.upperBound * Reduction.mergeBlockSize, n) - blocks.lowerBound * Reduction.mergeBlockSize)
        let interruption = Interruption()
        let bar = ProgressBar(total: trialsHere, enabled: !common.quiet && world.rank == 0)
        let progress: (@Sendable (Int) -> Void)? = bar.enabled ? { @Sendable done in bar.update(done) } : nil
        var reduction: Reduction?
        do throws(SimulationError) {
            reduction = try MonteCarloEngine.reduce(ForecastModel(plan.family), trials: n, seed: seed, threads: plan.threads,
                                                    mergeBlocks: blocks, keepBlocks: true, progress: progress,
                                                    isCancelled: { interruption.isRequested })
            bar.finish()
        } catch {
            bar.finish()
            failure = RankFailure(message: error.description, code: error.exitStatus)
        }
        try settle(world, failure)
        guard let reduction else { throw ExitCode(ExitStatus.runtimeFailure) }  // unreachable: settle threw

        // 4. Ranks 1 ... N-1 send their statistics to rank 0, which joins them and prints.
        let header = ShardHeader(trials: n, width: reduction.width, seed: seed, scenarioDigest: plan.scenarioDigest,
                                 mergeBlocks: blocks)
        guard world.rank == 0 else {
            world.send(ShardCodec.encode(reduction, header: header), to: 0)
            return
        }
        var parts = [reduction]
        for r in 1..<world.size {
            let expected = ShardHeader(trials: n, width: reduction.width, seed: seed, scenarioDigest: plan.scenarioDigest,
                                       mergeBlocks: MonteCarloEngine.mergeBlocks(trials: n, shard: r, of: world.size))
            let bytes = world.receive(from: r)
            do throws(RankFailure) {
                parts.append(try ShardCodec.decode(bytes, expecting: expected, rank: r))
            } catch {
                throw fail(error.message, code: error.code)
            }
        }
        guard let joined = Reduction.join(parts), joined.mergeBlocks == 0..<Reduction.mergeBlockCount(trials: n) else {
            throw fail("the ranks' merge blocks do not tile the run (internal error)", code: ExitStatus.runtimeFailure)
        }
        let result = Simulation.result(plan.family, seed: seed, reduction: joined)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if !common.quiet {
            note(String(format: "%d trials in %.2f s (%.0f trials/s) on %d MPI ranks (%d thread%@ on rank 0)", n, seconds,
                        Double(n) / max(seconds, 1e-9), world.size, plan.threads, plan.threads == 1 ? "" : "s"))
        }
        try emit(result, info: RunInfo(scenarioFile: self.scenario), format: format, out: out, report: report, plan: plan.outputs,
                 quiet: common.quiet, csvLayout: csvLayout)
    }

    /// After every rank has contributed its outcome: returns if all succeeded, else throws the
    /// exit status on every rank, printing each distinct error once (see the top of the file).
    private func settle(_ world: MPIWorld, _ failure: RankFailure?) throws {
        let (worst, rank0) = world.agree(failure?.code ?? 0)
        guard worst != 0 else { return }
        if let failure {
            if world.rank == 0 { throw fail(failure.message, code: failure.code) }
            if rank0 == 0 { throw fail("rank \(world.rank) of \(world.size): \(failure.message)", code: failure.code) }
            throw ExitCode(failure.code)
        }
        if world.rank == 0 { throw fail("stopped: another MPI rank failed (its error is above)", code: worst) }
        throw ExitCode(worst)
    }

    /// The checks of `run`, without printing: the same messages and exit statuses.
    private func distributedPlan(ranks: Int) throws(RankFailure) -> DistributedPlan {
        func bad(_ key: String, _ message: String) -> RankFailure {
            RankFailure(message: ScenarioError(file: "<command line>", keyPath: key, message: message).description,
                        code: ExitStatus.badInput)
        }
        if shard != nil || partial != nil {
            throw bad(shard != nil ? "--shard" : "--partial",
                      "\(ranks) MPI ranks already split the run; drop --shard and --partial (or run with one rank)")
        }
        let family: ScenarioFamily
        do {
            family = try ScenarioLoader.loadFamily(path: self.scenario).reporting(percentiles: try percentileOptions.parsed())
        } catch {
            throw RankFailure(message: error.description, code: ExitStatus.badInput)
        }
        let scenario = family.base
        guard let data = FileManager.default.contents(atPath: self.scenario) else {
            throw RankFailure(message: "\(self.scenario): cannot re-read the scenario text", code: ExitStatus.runtimeFailure)
        }
        let digest = PartialResult.digest(data)
        let n: Int, t: Int
        do {
            (n, t) = try checkedSize(scenario, processes: ranks)
        } catch {
            throw RankFailure(message: error.description, code: ExitStatus.badInput)
        }
        // Every rank checks the outputs too, so that a bad path fails on all of them before the work.
        var outputs = OutputPlan(inputs: [self.scenario])
        do {
            if let dir = out { try outputs.add(directory: dir, names: ["summary.txt", "summary.csv", "summary.json"], role: "--out") }
            if let path = report { try outputs.add(file: path, role: "--report") }
        } catch {
            throw RankFailure(message: error.description, code: ExitStatus.runtimeFailure)
        }
        return DistributedPlan(family: family, scenarioDigest: digest, trials: n, threads: t, seed: common.seed ?? scenario.seed,
                               outputs: outputs)
    }
}

/// What a rank's statistics must match on rank 0.
private struct ShardHeader: Equatable {
    var trials: Int
    var width: Int
    var seed: UInt64
    var scenarioDigest: UInt64
    var mergeBlocks: Range<Int>
}

/// Exact binary encoding of a shard's Reduction for the trip to rank 0 (both ends are the same
/// binary): magic, header, then per merge block per series n, mean and m2 (the doubles' bit
/// patterns), then per series the quantile sketch in its exact text encoding. Little-endian.
private enum ShardCodec {
    static let magic = Array("subcast-mpi-shard-2\n".utf8)

    static func encode(_ r: Reduction, header h: ShardHeader) -> [UInt8] {
        var out = magic
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        for v in [UInt64(h.trials), UInt64(h.width), h.seed, h.scenarioDigest,
                  UInt64(h.mergeBlocks.lowerBound), UInt64(h.mergeBlocks.upperBound)] { u64(v) }
        let blocks = r.blockMoments ?? []
        out.reserveCapacity(out.count + blocks.count * r.width * 24)
        for block in blocks {
            for m in block {
                u64(UInt64(bitPattern: Int64(m.n)))
                u64(m.mean.bitPattern)
                u64(m.m2.bitPattern)
            }
        }
        for s in r.sketches {
            let text = Array(s.encoded.utf8)
            u64(UInt64(text.count))
            out += text
        }
        return out
    }

    static func decode(_ bytes: [UInt8], expecting h: ShardHeader, rank: Int) throws(RankFailure) -> Reduction {
        func bad(_ what: String) -> RankFailure {
            RankFailure(message: "rank \(rank): \(what); all ranks must run the same subcast build on the same scenario file and options",
                        code: ExitStatus.runtimeFailure)
        }
        var at = 0
        func take(_ n: Int) throws(RankFailure) -> ArraySlice<UInt8> {
            guard n >= 0, bytes.count - at >= n else { throw bad("its statistics are truncated") }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func u64() throws(RankFailure) -> UInt64 {
            var v: UInt64 = 0
            for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            return v
        }
        guard Array(try take(magic.count)) == magic else { throw bad("sent no subcast statistics") }
        let trials = try u64(), width = try u64(), seed = try u64(), digest = try u64(), lo = try u64(), hi = try u64()
        guard digest == h.scenarioDigest else { throw bad("read a different scenario file (the file differs between nodes?)") }
        guard trials == UInt64(h.trials), width == UInt64(h.width), seed == h.seed,
              lo == UInt64(h.mergeBlocks.lowerBound), hi == UInt64(h.mergeBlocks.upperBound) else {
            throw bad("simulated a different run (trials, outputs, seed or merge blocks differ)")
        }
        var blocks: [[Moments]] = []
        blocks.reserveCapacity(h.mergeBlocks.count)
        for _ in h.mergeBlocks {
            var row: [Moments] = []
            row.reserveCapacity(h.width)
            for _ in 0..<h.width {
                let count = Int64(bitPattern: try u64())
                guard count >= 0 else { throw bad("sent malformed moments") }
                row.append(Moments(n: Int(count), mean: Double(bitPattern: try u64()), m2: Double(bitPattern: try u64())))
            }
            blocks.append(row)
        }
        var sketches: [QuantileSketch] = []
        for _ in 0..<h.width {
            let length = try u64()
            guard length <= UInt64(bytes.count - at) else { throw bad("its statistics are truncated") }
            guard let text = String(bytes: try take(Int(length)), encoding: .utf8),
                  let sketch = QuantileSketch(encoded: text[...]),
                  sketch.relativeAccuracy == QuantileSketch.defaultRelativeAccuracy else { throw bad("sent a malformed quantile sketch") }
            sketches.append(sketch)
        }
        guard at == bytes.count else { throw bad("sent trailing bytes") }
        return Reduction(trials: h.trials, width: h.width, mergeBlocks: h.mergeBlocks, blockMoments: blocks,
                         total: Reduction.fold(blocks, width: h.width), sketches: sketches)
    }
}
#endif
