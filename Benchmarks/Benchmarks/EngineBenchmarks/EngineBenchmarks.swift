import Benchmark
import Foundation
import SubcastCore

/// The `sbg-cohorts` model of benchmark-model.md: horizon 60, lambda 1000, price 50,
/// alpha 0.5, beta 12. `lifetimeMonths: 1` turns off the CLTV follow-up past the horizon, so the
/// loop is exactly the benchmark's: one Poisson draw per month and one binomial draw per active
/// cohort, trials x 60 x 61 / 2 binomial draws.
func sbgCohorts(lambda: Double = 1000, lifetimeMonths: Int = 1) -> Scenario {
    Scenario(name: "sbg-cohorts", horizonMonths: 60, trials: 20_000,
             plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: 0.5, beta: 12))],
             acquisition: Acquisition(newPerMonth: lambda, planMix: [1]),
             economics: Economics(grossMargin: 1, discountRatePerYear: 0.10),
             lifetimeMonths: lifetimeMonths)
}

let cores = ProcessInfo.processInfo.activeProcessorCount

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .throughput],
                                         timeUnits: .milliseconds, warmupIterations: 1,
                                         maxDuration: .seconds(20), maxIterations: 5)
    let model = CohortModel(sbgCohorts())
    // One cohort-month step = one binomial draw; 20,000 x 1830 steps per iteration.
    for threads in Set([1, cores]).sorted() {
        Benchmark("sbg-cohorts engine, 20k trials, \(threads) thread(s)", configuration: config) { benchmark in
            let m = try MonteCarloEngine.run(model, trials: 20_000, seed: 1, threads: threads)
            blackHole(m)
        }
    }
    for lambda in [1_000.0, 1_000_000.0] {
        let m = CohortModel(sbgCohorts(lambda: lambda))
        Benchmark("sbg-cohorts engine, lambda \(Int(lambda)), 5k trials, 1 thread", configuration: config) { _ in
            blackHole(try MonteCarloEngine.run(m, trials: 5_000, seed: 1, threads: 1))
        }
    }
    let full = sbgCohorts(lifetimeMonths: 120)
    Benchmark("sbg-cohorts full run with CLTV and statistics, 20k trials, \(cores) thread(s)", configuration: config) { _ in
        blackHole(try Simulation.run(full, trials: 20_000, seed: 1, threads: cores))
    }
}
