/// How much of a metric's spread comes from uncertain inputs and how much from process noise.
///
/// The run with inputs drawn per trial gives the total variance V; the same scenario with every
/// input fixed at its median, on the same seed (so the same process-noise streams), gives the
/// process-noise variance V_p. By the law of total variance, V = E[Var(Y | inputs)] +
/// Var(E[Y | inputs]); taking V_p as the first term (exact when the noise variance does not depend
/// on the inputs, an approximation otherwise), the inputs' share is 1 - V_p / V.
public struct VarianceSplit: Sendable, Hashable {
    public var metric: String
    /// The month for monthly metrics, nil for per-trial ones.
    public var month: Int?
    public var sdTotal: Double
    public var sdProcess: Double
    /// 1 - V_p / V, clipped to [0, 1] (both variances carry Monte Carlo error).
    public var inputShare: Double

    /// The split of each metric present in both results (`(name, month)`, month nil = scalar or
    /// the horizon for monthly metrics).
    public static func compute(total: SimulationResult, fixed: SimulationResult, metrics: [(String, Int?)]) -> [VarianceSplit] {
        metrics.compactMap { name, month in
            guard let block = total.layout.block(name), fixed.layout.block(name) != nil else { return nil }
            let a: Summary?, b: Summary?
            var m: Int? = nil
            if block.kind == .scalar {
                a = total.scalar(name); b = fixed.scalar(name)
            } else {
                m = month ?? block.count
                a = total.summary(name, month: m!); b = fixed.summary(name, month: m!)
            }
            guard let a, let b, a.sd.isFinite, b.sd.isFinite else { return nil }
            let v = a.sd * a.sd, vp = b.sd * b.sd
            let share = v > 0 ? min(1, max(0, 1 - vp / v)) : 0
            return VarianceSplit(metric: name, month: m, sdTotal: a.sd, sdProcess: b.sd, inputShare: share)
        }
    }
}
