import SubcastStochastics

/// Many candidate scenarios on common random numbers, writing only the values an optimisation
/// needs: per candidate, per value (`ComparisonMetric`), one double a trial. As in
/// `ComparisonModel`, every candidate starts trial i from the same stream states, so a
/// candidate's values do not depend on which other candidates run beside it: a second stage on
/// fewer candidates reproduces the first stage's trials bit for bit.
public struct CandidatesModel: TrialModel {
    public let models: [ForecastModel]
    public let values: [ComparisonMetric]
    public let streamNames: [String]
    /// Per candidate: indices into `streamNames` of the streams its model expects.
    let streamIndex: [[Int]]
    /// Per value: where it is in a model's outputs (offset, months summed; 1 for a point).
    let columns: [[(offset: Int, count: Int)]]
    let widest: Int

    /// - Precondition: every model reports every value (see `ComparisonModel.resolve`).
    public init(_ models: [ForecastModel], values: [ComparisonMetric]) {
        precondition(!models.isEmpty && !values.isEmpty)
        self.models = models
        self.values = values
        var names: [String] = []
        streamIndex = models.map { m in
            m.streamNames.map { name in
                if let i = names.firstIndex(of: name) { return i }
                names.append(name)
                return names.count - 1
            }
        }
        streamNames = names
        columns = models.map { m in
            values.map { c in
                guard let b = m.layout.block(c.metric) else { preconditionFailure("\(c.name) is not reported") }
                switch c.point {
                case .scalar: return (b.offset, 1)
                case let .month(month): return (b.offset + month - 1, 1)
                case .total: return (b.offset, b.count)
                }
            }
        }
        widest = models.map(\.outputWidth).max() ?? 0
    }

    /// Column of value j of candidate k in a trial's row.
    public func column(candidate k: Int, value j: Int) -> Int { k * values.count + j }

    public var outputWidth: Int { models.count * values.count }
    public var bytesPerWorker: Int { models.reduce(0) { $0 &+ $1.bytesPerWorker } &+ widest * 8 }
    public var stepsPerTrial: Int { models.reduce(0) { $0 + $1.stepsPerTrial } }

    public struct Scratch {
        var models: [ForecastModel.Scratch]
        var streams = CommonStreams()
        var row: [Double]
    }

    public func makeScratch() -> Scratch {
        Scratch(models: models.map { $0.makeScratch() }, row: [Double](repeating: 0, count: widest))
    }

    public func simulate(streams: [RandomGenerator], scratch: inout Scratch, into out: UnsafeMutableBufferPointer<Double>) {
        simulate(trial: 0, seed: 0, streams: streams, scratch: &scratch, into: out)
    }

    public func simulate(trial: Int, seed: UInt64, streams: [RandomGenerator], scratch: inout Scratch,
                         into out: UnsafeMutableBufferPointer<Double>) {
        scratch.streams.begin(streams, index: streamIndex)
        for k in models.indices {
            if k > 0 { scratch.streams.restore() }
            let width = models[k].outputWidth
            scratch.row.withUnsafeMutableBufferPointer { buffer in
                let row = UnsafeMutableBufferPointer(rebasing: buffer[0..<width])
                models[k].simulate(trial: trial, seed: seed, streams: scratch.streams.subsets[k], scratch: &scratch.models[k], into: row)
                for (j, c) in columns[k].enumerated() {
                    var sum = 0.0
                    for i in c.offset..<(c.offset + c.count) { sum += row[i] }
                    out[column(candidate: k, value: j)] = sum
                }
            }
        }
    }
}
