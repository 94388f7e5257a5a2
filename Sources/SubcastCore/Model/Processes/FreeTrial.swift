import SubcastStochastics

/// Free trials (`FreeTrial`): the month's sign-ups start a trial of L months without paying; at
/// its end Binomial(trial starts of month m - L, conversion) convert and start paying in month
/// m (stream `trials`), their tenure starting then. Metrics: `trial_starts`, `trialing`.
struct FreeTrialProcess: Sendable {
    static let stream = "trials"
    let months: Int
    let conversion: Double

    init?(_ scenario: Scenario) {
        guard let t = scenario.levers.freeTrial else { return nil }
        months = t.months
        conversion = t.conversion
    }

    /// Records the month's trial starts and returns the trialists who convert now.
    func step(starts: Int, _ x: Month, history: UnsafeMutableBufferPointer<Int>, using g: RandomGenerator) -> Int {
        let m = x.m
        history[m] = starts
        var converted = 0
        if m - months >= 1 {
            converted = Binomial.draw(trials: history[m - months], probability: conversion, using: g)
        }
        var trialing = 0
        for k in max(1, m - months + 1)...m { trialing += history[k] }
        x.add(.trialStarts, starts)
        x.add(.trialing, trialing)
        return converted
    }
}
