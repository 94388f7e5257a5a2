// EngineAblation: where the Swift engine's time goes on the `sbg-cohorts` model, measured by
// taking the engine apart one piece at a time. Prints one JSON line per run, with the same keys
// as EngineTimer and the baselines where they apply.
//
// Usage: EngineAblation VARIANT [trials=20000] [seed=1]
//
// Loop variants: the benchmark loop written the way baselines/sbg_cohorts.c writes it (a hazard
// table, the alive counts of the 60 cohorts in one flat buffer, one Poisson draw per month and
// one gsl_ran_binomial per active cohort, per-month active counts summed), single-threaded:
//   lean-mt19937       GSL's mt19937, one generator for the run: the C program in Swift.
//   lean-pcg64         Subcast's generator as the engine uses it (SubcastStochastics'
//                      RandomGenerator: PCG64 in Swift behind a gsl_rng_type), one stream.
//   lean-pcg64-fixed   the same PCG64 (same state, same draws) behind this file's own
//                      gsl_rng_type (FastPCG64.swift), whose multiplier is a literal. It measured
//                      the `swift_once` per random number that Subcast's PCG64 paid while its
//                      multiplier was a lazily initialised `static let` (fixed in 1262396); now
//                      the two should time the same.
//   lean-pcg64-rekey   as lean-pcg64, plus the engine's per-trial re-keying: two streams
//                      (acquisition, churn), each `reseed(StreamKey(seed:trial:name:))` per trial.
//   restructured       the engine's whole job for this model (per-trial re-keying of both streams,
//                      every output into a NaN-filled trial matrix) with CohortModel.simulate's
//                      per-cohort loop restructured (Restructured.swift): what a fix could reach.
//   restructured-check compares its output rows with MonteCarloEngine.run's, value by value.
// Micro-timings:
//   rekey              ns per `RandomGenerator.reseed(StreamKey(...))` (the engine makes 2 a trial).
//   matrix             allocating and NaN-filling the engine's trial matrix for `trials` trials of
//                      the benchmark model (the engine does this inside `MonteCarloEngine.run`).

import CGSL
import Foundation
import SubcastCore
import SubcastStochastics

let horizon = 60
let lambda = 1000.0
let alpha = 0.5, beta = 12.0

let args = Array(CommandLine.arguments.dropFirst())
guard let variant = args.first else {
    FileHandle.standardError.write("usage: EngineAblation VARIANT [trials] [seed]\n".data(using: .utf8)!)
    exit(2)
}
let trials = args.count > 1 ? Int(args[1]) ?? 20_000 : 20_000
let seed = args.count > 2 ? UInt64(args[2]) ?? 1 : 1

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func time(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    let clock = ContinuousClock()
    let c0 = cpuSeconds()
    let t0 = clock.now
    body()
    let d = t0.duration(to: clock.now)
    return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, cpuSeconds() - c0)
}

func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }

// MARK: - generators

/// A GSL generator type found by name among GSL's built-in types ("mt19937", ...).
func gslType(_ name: String) -> UnsafePointer<gsl_rng_type> {
    var p = gsl_rng_types_setup()!
    while let t = p.pointee {
        if String(cString: t.pointee.name) == name { return t }
        p += 1
    }
    fatalError("no GSL generator named \(name)")
}

// MARK: - the lean loop

struct Sums {
    var sum = [Double](repeating: 0, count: horizon)
    var sumsq = [Double](repeating: 0, count: horizon)
}

/// The benchmark loop of baselines/sbg_cohorts.c. `beforeTrial` may re-key the generators.
@inline(__always)
func leanLoop(trials: Int, acquisition: UnsafeMutablePointer<gsl_rng>, churn: UnsafeMutablePointer<gsl_rng>,
              beforeTrial: (Int) -> Void) -> Sums {
    let hazard = UnsafeMutablePointer<Double>.allocate(capacity: horizon)
    for a in 0..<horizon { hazard[a] = alpha / (alpha + beta + Double(a)) }
    let alive = UnsafeMutablePointer<UInt32>.allocate(capacity: horizon)
    let sum = UnsafeMutablePointer<Double>.allocate(capacity: horizon)
    let sumsq = UnsafeMutablePointer<Double>.allocate(capacity: horizon)
    sum.initialize(repeating: 0, count: horizon)
    sumsq.initialize(repeating: 0, count: horizon)
    defer { hazard.deallocate(); alive.deallocate(); sum.deallocate(); sumsq.deallocate() }
    for trial in 0..<trials {
        beforeTrial(trial)
        for m in 0..<horizon {
            alive[m] = gsl_ran_poisson(acquisition, lambda)
            var active: UInt = 0
            for c in 0...m {
                let n = alive[c]
                active &+= UInt(n)
                if n != 0 { alive[c] = n &- gsl_ran_binomial(churn, hazard[m &- c], n) }
            }
            let x = Double(active)
            sum[m] += x
            sumsq[m] += x * x
        }
    }
    var s = Sums()
    for m in 0..<horizon { s.sum[m] = sum[m]; s.sumsq[m] = sumsq[m] }
    return s
}

func report(_ impl: String, rng: String, sums: Sums, wall: Double, cpu: Double) {
    let n = Double(trials)
    var fields: [String] = []
    var ses: [String] = []
    for month in [1, 12, 60] {
        let mean = sums.sum[month - 1] / n
        let v = trials > 1 ? max(0, (sums.sumsq[month - 1] - n * mean * mean) / (n - 1)) : 0
        fields.append("\"mean_active_m\(month)\":\(f(mean))")
        ses.append("\"se_m\(month)\":\(f((v / n).squareRoot()))")
    }
    let steps = trials * horizon * (horizon + 1) / 2
    print("{\"impl\":\"\(impl)\",\"rng\":\"\(rng)\",\"trials\":\(trials),\"lambda\":\(f(lambda, 1)),\"seed\":\(seed),"
        + "\"threads\":1," + fields.joined(separator: ",") + "," + ses.joined(separator: ",")
        + ",\"elapsed_s\":\(f(wall, 6)),\"cpu_s\":\(f(cpu, 6)),\"trials_per_s\":\(f(n / wall, 1)),"
        + "\"steps\":\(steps),\"ns_per_step\":\(f(wall * 1e9 / Double(steps), 3))}")
}

GSL.initialize()
switch variant {
case "lean-mt19937":
    let r = gsl_rng_alloc(gslType("mt19937"))!
    gsl_rng_set(r, UInt(seed))
    var sums = Sums()
    let t = time { sums = leanLoop(trials: trials, acquisition: r, churn: r, beforeTrial: { _ in }) }
    report("swift-lean", rng: "mt19937 via gsl_rng", sums: sums, wall: t.wall, cpu: t.cpu)

case "lean-pcg64":
    let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "churn"))
    var sums = Sums()
    let t = time { sums = leanLoop(trials: trials, acquisition: g.rng, churn: g.rng, beforeTrial: { _ in }) }
    report("swift-lean", rng: "Subcast pcg64 via gsl_rng", sums: sums, wall: t.wall, cpu: t.cpu)
    withExtendedLifetime(g) {}

case "lean-pcg64-fixed":
    let start = PCG64(StreamKey(seed: seed, trial: 0, name: "churn").seedSequence)
    let r = gsl_rng_alloc(FastPCG64Type.type)!
    r.pointee.state.assumingMemoryBound(to: FastPCG64.self).pointee =
        FastPCG64(state: start.state, increment: start.increment)
    var sums = Sums()
    let t = time { sums = leanLoop(trials: trials, acquisition: r, churn: r, beforeTrial: { _ in }) }
    report("swift-lean", rng: "pcg64 without swift_once via gsl_rng", sums: sums, wall: t.wall, cpu: t.cpu)

case "lean-pcg64-rekey":
    let names = ["acquisition", "churn"]
    let streams = names.map { RandomGenerator(StreamKey(seed: seed, trial: 0, name: $0)) }
    var sums = Sums()
    let t = time {
        sums = leanLoop(trials: trials, acquisition: streams[0].rng, churn: streams[1].rng, beforeTrial: { trial in
            for (g, name) in zip(streams, names) {
                g.reseed(StreamKey(seed: seed, trial: UInt64(trial), name: name))
            }
        })
    }
    report("swift-lean", rng: "Subcast pcg64 via gsl_rng, 2 streams re-keyed per trial", sums: sums,
           wall: t.wall, cpu: t.cpu)
    withExtendedLifetime(streams) {}

case "restructured", "restructured-check":
    let scenario = Scenario(
        name: "sbg-cohorts", horizonMonths: horizon, trials: trials,
        plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: alpha, beta: beta))],
        acquisition: Acquisition(newPerMonth: lambda, planMix: [1]),
        economics: Economics(grossMargin: 1, discountRatePerYear: 0.10), lifetimeMonths: 1)
    let model = RestructuredModel(scenario)
    let names = ["acquisition", "churn"]
    let streams = names.map { RandomGenerator(StreamKey(seed: seed, trial: 0, name: $0)) }
    let scratch = RestructuredModel.Scratch(horizon: horizon)
    let width = model.width
    var storage = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    let t = time {
        storage = .allocate(capacity: trials * width)
        storage.initialize(repeating: .nan)
        for trial in 0..<trials {
            for (g, name) in zip(streams, names) {
                g.reseed(StreamKey(seed: seed, trial: UInt64(trial), name: name))
            }
            model.simulate(acquisition: streams[0].rng, churn: streams[1].rng, scratch: scratch,
                           into: storage.baseAddress! + trial * width)
        }
    }
    var sums = Sums()
    let active = model.monthly[0]
    for trial in 0..<trials {
        for m in 0..<horizon {
            let x = storage[trial * width + active + m]
            sums.sum[m] += x
            sums.sumsq[m] += x * x
        }
    }
    if variant == "restructured" {
        report("swift-restructured", rng: "Subcast pcg64 via gsl_rng, 2 streams re-keyed per trial", sums: sums,
               wall: t.wall, cpu: t.cpu)
    } else {
        let engine = try MonteCarloEngine.run(CohortModel(scenario), trials: trials, seed: seed, threads: 1)
        var differ = 0
        for trial in 0..<trials {
            for j in 0..<width {
                let a = storage[trial * width + j], b = engine[trial, j]
                if !(a == b || (a.isNaN && b.isNaN)) { differ += 1 }
            }
        }
        print("{\"impl\":\"restructured-check\",\"trials\":\(trials),\"values\":\(trials * width),"
            + "\"values_that_differ_from_the_engine\":\(differ)}")
    }
    withExtendedLifetime(streams) {}

case "rekey":
    let g = RandomGenerator(StreamKey(seed: seed, trial: 0, name: "churn"))
    let n = max(trials, 1) * 50
    var check: UInt64 = 0
    let t = time {
        for i in 0..<n {
            g.reseed(StreamKey(seed: seed, trial: UInt64(i), name: "churn"))
            check &+= UInt64(truncatingIfNeeded: g.state.state)
        }
    }
    print("{\"impl\":\"rekey\",\"count\":\(n),\"elapsed_s\":\(f(t.wall, 6)),\"cpu_s\":\(f(t.cpu, 6)),"
        + "\"ns_per_rekey\":\(f(t.wall * 1e9 / Double(n), 1)),\"check\":\(check & 0xffff)}")

case "matrix":
    let scenario = Scenario(
        name: "sbg-cohorts", horizonMonths: horizon, trials: trials,
        plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: alpha, beta: beta))],
        acquisition: Acquisition(newPerMonth: lambda, planMix: [1]),
        economics: Economics(grossMargin: 1, discountRatePerYear: 0.10), lifetimeMonths: 1)
    let width = CohortModel(scenario).layout.width
    var check = 0.0
    // As TrialMatrix.init: allocate trials x width doubles, fill with NaN; then, as
    // CohortModel.simulate does for every row, fill each row with NaN once more.
    let t = time {
        let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: trials * width)
        storage.initialize(repeating: .nan)
        for trial in 0..<trials {
            let row = UnsafeMutableBufferPointer(rebasing: storage[(trial * width)..<((trial + 1) * width)])
            for i in 0..<row.count { row[i] = .nan }
            row[trial % width] = Double(trial)
        }
        check = storage[trials * width - 1]
        storage.deallocate()
    }
    print("{\"impl\":\"matrix\",\"trials\":\(trials),\"width\":\(width),\"mbytes\":\(f(Double(trials * width * 8) / 1e6, 1)),"
        + "\"elapsed_s\":\(f(t.wall, 6)),\"cpu_s\":\(f(t.cpu, 6)),\"check\":\(check.isNaN ? 0 : 1)}")

default:
    FileHandle.standardError.write("EngineAblation: unknown variant \(variant)\n".data(using: .utf8)!)
    exit(2)
}
