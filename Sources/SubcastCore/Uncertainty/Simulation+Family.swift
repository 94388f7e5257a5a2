import SubcastStochastics

extension Simulation {
    /// Simulates a scenario family: a fixed family exactly as `run(_: Scenario, ...)`, one with
    /// uncertain inputs on `UncertainModel` (each trial draws its inputs). The result's scenario is
    /// `family.base` (the medians); its layout adds one `input:<name>` scalar per input.
    public static func run(_ family: ScenarioFamily, trials: Int? = nil, seed: UInt64, threads: Int,
                           progress: (@Sendable (Int) -> Void)? = nil,
                           isCancelled: (@Sendable () -> Bool)? = nil) throws(SimulationError) -> SimulationResult {
        if family.isFixed {
            return try run(family.base, trials: trials, seed: seed, threads: threads, progress: progress, isCancelled: isCancelled)
        }
        let model = ForecastModel(family)
        let reduction = try MonteCarloEngine.reduce(model, trials: trials ?? family.base.trials, seed: seed, threads: threads,
                                                    progress: progress, isCancelled: isCancelled)
        return result(family, seed: seed, reduction: reduction)
    }

    /// The result of a complete reduction of a family's model (e.g. one joined from shards).
    ///
    /// With uncertain inputs the closed form is that of the scenario at the medians, which is not
    /// the mean over the inputs' distribution: it is marked `atPointEstimates`.
    public static func result(_ family: ScenarioFamily, seed: UInt64, reduction: Reduction) -> SimulationResult {
        if family.isFixed { return result(family.base, seed: seed, reduction: reduction) }
        var closedForm = ClosedForm(family.base)
        closedForm.atPointEstimates = true
        var r = result(family.base, layout: ForecastModel(family).layout, closedForm: closedForm, seed: seed,
                       reduction: reduction)
        r.inputs = family.inputs.inputs
        return r
    }
}
