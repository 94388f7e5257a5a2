/// What every process of the pipeline declares: which process it is (its metrics are the
/// registry's of that kind, `MetricRegistry.metrics(of:)`) and the named streams it draws from.
///
/// Processes are concrete structs held by `PipelineModel` as optionals (nil when off) and called
/// directly from the month step: the protocol describes them, it is never used as an existential
/// in the hot loop. The conditions a process adds to a compartment are declared in `Conditions`
/// (onboarding: at risk; support: waiting, detractor and promoter months).
protocol ModelProcess: Sendable {
    static var kind: ProcessKind { get }
    /// The streams it draws from, keyed (seed, trial, name) by the engine; no other process
    /// draws from them.
    static var streams: [String] { get }
}

extension ModelProcess {
    /// The metrics it reports.
    static var metrics: [Metric] { MetricRegistry.metrics(of: kind) }
}

/// A parameter as a process reads it: its value in month m. Today's scenario inputs are
/// constant over the horizon; a dated schedule (a value from a month on, a ramp) is a table by
/// month, read the same way, so processes need no change when inputs start to vary.
struct MonthlyValue: Sendable, Hashable {
    private let constant: Double
    private let byMonth: [Double]?

    /// The same value in every month.
    init(_ value: Double) { constant = value; byMonth = nil }

    /// A value per month 1 ... n (`values[m - 1]`); months after n keep the last value.
    init(byMonth values: [Double]) {
        precondition(!values.isEmpty)
        constant = values[values.count - 1]
        byMonth = values
    }

    /// The value in month m >= 1.
    @inline(__always) func callAsFunction(_ m: Int) -> Double {
        guard let t = byMonth else { return constant }
        return m >= 1 && m <= t.count ? t[m - 1] : constant
    }

    /// True when the value is the same in every month.
    var isConstant: Bool { byMonth == nil }
}

extension Pricing: ModelProcess {
    static let kind = ProcessKind.pricing
    static let streams = [stream]
}
extension AcquisitionProcess: ModelProcess {
    static let kind = ProcessKind.acquisition
    static let streams = [stream]
}
extension FreeTrialProcess: ModelProcess {
    static let kind = ProcessKind.freeTrial
    static let streams = [stream]
}
extension ReferralProcess: ModelProcess {
    static let kind = ProcessKind.referrals
    static let streams = [stream]
}
extension BillingProcess: ModelProcess {
    static let kind = ProcessKind.billing
    static let streams = [stream]
}
extension SeatsProcess: ModelProcess {
    static let kind = ProcessKind.seats
    static let streams = [stream]
}
extension UsageProcess: ModelProcess {
    static let kind = ProcessKind.usage
    static let streams = [stream]
}
extension PlanMoveProcess: ModelProcess {
    static let kind = ProcessKind.planMoves
    static let streams = [stream]
}
extension SupportProcess: ModelProcess {
    static let kind = ProcessKind.support
    static let streams = [stream]
}
extension OnboardingProcess: ModelProcess {
    static let kind = ProcessKind.onboarding
    static let streams = [stream]
}
extension RenewalProcess: ModelProcess {
    static let kind = ProcessKind.renewal
    /// Churn, the per-trial churn parameters, and the split of arrivals into latent classes.
    static let streams = [stream, parameterStream, LatentClasses.stream]
}
extension DunningProcess: ModelProcess {
    static let kind = ProcessKind.dunning
    static let streams = [stream]
}
extension LicenceProcess: ModelProcess {
    static let kind = ProcessKind.licence
    static let streams = [stream]
}
extension LicenceSupportProcess: ModelProcess {
    static let kind = ProcessKind.licenceSupport
    static let streams = [stream]
}

/// Every process type of the pipeline, in month order.
let pipelineProcesses: [any ModelProcess.Type] = [
    Pricing.self, AcquisitionProcess.self, FreeTrialProcess.self, ReferralProcess.self, BillingProcess.self,
    SeatsProcess.self, PlanMoveProcess.self, SupportProcess.self, OnboardingProcess.self, UsageProcess.self,
    RenewalProcess.self, DunningProcess.self, LicenceProcess.self, LicenceSupportProcess.self, CostsProcess.self,
]
