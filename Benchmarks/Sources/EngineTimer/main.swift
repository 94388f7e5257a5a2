// EngineTimer: times Subcast's Monte Carlo engine on the `sbg-cohorts` benchmark model and
// prints one JSON line in the same format as baselines/sbg_cohorts.c and
// baselines/sbg_cohorts_numpy.py, so run-baselines.sh can compare them side by side.
//
// Usage: EngineTimer [trials=20000] [lambda=1000] [seed=1] [threads=1] [api=run]
//
// api `run` (default) times `MonteCarloEngine.run`, which stores every trial's outputs in a trial
// matrix; api `forecast` the same through `ForecastModel` (the enum `Simulation.run` dispatches
// through) instead of `CohortModel` directly, to measure the dispatch; api `reduce` times
// `MonteCarloEngine.reduce`, the bounded-memory streaming statistics that `Simulation.run` uses
// (per series Welford moments and a quantile sketch, folded per block).
//
// The model (horizon 60, lambda new subscribers a month ~ Poisson, price 50, sBG churn with
// alpha 0.5 and beta 12, `lifetimeMonths: 1` so that no CLTV follow-up runs past the horizon):
// per trial and month one Poisson draw, then one binomial draw per active cohort, i.e.
// trials x 60 x 61 / 2 binomial draws ("cohort-month steps"). Only the engine call is timed
// (`run` includes allocating and filling the trial matrix, `reduce` the statistics of every
// output series); model construction and the means computed afterwards are not.
//
// Exact expectations at lambda 1000 (closed form): mean active 1000 in month 1, 10061.4618 in
// month 12, 34875.1054 in month 60 (they scale with lambda).

import Foundation
import SubcastCore

let horizon = 60
let args = CommandLine.arguments.dropFirst().map { $0 }
func arg<T: LosslessStringConvertible>(_ i: Int, _ fallback: T) -> T {
    guard i < args.count else { return fallback }
    guard let v = T(args[i]) else {
        FileHandle.standardError.write("EngineTimer: cannot read argument \(i + 1) '\(args[i])'\n".data(using: .utf8)!)
        exit(2)
    }
    return v
}
let trials: Int = arg(0, 20_000)
let lambda: Double = arg(1, 1000)
let seed: UInt64 = arg(2, 1)
let threads: Int = arg(3, 1)
let api: String = arg(4, "run")
guard trials >= 1, threads >= 1, lambda > 0, ["run", "reduce", "forecast"].contains(api) else {
    FileHandle.standardError.write("usage: EngineTimer [trials>=1] [lambda>0] [seed] [threads>=1] [run|reduce|forecast]\n".data(using: .utf8)!)
    exit(2)
}

let scenario = Scenario(
    name: "sbg-cohorts", horizonMonths: horizon, trials: trials,
    plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: 0.5, beta: 12))],
    acquisition: Acquisition(newPerMonth: lambda, planMix: [1]),
    economics: Economics(grossMargin: 1, discountRatePerYear: 0.10),
    lifetimeMonths: 1)
let model = CohortModel(scenario)
let steps = trials * horizon * (horizon + 1) / 2
precondition(model.stepsPerTrial * trials == steps, "the model is not the benchmark's loop")

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

let active = model.layout.block("active")!.offset
/// `body`'s result, wall-clock seconds and process CPU seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double, Double) {
    let clock = ContinuousClock()
    let cpu0 = cpuSeconds()
    let t0 = clock.now
    let result = try body()
    let d = t0.duration(to: clock.now)
    return (result, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, cpuSeconds() - cpu0)
}
var seconds = 0.0, cpu = 0.0

// Mean and standard error of the active subscribers in months 1, 12 and 60.
var stats: [(mean: Double, se: Double)] = []
let forecast = ForecastModel(scenario)
precondition(forecast.layout.width == model.layout.width)
if api == "run" || api == "forecast" {
    let (matrix, wall, used) = try timed {
        api == "run" ? try MonteCarloEngine.run(model, trials: trials, seed: seed, threads: threads)
                     : try MonteCarloEngine.run(forecast, trials: trials, seed: seed, threads: threads)
    }
    (seconds, cpu) = (wall, used)
    for month in [1, 12, 60] {
        var s = 0.0, ss = 0.0
        for t in 0..<trials {
            let x = matrix[t, active + month - 1]
            s += x
            ss += x * x
        }
        let n = Double(trials)
        let mean = s / n
        let variance = trials > 1 ? max(0, (ss - n * mean * mean) / (n - 1)) : 0
        stats.append((mean, (variance / n).squareRoot()))
    }
} else {
    let (reduction, wall, used) = try timed {
        try MonteCarloEngine.reduce(model, trials: trials, seed: seed, threads: threads)
    }
    (seconds, cpu) = (wall, used)
    for month in [1, 12, 60] {
        let m = reduction.total[active + month - 1]
        stats.append((m.mean, m.sd / Double(m.n).squareRoot()))
    }
}
let (m1, se1) = stats[0], (m12, se12) = stats[1], (m60, se60) = stats[2]

func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }
print("{\"impl\":\"swift-engine\(api == "run" ? "" : " (\(api))")\",\"rng\":\"pcg64 via gsl_rng (per-trial SeedSequence streams)\","
    + "\"trials\":\(trials),\"lambda\":\(f(lambda, 1)),\"seed\":\(seed),\"threads\":\(threads),"
    + "\"mean_active_m1\":\(f(m1)),\"mean_active_m12\":\(f(m12)),\"mean_active_m60\":\(f(m60)),"
    + "\"se_m1\":\(f(se1)),\"se_m12\":\(f(se12)),\"se_m60\":\(f(se60)),"
    + "\"elapsed_s\":\(f(seconds, 6)),\"cpu_s\":\(f(cpu, 6)),\"trials_per_s\":\(f(Double(trials) / seconds, 1)),"
    + "\"steps\":\(steps),\"ns_per_step\":\(f(seconds * 1e9 / Double(steps), 3))}")
