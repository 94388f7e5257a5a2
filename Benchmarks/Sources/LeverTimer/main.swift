// LeverTimer: times `Simulation.run` (the streaming statistics path `subcast run` uses) on a
// scenario file, by default Scenarios/levers-saas.yaml (every business lever switched on), and
// the same scenario with every lever switched off (`PipelineModel` and `CohortModel` on identical
// plans, acquisition and base), and prints one JSON line per run.
//
// Usage: LeverTimer [scenario=../Scenarios/levers-saas.yaml] [trials=2000] [threads=1] [seed=1]
//
// A "step" is one compartment-month times its conditions (`ForecastModel.stepsPerTrial`): the
// unit in which the engine's cost grows; it does not depend on the number of subscribers.

import Foundation
import SubcastCore
import SubcastIO

let args = Array(CommandLine.arguments.dropFirst())
let path = args.count > 0 ? args[0] : "../Scenarios/levers-saas.yaml"
let trials = args.count > 1 ? Int(args[1]) ?? 2000 : 2000
let threads = args.count > 2 ? Int(args[2]) ?? 1 : 1
let seed = args.count > 3 ? UInt64(args[3]) ?? 1 : 1

let levers: Scenario
do {
    levers = try ScenarioLoader.load(path: path)
} catch {
    FileHandle.standardError.write("LeverTimer: \(error)\n".data(using: .utf8)!)
    exit(2)
}
var plain = levers
plain.levers = Levers()
for p in plain.plans.indices { plain.plans[p].options = PlanOptions() }

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

for (label, scenario) in [("every lever", levers), ("levers off", plain)] {
    let model = ForecastModel(scenario)
    let clock = ContinuousClock()
    let cpu0 = cpuSeconds()
    let t0 = clock.now
    let result = try Simulation.run(scenario, trials: trials, seed: seed, threads: threads)
    let d = t0.duration(to: clock.now)
    let wall = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    let cpu = cpuSeconds() - cpu0
    let steps = Double(model.stepsPerTrial) * Double(trials)
    let mrr = result.summary("mrr", month: scenario.horizonMonths)!
    print("{\"impl\": \"swift-\(label == "every lever" ? "levers" : "levers-off")\", \"scenario\": \"\(scenario.name)\", "
          + "\"trials\": \(trials), \"threads\": \(threads), \"seconds\": \(wall), \"cpu_seconds\": \(cpu), "
          + "\"trials_per_second\": \(Double(trials) / wall), \"steps_per_trial\": \(model.stepsPerTrial), "
          + "\"ns_per_step\": \(wall * 1e9 / steps * Double(threads)), \"outputs\": \(model.outputWidth), "
          + "\"mrr_final_mean\": \(mrr.mean), \"mrr_final_se\": \(mrr.se)}")
}
