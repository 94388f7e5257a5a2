import SubcastStochastics

/// The model of a scenario with uncertain inputs: every trial draws the inputs, builds its own
/// scenario and simulates it.
///
/// Trial t (seed s):
/// 1. inputs: the values from `UncertainInputs.values` (streams `input:<name>`, Latin hypercube
///    and copula as configured);
/// 2. scenario: `family.make(values)`;
/// 3. simulation: `PipelineModel(scenario, shape: family.shape)`, or `CohortModel(scenario)` when
///    no scenario of the family uses a lever (`ForecastModel.usesLevers`; the two give the same
///    numbers, the cohort model faster), compiled from the values, on the model's streams,
///    which the engine keys (s, t, name) exactly as for a fixed scenario: with every input at a
///    fixed value the process noise is that of the fixed scenario, draw for draw;
/// 4. record: the model's outputs, then one `.scalar` block `input:<name>` per input holding the
///    drawn value.
///
/// Streams: the model's (of the shape), then `input:<name>` per input. Layout: the model's, then
/// the input blocks. Results are identical for any number of threads or shards.
///
/// Cost: building a trial's scenario and model (for a scenario file: re-reading the parsed
/// document, see `ScenarioLoader.loadFamily`) adds tens of microseconds to each trial.
public struct UncertainModel: TrialModel {
    public let family: ScenarioFamily
    /// The model at the medians (one of the two); its layout and streams are every trial's.
    let baseLevers: PipelineModel?
    let baseCore: CohortModel?
    public let layout: OutputLayout
    public let streamNames: [String]
    /// Number of model streams (the input streams follow).
    let modelStreams: Int
    /// Offset of the first `input:<name>` block.
    let inputOffset: Int

    public init(_ family: ScenarioFamily) {
        self.family = family
        let levers = ForecastModel.usesLevers(family)
        var l: OutputLayout
        let names: [String]
        if levers {
            let m = PipelineModel(family.base, shape: family.shape)
            (baseLevers, baseCore, l, names) = (m, nil, m.layout, m.streamNames)
        } else {
            let m = CohortModel(family.base)
            (baseLevers, baseCore, l, names) = (nil, m, m.layout, m.streamNames)
        }
        inputOffset = l.width
        for input in family.inputs.inputs { l.add(input.streamName, .scalar, count: 1) }
        layout = l
        modelStreams = names.count
        streamNames = names + family.inputs.streamNames
    }

    public var outputWidth: Int { layout.width }

    /// True when trials run on `PipelineModel` (some scenario of the family uses a lever).
    public var usesLevers: Bool { baseLevers != nil }

    /// Compartment-month steps of one trial at the medians (the work bound's unit).
    /// A worker's scratch of the family's shape, and the trial's compiled model (about as large).
    public var bytesPerWorker: Int { 2 * (baseLevers?.bytesPerWorker ?? baseCore!.bytesPerWorker) }

    public var stepsPerTrial: Int { baseLevers?.stepsPerTrial ?? baseCore!.stepsPerTrial }

    public struct Scratch {
        var levers: PipelineModel.Scratch?
        var core: CohortModel.Scratch?
        var modelStreams: [RandomGenerator]
        var inputStreams: [RandomGenerator]
        let work: RandomGenerator
    }

    public func makeScratch() -> Scratch {
        Scratch(levers: baseLevers?.makeScratch(), core: baseCore?.makeScratch(), modelStreams: [], inputStreams: [],
                work: RandomGenerator(StreamKey(seed: 0, trial: 0, name: "lhs")))
    }

    /// Simulates as trial 0 of a run with root seed 0 as far as the Latin hypercube is concerned
    /// (the engine calls `simulate(trial:seed:streams:scratch:into:)`).
    public func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        simulate(trial: 0, seed: 0, streams: streams, scratch: &scratch, into: out)
    }

    public func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch s: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count == layout.width && streams.count == streamNames.count)
        if s.modelStreams.count != modelStreams || !zip(s.modelStreams, streams).allSatisfy({ $0 === $1 }) {
            s.modelStreams = Array(streams[0..<modelStreams])
            s.inputStreams = Array(streams[modelStreams...])
        }
        let values = family.inputs.values(trial: trial, seed: seed, streams: s.inputStreams, work: s.work)
        let scenario = family.make(values)
        let modelOut = UnsafeMutableBufferPointer(rebasing: out[0..<inputOffset])
        if baseLevers != nil {
            let model = PipelineModel(scenario, shape: family.shape)
            model.simulate(trial: trial, seed: seed, streams: s.modelStreams, scratch: &s.levers!, into: modelOut)
        } else {
            let model = CohortModel(scenario)
            precondition(model.streamNames.count == modelStreams, "a trial's scenario changed the cohort model's streams")
            s.core!.hazard = model.hazard
            model.simulate(trial: trial, seed: seed, streams: s.modelStreams, scratch: &s.core!, into: modelOut)
        }
        for (i, v) in values.enumerated() { out[inputOffset + i] = v }
    }
}
