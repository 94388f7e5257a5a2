/// A scenario some of whose inputs are uncertain: one `Scenario` per vector of input values.
///
/// `make(values)` builds the scenario whose uncertain inputs take `values` (one per input, in
/// `inputs` order); `base` is the scenario at the inputs' medians; `shape` fixes what a run
/// simulates and reports (streams, compartments, output series) so that every trial has the same
/// layout whatever its draws: it has every lever switched on that some draw switches on (see
/// `shape(covering:)`). A family without inputs is one fixed scenario.
///
/// ```swift
/// let family = try ScenarioLoader.loadFamily(path: "Scenarios/pricing.yaml")
/// let result = try Simulation.run(family, trials: 10_000, seed: 42, threads: 4)
/// let noise = try Simulation.run(family.fixedAtMedians, trials: 10_000, seed: 42, threads: 4)
/// ```
public struct ScenarioFamily: Sendable {
    /// The scenario with every uncertain input at its median.
    public internal(set) var base: Scenario
    public let inputs: UncertainInputs
    /// The scenario whose levers decide the layout and streams of every trial.
    public let shape: Scenario
    /// The scenario for one vector of input values (one per input, in `inputs` order).
    public let make: @Sendable ([Double]) -> Scenario

    public init(base: Scenario, inputs: UncertainInputs, shape: Scenario, make: @escaping @Sendable ([Double]) -> Scenario) {
        self.base = base
        self.inputs = inputs
        self.shape = shape
        self.make = make
    }

    /// A family whose shape covers the scenarios at the inputs' 1e-6 and 1 - 1e-6 quantiles
    /// (all inputs together, and each alone with the others at their medians) and at the medians.
    public init(base: Scenario, inputs: UncertainInputs, make: @escaping @Sendable ([Double]) -> Scenario) {
        self.init(base: base, inputs: inputs,
                  shape: ScenarioFamily.shape(covering: [base] + ScenarioFamily.extremeValues(inputs).map(make)), make: make)
    }

    /// One fixed scenario.
    public init(_ scenario: Scenario) {
        self.init(base: scenario, inputs: UncertainInputs(), shape: scenario, make: { _ in scenario })
    }

    /// True when no input is uncertain.
    public var isFixed: Bool { inputs.isEmpty }

    /// The scenario for one vector of input values (one per input, in `inputs` order).
    public func scenario(values: [Double]) -> Scenario {
        precondition(values.count == inputs.count, "\(values.count) values for \(inputs.count) uncertain inputs")
        return make(values)
    }

    /// The same scenario with every input fixed at its median: runs on it show process noise
    /// only, so comparing its spread with the family's separates parameter uncertainty from
    /// process noise. Its results equal those of `base` run as a fixed scenario.
    public var fixedAtMedians: ScenarioFamily { ScenarioFamily(base) }

    /// The family whose results also report these percentiles (in per cent; see
    /// `Scenario.reportPercentiles`). The trials are unchanged.
    public func reporting(percentiles: [Double]) -> ScenarioFamily {
        var f = self
        f.base.reportPercentiles = percentiles
        return f
    }

    /// The input vectors whose scenarios bound the family: every input at its 1e-6 quantile, every
    /// input at its 1 - 1e-6 quantile, and each input alone at either with the rest at medians.
    public static func extremeValues(_ inputs: UncertainInputs) -> [[Double]] {
        guard !inputs.isEmpty else { return [] }
        let medians = inputs.medians
        let low = inputs.quantiles(UncertainInputs.clamp), high = inputs.quantiles(1 - UncertainInputs.clamp)
        var out = [low, high]
        if inputs.count > 1 {
            for i in inputs.inputs.indices {
                var l = medians, h = medians
                l[i] = low[i]
                h[i] = high[i]
                out += [l, h]
            }
        }
        return out
    }

    /// The first scenario with every shape-deciding value of `PipelineModel` raised to the largest
    /// among `scenarios` (which must share plans, sections and integer settings): mean arrivals,
    /// annual shares, churn uncertainty, plan moves, seats and usage, price-event churn shocks,
    /// licence migration, condition multipliers and the churn response to price (kept when not
    /// neutral) and heterogeneous churn. A lever that is on in some scenario is then on in the shape.
    public static func shape(covering scenarios: [Scenario]) -> Scenario {
        precondition(!scenarios.isEmpty)
        var s = scenarios[0]
        for other in scenarios.dropFirst() {
            precondition(other.plans.count == s.plans.count && other.levers.priceEvents.count == s.levers.priceEvents.count)
            s.acquisition.newPerMonth = max(s.acquisition.newPerMonth, other.acquisition.newPerMonth)
            for p in s.plans.indices {
                let o = other.plans[p]
                s.plans[p].options.annualShare = max(s.plans[p].options.annualShare, o.options.annualShare)
                if s.plans[p].churnUncertainty == nil { s.plans[p].churnUncertainty = o.churnUncertainty }
                if s.plans[p].options.moves.isEmpty { s.plans[p].options.moves = o.options.moves }
                if s.plans[p].options.seats == nil { s.plans[p].options.seats = o.options.seats }
                if s.plans[p].options.usage == nil { s.plans[p].options.usage = o.options.usage }
            }
            for e in s.levers.priceEvents.indices {
                s.levers.priceEvents[e].churnShock = max(s.levers.priceEvents[e].churnShock,
                                                         other.levers.priceEvents[e].churnShock)
            }
            // A condition multiplier or churn response to price other than 1 (0) in any scenario
            // decides latent classes (`LatentClasses`) for all, and a plan heterogeneous anywhere
            // is heterogeneous in the shape.
            if var so = s.levers.onboarding, let oo = other.levers.onboarding,
               so.atRiskChurnMultiplier == 1 && oo.atRiskChurnMultiplier != 1 {
                so.atRiskChurnMultiplier = oo.atRiskChurnMultiplier
                s.levers.onboarding = so
            }
            if var ss = s.levers.support, let os = other.levers.support {
                if ss.waitingChurnMultiplier == 1 { ss.waitingChurnMultiplier = os.waitingChurnMultiplier }
                if ss.badChurnMultiplier == 1 { ss.badChurnMultiplier = os.badChurnMultiplier }
                if ss.goodChurnMultiplier == 1 { ss.goodChurnMultiplier = os.goodChurnMultiplier }
                s.levers.support = ss
            }
            if let op = other.levers.priceChurn, op.elasticity != 0, (s.levers.priceChurn?.elasticity ?? 0) == 0 {
                s.levers.priceChurn = op
            }
            for p in s.plans.indices {
                if case .constant = s.plans[p].churn {
                    switch other.plans[p].churn {
                    case .shiftedBetaGeometric, .betaDiscreteWeibull: s.plans[p].churn = other.plans[p].churn
                    case .constant: break
                    }
                }
            }
            if let l = other.levers.licenceSwitch, s.levers.licenceSwitch != nil {
                s.levers.licenceSwitch!.migrationPerMonth = max(s.levers.licenceSwitch!.migrationPerMonth, l.migrationPerMonth)
            }
        }
        return s
    }
}
