@testable import SubcastCore

/// The `sbg-cohorts` model of benchmark-model.md.
func benchScenario(trials: Int = 2000, lifetimeMonths: Int = 120) -> Scenario {
    Scenario(name: "sbg-cohorts", horizonMonths: 60, trials: trials,
             plans: [Plan(name: "standard", pricePerMonth: 50, churn: .shiftedBetaGeometric(alpha: 0.5, beta: 12))],
             acquisition: Acquisition(newPerMonth: 1000, planMix: [1]),
             economics: Economics(grossMargin: 1, discountRatePerYear: 0.10, cacPerSubscriber: 0),
             lifetimeMonths: lifetimeMonths)
}

/// |simulated - exact| <= z standard errors, with a message naming the seed and parameters.
func within(_ s: Summary, _ exact: Double, z: Double = 4, _ context: String) -> (Bool, String) {
    let ok = abs(s.mean - exact) <= z * s.se + 1e-9 * abs(exact)
    return (ok, "\(context): simulated mean \(s.mean) (se \(s.se), n \(s.n)) vs exact \(exact), tolerance \(z) se")
}
