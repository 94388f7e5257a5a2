import SubcastStochastics

/// The model a scenario runs on, chosen here and nowhere else: `PipelineModel` when it uses a
/// business lever, otherwise the leaner `CohortModel` (the pipeline with no process beyond the
/// cohort core gives the same numbers bit for bit, a test checks it, but the cohort model skips
/// the lever bookkeeping in the hot loop); a scenario with uncertain inputs runs on
/// `UncertainModel` (a model compiled per trial from the drawn values).
public enum ForecastModel: TrialModel {
    case core(CohortModel)
    case levers(PipelineModel)
    case uncertain(UncertainModel)

    public init(_ scenario: Scenario) {
        self = scenario.usesLevers ? .levers(PipelineModel(scenario)) : .core(CohortModel(scenario))
    }

    /// True when a scenario family runs on the lever pipeline: some scenario of it (the shape,
    /// the base, or one at its inputs' extreme quantiles) uses a lever.
    public static func usesLevers(_ family: ScenarioFamily) -> Bool {
        family.shape.usesLevers || family.base.usesLevers
            || ScenarioFamily.extremeValues(family.inputs).contains { family.make($0).usesLevers }
    }

    /// The model of one scenario of a family with the family's shape: what `UncertainModel` and
    /// the sensitivity analyses run per input vector.
    static func member(_ scenario: Scenario, shape: Scenario, levers: Bool) -> ForecastModel {
        levers ? .levers(PipelineModel(scenario, shape: shape)) : .core(CohortModel(scenario))
    }

    /// The processes a scenario runs (the cohort core always): what its outputs report.
    public static func processes(of scenario: Scenario) -> Set<ProcessKind> {
        PipelineModel.running(shape: scenario, withLevers: scenario.usesLevers,
                              hasShock: scenario.levers.priceEvents.contains { $0.churnShock > 0 && !$0.grandfather })
    }

    /// True when exact closed-form expectations exist for this scenario (the model without
    /// levers is linear in expectation).
    public static func hasClosedForm(_ scenario: Scenario) -> Bool { !scenario.usesLevers }

    /// The model of a scenario family: `UncertainModel` when some input is uncertain, otherwise
    /// that of its one scenario (`init(_: Scenario)`), so fixed scenarios run exactly as before.
    public init(_ family: ScenarioFamily) {
        self = family.isFixed ? ForecastModel(family.base) : .uncertain(UncertainModel(family))
    }

    /// One of the models' buffers (the others are nil), mutated in place.
    public struct Scratch {
        var core: CohortModel.Scratch?
        var levers: PipelineModel.Scratch?
        var uncertain: UncertainModel.Scratch?
    }

    public var layout: OutputLayout {
        switch self {
        case let .core(m): m.layout
        case let .levers(m): m.layout
        case let .uncertain(m): m.layout
        }
    }

    public var streamNames: [String] {
        switch self {
        case let .core(m): m.streamNames
        case let .levers(m): m.streamNames
        case let .uncertain(m): m.streamNames
        }
    }

    public var outputWidth: Int { layout.width }

    public var bytesPerWorker: Int {
        switch self {
        case let .core(m): m.bytesPerWorker
        case let .levers(m): m.bytesPerWorker
        case let .uncertain(m): m.bytesPerWorker
        }
    }

    /// Compartment-month steps of one trial, the unit of the work bound.
    public var stepsPerTrial: Int {
        switch self {
        case let .core(m): m.stepsPerTrial
        case let .levers(m): m.stepsPerTrial
        case let .uncertain(m): m.stepsPerTrial
        }
    }

    public func makeScratch() -> Scratch {
        switch self {
        case let .core(m): Scratch(core: m.makeScratch(), levers: nil, uncertain: nil)
        case let .levers(m): Scratch(core: nil, levers: m.makeScratch(), uncertain: nil)
        case let .uncertain(m): Scratch(core: nil, levers: nil, uncertain: m.makeScratch())
        }
    }

    public func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case let .core(m): m.simulate(streams: streams, scratch: &scratch.core!, into: out)
        case let .levers(m): m.simulate(streams: streams, scratch: &scratch.levers!, into: out)
        case let .uncertain(m): m.simulate(streams: streams, scratch: &scratch.uncertain!, into: out)
        }
    }

    public func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case let .core(m): m.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch.core!, into: out)
        case let .levers(m): m.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch.levers!, into: out)
        case let .uncertain(m): m.simulate(trial: trial, seed: seed, streams: streams, scratch: &scratch.uncertain!, into: out)
        }
    }
}
