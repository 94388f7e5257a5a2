import SubcastStochastics

/// The model a scenario runs on: `LeverModel` when it uses a business lever, otherwise the
/// leaner `CohortModel` (which gives the same numbers as `LeverModel` with every lever off,
/// a test checks this bit for bit, but skips the lever bookkeeping in the hot loop).
public enum ForecastModel: TrialModel {
    case core(CohortModel)
    case levers(LeverModel)

    public init(_ scenario: Scenario) {
        self = scenario.usesLevers ? .levers(LeverModel(scenario)) : .core(CohortModel(scenario))
    }

    /// One of the two models' buffers (the other is nil), mutated in place.
    public struct Scratch {
        var core: CohortModel.Scratch?
        var levers: LeverModel.Scratch?
    }

    public var layout: OutputLayout {
        switch self {
        case let .core(m): m.layout
        case let .levers(m): m.layout
        }
    }

    public var streamNames: [String] {
        switch self {
        case let .core(m): m.streamNames
        case let .levers(m): m.streamNames
        }
    }

    public var outputWidth: Int { layout.width }

    /// Compartment-month steps of one trial, the unit of the work bound.
    public var stepsPerTrial: Int {
        switch self {
        case let .core(m): m.stepsPerTrial
        case let .levers(m): m.stepsPerTrial
        }
    }

    public func makeScratch() -> Scratch {
        switch self {
        case let .core(m): Scratch(core: m.makeScratch(), levers: nil)
        case let .levers(m): Scratch(core: nil, levers: m.makeScratch())
        }
    }

    public func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        switch self {
        case let .core(m): m.simulate(streams: streams, scratch: &scratch.core!, into: out)
        case let .levers(m): m.simulate(streams: streams, scratch: &scratch.levers!, into: out)
        }
    }
}
