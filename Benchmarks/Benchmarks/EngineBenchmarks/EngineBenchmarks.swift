import Benchmark
import Foundation
import SubcastCore
import SubcastIO

/// The `sbg-cohorts` benchmark model: horizon 60, lambda new subscribers a month ~ Poisson,
/// price 50, sBG churn alpha 0.5, beta 12. `lifetimeMonths: 1` turns off the CLTV follow-up past
/// the horizon, so the loop is exactly the benchmark's: one Poisson draw per month and one
/// binomial draw per active cohort, trials x 60 x 61 / 2 binomial draws (1,830 per trial).
func sbgCohorts(lambda: Double = 1000, lifetimeMonths: Int = 1) -> Scenario {
    Scenario(name: "sbg-cohorts", horizonMonths: 60, trials: 20_000,
             plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: 0.5, beta: 12))],
             acquisition: Acquisition(newPerMonth: lambda, planMix: [1]),
             economics: Economics(grossMargin: 1, discountRatePerYear: 0.10),
             lifetimeMonths: lifetimeMonths)
}

let cores = ProcessInfo.processInfo.activeProcessorCount

/// "20k", "100k", "5k".
func k(_ n: Int) -> String { "\(n / 1000)k" }

/// "1 thread", "2 threads".
func threadsText(_ n: Int) -> String { n == 1 ? "1 thread" : "\(n) threads" }

// Every benchmark times one call of `MonteCarloEngine.run` (or `Simulation.run`) per iteration:
// wall clock and CPU time per call; throughput = calls per second. Names say: model, what varies,
// trials, threads. Baselines (C + GSL, NumPy) and the target ratios: run-baselines.sh.
let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .throughput],
                                         timeUnits: .milliseconds, warmupIterations: 1,
                                         maxDuration: .seconds(20), maxIterations: 5)
    // The scaling series takes up to 22 s a call at 100k trials: no warm-up, fewer iterations.
    let scaling = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .throughput],
                                          timeUnits: .milliseconds, warmupIterations: 0,
                                          maxDuration: .seconds(20), maxIterations: 3)
    let model = CohortModel(sbgCohorts())

    // Thread scaling at the benchmark size: 20,000 x 1,830 = 36.6 M binomial draws per call.
    for threads in Set([1, cores]).sorted() {
        Benchmark("sbg-cohorts engine: 20k trials, \(threadsText(threads))",
                  configuration: config) { _ in
            blackHole(try MonteCarloEngine.run(model, trials: 20_000, seed: 1, threads: threads))
        }
    }
    // The bounded-memory path Simulation.run uses: every output series reduced to moments and a
    // quantile sketch per trial instead of stored in the trial matrix.
    Benchmark("sbg-cohorts engine, streaming statistics (reduce): 20k trials, 1 thread", configuration: config) { _ in
        blackHole(try MonteCarloEngine.reduce(model, trials: 20_000, seed: 1, threads: 1))
    }
    // Cost must not depend on the number of subscribers, only on trials x months x cohorts.
    for lambda in [1_000, 1_000_000] {
        let m = CohortModel(sbgCohorts(lambda: Double(lambda)))
        Benchmark("sbg-cohorts engine, lambda \(lambda): 5k trials, 1 thread", configuration: config) { _ in
            blackHole(try MonteCarloEngine.run(m, trials: 5_000, seed: 1, threads: 1))
        }
    }
    // Cost must be linear in trials: the wall clock of 50k and 100k should be 5 x and 10 x 10k.
    for trials in [10_000, 50_000, 100_000] {
        Benchmark("sbg-cohorts engine, trial scaling: \(k(trials)) trials, 1 thread", configuration: scaling) { _ in
            blackHole(try MonteCarloEngine.run(model, trials: trials, seed: 1, threads: 1))
        }
    }
    // A realistic scenario with every business lever on (support, onboarding, annual billing,
    // price events, elasticity, trials, discounts, seats, usage, plan moves, dunning).
    let leversFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios/levers-saas.yaml").path
    if let levers = try? ScenarioLoader.load(path: leversFile) {
        for threads in Set([1, cores]).sorted() {
            Benchmark("levers-saas (every lever) Simulation.run: 1k trials, \(threadsText(threads))", configuration: config) { _ in
                blackHole(try Simulation.run(levers, trials: 1_000, seed: 1, threads: threads))
            }
        }
    }
    // What a user runs: the model with 120 months of CLTV follow-up, plus every summary statistic.
    let full = sbgCohorts(lifetimeMonths: 120)
    Benchmark("sbg-cohorts Simulation.run with 120-month CLTV and statistics: 20k trials, \(threadsText(cores))",
              configuration: config) { _ in
        blackHole(try Simulation.run(full, trials: 20_000, seed: 1, threads: cores))
    }
}
