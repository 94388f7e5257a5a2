import Foundation
import SubcastStochastics

/// Onboarding and management by exception (`Onboarding`).
///
/// At sign-up (stream `onboarding`) Binomial(n, q) of n new subscribers are at risk, q =
/// P(R > threshold) for the lognormal ramp-up time R. Step 6 of the month: the exception report
/// detects Binomial(at risk, detection) per compartment; `capacity` of them get an intervention,
/// oldest groups first and, within the group where the capacity runs out, a uniform choice of
/// its detected subscribers (sequential hypergeometric draws over its plans, billings and latent
/// classes); Binomial(treated, success) are saved (to healthy). (`raised`, support's per-
/// compartment scratch, holds the detections meanwhile.)
/// Ageing (after renewals): an at-risk subscriber of age a finishes ramping up with probability
/// P(R <= a + 1 | R > max(a, threshold)). At-risk subscribers churn at the hazard x
/// `atRiskChurnMultiplier` (renewal process). Waiting on a ticket takes precedence: a subscriber
/// who raises a ticket leaves the at-risk condition. `at_risk` is counted at billing.
/// Metrics: `at_risk`, `interventions`, `saves`, `intervention_cost`.
struct OnboardingProcess: Sendable {
    static let stream = "onboarding"
    let onboarding: Onboarding
    let atRiskShare: Double
    /// Ramp-up exit probability by age.
    let rampExit: [Double]

    init?(_ scenario: Scenario, lastMonth: Int) {
        guard let o = scenario.levers.onboarding else { return nil }
        onboarding = o
        // Validated by the loader: median > 0 and log-sd > 0.
        let ramp = try! Lognormal(mu: log(o.rampMedianMonths), sigma: o.rampLogSD)
        atRiskShare = ramp.survival(o.thresholdMonths)
        rampExit = (0...lastMonth).map { a in
            let from = max(Double(a), o.thresholdMonths)
            let to = Double(a + 1)
            guard to > from else { return 0 }
            let tail = ramp.survival(from)
            return tail > 0 ? min(1, max(0, (tail - ramp.survival(to)) / tail)) : 1
        }
    }

    /// At sign-up: how many of n are at risk.
    @inline(__always) func atRisk(_ n: Int, using g: RandomGenerator) -> Int {
        Binomial.draw(trials: n, probability: atRiskShare, using: g)
    }

    /// Step 6: interventions.
    func intervene(_ t: CompartmentTable, _ shape: ModelShape, _ x: Month, using g: RandomGenerator) {
        let o = onboarding, risk = shape.conditions.risk
        guard o.detectionRate > 0 else { return }
        var room = o.capacityPerMonth ?? Int.max
        var interventions = 0, saves = 0
        x.forEachGroup { grp in
            // The group's detected at-risk subscribers, compartment by compartment; when the room
            // left is less, a uniform choice of them (sequential hypergeometric draws), so no plan
            // or latent class of the group comes first.
            var detectedInGroup = 0
            for c in shape.compartments(ofGroup: grp) {
                let r = t.total[c] == 0 ? 0 : t.n(c, risk)
                let d = r == 0 ? 0 : Binomial.draw(trials: r, probability: o.detectionRate, using: g)
                t.raised[c] = d
                detectedInGroup += d
            }
            if detectedInGroup == 0 { return }
            var left = detectedInGroup, take = min(detectedInGroup, room)
            room -= take
            for c in shape.compartments(ofGroup: grp) where t.raised[c] > 0 {
                let d = t.raised[c]
                t.raised[c] = 0
                let treated = take == 0 ? 0 : (take == left ? d
                    : Hypergeometric.draw(marked: d, unmarked: left - d, sample: take, using: g))
                left -= d
                take -= treated
                if treated == 0 { continue }
                interventions += treated
                let saved = Binomial.draw(trials: treated, probability: o.successRate, using: g)
                t.add(c, risk, -saved)
                t.add(c, 0, saved)
                saves += saved
            }
        }
        x.add(.interventions, interventions)
        x.add(.saves, saves)
        x.add(.interventionCost, Double(interventions) * (o.costSchedule?.value(month: x.m) ?? o.costPerIntervention))
    }

    /// Ageing: ramp-up exits of compartment c of age `age`.
    @inline(__always) func age(_ t: CompartmentTable, _ c: Int, risk: Int, age: Int, using g: RandomGenerator) {
        let r = t.n(c, risk)
        if r > 0 && age < rampExit.count {
            let done = Binomial.draw(trials: r, probability: rampExit[age], using: g)
            t.add(c, risk, -done)
            t.add(c, 0, done)
        }
    }
}
